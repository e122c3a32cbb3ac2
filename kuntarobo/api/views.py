"""The JSON API, version 1. Views only read and check input: every change goes through
`kuntarobo.runtime.actions` with via="api", and every query of municipal data through `for_user`.

Objects of municipalities the caller does not belong to are answered exactly as unknown ones
(404, or 400 for a value in the input), so the API never reveals that they exist.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone

from kuntarobo.accounts.audit_visibility import (
    SYSTEM_WIDE,
    record_export,
    sees_system_wide,
    visible_events,
)
from kuntarobo.accounts.models import (
    ROLE_PERMISSIONS,
    Membership,
    Municipality,
    Permission,
    has_permission,
)
from kuntarobo.api.http import (
    ApiError,
    Body,
    Query,
    bad_request,
    endpoint,
    forbidden,
    not_found,
    paginate,
)
from kuntarobo.api.serializers import (
    audit_data,
    item_data,
    item_detail_data,
    robot_data,
    run_data,
    run_detail_data,
)
from kuntarobo.audit.export import CONTENT_TYPES, FORMATS, export_events
from kuntarobo.runtime import actions, execution
from kuntarobo.runtime.declarations import InputError, Robot, all_robots, get_robot
from kuntarobo.runtime.models import ItemStatus, Run, RunStatus, Trigger, WorkItem
from kuntarobo.runtime.personal_data import record_item_shown, record_shown, sight_for
from kuntarobo.runtime.statuses import FAILED_STATUSES
from kuntarobo.runtime.visibility import ItemView

# --- helpers ------------------------------------------------------------------------------------


def _municipality(
    request: HttpRequest, slug: str, field: str = "municipality", *, query: bool = False
) -> Municipality:
    """A municipality the caller may see; any other slug is unknown, whether or not it exists."""
    found = Municipality.objects.for_user(request.user, Permission.VIEW).filter(slug=slug).first()
    if found is None:
        where = "query parameter" if query else "field"
        bad_request(f"{where} '{field}': unknown municipality {slug!r}", field)
    return found


def _robot(slug: str, field: str = "robot", *, query: bool = False) -> type[Robot]:
    try:
        return get_robot(slug)
    except InputError:
        where = "query parameter" if query else "field"
        bad_request(f"{where} '{field}': unknown robot {slug!r}", field)


def _require_anywhere(request: HttpRequest, permission: str) -> None:
    """403 unless the caller holds `permission` in at least one municipality."""
    if not Municipality.objects.for_user(request.user, permission).exists():
        forbidden(f"your roles do not allow '{permission}' in any municipality")


def _visible_item(request: HttpRequest, item_id: int) -> WorkItem:
    item = (
        WorkItem.objects.for_user(request.user)
        .select_related("municipality", "reviewed_by")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        not_found(f"no work item {item_id}")
    return item


def _reviewable(request: HttpRequest) -> set[int]:
    """Ids of the municipalities in which the caller may review work items."""
    return set(
        Municipality.objects.for_user(request.user, Permission.REVIEW).values_list("pk", flat=True)
    )


def _item_actions(item: WorkItem, reviewable: set[int]) -> list[str]:
    """What the caller may do to the item now: the actions' own rule, for reviewers only."""
    if item.municipality_id not in reviewable:
        return []
    return actions.allowed_actions(item)


def _review_response(result: actions.ReviewResult) -> JsonResponse:
    return JsonResponse(
        {"done": result.done, "refused": {str(k): v for k, v in result.refused.items()}}
    )


# Fields of the request body itself; any other field an action names is inside `prefix`
# (a robot parameter, or a correctable output field).
_BODY_FIELDS = frozenset({"municipality", "robot", "file", "ids", "reason", "note", "corrections"})


def _input_error_field(error: InputError, prefix: str) -> str | None:
    """Which request field an action's InputError is about, in the API's dotted form."""
    if error.field is None:
        return None
    return error.field if error.field in _BODY_FIELDS else f"{prefix}.{error.field}"


# --- robots and municipalities -----------------------------------------------------------------


@endpoint("GET")
def robots(request: HttpRequest) -> HttpResponse:
    Query(request, ())
    return JsonResponse({"results": [robot_data(robot) for robot in all_robots()]})


@endpoint("GET")
def robot(request: HttpRequest, slug: str) -> HttpResponse:
    Query(request, ())
    try:
        found = get_robot(slug)
    except InputError:
        not_found(f"no robot {slug!r}")
    return JsonResponse(robot_data(found, detail=True))


