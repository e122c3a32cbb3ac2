"""The API of robots' municipal settings: GET the settings in force, PUT a new version
(`{"values": {...}, "valid_from": "YYYY-MM-DD", "partial": false}`), checked and audited by
the same action as the settings page and the CLI."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

from kuntarobo.accounts.models import Municipality, Permission
from kuntarobo.api.http import Body, Query, bad_request, endpoint, forbidden, not_found
from kuntarobo.runtime.declarations import InputError, Robot, get_robot
from kuntarobo.runtime.settings_actions import current_settings, save_robot_settings


def _robot_with_settings(slug: str) -> type[Robot]:
    try:
        robot = get_robot(slug)
    except InputError:
        not_found(f"no robot {slug!r}")
    if robot.municipal_settings is None:
        not_found(f"robot {slug!r} has no municipal settings")
    return robot


def _configurable(request: HttpRequest, slug: str) -> Municipality:
    """A municipality where the caller may configure robots; one they cannot see is unknown."""
    visible = Municipality.objects.for_user(request.user, Permission.VIEW).filter(slug=slug)
    found = visible.first()
    if found is None:
        not_found(f"no municipality {slug!r}")
    if not Municipality.objects.for_user(request.user, Permission.CONFIGURE).filter(pk=found.pk):
        forbidden(f"your roles do not allow 'configure' in {slug}")
    return found


def _day(text: Any, field: str) -> datetime.date | None:
    if text in (None, ""):
        return None
    if not isinstance(text, str):
        bad_request(f"field '{field}': a date of the form YYYY-MM-DD", field)
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        bad_request(f"field '{field}': {text!r} is not a date of the form YYYY-MM-DD", field)


def _schema_json(robot: type[Robot]) -> list[dict[str, Any]]:
    schema = robot.municipal_settings
    assert schema is not None
    return [
        {
            "name": setting.name,
            "kind": setting.kind,
            "label": {"fi": setting.label.fi, "sv": setting.label.sv, "en": setting.label.en},
            "required": setting.required,
            "columns": [column.name for column in setting.columns],
        }
        for setting in schema.settings
    ]


@endpoint("GET", "PUT")
def municipal_settings(request: HttpRequest, slug: str, municipality: str) -> HttpResponse:
    robot = _robot_with_settings(slug)
    place = _configurable(request, municipality)
    schema = robot.municipal_settings
    assert schema is not None
    if request.method == "PUT":
        body = Body.from_json(request, ("values", "valid_from", "partial"), ("values",))
        # Nested on purpose (texts per language, tables): the schema checks every value.
        values = body.data["values"]
        if not isinstance(values, dict):
            bad_request("field 'values': a JSON object of setting names and values", "values")
        partial = body.data.get("partial", False)
        if not isinstance(partial, bool):
            bad_request("field 'partial': true or false", "partial")
        save_robot_settings(
            request.user,
            place,
            robot,
            values,
            valid_from=_day(body.data.get("valid_from"), "valid_from"),
            partial=partial,
            via="api",
        )
        day = None
    else:
        day = _day(Query(request, ("on",)).text("on"), "on")
    return JsonResponse(
        {
            "robot": robot.slug,
            "municipality": place.slug,
            "dated": schema.dated,
            "schema": _schema_json(robot),
            "values": current_settings(place, robot, day),
        }
    )
