"""Every change to the fee robot's own records, one function each, used by the CLI, the web UI
and the API alike, each writing the audit trail."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from pypdf import PdfReader

from kuntarobo.robots.ecec_fees import calculator, letters
from kuntarobo.robots.ecec_fees.models import (
    FeeDecision,
    FeeParameterRow,
    GuardianCopy,
    PrintBatch,
)
from kuntarobo.sdk import InputError
from kuntarobo.sdk.audit import record
from kuntarobo.sdk.files import save_file
from kuntarobo.sdk.models import Municipality
from kuntarobo.sdk.permissions import Permission, PermissionDeniedError, require


def _actor_name(actor: Any) -> str:
    return str(getattr(actor, "username", None) or actor)


def add_parameter_row(
    actor: Any, data: object, *, valid_from: datetime.date, source: str, via: str = "cli"
) -> FeeParameterRow:
    """A decree changed the figures: a new row from its date; the row before it ends the day
    before. Rows already in force are never edited: decisions name the row they used."""
    if not getattr(actor, "is_superuser", False) and not isinstance(actor, str):
        raise PermissionDeniedError(
            f"{_actor_name(actor)} may not change the national fee parameters (superusers only)"
        )
    try:
        parameters = calculator.parse_parameters(data)
    except calculator.CalculatorInputError as error:
        raise InputError(
            "%(where)s: %(problem)s", field=error.field, where=error.field, problem=error.message
        ) from None
    if not source.strip():
        raise InputError("give the source of the figures (decree or notice)", field="source")
    replaced: dict[str, Any] | None = None
    with transaction.atomic():
        if FeeParameterRow.objects.filter(valid_from=valid_from).exists():
            existing = FeeParameterRow.objects.select_for_update().get(valid_from=valid_from)
            if FeeDecision.objects.filter(parameters_valid_from=valid_from).exists():
                raise InputError(
                    "parameters from %(date)s exist already and decisions were computed with "
                    "them: they stay as they are; add a row from another date",
                    field="valid_from",
                    date=valid_from.isoformat(),
                )
            # No decision used it: an incomplete row is completed, or a typing error corrected
            # (the audit event keeps what it was).
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
            },
        )
    return row


def make_print_batch(
    actor: Any, municipality: Municipality, *, via: str = "cli"
) -> PrintBatch | None:
    """Every sent letter not yet printed, in one PDF for the print room; None if none waits.
    A guardian's copy follows its decision."""
    require(actor, municipality, Permission.REVIEW)
    with transaction.atomic():
        waiting = list(
            FeeDecision.objects.waiting_for_print()
            .select_for_update()
            .filter(municipality=municipality)
        )
        copies = list(
            GuardianCopy.objects.waiting_for_print()
            .select_for_update(of=("self",))
            .filter(decision__municipality=municipality)
            .select_related("decision")
        )
        if not waiting and not copies:
            return None
        letters_in_order = sorted(
            [(d.decision_number, 1, d.document) for d in waiting]
            + [(c.decision.decision_number, c.guardian, c.document) for c in copies]
        )
        pdfs = []
        for number, _guardian, document in letters_in_order:
            try:
                with document.open("rb") as stored:
                    pdfs.append(stored.read())
            except (FileNotFoundError, ValueError):
                raise InputError(
                    "the letter of decision %(number)s is missing from the file store: "
                    "restore it from the backup; no print batch was made",
                    number=number,
                ) from None
        combined = letters.print_batch(pdfs)
        pages = len(PdfReader(io.BytesIO(combined)).pages)
        batch = PrintBatch(
            municipality=municipality,
            created_by=_actor_name(actor),
            decisions=len(pdfs),
            pages=pages,
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        # Removed again if anything below fails and the transaction rolls back.
        save_file(batch.file, f"print-{municipality.slug}-{stamp}.pdf", ContentFile(combined))
        batch.save()
        FeeDecision.objects.filter(pk__in=[d.pk for d in waiting]).update(print_batch=batch)
        GuardianCopy.objects.filter(pk__in=[c.pk for c in copies]).update(print_batch=batch)
        record(
            "ecec_fees.print_batch",
            actor=actor,
            municipality=municipality,
            obj=batch,
            via=via,
            details={
                "decisions": [d.decision_number for d in waiting],
                "copies": [f"{c.decision.decision_number}-{c.guardian}" for c in copies],
                "pages": pages,
            },
        )
    return batch
