"""`make demo` works on the day it is used (issue 16, "What it must show"), in a real browser
against the real `kuntarobo demo` in a fresh folder: the public fee estimate computes a fee for
today and for the 1st of next month; the fee robot's run for next month goes from the
coordinator's start through the reviewer's random sample to a decision valid from the 1st of
next month, with the example-figures mark and the official's delegated title; an HR run ends
"done, 1 failed" and the administrator reads its e-mails on "Demo e-mail". Only the browser
touches the demo: what to expect is worked out from today's date and the demo's own data code.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, expect

from kuntarobo.demo.data import DEMO_PASSWORD, ecec_demo_period, hr_dataset
from kuntarobo.robots.ecec_fees import statutory
from tests.browser.conftest import assert_accessible
from tests.demo_process import Demo, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The demo's today is Helsinki's (TIME_ZONE), not the machine's: from 22:00 UTC in winter
# they differ by a day.
TODAY = datetime.datetime.now(ZoneInfo("Europe/Helsinki")).date()
NEXT_MONTH = ecec_demo_period(TODAY)
EXAMPLE_MARK = "ESIMERKKILUVUT, EIVÄT VIRALLISIA:"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    running = Demo(tmp_path_factory.mktemp("demo-today") / "var")
    try:
        wait_for(f"{running.url}/login/", 180)
    except AssertionError:
        running.kill()
        raise
    yield running
    code, output = running.stop()
    assert code == 0, output


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Käyttäjätunnus").fill(username)
    page.get_by_label("Salasana").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    expect(page.get_by_role("heading", level=1, name="Etusivu")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Kirjaudu ulos").click()
    expect(page.get_by_role("heading", level=1, name="Kirjaudu sisään")).to_be_visible()


def figures_are_examples(day: datetime.date) -> bool:
    """The demo completes a row of the act's figures that lacks its income thresholds with
    example figures (for today and next month): those are marked on every page and letter."""
    in_force = [row for row in statutory.ROWS if datetime.date.fromisoformat(row[0]) <= day]
    return in_force[-1][1] is None


def finnish_date(day: datetime.date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


def field(page: Page, name: str) -> Locator:
    return page.locator(f'[name="{name}"]')


@pytest.mark.parametrize("day", [TODAY, NEXT_MONTH], ids=["today", "next-month"])
def test_the_public_estimate_computes_a_fee_for_today_and_for_next_month(
    demo: Demo, page: Page, day: datetime.date
) -> None:
    page.goto(f"{demo.url}/varhaiskasvatusmaksu/esimerkkila/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Esimerkkilä")
    # The page's own date is today: the demo's figures cover it (issue 16, point 1).
    expect(field(page, "date")).to_have_value(TODAY.isoformat())
    field(page, "date").fill(day.isoformat())
    field(page, "family_size").fill("3")
    field(page, "income_1").fill("6500")
    field(page, "child_1_birth_date").fill(day.replace(year=day.year - 3, day=1).isoformat())
    field(page, "child_1_hours").fill("150")
    page.locator("form.stacked button[type=submit]").click()

    expect(page.get_by_role("alert")).to_have_count(0)
    result = page.locator("section.result")
    expect(result).to_be_visible()
    expect(result.get_by_role("heading", level=2)).to_contain_text(re.compile(r"\d+,\d\d\s€"))
    expect(result.get_by_role("heading", level=3)).to_contain_text("Lapsi 1")
    mark = result.get_by_text(EXAMPLE_MARK)
    if figures_are_examples(day):
        expect(mark).to_be_visible()
    else:
        expect(mark).to_have_count(0)
    assert_accessible(page)


def test_the_fee_robot_decides_next_months_fees_from_the_ui(demo: Demo, page: Page) -> None:
    base = demo.url
    log_in(page, base, "koordinaattori")
    page.get_by_role("link", name="Robotit", exact=True).click()
    page.get_by_role("link", name="Varhaiskasvatuksen maksupäätökset").click()
    robot_url = page.url
    # "Decisions from" is left as it is: the robot's default, the 1st of next month.
    page.get_by_role("button", name="Käynnistä ajo").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ajo")
    expect(page.locator("#run-progress .run-status")).to_contain_text("Valmis", timeout=90_000)
    assert_accessible(page)
    log_out(page)

    log_in(page, base, "tarkastaja")
    page.get_by_role("link", name=re.compile("^Tarkastettavat")).click()
    assert_accessible(page)
    unflagged = page.get_by_role("link", name=re.compile("^Ei huomioitavaa"))
    if int(unflagged.locator(".count").inner_text()) > 0:
        number = approve_all_without_flags_after_the_sample(page, unflagged)
    else:
        # Every proposal is flagged (the demo's example figures tell the reviewer not to send
        # the letter): no bulk approval, a proposal for next month approved on its own.
        card = next_months_proposal(page)
        number = decision_number(card)
        if figures_are_examples(NEXT_MONTH):
            expect(card).to_contain_text("Esimerkkiluvut, ei virallisia")
        card.get_by_role("button", name="Hyväksy", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("hyväksytty")

    # The worker delivers the approved decision; the decisions page lists it with its PDF.
    page.goto(robot_url)
    page.get_by_role("link", name="Maksupäätökset ja tulostuserät").click()
    page.get_by_label("Perhe tai päätösnumero").fill(number)
    page.get_by_role("button", name="Näytä", exact=True).click()
    row = page.locator("table tbody tr", has_text=number)
    expect(row).to_have_count(1)
    start = finnish_date(NEXT_MONTH)
    expect(row.locator("td").nth(2)).to_contain_text(f"{start} –")
    pdf_link = row.locator("td:first-child a[href$='/pdf']")
    for _ in range(60):
        if pdf_link.count():
            break
        page.wait_for_timeout(1000)
        page.reload()
    expect(pdf_link).to_have_count(1)
    expect(row).to_contain_text("Tiina Tarkastaja")
    if figures_are_examples(NEXT_MONTH):
        expect(page.get_by_text(EXAMPLE_MARK)).to_be_visible()
        expect(row.locator(".flag")).to_have_text("esimerkkiluvut")
    assert_accessible(page)

    # The PDF as the page links it, fetched with the reviewer's session.
    href = pdf_link.get_attribute("href")
    response = page.request.get(f"{base}{href}")
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    assert number in text
    assert start in text
    assert "Tiina Tarkastaja" in text
    assert "varhaiskasvatuspäällikkö" in text
    if figures_are_examples(NEXT_MONTH):
        assert "ESIMERKKILUVUT" in text.upper()


def approve_all_without_flags_after_the_sample(page: Page, unflagged: Locator) -> str:
    """A class B robot's proposals without flags are approved in bulk only after the reviewer
    has opened the random sample the inbox draws."""
    unflagged.click()
    sample = page.locator("section.review-sample")
    expect(sample.get_by_role("heading", level=2)).to_have_text("Tarkista ensin satunnaisotos")
    assert_accessible(page)
    references = sample.locator("ul.sample-list a").all_inner_texts()
    assert references
    inbox_url = page.url
    for reference in references:
        page.goto(inbox_url)
        sample.get_by_role("link", name=reference, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    page.goto(inbox_url)
    expect(sample.locator(".status-done")).to_have_count(len(references))
    number = decision_number(next_months_proposal(page))
    approve = page.locator("form[action$='/inbox/approve-ordinary/'] button[type=submit]")
    waiting = int(re.search(r"\d+", approve.inner_text()).group())  # type: ignore[union-attr]
    approve.click()
    expect(page.get_by_role("status")).to_contain_text(f"{waiting} tehtävää hyväksytty.")
    return number


def next_months_proposal(page: Page) -> Locator:
    """A proposal of the run whose decision begins on the 1st of next month (its reference
    carries the start date)."""
    card = page.locator("article.item-card", has_text=f":{NEXT_MONTH.isoformat()}:").first
    expect(card).to_be_visible()
    return card


def decision_number(card: Locator) -> str:
    found = re.search(r"Päätösnumero\s+(\S+)", card.inner_text())
    assert found, card.inner_text()
    return found.group(1)


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def test_an_hr_run_ends_with_one_failure_and_its_emails_are_readable_in_the_ui(
    demo: Demo, page: Page
) -> None:
    base = demo.url
    log_in(page, base, "koordinaattori")
    page.get_by_role("link", name="Robotit", exact=True).click()
    page.get_by_role("link", name="Henkilöstöraportit esihenkilöille").click()
    page.get_by_role("button", name="Käynnistä ajo").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ajo")
    expect(page.locator("#run-progress .run-status")).to_contain_text(
        "Valmis, 1 epäonnistui", timeout=90_000
    )
    assert_accessible(page)
    log_out(page)

    log_in(page, base, "paakayttaja")
    # Not a plain success on the dashboard either.
    expect(page.locator("main")).to_contain_text("Valmis, 1 epäonnistui")
    page.get_by_role("link", name="Demon sähköpostit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demon sähköpostit")
    messages = page.locator("table.caught-mail tbody tr", has_text="asiakirja odottaa sinua")
    expect(messages.first).to_be_visible()
    assert messages.count() > 1
    assert_accessible(page)
    messages.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("asiakirja odottaa sinua")
    body = page.locator("pre.mail-body").inner_text()
    # A link to the report in the platform, nothing personal, no attachment (issue 16, 10).
    assert "Kirjaudu sisään lukeaksesi sen:" in body
    assert re.search(r"https?://\S+", body), body
    expect(page.get_by_text("Ei liitteitä.")).to_be_visible()
    last_month = TODAY.replace(day=1) - datetime.timedelta(days=1)
    for employee in hr_dataset(year=last_month.year, month=last_month.month).employees:
        for name in (
            f"{employee.first_name} {employee.last_name}",
            f"{employee.last_name} {employee.first_name}",
        ):
            assert name not in body
    assert_accessible(page)
