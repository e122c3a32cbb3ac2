"""A morning in Esimerkkilä, in a real browser: invoices are run through the example robot, the
run page follows the real worker by itself, a reviewer approves the proposals in bulk, the robot
delivers them, and the administrator finds all of it in the audit trail. axe-core checks every
page on the way."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from kuntarobo.audit.models import AuditEvent
from kuntarobo.demo.data import DEMO_PASSWORD, load_demo, write_invoice_file
from kuntarobo.robots.invoice_check.robot import outbox_dir
from kuntarobo.runtime.models import ItemStatus, RobotSettings, Run, RunStatus, WorkItem
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.slow]

INVOICES = 12


def work(max_tasks: int | None = None) -> None:
    """The real worker command, here in the test's thread (it shares the in-memory database)."""
    call_command("worker", batch=True, interval=0, max_tasks=max_tasks, verbosity=0)


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    assert_accessible(page)
    page.get_by_label("Käyttäjätunnus").fill(username)
    page.get_by_label("Salasana").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    expect(page.get_by_role("heading", level=1, name="Etusivu")).to_be_visible()


def log_out(page) -> None:
    page.get_by_role("button", name="Kirjaudu ulos").click()
    expect(page.get_by_role("heading", level=1, name="Kirjaudu sisään")).to_be_visible()


