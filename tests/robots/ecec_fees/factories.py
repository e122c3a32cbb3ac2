"""Factories for the fee robot's records (factory_boy): a fee decision with the work item and the
run it came from. Its content is computed from the family data by the robot's own rules (the
parameter row in force, the example settings that `helpers.configure` stores), so a test that
needs a decision in the database need not run the robot, and the figures are the real ones."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import factory
from django.utils import timezone

from kuntarobo.robots.ecec_fees import calculator, decision_content, families, fees
from kuntarobo.robots.ecec_fees.models import Channel, DecisionStatus, FeeDecision, FeeParameterRow
from kuntarobo.robots.ecec_fees.municipal import MunicipalFeeSettings, example_settings
from kuntarobo.robots.ecec_fees.municipal_settings import SLUG
from kuntarobo.sdk import ItemStatus, RunStatus, Trigger
from kuntarobo.sdk.models import Run, WorkItem
from tests.factories import MunicipalityFactory
from tests.robots.ecec_fees.helpers import PERIOD, SETTINGS_FROM, family


@dataclass(frozen=True)
class Computed:
    """What the robot would have worked out for a family line: the line as read, the record as
    decided (from the first day of care), the fee, and the parameter row's first day."""

    line: families.FamilyRecord
    record: families.FamilyRecord
    fee: fees.FamilyFee
    parameters_from: datetime.date


def computed(data: dict[str, Any], valid_from: datetime.date, municipality: Any) -> Computed:
    line = families.parse_family(data, default_period_start=valid_from)
    record = decision_content.decision_start(line)
    row = FeeParameterRow.objects.in_force_on(record.period_start)
    assert row is not None, f"no fee parameters in force on {record.period_start}"
    settings = MunicipalFeeSettings.from_json(example_settings(municipality.name_fi))
    fee = fees.calculate_fees(row.as_parameters(), decision_content.family_input(record, settings))
    return Computed(line, record, fee, row.valid_from)


class FeeRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Run

    municipality = factory.SubFactory(MunicipalityFactory)
    robot_slug = SLUG
    trigger = Trigger.CLI
    status = RunStatus.FINISHED
    rule_version = decision_content.RULE_VERSION


class FeeWorkItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkItem

    municipality = factory.SubFactory(MunicipalityFactory)
    run = factory.SubFactory(FeeRunFactory, municipality=factory.SelfAttribute("..municipality"))
    robot_slug = SLUG
    reference = factory.Sequence(lambda n: f"F-{n}:{PERIOD.isoformat()}")
    title = factory.LazyAttribute(lambda o: o.reference)
    status = ItemStatus.NEEDS_REVIEW
    attempts = 1


class FeeDecisionFactory(factory.django.DjangoModelFactory):
    """A draft of the worked example family (`family_data` for another) from PERIOD;
    `approved=True` as an official approved it, `sent=True` as sent by letter and waiting for a
    print batch (without its PDF: give `document` if a test needs one)."""

    class Meta:
        model = FeeDecision

    class Params:
        family_data = factory.Sequence(lambda n: family(f"F-{n}"))
        computation = factory.LazyAttribute(
            lambda o: computed(o.family_data, o.valid_from, o.municipality)
        )
        approved = factory.Trait(
            status=DecisionStatus.APPROVED,
            decided_by="Riitta Päättäjä",
            decided_by_title="varhaiskasvatusjohtaja",
            decided_at=factory.LazyFunction(timezone.now),
            work_item__status=ItemStatus.APPROVED,
        )
        sent = factory.Trait(
            approved=True,
            status=DecisionStatus.SENT,
            channel=Channel.PRINT,
            sent_at=factory.LazyFunction(timezone.now),
            work_item__status=ItemStatus.DONE,
        )

    municipality = factory.SubFactory(MunicipalityFactory)
    work_item = factory.SubFactory(
        FeeWorkItemFactory,
        municipality=factory.SelfAttribute("..municipality"),
        payload=factory.LazyAttribute(
            lambda o: {
                "family": o.factory_parent.inputs,
                "period_start": o.factory_parent.valid_from.isoformat(),
                "fingerprint": o.factory_parent.fingerprint,
            }
        ),
    )
    family_id = factory.LazyAttribute(lambda o: o.computation.record.family_id)
    decision_number = factory.Sequence(lambda n: f"TEST-{PERIOD.year}-{n:07d}")
    status = DecisionStatus.DRAFT
    valid_from = PERIOD
    language = factory.LazyAttribute(lambda o: o.computation.record.language)
    inputs = factory.LazyAttribute(lambda o: o.computation.line.to_json())
    result = factory.LazyAttribute(lambda o: calculator.response(o.computation.fee, "fi"))
    snapshot = factory.LazyAttribute(
        lambda o: decision_content.snapshot_of(
            o.decision_number, o.computation.record, o.computation.fee, o.parameters_valid_from
        ).to_json()
    )
    total_fee = factory.LazyAttribute(lambda o: o.computation.fee.total_fee)
    fingerprint = factory.LazyAttribute(lambda o: o.computation.line.fingerprint())
    basis = factory.LazyAttribute(
        lambda o: decision_content.basis_of(
            o.computation.record, o.parameters_valid_from, o.settings_valid_from
        )
    )
    parameters_valid_from = factory.LazyAttribute(lambda o: o.computation.parameters_from)
    settings_valid_from = SETTINGS_FROM
    rule_version = decision_content.RULE_VERSION
