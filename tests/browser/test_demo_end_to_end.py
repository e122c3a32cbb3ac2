"""The promise of `make demo`, in a real browser: from an empty folder, `kuntarobo demo` serves
the login page; a demo user runs the example robot from the UI and watches the real worker
process finish it; a reviewer approves the proposals in bulk; the administrator sees it all in
the audit trail. Nothing here touches the database directly: only the browser."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kuntarobo.demo.data import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible
from tests.demo_process import Demo, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    running = Demo(tmp_path / "var")
    wait_for(f"{running.url}/login/", 180)
    yield running
    code, output = running.stop()
    assert code == 0, output


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Käyttäjätunnus").fill(username)
    page.get_by_label("Salasana").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    expect(page.get_by_role("heading", level=1, name="Etusivu")).to_be_visible()


def log_out(page) -> None:
    page.get_by_role("button", name="Kirjaudu ulos").click()
    expect(page.get_by_role("heading", level=1, name="Kirjaudu sisään")).to_be_visible()


def test_a_demo_user_runs_the_example_robot_and_a_reviewer_approves_its_items(demo, page):
    base = demo.url
    log_in(page, base, "koordinaattori")
    assert_accessible(page)
    page.get_by_role("link", name="Robotit", exact=True).click()
    page.get_by_role("link", name="Ostolaskujen tarkistus").click()
    assert_accessible(page)
    # No upload: the demo deployment reads the day's file from its inbox folder.
    page.get_by_role("button", name="Käynnistä ajo").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ajo")
    run_url = page.url
    assert re.search(r"/runs/\d+/$", run_url)
    page.evaluate("window.notReloaded = true")
    # The worker process of the demo does the work; the page follows it by itself.
    expect(page.locator("#run-progress .run-status")).to_contain_text("Valmis", timeout=60_000)
    assert page.evaluate("window.notReloaded") is True
    progress = page.locator("#run-progress-bar")
    total = progress.get_attribute("max")
    assert total is not None
    assert int(total) > 0
    expect(progress).to_have_attribute("value", total)
    assert_accessible(page)
    log_out(page)

    log_in(page, base, "tarkastaja")
    page.get_by_role("link", name=re.compile("^Tarkastettavat")).click()
    cards = page.locator("article.item-card")
    waiting = cards.count()
    assert 0 < waiting < int(total)  # the demo file has invoices the robot must refuse
    assert_accessible(page)
    page.get_by_label("Valitse kaikki tältä sivulta").check()
    page.get_by_role("button", name="Hyväksy valitut").click()
    expect(page.get_by_role("status")).to_contain_text(f"{waiting} tehtävää hyväksytty.")
    expect(cards).to_have_count(0)

    # The worker delivers the approved payments; the run page lists them done.
    page.goto(f"{run_url}?status=done")
    rows = page.locator("table.items tbody tr", has_text="Valmis")
    for _ in range(60):
        if rows.count() == waiting:
            break
        page.wait_for_timeout(1000)
        page.reload()
    expect(rows).to_have_count(waiting)
    assert_accessible(page)
    log_out(page)

    log_in(page, base, "paakayttaja")
    page.get_by_role("link", name="Tapahtumaloki").click()
    table = page.locator("table.audit")
    expect(table).to_contain_text("Ajo käynnistetty")
    expect(table).to_contain_text("Kalle Koordinaattori (koordinaattori)")
    expect(table).to_contain_text("Tiina Tarkastaja (tarkastaja)")
    assert_accessible(page)
