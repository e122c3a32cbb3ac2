"""The audit trail: filtered, paginated and exported as CSV or JSON Lines (the export is itself
an audit event). Superusers also see the system-wide events, which belong to no municipality."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from kuntarobo.accounts.audit_visibility import (
    SYSTEM_WIDE,
    record_export,
    sees_system_wide,
    visible_events,
)
from kuntarobo.accounts.models import Municipality, Permission
from kuntarobo.audit.export import CONTENT_TYPES, FORMATS, export_events
from kuntarobo.audit.models import AuditEvent
from kuntarobo.web.forms import AuditFilterForm
from kuntarobo.web.scoping import require_somewhere
from kuntarobo.web.views.common import paginate

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

EVENTS_PER_PAGE = 50


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_scope(user: User | AnonymousUser) -> QuerySet[Municipality]:
    """The municipalities whose events the user sees; 403 without any, unless the user is a
    superuser, who may come for the system-wide events alone."""
    if sees_system_wide(user):
        return Municipality.objects.for_user(user, Permission.VIEW_AUDIT)
    return require_somewhere(user, Permission.VIEW_AUDIT)


def filtered_events(
    request: HttpRequest, municipalities: QuerySet[Municipality]
) -> tuple[QuerySet[AuditEvent], AuditFilterForm]:
    """The user's audit events narrowed by the filter form; none if the filter is invalid."""
    system_wide = sees_system_wide(request.user)
    events = visible_events(municipalities, system_wide=system_wide)
    known_actions = list(events.order_by().values_list("action", flat=True).distinct())
    form = AuditFilterForm(
        request.GET or None,
        municipalities=municipalities,
        actions=known_actions,
        system_wide=system_wide,
    )
    if not form.is_bound:
        return events, form
    if not form.is_valid():
        return events.none(), form
    data = form.cleaned_data
    if data["municipality"] == SYSTEM_WIDE:
        events = events.filter(municipality__isnull=True)
    elif data["municipality"]:
        events = events.filter(municipality=data["municipality"])
    if data["action"]:
        events = events.filter(action=data["action"])
    if data["actor"]:
        events = events.filter(actor_label__icontains=data["actor"])
    if data["date_from"]:
        events = events.filter(at__gte=_day_start(data["date_from"]))
    if data["date_to"]:
        events = events.filter(at__lt=_day_start(data["date_to"] + datetime.timedelta(days=1)))
    return events, form


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    municipalities = audit_scope(request.user)
    events, form = filtered_events(request, municipalities)
    context = {
        "form": form,
        "system_wide": sees_system_wide(request.user),
        "page": paginate(request, events, EVENTS_PER_PAGE),
        "filters_valid": not form.is_bound or form.is_valid(),
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "web/audit.html", context, status=status)


def _filters(form: AuditFilterForm) -> dict[str, Any]:
    if not form.is_bound:
        return {}
    return {
        key: (value.slug if isinstance(value, Municipality) else str(value))
        for key, value in form.cleaned_data.items()
        if value
    }


@login_required
def audit_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    if fmt not in FORMATS:
        raise Http404(_("Not found."))
    municipalities = audit_scope(request.user)
    events, form = filtered_events(request, municipalities)
    if form.is_bound and not form.is_valid():
        errors = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        return HttpResponse(
            _("The filter is not valid: %(errors)s") % {"errors": errors},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    chosen = form.cleaned_data.get("municipality") if form.is_bound else None
    exported: list[Municipality | None]
    if chosen == SYSTEM_WIDE:
        exported = [None]
    elif chosen:
        exported = [chosen]
    else:
        exported = list(municipalities)
        if sees_system_wide(request.user):
            exported.append(None)  # the system-wide events left the system too
    record_export(
        request.user, exported, via="web", details={"format": fmt, "filters": _filters(form)}
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        export_events(events.order_by("at", "id"), fmt),  # type: ignore[arg-type]
        content_type=CONTENT_TYPES[fmt],
    )
    response["Content-Disposition"] = f'attachment; filename="kuntarobo-audit-{stamp}.{fmt}"'
    return response
