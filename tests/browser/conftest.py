"""Playwright against the live server, with Debian's Chromium (browsers are never downloaded).
The `browser` and `page` fixtures live in tests/conftest.py: one Chromium for the whole session,
whichever directory a browser test is in (a second sync Playwright in one process fails)."""

from __future__ import annotations

import os

# Playwright's sync API runs an event loop in this thread; Django must still allow the ORM here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def assert_accessible(page) -> None:
    """axe-core finds no violation of the WCAG 2.0 and 2.1 level A and AA rules."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
