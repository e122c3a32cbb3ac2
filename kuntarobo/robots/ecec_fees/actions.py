"""Every change to the fee robot's own records, one function each, used by the CLI, the web UI
and the API alike, each writing the audit trail."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kuntarobo.robots.ecec_fees import calculator
from kuntarobo.robots.ecec_fees.models import (
    MANAGE_PARAMETERS_PERMISSION,
    FeeDecision,
    FeeParameterRow,
    may_manage_parameters,
)
from kuntarobo.robots.ecec_fees.municipal_settings import SLUG
from kuntarobo.sdk import InputError, channels
from kuntarobo.sdk.audit import record
from kuntarobo.sdk.models import Municipality
from kuntarobo.sdk.permissions import PermissionDeniedError


def _actor_name(actor: Any) -> str:
    return str(getattr(actor, "username", None) or actor)


def row_json(row: FeeParameterRow) -> dict[str, Any]:
    """A stored row as the audit trail keeps it: every figure, the source and the flag."""
    return {
        "valid_from": row.valid_from.isoformat(),
        "valid_to": row.valid_to.isoformat() if row.valid_to else None,
        "income_percentage": str(row.income_percentage),
        "income_thresholds": row.income_thresholds,
        "threshold_increase_per_further_child": row.threshold_increase_per_further_child,
        "max_fee": row.max_fee,
        "min_fee": row.min_fee,
        "sibling_percentages": list(row.sibling_percentages),
        "source": row.source,
        "example_figures": row.example_figures,
    }


def add_parameter_row(
    actor: Any,
    data: object,
    *,
    valid_from: datetime.date,
    source: str,
    via: str = "cli",
    example_figures: bool = False,
) -> FeeParameterRow:
    """A decree changed the figures: a new row from its date; the row before it ends the day
    before. A row no decision used yet (an incomplete one, or one with a typing error) is
    completed or corrected in place of the old one; a row a decision names is never changed:
    a new row from another date supersedes it. The CLI and the web UI both come here.

    `example_figures` is for the demo alone (a system actor, never a person): the figures are
    marked as examples on every page and in every letter computed with them."""
    if not isinstance(actor, str) and not may_manage_parameters(actor):
        raise PermissionDeniedError(
            f"{_actor_name(actor)} may not change the national fee parameters (superusers and "
            f"users granted {MANAGE_PARAMETERS_PERMISSION} only)"
        )
    if example_figures and not isinstance(actor, str):
        raise PermissionDeniedError("only the demo enters example figures")
    try:
        parameters = calculator.parse_parameters(data)
    except calculator.CalculatorInputError as error:
        raise InputError(
            "%(where)s: %(problem)s", field=error.field, where=error.field, problem=error.message
        ) from None
    if not source.strip():
        raise InputError(
            _("Give the source of the figures (the notice or act and its number)."),
            field="source",
        )
    replaced: dict[str, Any] | None = None
    before: dict[str, Any] | None = None
    with transaction.atomic():
        if FeeParameterRow.objects.filter(valid_from=valid_from).exists():
            existing = FeeParameterRow.objects.select_for_update().get(valid_from=valid_from)
            if FeeDecision.objects.filter(parameters_valid_from=valid_from).exists():
                raise InputError(
                    _(
                        "The figures from %(date)s were used in fee decisions: they stay as "
                        "they are. Add a new row from a later date instead."
                    ),
                    field="valid_from",
                    date=valid_from.strftime("%d.%m.%Y"),
                )
            # No decision used it: an incomplete row is completed, or a typing error corrected
            # (the audit event keeps what it was).
            before = row_json(existing)
            replaced = (
                calculator.parameters_to_json(existing.as_parameters())
                if (existing.complete)
                else {"max_fee": existing.max_fee, "min_fee": existing.min_fee}
            )
            existing.delete()
        previous = (
            FeeParameterRow.objects.select_for_update()
            .filter(valid_from__lt=valid_from)
            .order_by("-valid_from")
            .first()
        )
        following = (
            FeeParameterRow.objects.filter(valid_from__gt=valid_from).order_by("valid_from").first()
        )
        if previous is not None and (previous.valid_to is None or previous.valid_to >= valid_from):
            previous.valid_to = valid_from - datetime.timedelta(days=1)
            previous.save(update_fields=["valid_to"])
        row = FeeParameterRow.objects.create(
            valid_from=valid_from,
            valid_to=(following.valid_from - datetime.timedelta(days=1)) if following else None,
            income_percentage=parameters.income_percentage,
            income_thresholds={str(k): v for k, v in parameters.income_thresholds.items()},
            threshold_increase_per_further_child=parameters.threshold_increase_per_further_child,
            max_fee=parameters.max_fee,
            min_fee=parameters.min_fee,
            sibling_percentages=list(parameters.sibling_percentages),
            source=source.strip()[:300],
            example_figures=example_figures,
        )
        record(
            "ecec_fees.parameters_add",
            actor=actor,
            obj=row,
            via=via,
            details={
                "valid_from": valid_from.isoformat(),
                "parameters": calculator.parameters_to_json(parameters),
                "replaced": replaced,
                "source": row.source,
                "example_figures": example_figures,
                "before": before,
                "after": row_json(row),
            },
        )
    return row


def make_print_batch(
    actor: Any, municipality: Municipality, *, via: str = "cli"
) -> channels.PrintBatch | None:
    """Every fee letter waiting in the print channel, in one PDF for the print room (a
    guardian's copy right after its decision); None if none waits. The letters stay "awaiting
    printing" until the batch is marked posted (`mark_posted`)."""
    return channels.make_print_batch(actor, municipality, robot=SLUG, via=via)


def mark_posted(
    actor: Any, municipality: Municipality, batch_id: int, posted_on: datetime.date, *, via: str
) -> channels.PrintBatch:
    """The print service posted the batch on `posted_on`: each letter's Delivery record and
    each decision get that date, and the decisions are deemed received on the seventh day."""
    batch = channels.PrintBatch.objects.filter(
        pk=batch_id, municipality=municipality, robot_slug=SLUG
    ).first()
    if batch is None:
        raise InputError(
            "no print batch %(number)s of fee decisions in this municipality",
            field="batch",
            number=batch_id,
        )
    return channels.record_posted(actor, batch, posted_on, via=via)
