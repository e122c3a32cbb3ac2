"""The fee robot end to end through the real queue: drafts, review, delivery by Suomi.fi
Messages (a loopback server) or print batch, idempotency and supersession."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.test import Client

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.channels import actions as channel_actions
from kuntarobo.robots.ecec_fees import actions as fee_actions
from kuntarobo.robots.ecec_fees.delivery import final_letter
from kuntarobo.robots.ecec_fees.models import Channel, DecisionStatus, FeeDecision, FeeParameterRow
from kuntarobo.robots.ecec_fees.robot import EcecFeeRobot
from kuntarobo.runtime import actions
from kuntarobo.runtime.declarations import InputError
from kuntarobo.runtime.execution import item_view
from kuntarobo.runtime.models import ItemDocument, ItemStatus, WorkItem
from kuntarobo.runtime.settings_actions import save_robot_settings
from kuntarobo.sdk import channels
from kuntarobo.testing.suomifi_server import SuomiFiMessagesServer
from tests.factories import MunicipalityFactory, deciding_official, user_with_role
from tests.robots.ecec_fees.factories import FeeDecisionFactory
from tests.robots.ecec_fees.helpers import (
    MAIJA,
    PERIOD,
    configure,
    family,
    swedish_family,
    write_families,
)
from tests.robots.ecec_fees.pdf_helpers import all_text
from tests.runtime.helpers import statements_adding_rows

pytestmark = pytest.mark.django_db(transaction=True)


def drain() -> None:
    call_command("worker", batch=True, interval=0, verbosity=0)


@pytest.fixture
def municipality():
    municipality = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")
    configure(municipality)
    return municipality


@pytest.fixture
def coordinator(municipality):
    return user_with_role(Role.COORDINATOR, municipality)


@pytest.fixture
def reviewer(municipality):
    return deciding_official(municipality, first_name="Riitta", last_name="Päättäjä")


def start(coordinator, municipality, path: Path, period: datetime.date = PERIOD):
    return actions.start_run(
        coordinator,
        municipality,
        "ecec_fees",
        input_file=path,
        parameters={"period_start": period.isoformat()},
    )


def use_suomifi(monkeypatch, server: SuomiFiMessagesServer) -> None:
    """Configure the workers' Suomi.fi Messages, as operations would, for the loopback server."""
    monkeypatch.setenv("KUNTAROBO_SUOMIFI_URL", server.base_url)
    monkeypatch.setenv("KUNTAROBO_SUOMIFI_USERNAME", server.username)
    monkeypatch.setenv("KUNTAROBO_SUOMIFI_PASSWORD", server.password)
    monkeypatch.setenv("KUNTAROBO_SUOMIFI_SERVICE_ID", server.service_id)


# Every test family's placements run on: its decision from PERIOD ends on 31.7.2026, and the
# part from 1.8.2026 (the new figures, whose income thresholds are not entered) is a second
# item that goes to a person (issue 16: periods split at each parameter row).
NEW_FIGURES = datetime.date(2026, 8, 1)


def decided_items():
    """The items the robot computes, without the parts left to a person for want of figures."""
    return [item for item in WorkItem.objects.order_by("pk") if "unavailable" not in item.payload]


def decided_item() -> WorkItem:
    (item,) = decided_items()
    return item


def approve_all(reviewer) -> None:
    waiting = WorkItem.objects.filter(status=ItemStatus.NEEDS_REVIEW).values_list("pk", flat=True)
    result = actions.approve_items(reviewer, list(waiting))
    assert not result.refused
    drain()


def test_the_worked_example_family_gets_a_draft_decision_of_113_euros_with_its_computation(
    tmp_path, municipality, coordinator
):
    started = start(coordinator, municipality, write_families(tmp_path / "f.jsonl", family()))
    assert started.created == 2  # from 1.1.2025, and the part from 1.8.2026 (to a person)
    drain()
    item = decided_item()
    assert item.status == ItemStatus.NEEDS_REVIEW
    assert item.output["total_fee"] == 11300
    # Only that the decision reaches back in time (PERIOD is over 12 months before the run).
    assert [line.split(" (")[0] for line in item.attention] == [
        "Päätös alkaa yli 12 kuukautta sitten",
        "Päätös alkaa menneisyydessä",
    ]
    assert any("81,00 €" in line for line in item.explanation)
    assert any("Eero Meikäläinen" in line and "32,00 €" in line for line in item.explanation)
    decision = FeeDecision.objects.get()
    assert decision.status == DecisionStatus.DRAFT
    assert decision.total_fee == 11300
    assert decision.parameters_valid_from == datetime.date(2024, 8, 1)
    assert decision.decision_number == item.output["decision_number"]
    draft = ItemDocument.objects.get(item=item)
    text = all_text(draft.file.read())
    assert "Maija Meikäläinen" in text
    assert "113,00 €" in text
    assert "LUONNOS" in text


CONTENT = (
    "family_id",
    "status",
    "valid_from",
    "language",
    "inputs",
    "result",
    "total_fee",
    "fingerprint",
    "basis",
    "parameters_valid_from",
    "settings_valid_from",
    "rule_version",
)


