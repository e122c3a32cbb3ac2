"""Changes to the HR robot's own records, one function each, so the CLI and the web UI check
the same things and write the same audit trail."""

from __future__ import annotations

import enum
from dataclasses import fields
from typing import Any, Final

from django.db import transaction

from kuntarobo.robots.hr_reports.early_support import Thresholds
from kuntarobo.robots.hr_reports.exchange import ColumnMapping
from kuntarobo.robots.hr_reports.models import ExportMapping
from kuntarobo.sdk import InputError
from kuntarobo.sdk.audit import record
from kuntarobo.sdk.models import Municipality
from kuntarobo.sdk.permissions import Permission, require

THRESHOLD_NAMES = tuple(item.name for item in fields(Thresholds))


class _Keep(enum.Enum):
    """Not given: a JSON `null` is a value to refuse, so None cannot mean "leave as is"."""

    KEEP = "keep"


KEEP: Final = _Keep.KEEP


def _threshold_field(problem: str) -> str:
    """`thresholds.<name>` when the problem names one threshold first, else `thresholds`:
    a form can then put the message next to the number at fault."""
    first = problem.split(" ", 1)[0]
    return f"thresholds.{first}" if first in THRESHOLD_NAMES else "thresholds"


def validate_settings(
    *, mapping: object = KEEP, thresholds: object = KEEP
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The settings as they are stored (normalised JSON), or InputError naming the part at
    fault (`mapping`, `thresholds` or `thresholds.<name>`) and the problem in the JSON; None
    for a part not given."""
    stored_mapping: dict[str, Any] | None = None
    stored_thresholds: dict[str, Any] | None = None
    if mapping is not KEEP:
        try:
            stored_mapping = ColumnMapping.from_json(mapping).to_json()
        except (ValueError, TypeError) as error:
            raise InputError("%(problem)s", field="mapping", problem=str(error)) from None
    if thresholds is not KEEP:
        try:
            stored_thresholds = dict(Thresholds.from_json(thresholds).to_json())
        except (ValueError, TypeError) as error:
            raise InputError(
                "%(problem)s", field=_threshold_field(str(error)), problem=str(error)
            ) from None
    return stored_mapping, stored_thresholds


def save_settings(
    actor: Any,
    municipality: Municipality,
    *,
    mapping: object = KEEP,
    thresholds: object = KEEP,
    via: str = "cli",
) -> ExportMapping:
    """Validate and store a municipality's column mapping and/or early-support thresholds
    (KEEP, the default: leave as is). Only for those who may configure robots there; audited
    with the settings before and after. The input is checked before the permission, as the
    CLI always did, so its messages stay the same."""
    new_mapping, new_thresholds = validate_settings(mapping=mapping, thresholds=thresholds)
    require(actor, municipality, Permission.CONFIGURE)
    with transaction.atomic():
        stored, _created = ExportMapping.objects.select_for_update().get_or_create(
            municipality=municipality
        )
        before = {"mapping": stored.column_mapping, "thresholds": stored.thresholds}
        if new_mapping is not None:
            stored.column_mapping = new_mapping
        if new_thresholds is not None:
            stored.thresholds = new_thresholds
        stored.save()
        record(
            "hr_reports.settings",
            actor=actor,
            municipality=municipality,
            obj=stored,
            via=via,
            details={
                "before": before,
                "after": {"mapping": stored.column_mapping, "thresholds": stored.thresholds},
            },
        )
    return stored