def test_invoices_go_from_upload_through_review_to_delivery_and_into_the_audit_trail(
    live_server, transactional_db, page, tmp_path: Path
):
    load_demo()
    base = live_server.url
    invoices = write_invoice_file(tmp_path, timezone.localdate(), count=INVOICES, seed=7)

    # The coordinator starts the robot from its page with the day's invoice file.
    log_in(page, base, "koordinaattori")
    assert_accessible(page)
    page.get_by_role("link", name="Robotit", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="Ostolaskujen tarkistus").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ostolaskujen tarkistus")
    assert_accessible(page)
    page.get_by_label("Syötetiedosto").set_input_files(invoices)
    page.get_by_role("button", name="Käynnistä ajo").click()

    # The run page follows the worker by itself: no reload, the progress bar moves.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ajo")
    run = Run.objects.get()
    assert page.url.endswith(f"/runs/{run.pk}/")
    progress = page.locator("#run-progress-bar")
    # A worker reads the input; the page shows that, then the items without a reload.
    expect(page.locator("#run-progress")).to_contain_text("Robotti lukee syötettä")
    assert_accessible(page)
    page.evaluate("window.notReloaded = true")
    work(max_tasks=1)
    expect(progress).to_have_attribute("max", str(INVOICES), timeout=10_000)
    expect(progress).to_have_attribute("value", "0")
    # One short status line is the live region; the section itself is not read out again.
    expect(page.locator("#run-announcement")).to_have_attribute("role", "status")
    expect(page.locator("#run-announcement")).to_contain_text("0/12")
    assert page.locator("#run-progress[aria-live]").count() == 0
    assert_accessible(page)
    page.evaluate("window.notReloaded = true")
    for done in (4, 8, 12):
        work(max_tasks=4)
        expect(progress).to_have_attribute("value", str(done), timeout=10_000)
    expect(page.locator("#run-progress .run-status")).to_contain_text("Valmis", timeout=10_000)
    # The items' list followed the run: no "○ Uusi" row is left, and still no reload.
    expect(page.locator("#run-items .status-new")).to_have_count(0, timeout=10_000)
    assert page.evaluate("window.notReloaded") is True
    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED
    # Once the run is over the page stops asking.
    polls: list[str] = []
    page.on("request", lambda request: polls.append(request.url))
    time.sleep(4.5)
    assert not [url for url in polls if "/progress/" in url]
    assert_accessible(page)
    log_out(page)

    # The reviewer approves every proposal in one go.
    waiting = WorkItem.objects.filter(status=ItemStatus.NEEDS_REVIEW).count()
    assert waiting == INVOICES - 1  # one invoice has a broken IBAN
    log_in(page, base, "tarkastaja")
    page.get_by_role("link", name=re.compile("^Tarkastettavat")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tarkastettavat")
    expect(page.locator("article.item-card")).to_have_count(waiting)
    expect(page.locator("article.has-attention").first).to_contain_text("huomioitavaa")
    assert_accessible(page)
    page.screenshot(path=tmp_path / "inbox.png", full_page=False)
    page.get_by_label("Valitse kaikki tältä sivulta").check()
    expect(page.locator('input[name="items"]:checked')).to_have_count(waiting)
    page.get_by_role("button", name="Hyväksy valitut").click()
    expect(page.get_by_role("status")).to_contain_text(f"{waiting} tehtävää hyväksytty.")
    expect(page.locator("article.item-card")).to_have_count(0)
    assert_accessible(page)

    # The robot delivers what was approved; the run page shows the items done.
    work()
    page.goto(f"{base}/runs/{run.pk}/?status=done")
    expect(page.locator("table.items tbody tr", has_text="Valmis")).to_have_count(waiting)
    assert_accessible(page)
    assert len(list(outbox_dir("esimerkkila").glob("*.json"))) == waiting
    page.locator("table.items tbody a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tehtävä")
    expect(page.get_by_text("Robotin ehdotus")).to_be_visible()
    assert_accessible(page)
    log_out(page)

    # The administrator sees all of this in the audit trail, and exports it.
    log_in(page, base, "paakayttaja")
    page.screenshot(path=tmp_path / "dashboard.png", full_page=True)
    page.get_by_role("link", name="Tapahtumaloki").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tapahtumaloki")
    assert_accessible(page)
    table = page.locator("table.audit")
    expect(table).to_contain_text("Ajo käynnistetty")
    expect(table).to_contain_text("Kalle Koordinaattori (koordinaattori)")
    expect(table).to_contain_text("Henkilötietoja katsottu")
    page.get_by_label("Tapahtuma", exact=True).select_option("item.approve")
    page.get_by_role("button", name="Rajaa").click()
    expect(page.locator("table.audit caption")).to_have_text(f"{waiting} tapahtumaa")
    expect(table).to_contain_text("Tiina Tarkastaja (tarkastaja)")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert exported.count("item.approve") == waiting
    assert AuditEvent.objects.filter(action="audit.export", actor__username="paakayttaja").exists()
    page.goto(f"{base}/audit/")
    expect(page.locator("table.audit")).to_contain_text("Tapahtumaloki viety")
    assert_accessible(page)
    for shot in ("dashboard.png", "inbox.png"):  # kept in pytest's tmp dir for a person to view
        assert (tmp_path / shot).read_bytes().startswith(b"\x89PNG")


def test_error_states_and_swedish_pages_are_accessible_too(
    live_server, transactional_db, page, tmp_path: Path
):
    load_demo()
    base = live_server.url
    log_in(page, base, "paakayttaja")

    # A bad schedule is refused at the field, and nothing is saved.
    page.goto(f"{base}/robots/invoice_check/settings/esimerkkila/")
    assert_accessible(page)
    page.get_by_label("Ajastus (cron)").fill("99 * *")
    page.get_by_role("button", name="Tallenna asetukset").click()
    expect(page.get_by_role("alert")).to_contain_text("Korjaa alla merkityt kentät.")
    expect(page.get_by_label("Ajastus (cron)")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    # A robot's municipal settings, on the page made from its schema: a refused value is
    # marked at its field and nothing is saved.
    stored = RobotSettings.objects.filter(robot_slug="hr_reports").count()  # the demo's domain
    page.goto(f"{base}/robots/hr_reports/municipal-settings/esimerkkila/")
    assert_accessible(page)
    days = page.get_by_label("Varhaisen tuen keskustelu: poissaolopäivät")
    days.fill("0")
    page.get_by_role("button", name="Tallenna asetukset").click()
    expect(page.get_by_role("alert")).to_contain_text("Korjaa alla merkityt kentät.")
    expect(days).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    assert RobotSettings.objects.filter(robot_slug="hr_reports").count() == stored

    # A file of the wrong kind is refused with its name.
    wrong = tmp_path / "invoices.xlsx"
    wrong.write_bytes(b"not a spreadsheet")
    page.goto(f"{base}/robots/invoice_check/")
    page.get_by_label("Syötetiedosto").set_input_files(wrong)
    page.get_by_role("button", name="Käynnistä ajo").click()
    expect(page.locator(".errorlist")).to_contain_text("invoices.xlsx")
    assert_accessible(page)
    assert not Run.objects.exists()

    # Pages that do not exist, and the failed items tab, in Swedish.
    page.get_by_role("button", name="Svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    page.goto(f"{base}/runs/999999/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sidan hittades inte")
    assert_accessible(page)
    page.goto(f"{base}/inbox/?tab=failed")
    expect(page.get_by_role("heading", level=1)).to_have_text("Att granska")
    assert_accessible(page)
    page.goto(f"{base}/robots/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Robotkatalog")
    assert_accessible(page)
