"""The e-mail channel against a real SMTP server on loopback: plain, STARTTLS and implicit TLS
with a self-signed certificate, which is trusted only when named in KUNTAROBO_EMAIL_CA_FILE."""

from __future__ import annotations

import pytest

from kuntarobo.audit.models import AuditEvent
from kuntarobo.channels.actions import deliver
from kuntarobo.channels.base import ChannelError, Content
from kuntarobo.channels.models import Delivery, DeliveryStatus
from kuntarobo.runtime.declarations import InputError

pytestmark = pytest.mark.django_db

NOTICE = Content(body="The monthly summary is ready in Kuntarobo.", personal=False)


def send(municipality, **overrides):
    values = {
        "municipality": municipality,
        "robot": "hr_reports",
        "channel": "email",
        "recipient": "hr@esimerkkila.fi",
        "subject": "HR reports 5/2025",
        "content": NOTICE,
        "language": "fi",
        "reference": "summary-2025-05",
    }
    values.update(overrides)
    return deliver(**values)


def test_an_email_reaches_the_smtp_server_and_the_delivery_is_recorded_as_sent(smtp, municipality):
    delivery = send(municipality)

    [message] = smtp.to("hr@esimerkkila.fi")
    assert message["Subject"] == "HR reports 5/2025"
    assert message["Content-Language"] == "fi"
    assert message["Message-ID"] == delivery.external_id
    assert "summary is ready" in message.get_content()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.sent_at is not None
    assert delivery.attempts == 1
    event = AuditEvent.objects.get(action="channels.delivery.sent")
    assert event.details["recipient"] == "h***@esimerkkila.fi"
    assert "hr@esimerkkila.fi" not in str(event.details)


def test_a_repeated_send_with_the_same_reference_sends_nothing_more(smtp, municipality):
    first = send(municipality)
    second = send(municipality)

    assert second.pk == first.pk
    assert len(smtp.messages) == 1
    assert Delivery.objects.count() == 1


def test_starttls_with_a_self_signed_certificate_works_when_its_ca_file_is_configured(
    start_smtp, self_signed, municipality, settings
):
    mailbox = start_smtp("starttls", self_signed)
    settings.KUNTAROBO_EMAIL_CA_FILE = str(self_signed.cert_file)

    delivery = send(municipality)

    assert delivery.status == DeliveryStatus.SENT
    assert len(mailbox.messages) == 1


def test_starttls_refuses_a_certificate_no_trusted_ca_signed_and_records_the_failure(
    start_smtp, self_signed, municipality
):
    mailbox = start_smtp("starttls", self_signed)

    with pytest.raises(ChannelError) as raised:
        send(municipality)

    assert raised.value.retryable
    assert "CERTIFICATE_VERIFY_FAILED" in str(raised.value)
    assert mailbox.messages == []
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert "CERTIFICATE_VERIFY_FAILED" in delivery.error
    assert "hr@esimerkkila.fi" not in delivery.error
    assert AuditEvent.objects.filter(action="channels.delivery.failed").count() == 1


def test_a_failed_email_is_sent_on_the_retry_in_the_same_row(
    start_smtp, self_signed, municipality, settings
):
    start_smtp("starttls", self_signed)
    with pytest.raises(ChannelError):
        send(municipality)
    settings.KUNTAROBO_EMAIL_CA_FILE = str(self_signed.cert_file)

    delivery = send(municipality)

    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 2
    assert Delivery.objects.count() == 1


def test_a_server_that_does_not_offer_starttls_is_not_used_in_plain_text(
    smtp, municipality, settings
):
    settings.EMAIL_USE_TLS = True

    with pytest.raises(ChannelError) as raised:
        send(municipality)

    assert raised.value.retryable
    assert smtp.messages == []


def test_implicit_tls_with_the_ca_file_delivers(start_smtp, self_signed, municipality, settings):
    mailbox = start_smtp("implicit", self_signed)
    settings.KUNTAROBO_EMAIL_CA_FILE = str(self_signed.cert_file)

    send(municipality)

    assert len(mailbox.messages) == 1


def test_implicit_tls_with_certificate_checks_switched_off_still_encrypts_and_delivers(
    start_smtp, self_signed, municipality, settings
):
    mailbox = start_smtp("implicit", self_signed)
    settings.KUNTAROBO_EMAIL_VERIFY_CERTIFICATE = False

    send(municipality)

    assert len(mailbox.messages) == 1


def test_personal_content_is_refused_before_anything_is_written_or_sent(smtp, municipality):
    with pytest.raises(ChannelError, match="may not carry personal data"):
        send(municipality, content=Content(body="Your sick leave was recorded.", personal=True))

    assert smtp.messages == []
    assert Delivery.objects.count() == 0


def test_a_body_with_an_identity_code_is_refused_even_when_not_marked_personal(smtp, municipality):
    body = "Please check the record of 131052-308T."
    with pytest.raises(ChannelError, match="identity code"):
        send(municipality, content=Content(body=body, personal=False))

    assert smtp.messages == []
    assert Delivery.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"recipient": "not an address"}, "recipient"),
        ({"channel": "carrier_pigeon"}, "channel"),
        ({"language": "de"}, "language"),
        ({"subject": "  "}, "subject"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(smtp, municipality, overrides, field):
    with pytest.raises(InputError) as raised:
        send(municipality, **overrides)

    assert raised.value.field == field
    assert Delivery.objects.count() == 0
    assert smtp.messages == []


def test_a_subject_with_an_identity_code_is_refused_before_anything_is_written_or_sent(
    smtp, municipality
):
    with pytest.raises(ChannelError, match="subject") as raised:
        send(municipality, subject="Report of 131052-308T")

    assert not raised.value.retryable
    assert smtp.messages == []
    assert Delivery.objects.count() == 0