@endpoint("GET")
def municipalities(request: HttpRequest) -> HttpResponse:
    Query(request, ())
    roles: dict[int, list[str]] = {}
    # The endpoint let only a signed-in caller in: its user has a key.
    user_id = int(request.user.pk or 0)
    for membership in Membership.objects.filter(user_id=user_id).order_by("role"):
        roles.setdefault(membership.municipality_id, []).append(membership.role)
    results = []
    for municipality in Municipality.objects.filter(pk__in=roles):
        granted = set().union(
            *(ROLE_PERMISSIONS.get(r, frozenset()) for r in roles[municipality.pk])
        )
        results.append(
            {
                "slug": municipality.slug,
                "name_fi": municipality.name_fi,
                "name_sv": municipality.name_sv,
                "business_id": municipality.business_id,
                "roles": roles[municipality.pk],
                "permissions": sorted(granted),
            }
        )
    return JsonResponse({"results": results})


# --- runs ---------------------------------------------------------------------------------------


def _run_response(request: HttpRequest, run: Run, status: int = 200) -> JsonResponse:
    """The run as the caller may see it: personal data by their roles, the technical error of a
    failed reading only for those who see logs."""
    data = run_detail_data(run, execution.run_counts(run), sight_for(request.user))
    if run.error.get("technical") and has_permission(
        request.user, run.municipality, Permission.VIEW_LOGS
    ):
        data["error"] = run.error["technical"]
    return JsonResponse(data, status=status)


