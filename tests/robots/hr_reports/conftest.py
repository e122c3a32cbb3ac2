"""A real SMTP server on loopback for the HR robot's tests (plain, or STARTTLS required with a
self-signed certificate made in the test), and the export it reads."""

from __future__ import annotations

import pytest

from tests.channels.conftest import SmtpStarter, self_signed, start_smtp
from tests.loopback import Mailbox

__all__ = ["self_signed", "start_smtp"]


@pytest.fixture
def smtp(start_smtp: SmtpStarter, settings) -> Mailbox:
    mailbox = start_smtp("plain")
    settings.SITE_ROOT = "https://kuntarobo.esimerkkila.fi"
    return mailbox