def test_the_test_factorys_decision_holds_what_the_robots_own_draft_holds(
    tmp_path, municipality, coordinator
):
    path = write_families(tmp_path / "f.jsonl", family(), swedish_family())
    start(coordinator, municipality, path)
    drain()
    elsewhere = MunicipalityFactory(slug="muualla", name_fi=municipality.name_fi)
    for made in FeeDecision.objects.all():
        data = family() if made.family_id == "F-1" else swedish_family()
        faked = FeeDecisionFactory(municipality=elsewhere, family_data=data)
        for name in CONTENT:
            assert getattr(faked, name) == getattr(made, name), name
        snapshot = {**faked.snapshot, "decision_number": made.decision_number}
        assert snapshot == made.snapshot


def test_running_the_same_input_twice_creates_no_second_decision(
    tmp_path, municipality, coordinator
):
    path = write_families(tmp_path / "f.jsonl", family(), swedish_family())
    assert start(coordinator, municipality, path).created == 4  # 2 families × 2 parts
    drain()
    again = start(coordinator, municipality, path)
    assert again.created == 0
    assert again.duplicates == 4
    drain()
    assert FeeDecision.objects.count() == 2


def test_a_workers_batch_writes_its_draft_decisions_in_one_insert_each_with_its_own_values(
    tmp_path, municipality, coordinator, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.KUNTAROBO_WORKER_BATCH = 10
    families = [family(f"A-{n}") for n in range(3)] + [swedish_family()]
    start(coordinator, municipality, write_families(tmp_path / "f.jsonl", *families))
    with CaptureQueriesContext(connection) as captured:
        drain()

    # a VALUES INSERT on SQLite, COPY on PostgreSQL
    assert statements_adding_rows(captured.captured_queries, FeeDecision) == 1
    decisions = FeeDecision.objects.select_related("work_item")
    assert len(decisions) == 4
    for decision in decisions:
        item = decision.work_item
        assert decision.status == DecisionStatus.DRAFT
        assert decision.decision_number == item.output["decision_number"]
        assert decision.total_fee == item.output["total_fee"]
        assert decision.family_id == item.payload["family"]["family_id"]
        assert decision.created_at is not None
    assert {d.language for d in decisions} == {"fi", "sv"}


def test_a_swedish_speaking_family_gets_its_decision_in_swedish(
    tmp_path, municipality, coordinator
):
    start(coordinator, municipality, write_families(tmp_path / "f.jsonl", swedish_family()))
    drain()
    item = decided_item()
    text = all_text(ItemDocument.objects.get(item=item).file.read())
    assert "Beslut om klientavgift för småbarnspedagogik" in text
    assert "Saga Svensson" in text
    # 2 persons, 4,800 €: 10.7 % × (4800 − 4066) = 78.54 → 79 €; 100 h/month → 0.70 → 55 €
    assert item.output["total_fee"] == 5500


def test_a_family_applying_for_fee_relief_goes_to_a_person_and_gets_no_decision(
    tmp_path, municipality, coordinator
):
    path = write_families(tmp_path / "f.jsonl", family(fee_relief_requested=True))
    start(coordinator, municipality, path)
    drain()
    item = decided_item()
    assert item.status == ItemStatus.FAILED_BUSINESS
    assert "13 §" in item.error_message
    assert not FeeDecision.objects.exists()


def test_missing_income_gives_the_maximum_fee_and_is_flagged_for_the_official(
    tmp_path, municipality, coordinator
):
    incomes = [{"person": "Maija Meikäläinen", "missing": True}]
    start(coordinator, municipality, write_families(tmp_path / "f.jsonl", family(incomes=incomes)))
    drain()
    item = decided_item()
    # 311 € for the youngest, 40 % × 311 = 124.40 → 124 € for the second
    assert item.output["total_fee"] == 31100 + 12400
    assert item.attention
    assert item.status == ItemStatus.NEEDS_REVIEW


def test_approval_puts_the_officials_name_on_the_letter_and_a_print_batch_gathers_the_letters(
    tmp_path, municipality, coordinator, reviewer
):
    path = write_families(tmp_path / "f.jsonl", family(), swedish_family())
    start(coordinator, municipality, path)
    drain()
    approve_all(reviewer)
    decisions = list(FeeDecision.objects.order_by("family_id"))
    # Letters: approved and awaiting printing, not sent, until their batch is posted.
    assert [d.status for d in decisions] == [DecisionStatus.APPROVED, DecisionStatus.APPROVED]
    assert all(d.channel == Channel.PRINT for d in decisions)
    assert all(d.notified_on is None for d in decisions)
    assert decisions[0].decided_by == "Riitta Päättäjä"
    final = all_text(decisions[0].document.read())
    assert "Riitta Päättäjä" in final
    assert "varhaiskasvatuspäällikkö" in final  # the title of Riitta's delegation
    assert "LUONNOS" not in final
    batch = fee_actions.make_print_batch(reviewer, municipality)
    assert batch is not None
    assert batch.letters == 2
    text = all_text(batch.file.read())
    assert "Maija Meikäläinen" in text
    assert "Sven Svensson" in text
    assert fee_actions.make_print_batch(reviewer, municipality) is None  # nothing left
    assert channels.PrintBatch.objects.count() == 1
    assert AuditEvent.objects.filter(action="channels.print_batch").count() == 1
    for decision in decisions:
        decision.refresh_from_db()
        assert decision.status == DecisionStatus.APPROVED  # printed, not yet posted


def test_a_print_batch_that_fails_to_be_recorded_leaves_no_pdf_and_the_letters_waiting(
    tmp_path, municipality, coordinator, reviewer, settings, monkeypatch
):
    start(coordinator, municipality, write_families(tmp_path / "f.jsonl", family()))
    drain()
    approve_all(reviewer)

    def audit_down(*args, **kwargs):
        raise DatabaseError("audit trail unavailable")

    monkeypatch.setattr(channel_actions, "record", audit_down)
    with pytest.raises(DatabaseError):
        fee_actions.make_print_batch(reviewer, municipality)
    print_folder = Path(settings.MEDIA_ROOT) / "channels" / "print"
    assert [p for p in print_folder.rglob("*") if p.is_file()] == []
    assert not channels.PrintBatch.objects.exists()
    [letter] = channels.Delivery.objects.filter(channel="print")
    assert letter.status == channels.DeliveryStatus.QUEUED
    assert letter.print_batch is None


def test_an_approved_decision_cannot_be_edited_or_deleted_in_the_database():
    decision = FeeDecisionFactory(approved=True)
    with pytest.raises(DatabaseError), transaction.atomic():
        FeeDecision.objects.filter(pk=decision.pk).update(total_fee=100)
    with pytest.raises(DatabaseError), transaction.atomic():
        FeeDecision.objects.filter(pk=decision.pk).update(decided_by="Someone Else")
    with pytest.raises(DatabaseError), transaction.atomic():
        FeeDecision.objects.filter(pk=decision.pk).delete()
    decision.refresh_from_db()
    assert decision.total_fee == 11300


def test_a_correction_is_a_new_decision_that_supersedes_the_old_one(
    tmp_path, municipality, coordinator, reviewer
):
    start(coordinator, municipality, write_families(tmp_path / "a.jsonl", family()))
    drain()
    approve_all(reviewer)
    first = FeeDecision.objects.get()
    later = datetime.date(2025, 3, 1)
    raised = family(incomes=[{"person": "Maija Meikäläinen", "amount": 700000, "source": "x"}])
    start(coordinator, municipality, write_families(tmp_path / "b.jsonl", raised), later)
    drain()
    item = WorkItem.objects.get(status=ItemStatus.NEEDS_REVIEW)
    # 10.7 % × (7000 − 5245) = 187.785 → 188 €; 40 % → 75.20 → 75 €
    assert item.output["total_fee"] == 18800 + 7500
    assert item.output["previous_total_fee"] == 11300
    draft = all_text(ItemDocument.objects.get(item=item).file.read())
    assert first.decision_number in draft
    approve_all(reviewer)
    first.refresh_from_db()
    second = FeeDecision.objects.exclude(pk=first.pk).get()
    assert second.status == DecisionStatus.APPROVED  # awaiting printing
    assert second.supersedes_id == first.pk
    assert first.status == DecisionStatus.SUPERSEDED
    assert first.superseded_from == later
    assert first.total_fee == 11300  # the old decision's content is unchanged


def test_with_suomifi_configured_the_decision_goes_to_the_guardians_mailbox(
    tmp_path, municipality, coordinator, reviewer, monkeypatch
):
    with SuomiFiMessagesServer() as server:
        use_suomifi(monkeypatch, server)
        start(coordinator, municipality, write_families(tmp_path / "f.jsonl", family()))
        drain()
        approve_all(reviewer)
        [message] = server.messages
        [attachment] = server.attachments
    decision = FeeDecision.objects.get()
    assert decision.channel == Channel.SUOMIFI
    assert decision.status == DecisionStatus.SENT
    assert message.recipient_id == MAIJA
    # The installation's shared service: the municipality qualifies its own running number.
    assert message.external_id == f"{municipality.slug}:{decision.decision_number}"
    assert decision.message_id == str(message.message_id)
    assert "Riitta Päättäjä" in all_text(attachment.data)


def test_a_bad_line_in_the_family_data_refuses_the_whole_file_naming_the_line(
    tmp_path, municipality, coordinator
):
    path = write_families(tmp_path / "f.jsonl", family(), family("F-2", size=1))
    with pytest.raises(InputError, match="line 2"):
        start(coordinator, municipality, path)
    assert not WorkItem.objects.exists()


def test_no_fee_is_computed_with_parameters_whose_thresholds_are_not_yet_entered(
    tmp_path, municipality, coordinator
):
    path = write_families(tmp_path / "f.jsonl", family())
    with pytest.raises(InputError, match="lack the income thresholds"):
        start(coordinator, municipality, path, datetime.date(2026, 9, 1))
    assert not WorkItem.objects.exists()


def test_a_guardian_without_a_suomifi_mailbox_gets_the_decision_by_letter(
    tmp_path, municipality, coordinator, reviewer, monkeypatch
):
    with SuomiFiMessagesServer(inactive_mailboxes=frozenset({MAIJA})) as server:
        use_suomifi(monkeypatch, server)
        start(coordinator, municipality, write_families(tmp_path / "f.jsonl", family()))
        drain()
        approve_all(reviewer)
        assert server.messages == []
    decision = FeeDecision.objects.get()
    assert decision.status == DecisionStatus.APPROVED  # awaiting printing
    assert decision.channel == Channel.PRINT
    [refused, letter] = channels.Delivery.objects.order_by("pk")
    assert (refused.channel, refused.status) == ("suomifi", channels.DeliveryStatus.FAILED)
    assert (letter.channel, letter.status) == ("print", channels.DeliveryStatus.QUEUED)
    batch = fee_actions.make_print_batch(reviewer, municipality)
    assert batch is not None
    assert batch.letters == 1


def test_when_suomifi_is_down_the_delivery_is_retried_and_nothing_is_lost(
    tmp_path, municipality, coordinator, reviewer, monkeypatch, settings
):
    settings.KUNTAROBO_RETRY_BASE_SECONDS = 0
    settings.KUNTAROBO_RETRY_MAX_SECONDS = 0
    with SuomiFiMessagesServer() as server:
        use_suomifi(monkeypatch, server)
        start(coordinator, municipality, write_families(tmp_path / "f.jsonl", family()))
        drain()
        server.fail_next(503, times=1)
        approve_all(reviewer)
        drain()
        assert len(server.messages) == 1
    item = decided_item()
    assert item.status == ItemStatus.DONE
    assert item.attempts >= 2
    assert FeeDecision.objects.get().channel == Channel.SUOMIFI


def test_a_child_starting_after_the_period_begins_gets_a_decision_from_the_first_day_of_care(
    tmp_path, municipality, coordinator
):
    starting = family()
    for child_data in starting["children"]:
        child_data["placement"]["start"] = "2025-01-13"
    start(coordinator, municipality, write_families(tmp_path / "f.jsonl", starting))
    drain()
    decision = FeeDecision.objects.get()
    assert decision.valid_from == datetime.date(2025, 1, 13)
    assert decision.total_fee == 11300


def test_a_family_whose_data_did_not_change_gets_no_new_decision_for_a_new_period(
    tmp_path, municipality, coordinator, reviewer
):
    start(coordinator, municipality, write_families(tmp_path / "a.jsonl", family()))
    drain()
    approve_all(reviewer)
    path = write_families(tmp_path / "b.jsonl", family(), swedish_family())
    again = start(coordinator, municipality, path, datetime.date(2025, 2, 1))
    # The Swedish family, which has no decision yet (two parts), and F-1's part from 1.8.2026
    # made again: it failed (no 2026 thresholds) and its preceding part now starts on the run's
    # "decisions from" date, so it replaces the failed one. F-1's unchanged part makes nothing.
    assert (again.created, again.corrected) == (3, 1)
    assert again.run.summary == {"skipped": {"unchanged": 1}}
    drain()
    again.run.refresh_from_db()
    assert again.run.summary["skipped"] == {"unchanged": 1}


def test_a_correction_back_in_time_replaces_the_old_period_and_ends_before_the_next_decision(
    tmp_path, municipality, coordinator, reviewer
):
    start(coordinator, municipality, write_families(tmp_path / "a.jsonl", family()))
    drain()
    approve_all(reviewer)
    january = FeeDecision.objects.get()
    march = datetime.date(2025, 3, 1)
    raised = family(incomes=[{"person": "Maija Meikäläinen", "amount": 700000, "source": "x"}])
    start(coordinator, municipality, write_families(tmp_path / "b.jsonl", raised), march)
    drain()
    approve_all(reviewer)
    corrected = family(incomes=[{"person": "Maija Meikäläinen", "amount": 650000, "source": "y"}])
    start(coordinator, municipality, write_families(tmp_path / "c.jsonl", corrected))
    drain()
    item = WorkItem.objects.get(status=ItemStatus.NEEDS_REVIEW)
    assert item.output["previous_total_fee"] == 11300  # compared with January's, not March's
    draft = all_text(ItemDocument.objects.get(item=item).file.read())
    assert january.decision_number in draft
    assert "28.2.2025" in draft  # ends the day before the March decision begins
    approve_all(reviewer)
    correction = FeeDecision.objects.get(work_item=item)
    january.refresh_from_db()
    march_decision = FeeDecision.objects.get(valid_from=march)
    assert january.status == DecisionStatus.SUPERSEDED
    assert january.superseded_from == PERIOD
    assert correction.superseded_from == march
    assert correction.valid_until() == datetime.date(2025, 2, 28)
    assert march_decision.status == DecisionStatus.APPROVED  # awaiting printing
    # The letter's last day, the decision it replaces and the changes since are the decision's
    # own (guarded) content: delivery reads them from it, not from the work item.
    assert correction.letter_valid_until == datetime.date(2025, 2, 28)
    assert correction.letter_supersedes == f"{january.decision_number} (1.1.2025)"
    assert correction.letter_changes
    assert all(correction.letter_changes)
    assert "_decision" not in item.output
    WorkItem.objects.filter(pk=item.pk).update(output={}, record={})  # as after the purge
    letter = final_letter(FeeDecision.objects.get(pk=correction.pk))
    assert letter.valid_until == datetime.date(2025, 2, 28)
    assert letter.supersedes == correction.letter_supersedes
    assert list(letter.changes) == correction.letter_changes
    with pytest.raises(DatabaseError), transaction.atomic():
        FeeDecision.objects.filter(pk=correction.pk).update(letter_supersedes="")


def test_a_child_without_an_agreed_service_need_sends_the_family_to_a_person(
    tmp_path, municipality, coordinator
):
    data = family()
    del data["children"][0]["service_need"]
    start(coordinator, municipality, write_families(tmp_path / "f.jsonl", data))
    drain()
    item = decided_item()
    assert item.status == ItemStatus.FAILED_BUSINESS
    assert "service need" in item.error_message
    assert not FeeDecision.objects.exists()


def test_a_swedish_speaking_municipalitys_officials_read_the_reasoning_in_swedish(
    tmp_path, coordinator
):
    from kuntarobo.robots.ecec_fees.municipal import example_settings

    municipality = MunicipalityFactory(slug="exempelby", name_fi="Esimerkkikylä")
    settings_json = {**example_settings("Exempelby"), "officials_language": "sv"}
    save_robot_settings(
        "test set-up",
        municipality,
        EcecFeeRobot,
        settings_json,
        valid_from=datetime.date(2020, 1, 1),
    )
    start(
        "test set-up",
        municipality,
        write_families(tmp_path / "f.jsonl", family(incomes=[{"person": "M", "missing": True}])),
    )
    drain()
    item = decided_item()
    assert any("Familjens storlek" in line for line in item.explanation)
    assert item.attention
    assert all("Tarkista" not in line for line in item.attention)
    # The letter still follows the family's language (Finnish here).
    text = all_text(ItemDocument.objects.get(item=item).file.read())
    assert "Varhaiskasvatuksen asiakasmaksupäätös" in text


def test_both_guardians_get_the_decision_in_their_own_suomifi_mailbox(
    tmp_path, municipality, coordinator, reviewer, monkeypatch
):
    from tests.robots.ecec_fees.helpers import SVEN

    two = family(
        size=4,
        guardians=[
            *family()["guardians"],
            {"name": "Matti Meikäläinen", "identity_code": SVEN},
        ],
    )
    with SuomiFiMessagesServer() as server:
        use_suomifi(monkeypatch, server)
        start(coordinator, municipality, write_families(tmp_path / "f.jsonl", two))
        drain()
        approve_all(reviewer)
        messages = sorted(server.messages, key=lambda m: m.external_id)
    decision = FeeDecision.objects.get()
    assert [m.recipient_id for m in messages] == [MAIJA, SVEN]
    assert [m.external_id for m in messages] == [
        f"{municipality.slug}:{decision.decision_number}",
        f"{municipality.slug}:{decision.decision_number}-2",
    ]
    assert decision.channel == Channel.SUOMIFI
    assert decision.message_id == ",".join(str(m.message_id) for m in messages)


def test_a_placement_ending_during_the_decision_ends_the_decision_and_is_flagged(
    tmp_path, municipality, coordinator, reviewer
):
    leaving = family()
    for child_data in leaving["children"]:
        child_data["placement"]["end"] = "2025-05-31"
    start(coordinator, municipality, write_families(tmp_path / "f.jsonl", leaving))
    drain()
    item = decided_item()
    assert any("31.5.2025" in line for line in item.attention)
    draft = all_text(ItemDocument.objects.get(item=item).file.read())
    assert "1.1.2025–31.5.2025" in draft
    approve_all(reviewer)
    decision = FeeDecision.objects.get()
    assert decision.ends_on == datetime.date(2025, 5, 31)
    assert decision.valid_until() == datetime.date(2025, 5, 31)
    with pytest.raises(DatabaseError), transaction.atomic():
        FeeDecision.objects.filter(pk=decision.pk).update(ends_on=None)


def two_guardians(second_address: dict[str, str] | None, identity_code: str = "") -> dict:
    second: dict = {"name": "Matti Virtanen"}
    if identity_code:
        second["identity_code"] = identity_code
    if second_address is not None:
        second["address"] = second_address
    return family(size=4, guardians=[*family()["guardians"], second])


ELSEWHERE = {"street": "Koivukuja 3", "postal_code": "33100", "city": "Tampere"}


def test_a_second_guardian_living_elsewhere_gets_a_printed_copy_addressed_to_them(
    tmp_path, municipality, coordinator, reviewer
):
    start(coordinator, municipality, write_families(tmp_path / "f.jsonl", two_guardians(ELSEWHERE)))
    drain()
    approve_all(reviewer)
    decision = FeeDecision.objects.get()
    assert decision.channel == Channel.PRINT
    own, copy = channels.Delivery.objects.filter(channel="print").order_by("pk")
    assert own.reference == decision.decision_number
    assert copy.reference == f"{decision.decision_number}-2"
    assert copy.recipient.splitlines()[0] == "Matti Virtanen"
    assert copy.item_id == decision.work_item_id
    letter, copy_text = all_text(decision.document.read()), all_text(copy.document.read())
    assert "Maija Meikäläinen / Matti Virtanen" in letter
    assert "Kuusitie 5 B 12" in letter
    assert "Koivukuja 3" in copy_text
    assert "33100 Tampere" in copy_text
    assert "Kuusitie 5 B 12" not in copy_text
    assert "Riitta Päättäjä" in copy_text  # the same decision, with the same official
    batch = fee_actions.make_print_batch(reviewer, municipality)
    assert batch is not None
    assert batch.letters == 2
    assert batch.pages == 7  # each 3-page letter starts on an odd page: 3 + a blank + 3
    copy.refresh_from_db()
    assert copy.print_batch == batch
    assert fee_actions.make_print_batch(reviewer, municipality) is None
    event = AuditEvent.objects.get(action="channels.print_batch")
    assert event.details["deliveries"] == [own.pk, copy.pk]  # the copy right after its letter


def test_guardians_at_the_same_address_get_one_letter_with_both_names(
    tmp_path, municipality, coordinator, reviewer
):
    same = {"street": "KUUSITIE 5  B 12", "postal_code": "00100", "city": "helsinki"}
    path = write_families(tmp_path / "f.jsonl", two_guardians(same), family("F-2"))
    start(coordinator, municipality, path)
    drain()
    approve_all(reviewer)
    assert FeeDecision.objects.filter(channel=Channel.PRINT).count() == 2
    assert channels.Delivery.objects.filter(channel="print").count() == 2  # no copies


def test_a_second_guardian_without_a_mailbox_gets_a_printed_copy_when_the_first_got_it_online(
    tmp_path, municipality, coordinator, reviewer, monkeypatch
):
    from tests.robots.ecec_fees.helpers import SVEN

    with SuomiFiMessagesServer(inactive_mailboxes=frozenset({SVEN})) as server:
        use_suomifi(monkeypatch, server)
        path = write_families(tmp_path / "f.jsonl", two_guardians(None, identity_code=SVEN))
        start(coordinator, municipality, path)
        drain()
        approve_all(reviewer)
        [message] = server.messages
    decision = FeeDecision.objects.get()
    assert message.recipient_id == MAIJA
    assert decision.channel == Channel.SUOMIFI
    assert decision.status == DecisionStatus.SENT
    [copy] = channels.Delivery.objects.filter(channel="print")
    assert copy.reference == f"{decision.decision_number}-2"
    text = all_text(copy.document.read())
    # No address of their own: the copy goes to the family's address, in their name only.
    assert "Matti Virtanen" in text
    assert "Kuusitie 5 B 12" in text
    assert "Maija Meikäläinen / Matti Virtanen" not in text
    assert fee_actions.make_print_batch(reviewer, municipality).letters == 1


def test_a_retried_delivery_makes_no_second_copy_and_leaves_a_printed_one_alone(
    tmp_path, municipality, coordinator, reviewer
):
    from kuntarobo.robots.ecec_fees import delivery

    start(coordinator, municipality, write_families(tmp_path / "f.jsonl", two_guardians(ELSEWHERE)))
    drain()
    approve_all(reviewer)
    decision = FeeDecision.objects.get()
    item = item_view(decision.work_item)
    delivery.print_copy(item, decision, 1)
    copies = channels.Delivery.objects.filter(reference=f"{decision.decision_number}-2")
    assert copies.count() == 1
    batch = fee_actions.make_print_batch(reviewer, municipality)
    printed = copies.get().document.read()
    delivery.print_copy(item, decision, 1)
    copy = copies.get()
    assert copy.print_batch == batch
    assert copy.document.read() == printed


def items_by_start() -> list[WorkItem]:
    return sorted(decided_items(), key=lambda item: item.output["valid_from"])


def test_a_child_starting_during_the_period_gets_a_decision_of_its_own_from_the_start_day(
    tmp_path, municipality, coordinator, reviewer
):
    later = family()
    later["children"][1]["placement"]["start"] = "2025-03-17"  # Eero; Aino is in ECEC already
    path = write_families(tmp_path / "f.jsonl", later)
    assert start(coordinator, municipality, path).created == 3  # and from 1.8.2026
    drain()
    before, after = items_by_start()
    # Aino alone from 1 January: 81 € (the worked example's youngest child).
    assert (before.output["valid_from"], before.output["total_fee"]) == ("2025-01-01", 8100)
    assert any("17.3.2025" in line for line in before.attention)
    assert "1.1.2025–16.3.2025" in all_text(ItemDocument.objects.get(item=before).file.read())
    # Both from Eero's first day: 81 + 32 = 113 €, and the letter says what changed.
    assert (after.output["valid_from"], after.output["total_fee"]) == ("2025-03-17", 11300)
    assert any("Eero Meikäläinen on aloittanut" in line for line in after.explanation)
    assert "Eero Meikäläinen on aloittanut" in all_text(
        ItemDocument.objects.get(item=after).file.read()
    )
    approve_all(reviewer)
    first, second = FeeDecision.objects.order_by("valid_from")
    assert (first.status, second.status) == (DecisionStatus.APPROVED, DecisionStatus.APPROVED)
    assert first.valid_until() == datetime.date(2025, 3, 16)
    assert second.valid_until() == NEW_FIGURES - datetime.timedelta(days=1)
    again = start(coordinator, municipality, path)
    assert again.created == 0
    assert again.run.summary["skipped"] == {"unchanged": 2}


def test_children_who_continue_get_a_decision_from_the_day_after_a_siblings_placement_ends(
    tmp_path, municipality, coordinator
):
    leaving = family()
    leaving["children"][1]["placement"]["end"] = "2025-05-31"  # Eero leaves, Aino continues
    start(coordinator, municipality, write_families(tmp_path / "f.jsonl", leaving))
    drain()
    before, after = items_by_start()
    assert before.output["total_fee"] == 11300
    assert before.record["ends_on"] == "2025-05-31"
    assert (after.output["valid_from"], after.output["total_fee"]) == ("2025-06-01", 8100)
    assert any("Eero Meikäläinen ei ole enää" in line for line in after.explanation)


def test_a_period_over_a_new_parameter_row_is_split_and_an_incomplete_part_goes_to_a_person(
    tmp_path, municipality, coordinator
):
    # The review's case: a letter said "1.7.2026–31.7.2027" on the figures of 1.8.2024. The
    # period is split at 1.8.2026: 1.7.2026–31.7.2026 on the 2024 row; the part from 1.8.2026
    # would need the row of 1.8.2026, whose income thresholds are not entered: it goes to a
    # person (a business exception naming the reason), never computed on the old figures. The
    # sibling starting on 17.8.2026 makes a third part, for the same reason left to a person.
    later = family(period_start="2026-07-01")
    for child in later["children"]:
        child["placement"]["end"] = "2027-07-31"
    later["children"][1]["placement"]["start"] = "2026-08-17"
    started = start(coordinator, municipality, write_families(tmp_path / "f.jsonl", later))
    assert started.created == 3
    drain()
    item = decided_item()
    assert item.output["valid_from"] == "2026-07-01"
    assert item.record["valid_until"] == "2026-07-31"
    assert item.record["parameters_valid_from"] == "2024-08-01"
    assert "1.7.2026–31.7.2026" in all_text(ItemDocument.objects.get(item=item).file.read())
    assert any("17.8.2026" in line for line in item.attention)
    left = sorted(
        (i for i in WorkItem.objects.all() if "unavailable" in i.payload),
        key=lambda i: i.payload["period_start"],
    )
    assert [i.payload["period_start"] for i in left] == ["2026-08-01", "2026-08-17"]
    for part in left:
        part.refresh_from_db()
        assert part.status == ItemStatus.FAILED_BUSINESS
        assert "lack the income thresholds" in part.error_message
        assert "never computed on the figures of an earlier period" in part.error_message
    assert not FeeDecision.objects.filter(valid_from__gte=NEW_FIGURES).exists()


def test_a_part_left_for_want_of_thresholds_is_computed_when_retried_after_they_are_entered(
    tmp_path, municipality, coordinator, reviewer
):
    later = family(period_start="2026-07-01")
    start(coordinator, municipality, write_families(tmp_path / "f.jsonl", later))
    drain()
    (left,) = [i for i in WorkItem.objects.all() if "unavailable" in i.payload]
    left.refresh_from_db()
    assert left.status == ItemStatus.FAILED_BUSINESS
    # Test figures only (not the official 2026 thresholds): those of 1.8.2024, as an
    # administrator would enter the real ones.
    FeeParameterRow.objects.filter(valid_from=NEW_FIGURES).update(
        income_thresholds={"2": 406600, "3": 524500, "4": 595600, "5": 666700, "6": 737600},
        threshold_increase_per_further_child=27500,
    )
    result = actions.retry_items(reviewer, [left.pk])
    assert not result.refused
    drain()
    left.refresh_from_db()
    assert left.status == ItemStatus.NEEDS_REVIEW
    assert left.record["parameters_valid_from"] == "2026-08-01"
    # 6,000 € − 5,245 € = 755 € × 10.70 % = 80.785 → 81 €; 40 % × 81 = 32.40 → 32 €.
    assert left.output["total_fee"] == 11300
    # Compared with the part before it (the same line from 1.7.2026): the new figures.
    assert left.record["changes"]
    assert not any("ensimmäinen" in line for line in left.record["changes"])


def test_a_pre_primary_child_and_a_paid_maintenance_reach_the_decision_and_its_letter(
    tmp_path, municipality, coordinator
):
    data = family(
        deductions=[
            {
                "person": "Maija Meikäläinen",
                "amount": 30000,
                "source": "elatussopimus",
                "reason": "elatusapu",
            }
        ]
    )
    del data["children"][1]["service_need"]  # Eero: pre-primary education only
    data["children"][1]["pre_primary"] = True
    start(coordinator, municipality, write_families(tmp_path / "f.jsonl", data))
    drain()
    item = decided_item()
    # 6,000 − 300 = 5,700 €; − 5,245 = 455 × 10.70 % = 48.685 → 49 € for Aino; Eero is not
    # charged nor on the decision, and counts as a sibling (Aino stays the youngest anyway).
    assert item.output["total_fee"] == 4900
    assert item.output["income_total"] == 570000
    assert "Eero" not in item.output["children"]
    assert any(
        line.startswith("Eero Meikäläinen: Esiopetuksessa ilman täydentävää varhaiskasvatusta")
        for line in item.explanation
    )
    text = all_text(ItemDocument.objects.get(item=item).file.read())
    assert "Tuloista vähennetään (Maija Meikäläinen: elatusapu): 300,00" in " ".join(text.split())


def test_a_decision_starting_in_the_past_is_flagged_for_the_official(
    tmp_path, municipality, coordinator
):
    # PERIOD (1.1.2025) is before today and more than 12 months back (the tests run after it).
    start(coordinator, municipality, write_families(tmp_path / "f.jsonl", family()))
    drain()
    item = decided_item()
    assert any(line.startswith("Päätös alkaa menneisyydessä (1.1.2025)") for line in item.attention)
    assert any(line.startswith("Päätös alkaa yli 12 kuukautta sitten") for line in item.attention)


def test_a_new_municipal_settings_row_splits_the_period_on_its_first_day(
    tmp_path, municipality, coordinator
):
    from kuntarobo.robots.ecec_fees.municipal import example_settings

    cheaper = example_settings("Esimerkkilä")
    cheaper["service_need_bands"] = [
        {"max_hours": 84, "coefficient": "0.5"},
        {"max_hours": 146, "coefficient": "0.75"},
        {"max_hours": None, "coefficient": "1"},
    ]
    save_robot_settings(
        "test set-up",
        municipality,
        EcecFeeRobot,
        cheaper,
        valid_from=datetime.date(2025, 3, 1),
        via="test",
    )
    start(coordinator, municipality, write_families(tmp_path / "f.jsonl", family()))
    drain()
    before, after = items_by_start()
    assert before.record["valid_until"] == "2025-02-28"
    assert before.output["total_fee"] == 11300
    # From 1.3.2025 150 h/month costs 100 % still: the same fees on the new settings row.
    assert after.output["valid_from"] == "2025-03-01"
    assert after.record["settings_valid_from"] == "2025-03-01"


def test_a_municipality_with_its_own_suomifi_service_sends_under_it(
    tmp_path, coordinator, reviewer, municipality, monkeypatch
):
    from kuntarobo.robots.ecec_fees.municipal import example_settings

    own = {**example_settings("Esimerkkilä"), "suomifi_service_id": "esimerkkila_vaka"}
    save_robot_settings(
        "test set-up",
        municipality,
        EcecFeeRobot,
        own,
        valid_from=datetime.date(2024, 1, 1),
        via="test",
    )
    with SuomiFiMessagesServer(other_service_ids=frozenset({"esimerkkila_vaka"})) as server:
        use_suomifi(monkeypatch, server)
        start(coordinator, municipality, write_families(tmp_path / "f.jsonl", family()))
        drain()
        approve_all(reviewer)
        [message] = server.messages
    assert message.service_id == "esimerkkila_vaka"
    assert FeeDecision.objects.get().channel == Channel.SUOMIFI


def test_decisions_from_is_the_earliest_start_and_the_run_says_how_many_lines_it_moved(
    tmp_path, municipality, coordinator
):
    # "Päätökset alkaen" 1.1.2025: a line dated 1.10.2024 of its own begins on 1.1.2025 (no
    # decision reaches back past the chosen day), one dated 1.3.2025 keeps its own day.
    earlier = family("F-EARLY", period_start="2024-10-01")
    later = family("F-LATE", period_start="2025-03-01")
    started = start(coordinator, municipality, write_families(tmp_path / "f.jsonl", earlier, later))
    starts = sorted(WorkItem.objects.values_list("payload__period_start", flat=True))
    # Each line's second part begins with the act's figures of 1.8.2026 (a row of its own).
    assert starts == ["2025-01-01", "2025-03-01", "2026-08-01", "2026-08-01"]
    notices = started.run.summary["notices"]
    assert notices == [
        {
            "fi": "Tiedoston 1 rivillä oli oma aikaisempi alkupäivä: sen päätös alkaa valittuna "
            "päivänä 1.1.2025.",
            "sv": "1 rad i filen hade ett eget tidigare startdatum: dess beslut börjar den valda "
            "dagen 1.1.2025.",
            "en": "1 line of the file had an earlier start date of its own: its decision begins "
            "on the chosen day 1.1.2025.",
        }
    ]
    drain()
    started.run.refresh_from_db()
    assert started.run.summary["notices"] == notices  # kept when the run finishes
    assert EcecFeeRobot.parameters[0].help is not None
    assert "Päätökset alkavat aikaisintaan tästä päivästä" in EcecFeeRobot.parameters[0].help.fi
    client = Client()
    client.force_login(coordinator)
    page = client.get(f"/runs/{started.run.pk}/", HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "sen päätös alkaa valittuna päivänä 1.1.2025." in page
