"""The delivery record: one row per message and channel, final once sent, the recipient
masked in the admin, and a channel plug-in added by registering a class."""

from __future__ import annotations

from typing import ClassVar

import pytest
from django.urls import reverse

from kuntarobo.audit.models import AuditEvent
from kuntarobo.channels import base
from kuntarobo.channels.actions import deliver, record_failed
from kuntarobo.channels.addresses import AddressKind
from kuntarobo.channels.base import Channel, Content, Outgoing, SendResult, register
from kuntarobo.channels.models import Delivery, DeliveryFinalError, DeliveryStatus
from kuntarobo.channels.registry import channel_names, get_channel
from kuntarobo.runtime.declarations import InputError
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOTICE = Content(body="Your report is ready.", personal=False)


class LoggedChannel(Channel):
    """A test plug-in that remembers what it was given."""

    name = "test_logbook"
    address_kind = AddressKind.EMAIL
    carries_personal_data = True
    sent: ClassVar[list[str]] = []

    def send(self, outgoing: Outgoing) -> SendResult:
        self.sent.append(outgoing.delivery.recipient)
        return SendResult(external_id=f"log-{len(self.sent)}")


@pytest.fixture
def logbook():
    register(LoggedChannel)
    LoggedChannel.sent.clear()
    yield LoggedChannel
    base._registry.pop(LoggedChannel.name, None)


def test_the_built_in_channels_are_registered_by_name():
    assert {"email", "secure_link", "suomifi", "print"} <= set(channel_names())
    email = get_channel("email")
    assert email.address_kind == AddressKind.EMAIL
    assert not email.carries_personal_data
    assert get_channel("suomifi").carries_personal_data


def test_a_second_channel_under_a_taken_name_is_refused():
    class Impostor(LoggedChannel):
        name = "email"

    with pytest.raises(ValueError, match="already registered"):
        register(Impostor)


def test_a_registered_plugin_is_used_by_deliver_and_recorded(municipality, logbook):
    delivery = deliver(
        municipality=municipality,
        robot="phone_survey",
        channel="test_logbook",
        recipient="person@example.fi",
        subject="Survey",
        content=NOTICE,
        language="sv",
    )

    assert logbook.sent == ["person@example.fi"]
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.external_id == "log-1"
    assert delivery.language == "sv"


def test_a_sent_delivery_cannot_be_changed_or_removed_only_followed_by_a_new_row(
    municipality, logbook
):
    delivery = deliver(
        municipality=municipality,
        robot="phone_survey",
        channel="test_logbook",
        recipient="person@example.fi",
        subject="Survey",
        content=NOTICE,
    )

    delivery.subject = "Changed"
    with pytest.raises(DeliveryFinalError):
        delivery.save()
    with pytest.raises(DeliveryFinalError):
        Delivery.objects.filter(pk=delivery.pk).update(subject="Changed")
    with pytest.raises(DeliveryFinalError):
        delivery.delete()
    with pytest.raises(DeliveryFinalError):
        record_failed(delivery, "late error", retryable=False, actor="test")
    again = deliver(
        municipality=municipality,
        robot="phone_survey",
        channel="test_logbook",
        recipient="person@example.fi",
        subject="Survey",
        content=NOTICE,
    )
    assert again.pk != delivery.pk
    assert Delivery.objects.get(pk=delivery.pk).subject == "Survey"
    assert AuditEvent.objects.filter(action="channels.delivery.sent").count() == 2


def test_the_admin_shows_the_recipient_masked(client, municipality, logbook):
    delivery = deliver(
        municipality=municipality,
        robot="phone_survey",
        channel="test_logbook",
        recipient="maija.meikalainen@example.fi",
        subject="Survey",
        content=NOTICE,
    )
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)

    listing = client.get(reverse("admin:channels_delivery_changelist")).content.decode()
    detail = client.get(
        reverse("admin:channels_delivery_change", args=[delivery.pk])
    ).content.decode()

    assert "m***@example.fi" in listing
    assert "maija.meikalainen" not in listing
    assert "m***@example.fi" in detail
    assert "maija.meikalainen" not in detail


def test_the_sdk_offers_the_channels_beside_the_suomifi_client():
    from kuntarobo.sdk import channels

    assert "suomifi_messages" in channels.__all__
    assert channels.deliver is deliver
    for name in channels.__all__:
        assert hasattr(channels, name), name


def test_a_robot_may_name_its_municipality_by_slug_and_its_item_by_id(municipality, logbook):
    from kuntarobo.runtime.declarations import ItemView
    from kuntarobo.runtime.models import Run, WorkItem

    run = Run.objects.create(municipality=municipality, robot_slug="phone_survey")
    work_item = WorkItem.objects.create(
        municipality=municipality, run=run, robot_slug="phone_survey", reference="p-1"
    )
    view = ItemView(id=work_item.pk, reference="p-1", payload={}, attempt=1, output={})

    delivery = deliver(
        municipality="esimerkkila",
        robot="phone_survey",
        channel="test_logbook",
        recipient="person@example.fi",
        subject="Survey",
        content=NOTICE,
        item=view,
    )

    assert delivery.municipality == municipality
    assert delivery.item == work_item


def test_an_unknown_municipality_is_bad_input_and_nothing_is_sent(logbook):
    with pytest.raises(InputError) as raised:
        deliver(
            municipality="nowhere",
            robot="phone_survey",
            channel="test_logbook",
            recipient="person@example.fi",
            subject="Survey",
            content=NOTICE,
        )

    assert raised.value.field == "municipality"
    assert logbook.sent == []
