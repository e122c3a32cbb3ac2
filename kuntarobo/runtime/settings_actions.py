"""Reading and saving a robot's municipal settings: the one action the settings page, the CLI
and the API use, so all three check the same things and write the same audit trail."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kuntarobo.accounts.models import Municipality, Permission
from kuntarobo.audit.trail import actor_label, record
from kuntarobo.runtime.actions import require
from kuntarobo.runtime.declarations import InputError, Robot
from kuntarobo.runtime.models import RobotSettings
from kuntarobo.runtime.settings_schema import SettingsSchema

if TYPE_CHECKING:
    from kuntarobo.audit.trail import Actor


def schema_of(robot: type[Robot]) -> SettingsSchema:
    if robot.municipal_settings is None:
        raise InputError(
            _("robot %(robot)s has no municipal settings"), field="robot", robot=robot.slug
        )
    return robot.municipal_settings


def _municipality_id(municipality: Municipality | int | str) -> int:
    if isinstance(municipality, str):
        return Municipality.objects.values_list("pk", flat=True).get(slug=municipality)
    if isinstance(municipality, int):
        return municipality
    return municipality.pk


def settings_row_in_force(
    municipality: Municipality | int | str, robot: type[Robot], day: datetime.date | None = None
) -> RobotSettings | None:
    """The stored row in force on `day` (dated settings; its `valid_from` is the date a decision
    cites) or the latest saved (undated); None before the first save. Its `values` are as saved,
    without the defaults `current_settings` adds."""
    schema = schema_of(robot)
    return RobotSettings.objects.in_force(
        _municipality_id(municipality), robot.slug, day if schema.dated else None
    )


def current_settings(
    municipality: Municipality | int | str, robot: type[Robot], day: datetime.date | None = None
) -> dict[str, Any]:
    """The settings in force (on `day`, for dated settings), completed with the defaults of
    settings added to the schema since they were saved. `municipality`: a row, id or slug."""
    schema = schema_of(robot)
    row = settings_row_in_force(municipality, robot, day)
    values = schema.defaults()
    if row is not None:
        # A setting since removed from the schema is left out.
        names = {setting.name for setting in schema.settings}
        values.update({k: v for k, v in row.values.items() if k in names})
    return values


def save_robot_settings(
    actor: Actor,
    municipality: Municipality,
    robot: type[Robot],
    raw: dict[str, Any],
    *,
    valid_from: datetime.date | None = None,
    partial: bool = False,
    via: str = "web",
) -> RobotSettings | None:
    """Check and store a municipality's settings of a robot as a new row, audited with the
    values before and after; None when nothing changed (nothing is recorded). `partial`:
    settings not given keep their current value. Dated settings need the day they take effect;
    a second save for the same day is refused (a decision may already cite that row)."""
    schema = schema_of(robot)
    require(actor, municipality, Permission.CONFIGURE)
    if schema.dated and valid_from is None:
        raise InputError(
            _("these settings take effect from a date: give the day (valid from)"),
            field="valid_from",
        )
    if not schema.dated and valid_from is not None:
        raise InputError(
            _("these settings take effect when saved: no date is given"), field="valid_from"
        )
    with transaction.atomic():
        # One save at a time per robot and municipality: "before" is then the true before.
        Municipality.objects.select_for_update().filter(pk=municipality.pk).first()
        before = current_settings(municipality, robot, valid_from)
        values = schema.parse(raw, partial_of=before if partial else None)
        if valid_from is None and values == before:
            return None
        if (
            valid_from is not None
            and RobotSettings.objects.filter(
                municipality=municipality, robot_slug=robot.slug, valid_from=valid_from
            ).exists()
        ):
            raise InputError(
                _("settings from %(day)s exist already: give a later day for the change"),
                field="valid_from",
                day=valid_from.isoformat(),
            )
        row = RobotSettings.objects.create(
            municipality=municipality,
            robot_slug=robot.slug,
            valid_from=valid_from,
            values=values,
            saved_by=actor_label(actor),
        )
        record(
            "robot.settings",
            actor=actor,
            municipality=municipality,
            obj=row,
            via=via,
            details={
                "robot": robot.slug,
                "valid_from": valid_from.isoformat() if valid_from else None,
                "before": before,
                "after": values,
            },
        )
    return row
