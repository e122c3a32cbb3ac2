"""The demo's payroll chain in a real browser, as a new user meets it after `make demo`: one
click on the HR fetch robot's start button; the demo's worker logs in to the bundled practice
system with the vault's credential, downloads last month's export and starts the HR reports
robot with it; the run pages show the chain both ways, and the supervisors' messages are in
the demo's mail catcher. Only the browser touches the system."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_demo_end_to_end import log_in, log_out
from tests.demo_process import Demo, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    running = Demo(tmp_path / "var")
    wait_for(f"{running.url}/login/", 180)
    wait_for(f"http://127.0.0.1:{running.practice_port}/", 60)
    yield running
    code, output = running.stop()
    assert code == 0, output


def test_one_click_fetches_the_payroll_export_and_the_supervisors_reports_are_caught(demo, page):
    base = demo.url
    log_in(page, base, "koordinaattori")
    page.get_by_role("link", name="Robotit", exact=True).click()
    page.get_by_role("link", name="Palkka-aineiston nouto").click()
    page.get_by_role("button", name="Käynnistä ajo").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ajo")
    fetch_url = page.url
    expect(page.locator("#run-progress .run-status")).to_contain_text("Valmis", timeout=120_000)

    # The fetch run's page names the run it started; it leads there.
    page.reload()
    chain = page.locator("#run-chain")
    expect(chain).to_contain_text("Henkilöstöraportit esihenkilöille")
    assert_accessible(page)
    chain.get_by_role("link", name=re.compile("Henkilöstöraportit esihenkilöille")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Henkilöstöraportit")
    expect(page.locator("dl.facts")).to_contain_text("Toisen robotin ajo")
    expect(page.locator("dl.facts")).to_contain_text("palkka-aineisto-")
    expect(page.locator("#run-progress .run-status")).to_contain_text("Valmis", timeout=120_000)
    page.reload()
    # The HR run's page leads back to the fetch that started it.
    back = page.locator("#run-chain").get_by_role("link", name=re.compile("Palkka-aineiston nouto"))
    assert fetch_url.endswith(back.get_attribute("href") or "-")
    assert_accessible(page)
    log_out(page)

    log_in(page, base, "paakayttaja")
    page.goto(f"{base}/demo-mail/")
    caught = page.locator("table.caught-mail tbody")
    expect(caught).to_contain_text("esihenkilo.1000@esimerkkila.fi")
    expect(caught).to_contain_text("esihenkilo.1001@esimerkkila.fi")
    assert_accessible(page)
