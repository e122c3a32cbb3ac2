"""The HR robot's settings page for a municipality's coordinator: the column mapping and the
early-support thresholds, which otherwise only the CLI could set. Only for those who may
configure robots in the municipality; saving goes through the action the CLI uses, audited."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kuntarobo.robots.hr_reports import actions as hr_actions
from kuntarobo.robots.hr_reports.early_support import Thresholds
from kuntarobo.robots.hr_reports.exchange import ColumnMapping
from kuntarobo.robots.hr_reports.forms import THRESHOLD_LABELS, HrSettingsForm, pretty_json
from kuntarobo.robots.hr_reports.models import ExportMapping
from kuntarobo.sdk import InputError
from kuntarobo.sdk.models import Municipality
from kuntarobo.sdk.permissions import Permission, PermissionDeniedError
from kuntarobo.sdk.web import municipality_or_404, require_somewhere


@login_required
@require_GET
def settings_index(request: HttpRequest) -> HttpResponse:
    """The robot's page links here: the municipalities the user may configure (403: none);
    with only one there is nothing to choose."""
    municipalities = list(require_somewhere(request.user, Permission.CONFIGURE).order_by("slug"))
    if len(municipalities) == 1:
        return redirect("hr_reports_staff:settings", municipality=municipalities[0].slug)
    return render(request, "hr_reports/settings_index.html", {"municipalities": municipalities})


def _current(stored: ExportMapping | None) -> tuple[dict[str, Any], dict[str, int]]:
    """The mapping as stored and the thresholds in effect (defaults for what is not stored)."""
    mapping = dict(stored.column_mapping) if stored is not None else {}
    thresholds = Thresholds().to_json()
    if stored is not None and stored.thresholds:
        try:
            thresholds = Thresholds.from_json(stored.thresholds).to_json()
        except (ValueError, TypeError):  # stored by hand, not through the action
            thresholds.update(stored.thresholds)
    return mapping, thresholds


def _normalised(mapping: dict[str, Any]) -> object:
    """A stored mapping in the form the action stores it, to tell whether it changed."""
    try:
        return ColumnMapping.from_json(mapping).to_json()
    except (ValueError, TypeError):
        return mapping


@login_required
@require_http_methods(["GET", "POST"])
def settings(request: HttpRequest, municipality: str) -> HttpResponse:
    place: Municipality = municipality_or_404(request.user, municipality, Permission.CONFIGURE)
    stored = ExportMapping.objects.filter(municipality=place).first()
    mapping, thresholds = _current(stored)
    status = 200
    if request.method == "POST":
        form = HrSettingsForm(request.POST)
        if form.is_valid():
            changes: dict[str, Any] = {}
            if form.cleaned_data["mapping"] != _normalised(mapping):
                changes["mapping"] = form.cleaned_data["mapping"]
            if form.cleaned_data["thresholds"] != thresholds:
                changes["thresholds"] = form.cleaned_data["thresholds"]
            if not changes:
                messages.info(request, _("Nothing changed: the settings are as they were."))
                return redirect("hr_reports_staff:settings", municipality=place.slug)
            try:
                hr_actions.save_settings(request.user, place, **changes, via="web")
            except PermissionDeniedError:
                raise PermissionDenied from None
            except InputError as error:
                form.add_error_from(error)
            else:
                messages.success(request, _("The settings were saved."))
                return redirect("hr_reports_staff:settings", municipality=place.slug)
        status = 400
    else:
        form = HrSettingsForm(
            initial={**thresholds, "mapping": pretty_json(mapping) if mapping else ""}
        )
    context = {
        "municipality": place,
        "form": form,
        "mapping_json": pretty_json(mapping),
        "has_mapping": bool(mapping),
        "thresholds": [
            (THRESHOLD_LABELS[name], value, getattr(Thresholds(), name))
            for name, value in thresholds.items()
            if name in THRESHOLD_LABELS
        ],
        "updated_at": stored.updated_at if stored is not None else None,
    }
    return render(request, "hr_reports/settings.html", context, status=status)
