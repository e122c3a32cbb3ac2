"""Proof of notification (issue 16, point 9): every fee decision reaches each guardian through
the platform's channels with a Delivery record per guardian and channel; a printed letter is
"awaiting printing", not sent, until its print batch is marked posted, and the day the family
is deemed to have received the decision follows from that record."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.robots.ecec_fees import actions as fee_actions
from kuntarobo.robots.ecec_fees.models import Channel, DecisionStatus, FeeDecision
from kuntarobo.runtime import actions
from kuntarobo.runtime.models import ItemStatus, WorkItem
from kuntarobo.sdk import channels
from kuntarobo.testing.suomifi_server import SuomiFiMessagesServer
from tests.factories import PASSWORD, MunicipalityFactory, deciding_official, user_with_role
from tests.robots.ecec_fees.helpers import MAIJA, PERIOD, configure, family, write_families
from tests.runtime.helpers import drain

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def municipality():
    municipality = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")
    configure(municipality)
    return municipality


def decide(tmp_path, municipality, *families) -> None:
    coordinator = user_with_role(Role.COORDINATOR, municipality)
    official = deciding_official(municipality, username="tarkastaja")
    actions.start_run(
        coordinator,
        municipality,
        "ecec_fees",
        input_file=write_families(tmp_path / "f.jsonl", *families),
        parameters={"period_start": PERIOD.isoformat()},
    )
    drain()
    waiting = WorkItem.objects.filter(status=ItemStatus.NEEDS_REVIEW).values_list("pk", flat=True)
    assert not actions.approve_items(official, list(waiting)).refused
    drain()


def test_a_printed_letter_awaits_printing_until_its_batch_is_posted_then_counts_seven_days(
    tmp_path, municipality
):
    decide(tmp_path, municipality, family())
    decision = FeeDecision.objects.get()
    [letter] = channels.Delivery.objects.all()
    assert (letter.channel, letter.status) == ("print", channels.DeliveryStatus.QUEUED)
    assert letter.reference == decision.decision_number
    assert letter.item_id == decision.work_item_id
    assert letter.posted_on is None
    # The work is done, but nothing has left the building: not "sent", no notification date.
    assert WorkItem.objects.get(pk=decision.work_item_id).status == ItemStatus.DONE
    assert decision.status == DecisionStatus.APPROVED
    assert (decision.channel, decision.sent_at, decision.notified_on) == (Channel.PRINT, None, None)

    reviewer = user_with_role(Role.REVIEWER, municipality)
    batch = fee_actions.make_print_batch(reviewer, municipality)
    assert batch is not None
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.APPROVED  # printed is not posted
    assert decision.notified_on is None

    fee_actions.mark_posted(reviewer, municipality, batch.pk, datetime.date(2025, 1, 3), via="test")
    letter.refresh_from_db()
    decision.refresh_from_db()
    assert letter.status == channels.DeliveryStatus.POSTED
    assert letter.posted_on == datetime.date(2025, 1, 3)
    assert decision.status == DecisionStatus.POSTED
    assert decision.posted_on == datetime.date(2025, 1, 3)
    assert decision.notified_on == datetime.date(2025, 1, 10)  # 434/2003 59 §: the 7th day
    assert AuditEvent.objects.filter(action="channels.print_batch.posted").count() == 1


def test_a_batch_is_marked_posted_from_the_decisions_page_by_a_reviewer_only(
    tmp_path, municipality
):
    decide(tmp_path, municipality, family())
    reviewer = user_with_role(Role.REVIEWER, municipality, username="posti")
    batch = fee_actions.make_print_batch(reviewer, municipality)
    url = reverse("ecec_fees_staff:mark_posted", args=[batch.pk])
    coordinator = user_with_role(Role.COORDINATOR, municipality, username="koordinaattori")
    client = _client(coordinator)
    assert client.post(url, {"posted_on": "2025-01-03"}).status_code == 403
    client = _client(reviewer)
    page = client.get(reverse("ecec_fees_staff:decisions")).content.decode()
    assert "odottaa tulostusta" in page  # the decision's status as the staff read it
    assert url in page
    assert client.post(url, {"posted_on": "3.1.2025"}).status_code == 302  # not a date: refused
    assert FeeDecision.objects.get().status == DecisionStatus.APPROVED
    assert client.post(url, {"posted_on": "2025-01-03"}).status_code == 302
    decision = FeeDecision.objects.get()
    assert decision.status == DecisionStatus.POSTED
    assert decision.notified_on == datetime.date(2025, 1, 10)
    page = client.get(reverse("ecec_fees_staff:decisions")).content.decode()
    assert "tiedoksisaanti" in page
    # Posted once: a second date is refused and changes nothing.
    client.post(url, {"posted_on": "2025-01-04"})
    assert FeeDecision.objects.get().posted_on == datetime.date(2025, 1, 3)


def test_an_electronic_decision_is_sent_with_a_delivery_record_and_notified_on_the_third_day(
    tmp_path, municipality, monkeypatch
):
    with SuomiFiMessagesServer() as server:
        monkeypatch.setenv("KUNTAROBO_SUOMIFI_URL", server.base_url)
        monkeypatch.setenv("KUNTAROBO_SUOMIFI_USERNAME", server.username)
        monkeypatch.setenv("KUNTAROBO_SUOMIFI_PASSWORD", server.password)
        monkeypatch.setenv("KUNTAROBO_SUOMIFI_SERVICE_ID", server.service_id)
        decide(tmp_path, municipality, family())
        [message] = server.messages
    decision = FeeDecision.objects.get()
    [record] = channels.Delivery.objects.all()
    assert (record.channel, record.status) == ("suomifi", channels.DeliveryStatus.SENT)
    assert record.recipient == MAIJA
    assert str(record) != MAIJA
    assert MAIJA not in str(record)
    assert record.external_id == str(message.message_id)
    assert record.sent_at is not None
    assert decision.status == DecisionStatus.SENT
    # 13/2003 19 §: the third day after the message was sent.
    assert decision.notified_on == timezone.localdate(record.sent_at) + datetime.timedelta(days=3)
    assert AuditEvent.objects.filter(action="channels.delivery.sent").count() == 1


def _client(user):
    from django.test import Client

    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_retention_purge_takes_the_fee_letters_print_batch_pdfs_of_the_channel(
    tmp_path, municipality
):
    from kuntarobo.robots.ecec_fees.retention import purge_print_batches

    decide(tmp_path, municipality, family())
    batch = fee_actions.make_print_batch(user_with_role(Role.REVIEWER, municipality), municipality)
    name = batch.file.name
    assert purge_print_batches(timezone.now() - datetime.timedelta(days=1), dry_run=False) == (
        0,
        [],
    )
    later = timezone.now() + datetime.timedelta(seconds=1)
    assert purge_print_batches(later, dry_run=True) == (1, [])
    assert purge_print_batches(later, dry_run=False) == (1, [name])
    batch.refresh_from_db()
    assert not batch.file
