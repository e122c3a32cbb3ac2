"""The demo's caught e-mail: messages a local SMTP catcher received, stored one `.eml` file each
in a private folder, and read back for the page that lists and opens them.

Pure Python (no Django): the catcher (`kuntarobo/demo/mail_catcher.py`) writes, the web page
(`kuntarobo/web/views/caught_mail.py`) reads. A message's id is its file name without `.eml`:
the time it was caught (UTC, to the microsecond, so names sort by time) and random hex, checked
against a pattern before any file is opened, so an id from a URL cannot name another file.
Files are written 0600 in a 0700 folder: demo e-mail may carry personal data.
"""

from __future__ import annotations

import datetime
import email
import email.policy
import os
import re
import secrets
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

SUFFIX = ".eml"
MESSAGE_ID = re.compile(r"^\d{8}T\d{12}Z-[0-9a-f]{12}$")
FILE_MODE = 0o600
FOLDER_MODE = 0o700
# What the catcher adds at the top of each file: the envelope (Bcc recipients are only there).
ENVELOPE_FROM = "X-Kuntarobo-Envelope-From"
ENVELOPE_TO = "X-Kuntarobo-Envelope-To"


@dataclass(frozen=True)
class Attachment:
    index: int
    name: str
    content_type: str
    size: int


@dataclass
class CaughtMessage:
    id: str
    caught_at: datetime.datetime
    sender: str
    recipients: list[str]
    subject: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""
    attachments: list[Attachment] = field(default_factory=list)


def store(folder: Path, envelope_from: str, envelope_to: list[str], data: bytes) -> str:
    """Write one received message; its id. The file appears whole or not at all."""
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    message_id = f"{now:%Y%m%dT%H%M%S%f}Z-{secrets.token_hex(6)}"
    envelope = (
        f"{ENVELOPE_FROM}: {_one_line(envelope_from)}\r\n"
        f"{ENVELOPE_TO}: {_one_line(', '.join(envelope_to))}\r\n"
    ).encode()
    final = folder / f"{message_id}{SUFFIX}"
    partial = folder / f".{message_id}.part"
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(envelope + data)
    os.replace(partial, final)
    return message_id


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _parse(path: Path) -> EmailMessage:
    with path.open("rb") as handle:
        parsed = email.message_from_binary_file(handle, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _path(folder: Path, message_id: str) -> Path | None:
    if not MESSAGE_ID.match(message_id):
        return None
    path = folder / f"{message_id}{SUFFIX}"
    return path if path.is_file() else None


def _caught_at(message_id: str) -> datetime.datetime:
    stamp = message_id.split("Z-", 1)[0]
    return datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%S%f").replace(tzinfo=datetime.UTC)


def _summary(message_id: str, parsed: EmailMessage) -> CaughtMessage:
    envelope_to = str(parsed.get(ENVELOPE_TO, "") or "")
    recipients = [a.strip() for a in envelope_to.split(",") if a.strip()]
    if not recipients:
        recipients = [str(parsed.get("To", ""))]
    return CaughtMessage(
        id=message_id,
        caught_at=_caught_at(message_id),
        sender=str(parsed.get("From", "") or parsed.get(ENVELOPE_FROM, "")),
        recipients=recipients,
        subject=str(parsed.get("Subject", "")),
    )


def list_messages(folder: Path, limit: int = 500) -> list[CaughtMessage]:
    """The caught messages, newest first (at most `limit`)."""
    if not folder.is_dir():
        return []
    ids = sorted(
        (p.name[: -len(SUFFIX)] for p in folder.iterdir() if p.name.endswith(SUFFIX)),
        reverse=True,
    )
    found = []
    for message_id in ids[:limit]:
        path = _path(folder, message_id)
        if path is not None:
            found.append(_summary(message_id, _parse(path)))
    return found


def read_message(folder: Path, message_id: str) -> CaughtMessage | None:
    """One message with its headers, its plain text and its attachments; None if unknown."""
    path = _path(folder, message_id)
    if path is None:
        return None
    parsed = _parse(path)
    message = _summary(message_id, parsed)
    message.headers = [
        (name, str(value))
        for name, value in parsed.items()
        if name not in (ENVELOPE_FROM, ENVELOPE_TO)
    ]
    body = parsed.get_body(preferencelist=("plain",))
    if body is not None and isinstance(body, EmailMessage):
        message.text = str(body.get_content())
    message.attachments = [
        Attachment(
            index=index,
            name=part.get_filename() or f"attachment-{index + 1}",
            content_type=part.get_content_type(),
            size=len(part.get_payload(decode=True) or b""),
        )
        for index, part in enumerate(parsed.iter_attachments())
    ]
    return message


def attachment(folder: Path, message_id: str, index: int) -> tuple[str, str, bytes] | None:
    """An attachment's (file name, content type, bytes); None if there is no such one."""
    path = _path(folder, message_id)
    if path is None or index < 0:
        return None
    for number, part in enumerate(_parse(path).iter_attachments()):
        if number == index:
            payload = part.get_payload(decode=True)
            content = payload if isinstance(payload, bytes) else b""
            return (
                part.get_filename() or f"attachment-{index + 1}",
                part.get_content_type(),
                content,
            )
    return None
