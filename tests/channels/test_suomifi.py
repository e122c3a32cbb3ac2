"""Suomi.fi Messages as a channel, against the loopback test server: the document reaches the
mailbox once however often the robot retries, a person without a mailbox is refused for good
(the next route takes over), and a service that is down is a passing failure."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kuntarobo.audit.models import AuditEvent
from kuntarobo.channels.actions import deliver, deliver_first
from kuntarobo.channels.base import ChannelError, Content, Document
from kuntarobo.channels.choice import Contact, choose_channels
from kuntarobo.channels.models import Delivery, DeliveryStatus
from kuntarobo.runtime.suomifi_messages import PostalAddress
from kuntarobo.testing.suomifi_server import SuomiFiMessagesServer
from tests.channels.conftest import pdf_with_pages

pytestmark = pytest.mark.django_db

IDENTITY_CODE = "131052-308T"
NO_MAILBOX = "010203A123Y"
LETTER = Document(name="paatos-2025-0001.pdf", content=pdf_with_pages(2))
CONTENT = Content(body="Liitteenä päätöksenne.", document=LETTER, personal=True)


@pytest.fixture
def server(monkeypatch) -> Iterator[SuomiFiMessagesServer]:
    with SuomiFiMessagesServer(inactive_mailboxes=frozenset({NO_MAILBOX})) as running:
        monkeypatch.setenv("KUNTAROBO_SUOMIFI_URL", running.base_url)
        monkeypatch.setenv("KUNTAROBO_SUOMIFI_USERNAME", running.username)
        monkeypatch.setenv("KUNTAROBO_SUOMIFI_PASSWORD", running.password)
        monkeypatch.setenv("KUNTAROBO_SUOMIFI_SERVICE_ID", running.service_id)
        monkeypatch.setenv("KUNTAROBO_SUOMIFI_TIMEOUT_SECONDS", "5")
        yield running


def send(municipality, recipient=IDENTITY_CODE, **overrides):
    values = {
        "municipality": municipality,
        "robot": "ecec_fees",
        "channel": "suomifi",
        "recipient": recipient,
        "subject": "Varhaiskasvatuksen asiakasmaksupäätös",
        "content": CONTENT,
        "reference": "2025-0001",
    }
    values.update(overrides)
    return deliver(**values)


def test_the_document_reaches_the_suomifi_mailbox_and_the_delivery_is_sent(server, municipality):
    delivery = send(municipality)

    [message] = server.messages
    assert message.recipient_id == IDENTITY_CODE
    assert message.external_id == "ecec_fees-2025-0001"
    assert message.channel == "electronic"
    [attachment] = server.attachments
    assert attachment.data == LETTER.content
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.external_id == str(message.message_id)
    assert delivery.masked_recipient == "131052-****"
    assert str(delivery) == "suomifi to 131052-**** (sent)"
    event = AuditEvent.objects.get(action="channels.delivery.sent")
    assert IDENTITY_CODE not in str(event.details)


def test_a_retry_after_a_lost_answer_does_not_deliver_twice(server, municipality):
    server.fail_next(503, path="/v2/messages/electronic")
    with pytest.raises(ChannelError) as raised:
        send(municipality)
    assert raised.value.retryable
    assert Delivery.objects.get().status == DeliveryStatus.FAILED

    delivery = send(municipality)

    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 2
    assert len(server.messages) == 1


def test_a_person_without_a_mailbox_is_refused_for_good_and_the_error_is_masked(
    server, municipality
):
    with pytest.raises(ChannelError) as raised:
        send(municipality, recipient=NO_MAILBOX)

    assert not raised.value.retryable
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert NO_MAILBOX not in delivery.error
    assert NO_MAILBOX not in str(raised.value)


def test_without_a_mailbox_the_letter_goes_to_the_print_batch_instead(server, municipality):
    contact = Contact(
        identity_code=NO_MAILBOX,
        postal_address="Maija Meikäläinen\nKoulukatu 3 B 12\n33100 Tampere",
    )
    routes = choose_channels(contact, personal=True)
    assert [route.channel for route in routes] == ["suomifi", "print"]

    delivery = deliver_first(
        routes,
        municipality=municipality,
        robot="ecec_fees",
        subject="Varhaiskasvatuksen asiakasmaksupäätös",
        content=CONTENT,
        reference="2025-0002",
    )

    assert delivery.channel == "print"
    assert delivery.status == DeliveryStatus.QUEUED
    assert server.messages == []
    assert list(Delivery.objects.order_by("pk").values_list("channel", "status")) == [
        ("suomifi", "failed"),
        ("print", "queued"),
    ]


def test_a_service_that_is_down_is_raised_for_a_retry_and_no_other_route_is_tried(
    server, municipality
):
    server.fail_next(503, path="/v2/messages/electronic", times=3)
    routes = choose_channels(
        Contact(identity_code=IDENTITY_CODE, postal_address="A B\nKatu 1\n00100 Helsinki"),
        personal=True,
    )

    with pytest.raises(ChannelError) as raised:
        deliver_first(
            routes,
            municipality=municipality,
            robot="ecec_fees",
            subject="Päätös",
            content=CONTENT,
            reference="2025-0003",
        )

    assert raised.value.retryable
    assert list(Delivery.objects.values_list("channel", flat=True)) == ["suomifi"]


def test_with_posti_credentials_a_postal_address_makes_the_message_multichannel(
    server, municipality, monkeypatch
):
    monkeypatch.setenv("KUNTAROBO_SUOMIFI_POSTI_EMAIL", "tulostus@esimerkkila.fi")
    monkeypatch.setenv("KUNTAROBO_SUOMIFI_POSTI_USERNAME", "posti-user")
    monkeypatch.setenv("KUNTAROBO_SUOMIFI_POSTI_PASSWORD", "posti-secret")
    content = Content(
        body="Liitteenä päätöksenne.",
        document=LETTER,
        postal_address=PostalAddress("Maija Meikäläinen", "Koulukatu 3 B 12", "33100", "Tampere"),
        sender_address=PostalAddress("Esimerkkilän kunta", "PL 100", "33101", "Tampere"),
    )

    delivery = send(municipality, recipient=NO_MAILBOX, content=content)

    [message] = server.messages
    assert message.channel == "paper"
    assert delivery.status == DeliveryStatus.SENT


def test_without_configuration_the_channel_refuses_for_good(municipality, monkeypatch):
    monkeypatch.delenv("KUNTAROBO_SUOMIFI_URL", raising=False)

    with pytest.raises(ChannelError, match="not configured") as raised:
        send(municipality)

    assert not raised.value.retryable


def test_a_retried_item_whose_letter_waits_for_print_is_not_sent_by_suomifi_as_well(
    server, municipality
):
    contact = Contact(
        identity_code=NO_MAILBOX,
        postal_address="Maija Meikäläinen\nKoulukatu 3 B 12\n33100 Tampere",
    )
    arguments = {
        "municipality": municipality,
        "robot": "ecec_fees",
        "subject": "Varhaiskasvatuksen asiakasmaksupäätös",
        "content": CONTENT,
        "reference": "2025-0004",
    }
    first = deliver_first(choose_channels(contact, personal=True), **arguments)
    server.inactive_mailboxes.clear()  # the person opens a mailbox before the retry

    again = deliver_first(choose_channels(contact, personal=True), **arguments)

    assert again.pk == first.pk
    assert again.channel == "print"
    assert server.messages == []
