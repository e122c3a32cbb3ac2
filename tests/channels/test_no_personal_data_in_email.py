"""Whatever route a personal document takes, no identity code and no word of health reaches
an e-mail body or subject: staff get a notice with a link, citizens never get e-mail for it."""

from __future__ import annotations

import pytest

from kuntarobo.channels.actions import deliver, deliver_first
from kuntarobo.channels.base import ChannelError, Content, Document
from kuntarobo.channels.choice import Contact, choose_channels
from kuntarobo.channels.models import Delivery

pytestmark = pytest.mark.django_db

IDENTITY_CODE = "131052-308T"
HEALTH_WORDS = ("sairauspoissaolo", "diagnoosi", "sjukfrånvaro", "sick leave", "diagnosis")
PERSONAL_TEXT = (
    f"Matti Meikäläinen {IDENTITY_CODE}: sairauspoissaolo 12 päivää, diagnoosi J06.9; "
    "sjukfrånvaro; sick leave; diagnosis"
)
DOCUMENT = Document("early-support.txt", PERSONAL_TEXT.encode(), "text/plain")


def all_mail_text(mailbox) -> str:
    parts = []
    for _recipients, message in mailbox.messages:
        parts.append(str(message["Subject"]))
        for part in message.walk():
            if part.get_content_maintype() == "text":
                parts.append(part.get_content())
            elif part.get_filename():
                parts.append(part.get_payload(decode=True).decode("utf-8", "replace"))
    return "\n".join(parts).lower()


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_personal_document_to_staff_sends_only_a_notice_in_any_language(
    smtp, municipality, staff, settings_site, language
):
    routes = choose_channels(
        Contact(username="sanna", email=staff.email, staff=True), personal=True
    )

    deliver_first(
        routes,
        municipality=municipality,
        robot="hr_reports",
        subject="Early-support alert",
        content=Content(body=PERSONAL_TEXT, document=DOCUMENT, personal=True),
        language=language,
        reference=f"alert-{language}",
    )

    assert len(smtp.messages) == 1
    text = all_mail_text(smtp)
    assert IDENTITY_CODE.lower() not in text
    for word in HEALTH_WORDS:
        assert word not in text
    assert "/channels/documents/" in text


def test_personal_text_offered_to_the_email_channel_is_never_sent(smtp, municipality):
    for content in (
        Content(body=PERSONAL_TEXT, personal=True),
        Content(body=PERSONAL_TEXT, personal=False),  # mislabelled: the identity code stops it
        Content(body="See the attachment", document=DOCUMENT, personal=True),
    ):
        with pytest.raises(ChannelError):
            deliver(
                municipality=municipality,
                robot="hr_reports",
                channel="email",
                recipient="hr@esimerkkila.fi",
                subject="Report",
                content=content,
            )

    assert smtp.messages == []
    assert Delivery.objects.count() == 0
