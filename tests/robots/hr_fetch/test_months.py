"""Which month the fetch robot takes, and its names for the item and the file."""

from __future__ import annotations

import datetime

import pytest

from kuntarobo.robots.hr_fetch import months
from kuntarobo.robots.hr_fetch.municipal_settings import url_problem


@pytest.mark.parametrize(
    ("today", "month"),
    [
        (datetime.date(2026, 12, 1), "2026-11"),
        (datetime.date(2027, 1, 4), "2026-12"),
        (datetime.date(2026, 3, 31), "2026-02"),
    ],
)
def test_the_default_month_is_the_one_just_ended(today, month):
    assert months.default_month(today) == month


def test_one_item_and_one_file_name_per_month():
    assert months.reference("2026-11") == "hr-fetch-2026-11"
    assert months.file_name("2026-11") == "palkka-aineisto-2026-11.xlsx"


@pytest.mark.parametrize("text", ["2026-13", "2026-1", "11/2026", "", "2026-11-01"])
def test_a_month_that_is_not_yyyy_mm_is_refused(text):
    with pytest.raises(ValueError, match="not a month"):
        months.reference(text)


def test_only_a_zip_signature_passes_as_a_workbook():
    assert months.looks_like_xlsx(b"PK\x03\x04rest")
    assert not months.looks_like_xlsx(b"<!doctype html><p>Virhe</p>")
    assert not months.looks_like_xlsx(b"")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://palkat.esimerkkila.fi/", None),
        ("http://127.0.0.1:8026/", None),
        ("ftp://palkat.esimerkkila.fi/", "not an http or https address"),
        ("palkat.esimerkkila.fi", "not an http or https address"),
        ("https://robotti:salasana@palkat.esimerkkila.fi/", "a password in the address"),
    ],
)
def test_the_payroll_systems_address_must_be_http_without_a_password(url, problem):
    assert url_problem(url) == problem
