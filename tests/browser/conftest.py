"""Playwright against the live server, with Debian's Chromium (browsers are never downloaded)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

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


# The session's one Chromium. Other test directories import these fixtures (tests/portfolio),
# which makes a second session fixture: it borrows this browser, as a second sync Playwright
# beside the first fails ("Sync API inside the asyncio loop").
_SESSION: dict[str, object] = {}


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium (make system-deps)")
    if "browser" in _SESSION:
        yield _SESSION["browser"]
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        _SESSION["browser"] = browser
        yield browser
        del _SESSION["browser"]
        browser.close()


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(
        locale="fi-FI", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def assert_accessible(page) -> None:
    """axe-core finds no violation of the WCAG 2.0 and 2.1 level A and AA rules."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
