"""The `email_tls` channel: a personal document by e-mail only over a connection that enforces
TLS with a verified certificate, refused before anything is written otherwise; and a resend's
secure-link notice says it is one."""

from __future__ import annotations

import pytest

from kuntarobo.channels.actions import deliver
from kuntarobo.channels.base import ChannelError, Content, Document
from kuntarobo.channels.models import Delivery, DeliveryStatus

pytestmark = pytest.mark.django_db

WORKBOOK = Document("report.xlsx", b"PK\x03\x04 sick days", "application/octet-stream")
PERSONAL = Content(body="The report of unit 7 is attached.", document=WORKBOOK, personal=True)


def send(municipality, **overrides):
    values = {
        "municipality": municipality,
        "robot": "hr_reports",
        "channel": "email_tls",
        "recipient": "sanna@esimerkkila.fi",
        "subject": "HR report 5/2025: unit 7",
        "content": PERSONAL,
        "language": "fi",
        "reference": "unit-7-2025-05",
    }
    values.update(overrides)
    return deliver(**values)


def test_a_personal_attachment_goes_over_required_starttls_with_a_verified_certificate(
    start_smtp, self_signed, settings, municipality
):
    mailbox = start_smtp("starttls", self_signed)
    settings.KUNTAROBO_EMAIL_CA_FILE = str(self_signed.cert_file)

    delivery = send(municipality)

    [message] = mailbox.to("sanna@esimerkkila.fi")
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content() == WORKBOOK.content
    assert delivery.status == DeliveryStatus.SENT


def test_implicit_tls_is_enforced_tls_too(start_smtp, self_signed, settings, municipality):
    mailbox = start_smtp("implicit", self_signed)
    settings.KUNTAROBO_EMAIL_CA_FILE = str(self_signed.cert_file)

    send(municipality)

    assert len(mailbox.messages) == 1


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ({}, "does not use TLS"),
        ({"KUNTAROBO_EMAIL_VERIFY_CERTIFICATE": False, "EMAIL_USE_TLS": True}, "not verified"),
        ({"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}, "is not SMTP"),
    ],
)
def test_without_enforced_tls_it_is_refused_for_good_before_anything_is_written(
    smtp, settings, municipality, setup, reason
):
    for name, value in setup.items():
        setattr(settings, name, value)

    with pytest.raises(ChannelError) as raised:
        send(municipality)

    assert not raised.value.retryable
    assert reason in str(raised.value)
    assert not Delivery.objects.exists()
    assert smtp.messages == []


def test_a_resent_secure_link_says_it_is_sent_again(smtp, municipality, staff, settings_site):
    deliver(
        municipality=municipality,
        robot="hr_reports",
        channel="secure_link",
        recipient="sanna",
        subject="HR report 5/2025: unit 7",
        content=Content(body="", document=WORKBOOK, personal=True, resend=True),
        language="fi",
        reference="unit-7-2025-05:resend-2",
    )

    [notice] = smtp.to("sanna.supervisor@esimerkkila.fi")
    assert notice["Subject"].strip() == (
        "Lähetetty uudelleen: Esimerkkilä: asiakirja odottaa sinua"
    )
    assert "uudelleenlähetys aiemmin lähetetystä asiakirjasta" in notice.get_content()


def test_starttls_is_required_a_server_without_it_gets_nothing_in_plain_text(
    smtp, settings, municipality
):
    settings.EMAIL_USE_TLS = True  # the loopback server offers no STARTTLS

    with pytest.raises(ChannelError) as raised:
        send(municipality)

    assert raised.value.retryable  # the relay may be fixed; the item is retried later
    assert "STARTTLS" in str(raised.value)
    assert smtp.messages == []
    assert Delivery.objects.get().status == DeliveryStatus.FAILED
