"""in_browser drives the process's one Chromium against a real web system on loopback: it
returns what the work returns, turns a changed screen into an application exception with a
screenshot and the page's HTML, keeps a business refusal's message, reuses the browser and
bounds the time an item may take."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
from django.utils import translation

from kuntarobo.sdk import ApplicationException, BusinessException, ItemView, RunContext
from kuntarobo.sdk.browser import UnexpectedPage, browser_process_ids, close_browser, in_browser
from tests.loopback import free_port
from tests.runtime.browser_pages import serving

pytestmark = pytest.mark.browser

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    if not os.path.exists("/usr/bin/chromium"):
        pytest.skip("/usr/bin/chromium is missing: apt-get install chromium")
    with serving() as base:
        yield base


@pytest.fixture
def context() -> RunContext:
    return RunContext(
        run_id=1,
        municipality_slug="esimerkkila",
        municipality_name="Esimerkkilä",
        parameters={},
        trigger="manual",
    )


ITEM = ItemView(id=1, reference="2026-11", payload={}, attempt=1, output={})


def documents_of(error: BaseException) -> dict[str, tuple[bytes, str]]:
    return {d.name: (d.content, d.content_type) for d in getattr(error, "documents", [])}


def test_the_work_returns_its_value_from_the_page(site, context):
    def search(page) -> str:
        page.goto(f"{site}/form.html")
        page.get_by_label("Kuukausi").fill("2026-11")
        page.get_by_role("button", name="Hae").click()
        return page.locator("#result").inner_text()

    assert in_browser(context, ITEM, search, system="Hakemusjärjestelmä") == (
        "Löytyi 3 hakemusta kuukaudelle 2026-11"
    )
    lines = [str(text) for _level, text in context.log_lines]
    assert lines[0].startswith("browser work in Hakemusjärjestelmä started (item 2026-11)")
    assert lines[-1].startswith("browser work in Hakemusjärjestelmä ended in ")


def test_a_selector_that_no_longer_matches_is_an_application_exception_with_the_page(
    site, context, settings
):
    settings.KUNTAROBO_BROWSER_TIMEOUT_MS = 700

    def search(page) -> None:
        page.goto(f"{site}/changed.html")
        page.locator("#search").click()

    started = time.monotonic()
    with pytest.raises(ApplicationException) as raised:
        in_browser(context, ITEM, search, system="Hakemusjärjestelmä")
    assert time.monotonic() - started < 8
    text = str(raised.value)
    assert text.startswith("Hakemusjärjestelmä: ")
    assert "#search" in text
    assert "did not appear within 0.7 s" in text
    with translation.override("fi"):
        assert str(raised.value.args[0]).endswith("ei tullut näkyviin 0.7 sekunnissa")
    kept = documents_of(raised.value)
    assert set(kept) == {"screenshot.png", "page.html"}
    png, png_type = kept["screenshot.png"]
    assert png.startswith(PNG_SIGNATURE)
    assert png_type == "image/png"
    html, html_type = kept["page.html"]
    assert "Tervetuloa uudistettuun palveluun" in html.decode("utf-8")
    assert html_type == "text/html; charset=utf-8"
    assert str(context.log_lines[-1][1]).startswith("browser work in Hakemusjärjestelmä failed")


def test_an_unexpected_page_is_an_application_exception_with_the_page(site, context):
    def search(page) -> None:
        page.goto(f"{site}/changed.html")
        if page.title() != "Hakemukset":
            raise UnexpectedPage(f"the title is {page.title()!r}, not 'Hakemukset'")

    with pytest.raises(ApplicationException) as raised:
        in_browser(context, ITEM, search, system="Hakemusjärjestelmä")
    assert str(raised.value) == (
        "Hakemusjärjestelmä: the page was not what the robot expected: "
        "the title is 'Uusi ilme', not 'Hakemukset'"
    )
    kept = documents_of(raised.value)
    assert kept["screenshot.png"][0].startswith(PNG_SIGNATURE)
    assert b"Uusi ilme" in kept["page.html"][0]


def test_a_page_that_cannot_be_reached_is_an_application_exception(context):
    def open_closed_port(page) -> None:
        page.goto(f"http://127.0.0.1:{free_port()}/")

    with pytest.raises(ApplicationException) as raised:
        in_browser(context, ITEM, open_closed_port, system="Hakemusjärjestelmä")
    assert str(raised.value).startswith("Hakemusjärjestelmä: the browser failed: ")
    assert "ERR_CONNECTION_REFUSED" in str(raised.value)
    assert "Call log" not in str(raised.value)


def test_the_systems_refusal_stays_a_business_exception_and_keeps_the_page(site, context):
    def search(page) -> None:
        page.goto(f"{site}/no-data.html")
        if page.locator(".notice").count():
            raise BusinessException("no data for 2026-11", "second argument")

    with pytest.raises(BusinessException) as raised:
        in_browser(context, ITEM, search, system="Hakemusjärjestelmä")
    assert type(raised.value) is BusinessException
    assert raised.value.args == ("no data for 2026-11", "second argument")
    kept = documents_of(raised.value)
    assert set(kept) == {"screenshot.png", "page.html"}
    assert "Kuukaudelle ei ole tietoja." in kept["page.html"][0].decode("utf-8")


def test_a_robots_own_application_exception_keeps_its_documents_and_gets_the_page(site, context):
    from kuntarobo.sdk import Document

    def search(page) -> None:
        page.goto(f"{site}/no-data.html")
        raise ApplicationException("the list did not load", documents=[Document("a.txt", b"a")])

    with pytest.raises(ApplicationException) as raised:
        in_browser(context, ITEM, search)
    assert str(raised.value) == "the list did not load"
    assert [d.name for d in raised.value.documents] == ["a.txt", "screenshot.png", "page.html"]


def test_one_browser_serves_item_after_item_and_each_gets_a_fresh_context(site, context):
    def remember(page) -> str:
        page.goto(f"{site}/form.html")
        before = page.evaluate("localStorage.getItem('seen') || ''")
        page.evaluate("localStorage.setItem('seen', 'yes')")
        return str(before)

    assert in_browser(context, ITEM, remember) == ""
    first = browser_process_ids()
    assert first
    assert in_browser(context, ITEM, remember) == ""  # nothing carried over
    assert browser_process_ids()[0] == first[0]


def test_the_browser_is_launched_again_after_it_was_closed(site, context):
    def title(page) -> str:
        page.goto(f"{site}/form.html")
        return page.title()

    assert in_browser(context, ITEM, title) == "Hakemukset"
    before = browser_process_ids()
    close_browser()
    assert browser_process_ids() == []
    assert in_browser(context, ITEM, title) == "Hakemukset"
    after = browser_process_ids()
    assert after
    assert after[0] != before[0]


def test_a_browser_that_died_is_launched_again(site, context):
    def title(page) -> str:
        page.goto(f"{site}/form.html")
        return page.title()

    assert in_browser(context, ITEM, title) == "Hakemukset"
    died = browser_process_ids()
    os.kill(died[0], 9)
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{died[0]}/cmdline") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert in_browser(context, ITEM, title) == "Hakemukset"
    assert browser_process_ids()[0] != died[0]


def test_an_item_that_takes_too_long_is_stopped_at_the_limit(site, context, settings):
    settings.KUNTAROBO_BROWSER_ITEM_SECONDS = 2
    settings.KUNTAROBO_BROWSER_TIMEOUT_MS = 60_000

    def wait_for_ever(page) -> None:
        page.goto(f"{site}/form.html")
        page.locator("#never").click()

    started = time.monotonic()
    with pytest.raises(ApplicationException) as raised:
        in_browser(context, ITEM, wait_for_ever, system="Hakemusjärjestelmä")
    assert 2 <= time.monotonic() - started < 10
    assert str(raised.value) == "Hakemusjärjestelmä: the browser work did not end within 2 s"
    settings.KUNTAROBO_BROWSER_ITEM_SECONDS = 300

    def title(page) -> str:
        page.goto(f"{site}/form.html")
        return page.title()

    assert in_browser(context, ITEM, title) == "Hakemukset"  # a new browser takes over


def test_a_robot_runs_beside_the_tests_own_browser(site, context, page):
    page.goto(f"{site}/form.html")
    assert (
        in_browser(
            context,
            ITEM,
            lambda robots_page: robots_page.goto(f"{site}/changed.html") and robots_page.title(),
        )
        == "Uusi ilme"
    )
    assert page.title() == "Hakemukset"


@pytest.mark.slow
def test_work_stuck_outside_the_browser_is_left_behind_and_a_new_browser_takes_over(
    site, context, settings
):
    def stuck(page) -> None:
        page.goto(f"{site}/form.html")
        time.sleep(8)  # not in the browser: killing the browser does not end it

    def title(page) -> str:
        page.goto(f"{site}/form.html")
        return page.title()

    in_browser(context, ITEM, title)  # the browser is up: its launch is not timed below
    before = browser_process_ids()
    settings.KUNTAROBO_BROWSER_ITEM_SECONDS = 1
    started = time.monotonic()
    with pytest.raises(ApplicationException) as raised:
        in_browser(context, ITEM, stuck)
    assert time.monotonic() - started < 7.5  # the limit and the grace, not the whole sleep
    assert str(raised.value) == "the web system: the browser work did not end within 1 s"
    with translation.override("sv"):
        assert str(raised.value.args[0]).startswith("webbsystemet: ")
    settings.KUNTAROBO_BROWSER_ITEM_SECONDS = 300
    assert in_browser(context, ITEM, title) == "Hakemukset"
    assert browser_process_ids()[0] != before[0]


def test_a_secret_in_a_failures_message_is_masked(site, context):
    from kuntarobo.core.masking import remember_secret

    secret = "Salainen-Tunnus-4K8p"
    remember_secret(secret)

    def sign_in(page) -> None:
        page.goto(f"{site}/changed.html?password={secret}")
        raise UnexpectedPage(f"still on {page.url} after signing in")

    with pytest.raises(ApplicationException) as raised:
        in_browser(context, ITEM, sign_in, system="Hakemusjärjestelmä")
    assert secret not in str(raised.value)
    assert "password=********" in str(raised.value)