@endpoint("GET", "POST")
def runs(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _start_run(request)
    query = Query(request, ("municipality", "robot", "status", "page"))
    queryset = Run.objects.for_user(request.user).select_related("municipality", "requested_by")
    if slug := query.text("municipality"):
        queryset = queryset.filter(municipality=_municipality(request, slug, query=True))
    if slug := query.text("robot"):
        queryset = queryset.filter(robot_slug=_robot(slug, query=True).slug)
    if statuses := query.choices("status", RunStatus.values):
        queryset = queryset.filter(status__in=statuses)
    # The failed items of each run on the page, in the same query (the run's `outcome`).
    # (An aggregate drops Meta.ordering: newest first is said again.)
    annotated = queryset.annotate(
        failed_items=Count("items", filter=Q(items__status__in=FAILED_STATUSES))
    ).order_by("-created_at", "-id")
    sight = sight_for(request.user)
    return paginate(
        query, annotated, lambda found: run_data(found, sight, getattr(found, "failed_items", 0))
    )


def _run_body(request: HttpRequest) -> tuple[Body, UploadedFile | None]:
    """JSON, or multipart with the file in `file` and the parameters as a JSON object string."""
    fields = ("municipality", "robot", "parameters")
    if request.content_type != "multipart/form-data":
        return Body.from_json(request, fields, ("municipality", "robot")), None
    data: dict[str, Any] = {}
    for key in request.POST:
        if len(request.POST.getlist(key)) > 1:
            bad_request(f"field '{key}' is given more than once", key)
        data[key] = request.POST[key]
    if isinstance(data.get("parameters"), str):
        text = data["parameters"].strip() or "{}"
        try:
            data["parameters"] = json.loads(text)
        except ValueError:
            bad_request("field 'parameters' must be a JSON object", "parameters")
    for key in request.FILES:
        if key != "file":
            bad_request(f"unknown file field '{key}'; send the input file as 'file'", key)
    uploads = request.FILES.getlist("file")
    if len(uploads) > 1:
        bad_request("send one input file only", "file")
    return Body(data, fields, ("municipality", "robot")), (uploads[0] if uploads else None)


def _start_run(request: HttpRequest) -> HttpResponse:
    Query(request, ())
    body, upload = _run_body(request)
    municipality = _municipality(request, body.required_text("municipality"))
    if not has_permission(request.user, municipality, Permission.RUN):
        forbidden(f"your roles do not allow starting runs in {municipality.slug}")
    robot_class = _robot(body.required_text("robot"))
    parameters = body.object("parameters")
    if upload is not None:
        if not robot_class.accepts_upload:
            bad_request(f"robot {robot_class.slug} takes no input file", "file")
        suffix = Path(upload.name or "").suffix.lower()
        if robot_class.upload_suffixes and suffix not in robot_class.upload_suffixes:
            bad_request(
                f"input file {upload.name!r} must be one of: "
                f"{', '.join(robot_class.upload_suffixes)}",
                "file",
            )
    try:
        started = actions.start_run(
            request.user,
            municipality,
            robot_class.slug,
            parameters=parameters,
            input_file=upload,
            input_name=(upload.name or "") if upload is not None else "",
            trigger=Trigger.API,
            via="api",
            background=True,
        )
    except InputError as error:
        raise ApiError(
            400, "invalid_input", str(error), _input_error_field(error, "parameters")
        ) from error
    run = Run.objects.select_related("municipality", "requested_by").get(pk=started.run.pk)
    # Accepted: the input is read by a worker; the run's address tells how it went.
    response = _run_response(request, run, status=202)
    response["Location"] = request.build_absolute_uri(reverse("api:run", args=[run.pk]))
    return response


@endpoint("GET")
def run(request: HttpRequest, run_id: int) -> HttpResponse:
    Query(request, ())
    found = (
        Run.objects.for_user(request.user)
        .select_related("municipality", "requested_by")
        .filter(pk=run_id)
        .first()
    )
    if found is None:
        not_found(f"no run {run_id}")
    return _run_response(request, found)


# --- work items ---------------------------------------------------------------------------------


@endpoint("GET")
def items(request: HttpRequest) -> HttpResponse:
    query = Query(request, ("run", "status", "municipality", "robot", "page"))
    queryset = WorkItem.objects.for_user(request.user).select_related("municipality", "reviewed_by")
    run_id = query.integer("run")
    if run_id is not None:
        if not Run.objects.for_user(request.user).filter(pk=run_id).exists():
            bad_request(f"query parameter 'run': no run {run_id}", "run")
        queryset = queryset.filter(run_id=run_id)
    if slug := query.text("municipality"):
        queryset = queryset.filter(municipality=_municipality(request, slug, query=True))
    if slug := query.text("robot"):
        queryset = queryset.filter(robot_slug=_robot(slug, query=True).slug)
    if statuses := query.choices("status", ItemStatus.values):
        queryset = queryset.filter(status__in=statuses)
    sight = sight_for(request.user)
    shown: list[ItemView] = []
    reviewable = _reviewable(request)

    def serialize(found: WorkItem) -> dict[str, Any]:
        view = sight.item(found)
        shown.append(view)
        return item_data(view, _item_actions(found, reviewable))

    response = paginate(query, queryset, serialize)
    record_shown(request.user, shown, via="api")
    return response


@endpoint("GET")
def item(request: HttpRequest, item_id: int) -> HttpResponse:
    Query(request, ())
    found = _visible_item(request, item_id)
    view = sight_for(request.user).item(found, full=True)
    record_item_shown(request.user, view, via="api")
    # Read by its reviewer: counts for the random sample of a bulk approval.
    actions.record_sample_opening(request.user, found, via="api")
    return JsonResponse(item_detail_data(view, _item_actions(found, _reviewable(request))))


def _bulk(
    request: HttpRequest,
    text_field: str,
    action: Callable[[list[int], str], actions.ReviewResult],
) -> HttpResponse:
    _require_anywhere(request, Permission.REVIEW)
    Query(request, ())
    body = Body.from_json(request, ("ids", text_field), ("ids",))
    ids = body.ids()
    text = body.text(text_field)
    try:
        result = action(ids, text)
    except InputError as error:
        raise ApiError(400, "invalid_input", str(error), text_field) from error
    return _review_response(result)


@endpoint("POST")
def items_approve(request: HttpRequest) -> HttpResponse:
    return _bulk(
        request,
        "note",
        lambda ids, note: actions.approve_items(request.user, ids, note=note, via="api"),
    )


@endpoint("POST")
def items_reject(request: HttpRequest) -> HttpResponse:
    return _bulk(
        request,
        "reason",
        lambda ids, reason: actions.reject_items(request.user, ids, reason=reason, via="api"),
    )


@endpoint("POST")
def items_retry(request: HttpRequest) -> HttpResponse:
    return _bulk(
        request,
        "note",
        lambda ids, note: actions.retry_items(request.user, ids, note=note, via="api"),
    )


@endpoint("POST")
def items_abandon(request: HttpRequest) -> HttpResponse:
    return _bulk(
        request,
        "reason",
        lambda ids, reason: actions.abandon_items(request.user, ids, reason=reason, via="api"),
    )


@endpoint("POST")
def items_resume(request: HttpRequest) -> HttpResponse:
    """What waiting items waited for has come: back to the robot, with the event's data in
    `payload` (the same for each item)."""
    _require_anywhere(request, Permission.REVIEW)
    Query(request, ())
    body = Body.from_json(request, ("ids", "note", "payload"), ("ids",))
    ids = body.ids()
    note = body.text("note")
    payload = body.document("payload")
    try:
        result = actions.resume_items(request.user, ids, payload=payload, note=note, via="api")
    except InputError as error:
        raise ApiError(400, "invalid_input", str(error), error.field or "payload") from error
    return _review_response(result)


@endpoint("POST")
def items_approve_unflagged(request: HttpRequest) -> HttpResponse:
    """Approve every proposal without flags up to `up_to` (the last id the caller looked at),
    in every municipality the caller reviews or in `municipality`, optionally of one robot."""
    _require_anywhere(request, Permission.REVIEW)
    Query(request, ())
    body = Body.from_json(request, ("up_to", "municipality", "robot", "note"), ("up_to",))
    up_to = body.positive_integer("up_to")
    municipality = None
    if slug := body.text("municipality", max_length=200).strip():
        municipality = _municipality(request, slug)
        if not has_permission(request.user, municipality, Permission.REVIEW):
            forbidden(f"your roles do not allow reviewing work items in {municipality.slug}")
    robot_slug = ""
    if slug := body.text("robot", max_length=200).strip():
        robot_slug = _robot(slug).slug
    note = body.text("note")
    try:
        result = actions.approve_unflagged(
            request.user,
            up_to=up_to,
            municipality=municipality,
            robot_slug=robot_slug,
            note=note,
            via="api",
        )
    except InputError as error:
        raise ApiError(400, "invalid_input", str(error), error.field) from error
    return _review_response(result)


@endpoint("POST")
def item_correct(request: HttpRequest, item_id: int) -> HttpResponse:
    found = _visible_item(request, item_id)
    if not has_permission(request.user, found.municipality, Permission.REVIEW):
        forbidden(f"your roles do not allow reviewing work items in {found.municipality.slug}")
    Query(request, ())
    body = Body.from_json(request, ("corrections", "note"), ("corrections",))
    corrections = body.object("corrections")
    note = body.text("note")
    try:
        result = actions.correct_item(request.user, found.pk, corrections, note=note, via="api")
    except InputError as error:
        raise ApiError(
            400,
            "invalid_input",
            str(error),
            _input_error_field(error, "corrections") or "corrections",
        ) from error
    return _review_response(result)


# --- audit trail --------------------------------------------------------------------------------


def _audit_events(request: HttpRequest, query: Query) -> tuple[Any, list[Municipality | None]]:
    """The events the caller may see, filtered; and the municipalities they cover (None for the
    system-wide events). A superuser needs no role to see the system-wide ones."""
    system_wide = sees_system_wide(request.user)
    if not system_wide:
        _require_anywhere(request, Permission.VIEW_AUDIT)
    allowed = Municipality.objects.for_user(request.user, Permission.VIEW_AUDIT)
    scope: list[Municipality | None] = [*allowed, *([None] if system_wide else [])]
    if system_wide and query.text("municipality") == SYSTEM_WIDE:
        scope = [None]
    elif slug := query.text("municipality"):
        chosen = allowed.filter(slug=slug).first()
        if chosen is None:
            if Municipality.objects.for_user(request.user).filter(slug=slug).exists():
                forbidden(f"your roles do not allow seeing the audit trail of {slug}")
            bad_request(
                f"query parameter 'municipality': unknown municipality {slug!r}", "municipality"
            )
        scope = [chosen]
    events = visible_events([m for m in scope if m is not None], system_wide=None in scope)
    if action := query.text("action"):
        if action.endswith(".*"):
            events = events.filter(action__startswith=action[:-1])
        else:
            events = events.filter(action=action)
    since = query.moment("since")
    until = query.moment("until", end=True)
    if since and until and since >= until:
        bad_request("query parameter 'until' must be after 'since'", "until")
    if since:
        events = events.filter(at__gte=since)
    if until:
        events = events.filter(at__lt=until)
    return events, scope


AUDIT_FILTERS = ("municipality", "action", "since", "until")


@endpoint("GET")
def audit(request: HttpRequest) -> HttpResponse:
    query = Query(request, (*AUDIT_FILTERS, "page"))
    events, _ = _audit_events(request, query)
    return paginate(query, events, audit_data)


@endpoint("GET")
def audit_export(request: HttpRequest) -> HttpResponseBase:
    query = Query(request, (*AUDIT_FILTERS, "format"))
    fmt = query.choice("format", FORMATS) or "csv"
    events, scope = _audit_events(request, query)
    filters = {k: v for k, v in query.values.items() if k in AUDIT_FILTERS and v}
    record_export(request.user, scope, via="api", details={"format": fmt, "filters": filters})
    response = StreamingHttpResponse(
        export_events(events.order_by("at", "id"), fmt),  # type: ignore[arg-type]
        content_type=CONTENT_TYPES[fmt],
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.{fmt}"'
    return response


# --- anything else under /api/v1/ ---------------------------------------------------------------


@endpoint("GET", "POST", "PUT", "PATCH", "DELETE")
def unknown_endpoint(request: HttpRequest, rest: str = "") -> HttpResponse:
    not_found(f"no API endpoint {request.path}")
