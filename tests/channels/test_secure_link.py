"""The secure link: the document stays in the platform, the e-mail carries only a notice and
the link, and only the signed-in recipient can download it, until it expires; every download
and every refusal is in the audit trail."""

from __future__ import annotations

import datetime
import io
import json
import os
import re

import pytest
from django.utils import timezone

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.channels.actions import deliver
from kuntarobo.channels.base import ChannelError, Content, Document
from kuntarobo.channels.models import Delivery, DeliveryStatus, SecureDocument
from tests.factories import PASSWORD, UserFactory, user_with_role

pytestmark = pytest.mark.django_db

WORKBOOK = Document(
    name="hr-report-unit-7.xlsx",
    content=b"PK\x03\x04 the workbook with salaries and sick leave",
    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)


def send_link(municipality, recipient="sanna", **overrides):
    values = {
        "municipality": municipality,
        "robot": "hr_reports",
        "channel": "secure_link",
        "recipient": recipient,
        "subject": "HR report 5/2025: Unit 7",
        "content": Content(body="", document=WORKBOOK, personal=True),
        "language": "fi",
        "reference": "unit-7-2025-05",
    }
    values.update(overrides)
    return deliver(**values)


def link_in(message) -> str:
    match = re.search(
        r"https://kuntarobo\.esimerkkila\.fi(/channels/documents/[^/\s]+/)",
        str(message.get_content()),
    )
    assert match, message.get_content()
    return match.group(1)


@pytest.fixture(autouse=True)
def _site(settings_site) -> None:
    pass


def test_the_recipient_gets_a_notice_with_a_link_and_nothing_of_the_document(
    smtp, municipality, staff
):
    delivery = send_link(municipality)

    [notice] = smtp.to("sanna.supervisor@esimerkkila.fi")
    body = notice.get_content()
    assert notice["Subject"] == "Esimerkkilä: asiakirja odottaa sinua"
    assert "Unit 7" not in notice["Subject"]
    assert "Unit 7" not in body
    assert "salaries" not in body
    assert not notice.is_multipart()
    assert link_in(notice)
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.secure_document is not None
    assert delivery.external_id == f"secure-document-{delivery.secure_document.pk}"


def test_a_notice_in_swedish_is_written_in_swedish(smtp, municipality, staff):
    send_link(municipality, language="sv")

    [notice] = smtp.messages[0][1:]
    assert notice["Subject"] == "Exempelby: ett dokument väntar på dig"


def test_the_signed_in_recipient_downloads_the_document_and_it_is_audited(
    smtp, client, municipality, staff
):
    delivery = send_link(municipality)
    link = link_in(smtp.messages[0][1])
    client.login(username="sanna", password=PASSWORD)

    response = client.get(link)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == WORKBOOK.content
    assert "hr-report-unit-7.xlsx" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="channels.secure_document.download")
    assert event.actor == staff
    assert event.details == {"deliveries": [delivery.pk]}
    assert SecureDocument.objects.get().downloads == 1


def test_another_signed_in_user_gets_not_found_and_the_attempt_is_audited(
    smtp, client, municipality, staff
):
    send_link(municipality)
    link = link_in(smtp.messages[0][1])
    other = user_with_role(Role.ADMINISTRATOR, municipality, username="admin")
    client.force_login(other)

    response = client.get(link)

    assert response.status_code == 404
    refused = AuditEvent.objects.get(action="channels.secure_document.refused")
    assert refused.actor == other
    assert not AuditEvent.objects.filter(action="channels.secure_document.download").exists()


def test_someone_not_signed_in_is_sent_to_sign_in_and_gets_nothing(
    smtp, client, municipality, staff
):
    send_link(municipality)
    link = link_in(smtp.messages[0][1])

    response = client.get(link)

    assert response.status_code == 302
    assert "login" in response["Location"]
    assert not AuditEvent.objects.filter(action="channels.secure_document.download").exists()


def test_an_expired_link_is_refused_and_audited(smtp, client, municipality, staff):
    send_link(municipality)
    link = link_in(smtp.messages[0][1])
    SecureDocument.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    client.force_login(staff)

    response = client.get(link)

    assert response.status_code == 410
    assert "Linkki on vanhentunut" in response.content.decode()
    refused = AuditEvent.objects.get(action="channels.secure_document.refused")
    assert refused.details["reason"] == "expired"
    assert SecureDocument.objects.get().downloads == 0


def test_a_link_expires_after_the_configured_number_of_days(smtp, municipality, staff, settings):
    settings.KUNTAROBO_SECURE_LINK_DAYS = 3
    before = timezone.now()

    send_link(municipality)

    expires = SecureDocument.objects.get().expires_at
    assert before + datetime.timedelta(days=3) <= expires
    assert expires <= timezone.now() + datetime.timedelta(days=3)


def test_a_guessed_token_is_not_found(client, staff, municipality):
    client.force_login(staff)

    assert client.get("/channels/documents/guessed-token/").status_code == 404


def test_a_recipient_without_an_email_address_is_refused_for_good(smtp, municipality):
    UserFactory(username="noemail", email="")

    with pytest.raises(ChannelError) as raised:
        send_link(municipality, recipient="noemail")

    assert not raised.value.retryable
    assert Delivery.objects.get().status == DeliveryStatus.FAILED
    assert SecureDocument.objects.count() == 0
    assert smtp.messages == []


def test_a_notice_that_failed_is_resent_with_the_same_stored_document(
    start_smtp, municipality, staff, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # nothing listens there
    settings.EMAIL_TIMEOUT = 2
    with pytest.raises(ChannelError):
        send_link(municipality)
    mailbox = start_smtp("plain")

    delivery = send_link(municipality)

    assert delivery.status == DeliveryStatus.SENT
    assert SecureDocument.objects.count() == 1
    assert len(mailbox.messages) == 1


def test_the_files_of_expired_links_are_purged_and_the_purge_is_audited(smtp, municipality, staff):
    from django.core.management import call_command

    from kuntarobo.channels.actions import purge_expired_documents

    send_link(municipality)
    send_link(municipality, reference="unit-8-2025-05")
    first, second = SecureDocument.objects.order_by("pk")
    stored = first.file.path
    SecureDocument.objects.filter(pk=first.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    out = io.StringIO()

    call_command("channels", "purge-expired", stdout=out)

    assert json.loads(out.getvalue()) == {"removed": 1}
    first.refresh_from_db()
    second.refresh_from_db()
    assert not first.file
    assert not os.path.exists(stored)
    assert second.file
    event = AuditEvent.objects.get(action="channels.secure_document.purged")
    assert event.details == {"documents": [first.pk]}
    assert purge_expired_documents() == 0
