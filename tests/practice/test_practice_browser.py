"""A real Chromium through the practice system as a robot goes: log in, fill the report form,
page once and download the Excel export."""

from __future__ import annotations

import openpyxl
import pytest

from tests.browser.conftest import assert_accessible
from tests.practice.conftest import LAST_MONTH, PASSWORD, USER


@pytest.mark.browser
def test_a_browser_logs_in_fills_the_form_pages_once_and_downloads(practice, page, tmp_path):
    practice.options.page_size = 15
    page.goto(practice.url)
    assert_accessible(page)
    page.fill("#username", USER)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.click("#menu-reports")
    assert_accessible(page)
    page.select_option("#unit", "all")
    page.fill("#month", LAST_MONTH)
    page.select_option("#report", "henkilostoaineisto")
    page.click("#show")
    assert page.inner_text("#row-count") == "Rivejä: 40"
    assert page.inner_text("#page-info") == "Sivu 1 / 3"
    assert page.locator("#results tbody tr").count() == 15
    assert_accessible(page)
    page.click("#next-page")
    assert page.inner_text("#page-info") == "Sivu 2 / 3"
    with page.expect_download() as info:
        page.click("#download")
    download = info.value
    assert download.suggested_filename == f"palkka-aineisto-{LAST_MONTH}.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames[0] == "Yksiköt"
    assert "harjoitus_istunto" not in page.evaluate("document.cookie")  # HttpOnly
