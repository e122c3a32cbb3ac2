"""The shared money, date and number formats: fixed examples pin the exact characters (which
space where), and properties check that every amount's digits come back from its text."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuntarobo.core.formatting import (
    LANGUAGES,
    format_date,
    format_decimal,
    format_euros,
    format_iso_date,
    format_percent,
    parse_euros,
)

amounts = st.integers(-(10**13), 10**13)
languages = st.sampled_from(LANGUAGES)


@pytest.mark.parametrize(
    ("cents", "language", "expected"),
    [
        (123456, "fi", "1\u00a0234,56 €"),
        (123456, "sv", "1\u00a0234,56 €"),
        (123456, "en", "€1,234.56"),
        (0, "fi", "0,00 €"),
        (5, "en", "€0.05"),
        (-100000050, "fi", "-1\u00a0000\u00a0000,50 €"),
        (-100000050, "en", "-€1,000,000.50"),
    ],
)
def test_euros_are_written_the_way_each_language_writes_them(cents, language, expected):
    assert format_euros(cents, language) == expected


def test_a_signed_amount_shows_plus_before_a_rise_and_nothing_before_zero():
    assert format_euros(1050, "fi", signed=True) == "+10,50 €"
    assert format_euros(-1050, "en", signed=True) == "-€10.50"
    assert format_euros(0, "sv", signed=True) == "0,00 €"


def test_the_thousands_separator_can_be_a_plain_space_for_typesetting():
    assert format_euros(123456789, "fi", thousands=" ") == "1 234 567,89 €"


def test_an_unknown_language_is_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="unknown language 'de'"):
        format_euros(100, "de")
    with pytest.raises(ValueError, match="unknown language"):
        format_date(datetime.date(2026, 8, 1), "")


def test_dates_are_day_month_year_in_finnish_and_swedish_and_spelled_out_in_english():
    day = datetime.date(2026, 8, 1)
    assert format_date(day, "fi") == "1.8.2026"
    assert format_date(day, "sv") == "1.8.2026"
    assert format_date(day, "en") == "1 August 2026"


def test_an_iso_date_text_is_formatted_and_anything_else_is_left_as_it_is():
    assert format_iso_date("2026-12-24", "en") == "24 December 2026"
    assert format_iso_date("not a date", "fi") == "not a date"


def test_decimals_drop_trailing_zeros_and_use_the_languages_decimal_mark():
    assert format_decimal(Decimal("10.70"), "fi") == "10,7"
    assert format_decimal(Decimal("1E+1"), "en") == "10"
    assert format_percent(Decimal("10.7"), "sv") == "10,7 %"
    assert format_percent(Decimal("10.7"), "en") == "10.7%"


@given(amounts, languages, st.booleans())
def test_formatting_an_amount_and_parsing_it_back_gives_the_same_cents(cents, language, signed):
    assert parse_euros(format_euros(cents, language, signed=signed), language) == cents


@given(amounts, st.sampled_from(["fi", "sv"]), st.sampled_from(["\u00a0", " ", "\u202f"]))
def test_any_of_the_thousands_separators_reads_back(cents, language, thousands):
    assert parse_euros(format_euros(cents, language, thousands=thousands), language) == cents


@given(amounts, languages)
def test_the_digits_of_the_text_are_exactly_the_digits_of_the_cents(cents, language):
    text = format_euros(cents, language)
    digits = "".join(ch for ch in text if ch.isdigit())
    assert int(digits) == abs(cents)
    assert text.startswith("-") == (cents < 0)
    assert "\u00a0" not in text if language == "en" else "," in text


@given(amounts)
def test_finnish_and_swedish_write_money_alike(cents):
    assert format_euros(cents, "fi") == format_euros(cents, "sv")


@given(st.dates(datetime.date(1900, 1, 1), datetime.date(2200, 12, 31)), languages)
def test_a_formatted_date_reads_back_to_the_same_day(day, language):
    text = format_date(day, language)
    if language == "en":
        parsed = datetime.datetime.strptime(text, "%d %B %Y").date()
    else:
        day_part, month_part, year_part = text.split(".")
        parsed = datetime.date(int(year_part), int(month_part), int(day_part))
    assert parsed == day


@pytest.mark.parametrize("text", ["1234,56 €x", "€1.234,56", "12,3 €", "", "1  234,56 €"])
def test_text_that_is_not_a_formatted_amount_does_not_parse(text):
    with pytest.raises(ValueError, match="not an amount"):
        parse_euros(text, "en" if text.startswith("€") else "fi")
