"""A run's page and its self-refreshing progress section."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language, ngettext

from kuntarobo.runtime.chains import chain_of
from kuntarobo.runtime.models import Run, RunLogEntry, RunStatus
from kuntarobo.runtime.personal_data import record_shown, sight_for
from kuntarobo.runtime.statuses import failed_count, run_outcome_label
from kuntarobo.web.forms import ItemFilterForm
from kuntarobo.web.runs import RunFigures, figures, input_result, run_notices
from kuntarobo.web.scoping import get_scoped_or_404
from kuntarobo.web.views.common import paginate, robot_or_none

ITEMS_PER_PAGE = 50
LOG_ENTRIES_SHOWN = 500
# htmx stops polling when it gets this status (and still shows the final content).
STOP_POLLING = 286
# The event the progress answer raises when something changed: the work items list reloads.
RUN_CHANGED = "run-changed"


def announcement(run_figures: RunFigures) -> str:
    """One short status line for the page's live region (read out on every change)."""
    run = run_figures.run
    # "Finished, 2 failed" rather than a plain "Finished" (never a plain success).
    status = run_outcome_label(run.status, failed_count(run_figures.counts))
    total = run_figures.total
    return ngettext(
        "%(status)s: %(processed)d of %(total)d item processed.",
        "%(status)s: %(processed)d of %(total)d items processed.",
        total,
    ) % {"status": status, "processed": run_figures.processed, "total": total}


def progress_context(request: HttpRequest, run_figures: RunFigures) -> dict[str, Any]:
    run = run_figures.run
    language = (get_language() or "fi")[:2]
    technical = run.error.get("technical", "")
    return {
        "run": run,
        "figures": run_figures,
        "running": run.status in (RunStatus.STARTING, RunStatus.RUNNING),
        "starting": run.status == RunStatus.STARTING,
        # Rendered in fi, sv and en when the input was refused: shown in the viewer's language.
        "refusal": run.error.get(language) or run.error.get("fi", ""),
        "technical_error": (
            technical
            if technical and sight_for(request.user).sees_technical_details(run.municipality_id)
            else ""
        ),
        "state": run_figures.state_token(),
        "announcement": announcement(run_figures),
    }


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_scoped_or_404(
        Run.objects.select_related("municipality", "requested_by"), request.user, pk
    )
    filter_form = ItemFilterForm(request.GET or None)
    items = run.items.order_by("id")
    if filter_form.is_valid() and filter_form.cleaned_data["status"]:
        items = items.filter(status=filter_form.cleaned_data["status"])
    sight = sight_for(request.user)
    page = paginate(request, items, ITEMS_PER_PAGE)
    views = sight.items(page.object_list)
    record_shown(request.user, views, via="web")
    can_view_logs = sight.sees_technical_details(run.municipality_id)
    log_entries = (
        list(RunLogEntry.objects.filter(run=run).order_by("-at", "-id")[:LOG_ENTRIES_SHOWN])[::-1]
        if can_view_logs
        else []
    )
    for entry in log_entries:
        entry.message = sight.log_message(run, entry.message) or ""
    context = {
        **progress_context(request, figures(run)),
        "robot": robot_or_none(run.robot_slug),
        "filter_form": filter_form,
        "page": page,
        "views": views,
        "input_name": sight.input_name(run),
        "input_result": input_result(run),
        "notices": run_notices(run),
        "can_view_logs": can_view_logs,
        "log_entries": log_entries,
        "log_limit": LOG_ENTRIES_SHOWN,
        "chain": chain_of(run),
    }
    return render(request, "web/run_detail.html", context)


@login_required
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress section alone. To htmx: 286 (stop polling) with the final content once the
    run is over, else 204 when nothing changed since the `state` the page has."""
    run = get_scoped_or_404(Run.objects.select_related("municipality"), request.user, pk)
    context = {**progress_context(request, figures(run)), "polled": True}
    if request.htmx:  # type: ignore[attr-defined]
        if request.GET.get("state") == context["state"] and context["running"]:
            return HttpResponse(status=204)
        status = 200 if context["running"] else STOP_POLLING
        response = render(request, "web/_run_progress.html", context, status=status)
        # Something changed (or the run ended): the items' list follows (`hx-trigger`).
        response["HX-Trigger"] = RUN_CHANGED
        return response
    return render(request, "web/_run_progress.html", context)
