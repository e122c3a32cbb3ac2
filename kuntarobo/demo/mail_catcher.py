"""The demo's mail catcher: an SMTP server on loopback that keeps every message it receives
(`kuntarobo.core.caught_mail`) instead of delivering it, so that what the robots send in
`make demo` (HR reports, notices) can be read on the page *Demo e-mail*. Nothing leaves the
machine. `kuntarobo demo` runs it as one of its supervised processes (`mail_catcher`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from kuntarobo.core import caught_mail

LOOPBACK = "127.0.0.1"


class CatchingHandler:
    """aiosmtpd's handler: every message accepted and stored, whatever its recipients."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        caught_mail.store(self.folder, str(envelope.mail_from or ""), list(envelope.rcpt_tos), data)
        return "250 Message accepted for delivery"


def catcher(folder: Path, port: int, host: str = LOOPBACK) -> Controller:
    """The catcher, not yet started (`.start()`, `.stop()`); loopback only."""
    return Controller(CatchingHandler(folder), hostname=host, port=port)
