"""The Content-Security-Policy blocks nothing the application itself does: Chromium reports no
violation while a coordinator signs in, starts a run and its page follows the worker (htmx)
or, unchecked, stops following it."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kuntarobo.demo.data import load_demo, write_invoice_file
from tests.browser.test_review_flow import log_in, work

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_no_page_breaks_the_policy(live_server, transactional_db, page, tmp_path):
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    load_demo()
    base = live_server.url
    log_in(page, base, "koordinaattori")
    for path in ("/", "/robots/", "/robots/invoice_check/"):
        response = page.goto(f"{base}{path}")
        assert response is not None
        assert "default-src 'self'" in response.headers["content-security-policy"]
    invoices = write_invoice_file(tmp_path, timezone.localdate(), count=3, seed=7)
    page.get_by_label("Syötetiedosto").set_input_files(invoices)
    page.get_by_role("button", name="Käynnistä ajo").click()
    progress = page.locator("#run-progress-bar")
    expect(progress).to_have_attribute("value", "0")
    # Unchecked, the page stops following the worker (kuntarobo.js, not an htmx eval filter).
    page.get_by_label("Päivitä eteneminen automaattisesti").uncheck()
    work()
    page.wait_for_timeout(5_000)
    expect(progress).to_have_attribute("value", "0")
    page.get_by_label("Päivitä eteneminen automaattisesti").check()
    expect(progress).to_have_attribute("value", "3", timeout=20_000)
    assert violations == []
