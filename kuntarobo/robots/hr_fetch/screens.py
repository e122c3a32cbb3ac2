"""The payroll system's screens, as a person would go through them: log in, open the reports,
choose every unit, the month and the whole HR data set, show it, page through the results,
download the workbook and log out.

Each screen is checked for what the robot expects on it; anything else is a changed screen
(`UnexpectedPage`: a technical failure, retried, with a screenshot kept on the item). Wrong
credentials, a locked account and a month without data are business exceptions: not retried,
so the robot never tries a password twice and never locks the account."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from django.utils.translation import gettext_lazy as _

from kuntarobo.robots.hr_fetch.months import looks_like_xlsx
from kuntarobo.sdk import BusinessException, message
from kuntarobo.sdk.browser import UnexpectedPage

if TYPE_CHECKING:
    from playwright.sync_api import Page

ALL_UNITS = "all"
WHOLE_DATA_SET = "henkilostoaineisto"  # the report with all five sheets of the export
# What the login screen can turn into: the menu, or one of its refusals.
AFTER_LOGIN = "#menu-reports, #login-error, #locked"
AFTER_SHOW = "table#results, #no-data"
RESULT_ROWS = "table#results tbody tr"
MENU = "valikko/"  # the main menu, relative to the login screen's address
NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class Fetched:
    """What the robot brought back: the workbook, the rows and result pages it saw, and how
    many screens it loaded on the way (the benchmark's pages visited)."""

    content: bytes
    rows: int
    pages: int
    screens: int


class _Screens:
    """Counts the screens loaded (every navigation of the page's main frame)."""

    def __init__(self, page: Page) -> None:
        self.count = 0
        page.on("framenavigated", self._navigated)
        self._main = page.main_frame

    def _navigated(self, frame: Any) -> None:
        if frame == self._main:
            self.count += 1


def fetch_month(page: Page, url: str, username: str, password: str, month: str) -> Fetched:
    """The month's HR data set from the payroll system at `url` (its login screen)."""
    screens = _Screens(page)
    log_in(page, url, username, password)
    page.click("#menu-reports")
    page.wait_for_selector("select#unit")
    fill_form(page, month)
    with page.expect_navigation():
        page.click("button#show")
    page.wait_for_selector(AFTER_SHOW)
    if page.locator("#no-data").count():
        log_out(page, url)
        raise BusinessException(
            message(
                _(
                    "the payroll system has no data for %(month)s: check that the month's "
                    "payroll has been run, then retry the item"
                ),
                month=month,
            )
        )
    expected = row_count(page)
    rows, pages = walk_results(page)
    if rows != expected:
        raise UnexpectedPage(
            f"the result pages held {rows} rows, the screen said #row-count {expected}"
        )
    content = download(page)
    log_out(page, url)
    return Fetched(content=content, rows=rows, pages=pages, screens=screens.count)


def log_in(page: Page, url: str, username: str, password: str) -> None:
    """Exactly one attempt: a refusal is a business exception, never tried again here."""
    page.goto(url)
    page.wait_for_selector("#username")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login")
    page.wait_for_selector(AFTER_LOGIN)
    if page.locator("#locked").count():
        raise BusinessException(
            _(
                "the payroll system's account is locked: a person must have it opened and "
                "check the credential in the vault before the item is retried"
            )
        )
    if page.locator("#login-error").count():
        raise BusinessException(
            _(
                "the payroll system refused the user name or password: a person must correct "
                "the credential in the vault before the item is retried (the robot tries once, "
                "so the account is not locked)"
            )
        )


def fill_form(page: Page, month: str) -> None:
    """Every unit, the month and the whole data set; a field gone or renamed is a changed
    screen, said at once rather than after a time-out."""
    for selector in ("select#unit", "input#month", "select#report", "button#show"):
        if not page.locator(selector).count():
            raise UnexpectedPage(f"the reports form has no {selector}")
    page.select_option("select#unit", ALL_UNITS)
    page.fill("input#month", month)
    page.select_option("select#report", WHOLE_DATA_SET)


def row_count(page: Page) -> int:
    """The number the screen gives for all pages together ("Rivejä: 1234" or "1234")."""
    text = (page.text_content("#row-count") or "").strip()
    numbers = NUMBER.findall(text)
    if len(numbers) != 1:
        raise UnexpectedPage(f"#row-count does not hold one number: {text[:40]!r}")
    return int(numbers[0])


def walk_results(page: Page) -> tuple[int, int]:
    """Every result page, following #next-page to the last: the rows counted and the pages."""
    rows = pages = 0
    while True:
        page.wait_for_selector("table#results")
        rows += page.locator(RESULT_ROWS).count()
        pages += 1
        following = page.locator("a#next-page[rel=next]")
        if not following.count():
            return rows, pages
        with page.expect_navigation():
            following.click()


def download(page: Page) -> bytes:
    """The workbook the download link gives: read in full and checked to be an .xlsx."""
    if not page.locator("a#download").count():
        raise UnexpectedPage("the results have no a#download")
    with page.expect_download() as started:
        page.click("a#download")
    saved = started.value.path()
    content = saved.read_bytes()
    if not looks_like_xlsx(content):
        raise UnexpectedPage(f"the download is not an .xlsx workbook ({content[:16]!r})")
    return content


def log_out(page: Page, url: str) -> None:
    """Leave no session open: through the menu's #logout."""
    if not page.locator("#logout").count():
        page.goto(urljoin(url, MENU))
    page.click("#logout")
    page.wait_for_selector("#username")
