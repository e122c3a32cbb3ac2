"""The demo's caught e-mail on disk: one private .eml file per message, read back newest first
with the envelope's recipients (Bcc too), the plain text and the attachments."""

from __future__ import annotations

import stat
from email.message import EmailMessage

from kuntarobo.core import caught_mail


def message(subject: str, *, attach: bool = False) -> bytes:
    mail = EmailMessage()
    mail["From"] = "kuntarobo@esimerkkila.fi"
    mail["To"] = "esihenkilo@esimerkkila.fi"
    mail["Subject"] = subject
    mail.set_content("Hei,\nraportti on valmis.")
    if attach:
        mail.add_attachment(b"%PDF-1.7", maintype="application", subtype="pdf", filename="a.pdf")
    return bytes(mail)


def test_messages_are_listed_newest_first_with_the_envelopes_recipients(tmp_path):
    first = caught_mail.store(tmp_path, "kuntarobo@esimerkkila.fi", ["a@x.fi"], message("Eka"))
    second = caught_mail.store(
        tmp_path, "kuntarobo@esimerkkila.fi", ["b@x.fi", "piilo@x.fi"], message("Toka")
    )
    listed = caught_mail.list_messages(tmp_path)
    assert [m.id for m in listed] == [second, first]
    assert listed[0].recipients == ["b@x.fi", "piilo@x.fi"]  # the Bcc only the envelope knows
    assert (listed[0].subject, listed[0].sender) == ("Toka", "kuntarobo@esimerkkila.fi")
    for path in tmp_path.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".*.part"))


def test_a_message_opens_with_headers_text_and_attachments(tmp_path):
    message_id = caught_mail.store(tmp_path, "k@x.fi", ["a@x.fi"], message("Liite", attach=True))
    opened = caught_mail.read_message(tmp_path, message_id)
    assert opened is not None
    assert opened.text.startswith("Hei,\nraportti on valmis.")
    assert ("Subject", "Liite") in opened.headers
    assert not any(name.startswith("X-Kuntarobo-Envelope") for name, _ in opened.headers)
    assert [(a.name, a.content_type, a.size) for a in opened.attachments] == [
        ("a.pdf", "application/pdf", 8)
    ]
    assert caught_mail.attachment(tmp_path, message_id, 0) == (
        "a.pdf",
        "application/pdf",
        b"%PDF-1.7",
    )
    assert caught_mail.attachment(tmp_path, message_id, 1) is None


def test_an_id_that_is_not_a_message_names_no_file(tmp_path):
    (tmp_path / "secret.eml").write_text("Subject: x\n\nx")
    for bad in ("secret", "../secret", "20261206T101010000000Z-0123456789ab"):
        assert caught_mail.read_message(tmp_path, bad) is None
        assert caught_mail.attachment(tmp_path, bad, 0) is None
    assert caught_mail.list_messages(tmp_path / "missing") == []
