"""On a phone (320 and 390 px wide) no page scrolls sideways: wide tables scroll inside their
own focusable, labelled regions (WCAG 1.4.10). After a form is sent the focus is on what it
brought: the result, the error summary, or the message saying what was done. A running run's
page announces one short status line and its items follow the run to its end."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kuntarobo.accounts.models import Role
from kuntarobo.runtime import actions
from kuntarobo.runtime.models import ItemStatus
from tests.robots.ecec_fees.conftest import _statutory_parameter_rows  # noqa: F401
from tests.robots.ecec_fees.helpers import configure
from tests.web.conftest import process_all, world, write_invoices  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pitkä-salasana-selaintestiin"
WIDTHS = (320, 390)
ESTIMATE = "/varhaiskasvatusmaksu/esimerkkila/"


@pytest.fixture
def site(world, live_server):  # noqa: F811
    for user in world.users.values():
        user.set_password(PASSWORD)
        user.save()
    configure(world.esimerkkila)
    return world, live_server.url


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Käyttäjätunnus").fill(username)
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    expect(page.get_by_role("heading", level=1, name="Etusivu")).to_be_visible()


def sideways(page) -> int:
    """How many pixels the page scrolls sideways (0 when it reflows)."""
    return page.evaluate(
        "() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_scrolls_sideways_on_a_phone(site, page, width):
    town, base = site
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, base, Role.ADMINISTRATOR)
    urls = [
        reverse("dashboard"),
        reverse("robot_list"),
        reverse("robot_detail", args=["invoice_check"]),
        reverse("robot_detail", args=["ecec_fees"]),
        reverse("run_detail", args=[town.run.pk]),
        reverse("item_detail", args=[town.attention_item.pk]),
        reverse("item_detail", args=[town.failed_item.pk]),
        reverse("inbox"),
        reverse("audit"),
        reverse("ecec_fees_staff:decisions"),
        ESTIMATE,
    ]
    wide = {}
    for url in urls:
        page.goto(base + url)
        if sideways(page) > 0:
            wide[url] = sideways(page)
        for region in page.locator("div.table-scroll").all():
            expect(region).to_have_attribute("role", "region")
            expect(region).to_have_attribute("tabindex", "0")
            label = region.get_attribute("aria-labelledby")
            assert label
            assert page.locator(f"[id='{label}']").count() == 1
    assert not wide, f"pages wider than {width} px: {wide}"


def test_the_estimate_moves_focus_to_the_result_or_to_the_error_summary(site, page):
    _, base = site
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(base + ESTIMATE)
    heading = page.get_by_role("heading", level=1)
    box = heading.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 390  # the long heading wraps instead of being cut off

    page.locator('[name="family_size"]').fill("3")
    page.locator('[name="income_1"]').fill("2,500.50")  # ambiguous: refused clearly
    page.locator("form.stacked button[type=submit]").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    assert page.title().startswith("Virhe: ")
    summary.get_by_role("link").first.click()
    assert page.evaluate("() => document.activeElement.tagName") in ("INPUT", "SELECT")

    page.locator('[name="date"]').fill("2025-01-15")
    page.locator('[name="income_1"]').fill("2500,50")
    page.locator('[name="child_1_birth_date"]').fill("2022-09-01")
    page.locator('[name="child_1_hours"]').fill("150")
    page.locator("form.stacked button[type=submit]").click()
    expect(page.locator("#estimate-result")).to_be_focused()
    assert not page.title().startswith("Virhe")


def test_after_a_rejection_or_an_approval_the_focus_is_on_what_happened(site, page):
    town, base = site
    log_in(page, base, Role.REVIEWER)
    page.goto(base + reverse("item_reject", args=[town.review_item.pk]))
    expect(page.locator("textarea[name=reason]")).to_have_attribute("required", "")
    page.get_by_role("button", name="Hylkää").click()
    expect(page.locator("#error-summary")).to_be_focused()
    assert page.title().startswith("Virhe: ")

    page.goto(base + reverse("item_detail", args=[town.attention_item.pk]))
    page.get_by_role("button", name="Hyväksy").first.click()
    messages = page.locator(".messages")
    expect(messages).to_be_focused()
    expect(messages).to_contain_text("hyväksytty")


def test_a_running_run_announces_one_short_line_and_its_items_follow_it_to_the_end(
    site, page, tmp_path
):
    town, base = site
    run = actions.start_run(
        town.users[Role.COORDINATOR],
        town.esimerkkila,
        "invoice_check",
        input_file=write_invoices(tmp_path / "more", "ESIM-X", "Esimerkin Siivous Oy"),
    ).run
    log_in(page, base, Role.COORDINATOR)
    page.goto(base + reverse("run_detail", args=[run.pk]))
    live = page.locator("#run-announcement")
    expect(live).to_have_attribute("role", "status")
    expect(page.locator("#run-items .status-new").first).to_be_visible()
    assert len(live.inner_text()) < 80

    process_all(run)  # the worker's work, while the page polls
    expect(live).to_contain_text("Valmis", timeout=15_000)
    assert len(live.inner_text()) < 80
    expect(page.locator("#run-items .status-new")).to_have_count(0, timeout=15_000)
    assert run.items.filter(status=ItemStatus.NEW).count() == 0
    # Only the short line is a live region: the counts table is not read out again.
    assert page.locator("#run-progress[aria-live]").count() == 0
