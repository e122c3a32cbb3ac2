"""A fee decision worked out from a family's record, apart from the robot that runs it: the
periods a family line needs decisions for, what the engine is given, what identifies an unchanged
decision, and the letter the family reads. Pure: the robot drafts with these and the delivery
renders the approved letter with the same ones, so the sent letter is the reviewed draft.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
from collections.abc import Iterable
from decimal import Decimal

from kuntarobo.robots.ecec_fees import changes, families, fees, letter_texts, letters
from kuntarobo.robots.ecec_fees.municipal import MunicipalFeeSettings

RULE_VERSION = "1"


def decision_start(record: families.FamilyRecord) -> families.FamilyRecord:
    """When no child is in ECEC yet on the period's first day, the decision starts when the
    first placement does (a child starting on 17 August pays from 17 August)."""
    if any(child.in_ecec_on(record.period_start) for child in record.children):
        return record
    starts = [
        child.placement.start
        for child in record.children
        if child.placement.start > record.period_start
    ]
    if not starts:
        return record
    return dataclasses.replace(record, period_start=min(starts))


def decision_periods(
    record: families.FamilyRecord, splits: Iterable[datetime.date] = ()
) -> list[datetime.date]:
    """The days from which a family line needs a decision: its first day, then each later day on
    which the children in ECEC change (a placement starts, or the day after one ends) or a new
    row of the figures begins (`splits`: the starts of the national parameter rows and of the
    municipality's settings rows) while some child is still in ECEC. Each decision ends the day
    before the next one starts, so no decision runs on figures no longer in force."""
    first = decision_start(record).period_start
    days: set[datetime.date] = {day for day in splits if day > first}
    for child in record.children:
        placement = child.placement
        if placement.start > first:
            days.add(placement.start)
        if placement.end is not None and first <= placement.end < datetime.date.max:
            days.add(placement.end + datetime.timedelta(days=1))
    later = sorted(d for d in days if any(c.in_ecec_on(d) for c in record.children))
    return [first, *later]


def charged_on(record: families.FamilyRecord, day: datetime.date) -> list[str]:
    return sorted(child.id for child in record.children if child.in_ecec_on(day))


def family_input(record: families.FamilyRecord, settings: MunicipalFeeSettings) -> fees.FamilyInput:
    """The engine's view of a family: only the children in ECEC when the period starts. A child
    in pre-primary education only has the coefficient 0 (no fee, not on the decision; in the
    sibling order as the municipality's setting says); one with supplementary ECEC is charged by
    the band of its supplementary hours."""
    children = []
    for child in record.children:
        if not child.in_ecec_on(record.period_start):
            continue
        if child.pre_primary_only:
            coefficient = Decimal(0)
        elif child.coefficient is not None:
            coefficient = child.coefficient
        elif child.hours_per_month is not None:
            coefficient = settings.coefficient_for_hours(child.hours_per_month)
        else:
            raise fees.FeeInputError(
                "service_need_missing",
                f"{child.name}: the service need (hours a month) is missing: the fee cannot be "
                "set before it is agreed",
                child=child.name,
            )
        children.append(
            fees.ChildInput(
                id=child.id,
                birth_date=child.birth_date,
                service_need_coefficient=coefficient,
                alterations=tuple(
                    fees.Alteration(
                        kind=a.kind, percent=a.percent, amount=a.amount, reason=a.reason
                    )
                    for a in child.alterations
                ),
                hours_per_month=child.hours_per_month,
                pre_primary=child.pre_primary,
            )
        )
    return fees.FamilyInput(
        size=record.size,
        incomes=tuple(
            fees.Income(amount=i.amount, label=i.person, source=i.source) for i in record.incomes
        ),
        children=tuple(children),
        accepts_max_fee=record.accepts_max_fee,
        deductions=tuple(
            fees.Deduction(
                amount=d.amount,
                label=f"{d.person}: {d.reason}" if d.reason else d.person,
                source=d.source,
            )
            for d in record.deductions
        ),
        pre_primary_counts_in_sibling_order=settings.pre_primary_in_sibling_order,
    )


def snapshot_of(
    number: str,
    record: families.FamilyRecord,
    fee: fees.FamilyFee,
    parameters_valid_from: datetime.date,
) -> changes.DecisionSnapshot:
    by_id = {child.id: child for child in record.children}
    return changes.DecisionSnapshot(
        decision_number=number,
        valid_from=record.period_start,
        family_size=fee.family_size,
        income_total=fee.income_total,
        maximum_fee_used=fee.maximum_fee_used,
        children={
            child.id: changes.ChildSnapshot(
                name=by_id[child.id].name,
                unit=by_id[child.id].placement.unit,
                hours_per_month=by_id[child.id].hours_per_month,
                coefficient=str(child.service_need_coefficient),
                sibling_rank=child.sibling_rank,
                final_fee=child.final_fee,
            )
            for child in fee.children
        },
        total_fee=fee.total_fee,
        parameters_valid_from=parameters_valid_from,
    )


def build_letter(
    *,
    record: families.FamilyRecord,
    fee: fees.FamilyFee,
    settings: MunicipalFeeSettings,
    number: str,
    parameters: fees.FeeParameters,
    change_lines: list[str],
    supersedes: str | None,
    decided_by: str = "",
    decided_by_title: str = "",
    decided_at: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    addressee: int = 0,
    example_figures: bool = False,
) -> letters.DecisionLetter:
    """The decision as the family reads it; a draft until an official's name is on it, with
    the title of their delegation (`decided_by_title`).

    The letter goes to both guardians at the first one's address; `addressee` 1 makes the copy
    for the second guardian, at their own address (or the first one's if they gave none).
    Every settings text comes in the letter's language: a text missing in it raises
    `MissingTextError` naming it, never falling back to another language."""
    language = record.language
    settings.check_texts(language)
    if decided_by and not decided_by_title.strip():
        raise ValueError(f"{number}: the deciding official {decided_by} has no delegated title")
    address = record.guardians[addressee].address or record.guardians[0].address
    if addressee:
        recipient_name = record.guardians[addressee].name
    else:
        recipient_name = " / ".join(g.name for g in record.guardians[:2])
    by_id = {child.id: child for child in record.children}
    contact = settings.contact
    review = settings.review_authority
    maker = letters.Contact(name=decided_by, title=decided_by_title) if decided_by else None
    return letters.DecisionLetter(
        language=language,
        authority=settings.authority.text(language),
        decision_number=number,
        draft=not decided_by,
        decision_date=decided_at,
        decision_maker=maker,
        prepared_by=None,
        recipient=letters.Address(
            name=recipient_name,
            street=address.street if address else "",
            postal_code=address.postal_code if address else "",
            city=address.city if address else "",
            country=address.country if address else "",
        ),
        guardians=tuple(g.name for g in record.guardians),
        children=tuple(
            letters.ChildLine(
                name=by_id[child.id].name,
                birth_date=child.birth_date,
                unit=by_id[child.id].placement.unit,
                hours_per_month=by_id[child.id].hours_per_month,
                service_need_coefficient=fees.format_coefficient(
                    child.service_need_coefficient, language
                ),
                sibling_rank=child.sibling_rank,
                sibling_percentage=child.sibling_percentage,
                fee_before_alterations_cents=child.fee_before_alterations,
                final_fee_cents=child.final_fee,
                alterations=tuple(
                    line
                    for step in child.steps
                    if step.rule == "alteration"
                    for line in [fees.explain(step, language)]
                ),
            )
            for child in fee.children
        ),
        valid_from=record.period_start,
        valid_until=valid_until,
        family_size=fee.family_size,
        incomes=tuple(
            letters.IncomeLine(person=i.person, amount_cents=i.amount, source=i.source)
            for i in record.incomes
        ),
        income_total_cents=fee.income_total,
        threshold_cents=fee.threshold,
        income_percentage=fees.format_number(parameters.income_percentage, language),
        maximum_fee_used=fee.maximum_fee_used,
        total_fee_cents=fee.total_fee,
        computation=tuple(computation_lines(fee, by_id, language)),
        changes=tuple(change_lines),
        supersedes=supersedes,
        legal_basis=letter_texts.LEGAL_BASIS[language],
        municipal_basis=settings.service_need_decision.text(language),
        automated_note=letter_texts.automation_note(language, decided_by, decided_by_title),
        contact=letters.Contact(
            name=contact.name,
            title=contact.title.text(language),
            phone=contact.phone,
            email=contact.email,
        ),
        review_authority=letters.ReviewAuthority(
            name=review.name.text(language),
            street=review.street.text(language),
            postal_code=review.postal_code,
            city=review.city.text(language),
            email=review.email,
        ),
        parameters_valid_from=parameters.valid_from or record.period_start,
        rule_version=RULE_VERSION,
        example_figures=example_figures,
    )


def computation_lines(
    fee: fees.FamilyFee, children: dict[str, families.ChildRecord], language: str
) -> list[str]:
    """The engine's lines, each child's under the child's name (the family knows no ids)."""
    names = {child_id: child.name for child_id, child in children.items()}
    family = [step for step in fee.steps if step.rule != "total"]
    lines = [fees.explain(_with_names(step, names), language) for step in family]
    for child in fee.children:
        name = children[child.id].name
        lines += [f"{name}: {fees.explain(step, language)}" for step in child.steps]
    lines += [fees.explain(step, language) for step in fee.steps if step.rule == "total"]
    return lines


def _with_names(step: fees.Step, names: dict[str, str]) -> fees.Step:
    """The sibling order (and a pre-primary child's line) by the children's names: the family
    does not know the system's ids."""
    if step.rule not in ("sibling_order", "pre_primary"):
        return step

    def swap(text: str) -> str:
        return ", ".join(names.get(part, part) for part in text.split(", ")) if text else text

    values = {key: swap(str(value)) for key, value in step.values.items()}
    return dataclasses.replace(step, values=values)


def basis_of(
    record: families.FamilyRecord,
    parameters_from: datetime.date,
    settings_from: datetime.date,
    canonical: dict[str, object] | None = None,
) -> str:
    """What decides the fee and the letter, without the period's start: the same basis as the
    decision in force means nothing changed and no new decision is needed. The children in ECEC
    on the decision's first day are part of it: the same line read again after a sibling's
    placement began is a change. `canonical` is the record's to_json(), if the caller has it."""
    data = dict(canonical) if canonical is not None else record.to_json()
    data.pop("period_start", None)
    charged = charged_on(record, decision_start(record).period_start)
    text = json.dumps(
        [data, parameters_from.isoformat(), settings_from.isoformat(), charged],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
