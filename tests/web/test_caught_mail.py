"""The demo's mail catcher and its page: a real message through the platform's SMTP settings to
the catcher on loopback is stored privately and read on "Demo e-mail" by an administrator (list,
message, attachment); other roles get 403, and where no catcher is configured the page is 404."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import reverse

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.channels.base import Content, Document
from kuntarobo.channels.email_channel import send_email
from kuntarobo.core import caught_mail
from kuntarobo.demo.mail_catcher import catcher
from tests.loopback import free_port

WORKBOOK = b"PK\x03\x04 not really a workbook"


@pytest.fixture
def catcher_folder(settings, tmp_path: Path) -> Iterator[Path]:
    """The demo's set-up: a catcher on loopback, the platform's SMTP settings pointing at it."""
    folder = tmp_path / "caught-mail"
    server = catcher(folder, free_port())
    server.start()
    settings.KUNTAROBO_MAIL_CATCHER_DIR = str(folder)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "kuntarobo@esimerkkila.fi"
    yield folder
    server.stop()


def send_report() -> str:
    return send_email(
        to="esihenkilo@esimerkkila.fi",
        subject="Henkilöstöraportti 2026-11: Keskuskeittiö",
        body="Hei,\n\nkuukauden raportti on liitteenä.",
        language="fi",
        message_key="hr-2026-11-keittio",
        municipality_slug="esimerkkila",
        content=Content(
            body="",
            document=Document("raportti.xlsx", WORKBOOK, "application/vnd.ms-excel"),
            personal=False,
        ),
    )


def test_a_message_sent_through_the_platforms_smtp_appears_on_the_page_and_opens(
    world, catcher_folder
):
    send_report()
    (stored,) = list(catcher_folder.glob("*.eml"))
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(catcher_folder.stat().st_mode) == 0o700

    client = world.client_for(Role.ADMINISTRATOR)
    listing = client.get(reverse("caught_mail"))
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "Henkilöstöraportti 2026-11: Keskuskeittiö" in text
    assert "esihenkilo@esimerkkila.fi" in text
    assert "kuntarobo@esimerkkila.fi" in text
    assert "1 siepattu viesti" in text
    message_id = stored.name.removesuffix(".eml")
    assert reverse("caught_mail_message", args=[message_id]) in text

    page = client.get(reverse("caught_mail_message", args=[message_id])).content.decode()
    assert "kuukauden raportti on liitteenä." in page
    assert "Message-ID" in page  # the headers
    assert "raportti.xlsx" in page
    link = reverse("caught_mail_attachment", args=[message_id, 0])
    assert link in page
    download = client.get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == WORKBOOK
    assert 'filename="raportti.xlsx"' in download["Content-Disposition"]
    reads = AuditEvent.objects.filter(action="demo_mail.view").order_by("id")
    assert [(e.actor, e.details) for e in reads] == [
        (world.users[Role.ADMINISTRATOR], {"message": message_id}),
        (world.users[Role.ADMINISTRATOR], {"message": message_id, "attachment": 0}),
    ]


def test_the_navigation_links_the_page_for_administrators_only(world, catcher_folder):
    link = f'href="{reverse("caught_mail")}"'
    assert link in world.client_for(Role.ADMINISTRATOR).get(reverse("dashboard")).content.decode()
    for role in (Role.COORDINATOR, Role.REVIEWER, Role.DEVELOPER, Role.VIEWER):
        page = world.client_for(role).get(reverse("dashboard")).content.decode()
        assert link not in page, role


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.REVIEWER, Role.DEVELOPER, Role.VIEWER])
def test_other_roles_are_refused_with_403(world, catcher_folder, role):
    message_id = caught_mail.store(catcher_folder, "a@b.fi", ["c@d.fi"], b"Subject: x\r\n\r\nx")
    client = world.client_for(role)
    for url in (
        reverse("caught_mail"),
        reverse("caught_mail_message", args=[message_id]),
        reverse("caught_mail_attachment", args=[message_id, 0]),
    ):
        assert client.get(url).status_code == 403, url


def test_outside_the_demo_the_page_is_404_for_everyone(world, settings):
    settings.KUNTAROBO_MAIL_CATCHER_DIR = ""
    for role in (Role.ADMINISTRATOR, "anonymous"):
        client = world.client_for(role)
        assert client.get(reverse("caught_mail")).status_code == 404
        assert client.get(reverse("caught_mail_message", args=["x"])).status_code == 404
    page = world.client_for(Role.ADMINISTRATOR).get(reverse("dashboard")).content.decode()
    assert reverse("caught_mail") not in page


def test_an_id_that_is_not_a_caught_message_is_404(world, catcher_folder):
    (catcher_folder.parent / "secret.eml").write_text("Subject: not yours\n\nx")
    client = world.client_for(Role.ADMINISTRATOR)
    for message_id in ("..%2Fsecret", "secret", "20261206T101010000000Z-000000000000"):
        response = client.get(f"/demo-mail/{message_id}/")
        assert response.status_code == 404, message_id


def test_the_page_speaks_swedish(world, catcher_folder):
    send_report()
    client = world.client_for(Role.ADMINISTRATOR)
    client.cookies["django_language"] = "sv"
    text = client.get(reverse("caught_mail")).content.decode()
    assert "Demons e-post" in text
    assert "Avsändare" in text
    assert "1 fångat meddelande" in text
