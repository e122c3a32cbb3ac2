"""Money, dates and decimal numbers as Finnish, Swedish and English texts write them.

One format for every robot's letters, reports and explanations, so that a sum reads the same in
a fee decision, an HR report and an invoice check. Plain Python: the web pages format through
Django's locale instead (the reader's own number format), which is why they do not use this.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Final

LANGUAGES: Final = ("fi", "sv", "en")
NBSP: Final = "\u00a0"

MONTHS_EN: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _check(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}: use fi, sv or en")


def format_euros(
    cents: int, language: str = "fi", *, signed: bool = False, thousands: str = NBSP
) -> str:
    """fi/sv "1 234,50 €" (a non-breaking space between thousands unless `thousands` says
    otherwise; an ordinary space before €), en "€1,234.50"; a minus sign is "-", and `signed`
    puts "+" before a rise."""
    _check(language)
    sign = "-" if cents < 0 else ("+" if signed and cents > 0 else "")
    euros, rest = divmod(abs(cents), 100)
    if language == "en":
        return f"{sign}€{euros:,}.{rest:02d}"
    return f"{sign}{euros:,}".replace(",", thousands) + f",{rest:02d} €"


_FI_EUROS: Final = re.compile(r"([+-]?)(\d{1,3}(?:[ \u00a0\u202f]?\d{3})*),(\d{2}) €")
_EN_EUROS: Final = re.compile(r"([+-]?)€(\d{1,3}(?:,?\d{3})*)\.(\d{2})")


def parse_euros(text: str, language: str = "fi") -> int:
    """The cents of an amount written as format_euros writes it; ValueError for anything else."""
    _check(language)
    pattern = _EN_EUROS if language == "en" else _FI_EUROS
    match = pattern.fullmatch(text)
    if match is None:
        raise ValueError(f"not an amount in euros: {text!r:.100}")
    sign, euros, rest = match.groups()
    digits = re.sub(r"\D", "", euros)
    cents = int(digits) * 100 + int(rest)
    return -cents if sign == "-" else cents


def format_date(day: datetime.date, language: str) -> str:
    """ "1.8.2026" in Finnish and Swedish, "1 August 2026" in English."""
    _check(language)
    if language == "en":
        return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"
    return f"{day.day}.{day.month}.{day.year}"


def format_iso_date(text: str, language: str) -> str:
    """An ISO date (YYYY-MM-DD) as format_date writes it; text that is no date stays as it is."""
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        return text
    return format_date(day, language)


def format_decimal(value: Decimal, language: str) -> str:
    """Without trailing zeros or an exponent, with the language's decimal mark: 10,7 (fi/sv),
    10.7 (en)."""
    _check(language)
    text = format(value.normalize(), "f")
    return text if language == "en" else text.replace(".", ",")


def format_percent(value: Decimal, language: str) -> str:
    """ "10,7 %" in Finnish and Swedish (a space before the sign), "10.7%" in English."""
    number = format_decimal(value, language)
    return f"{number}%" if language == "en" else f"{number} %"
