"""Satisfaction on Helmi's two human axes: staff answers to the built-in questionnaire (each
statement 1–5) and customers' one-question scores (1–5), as means, and the rows of an imported
customer-feedback CSV checked cell by cell.

Pure Python (no Django): the web, the API and the read functions for the dashboards compute
with the same `mean`, and an import refusal is a list of `Line`s (an English text with
%(name)s parameters, translated by the caller) that each name the row and the column.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from kuntarobo.core.explanation import Line

SCALE: Final = (1, 2, 3, 4, 5)
# The staff questionnaire's statements, in the order they are asked; their wording is in
# kuntarobo.portfolio.surveys (translated). Stored answers are keyed by these names.
STATEMENTS: Final = ("meaningful_work", "less_routine", "trust_results", "workload", "recommend")
TWO_PLACES: Final = Decimal("0.01")
MAX_COMMENT: Final = 2000
# An import stops listing problems after this many: the first ones tell what is wrong.
MAX_ERRORS: Final = 20

# The CSV's columns and the header names accepted for each (English, Finnish, Swedish).
COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    "date": ("date", "päivämäärä", "pvm", "datum"),
    "score": ("score", "arvosana", "arvio", "betyg"),
    "comment": ("comment", "kommentti", "kommentar"),
}
_FINNISH_DATE: Final = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def mean(values: Iterable[int]) -> Decimal | None:
    """The arithmetic mean to two decimals (half up), or None for no values."""
    items = list(values)
    if not items:
        return None
    return (Decimal(sum(items)) / Decimal(len(items))).quantize(TWO_PLACES, ROUND_HALF_UP)


def check_scores(scores: Mapping[str, object]) -> dict[str, int]:
    """A staff answer's scores: every statement answered with a whole number 1–5 and nothing
    else. ValueError names the statement at fault."""
    unknown = sorted(set(scores) - set(STATEMENTS))
    if unknown:
        raise ValueError(f"unknown statement {unknown[0]}")
    checked: dict[str, int] = {}
    for key in STATEMENTS:
        value = scores.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
            raise ValueError(key)
        checked[key] = value
    return checked


@dataclass(frozen=True)
class FeedbackRow:
    """One customer's score from an imported file."""

    given_on: datetime.date
    score: int
    comment: str = ""


class FeedbackImportError(ValueError):
    """The file was refused as a whole; `lines` name each problem's row and column."""

    def __init__(self, lines: list[Line]) -> None:
        super().__init__(lines)
        self.lines = lines

    def __str__(self) -> str:
        return "; ".join(line.english() for line in self.lines)


def _date(text: str) -> datetime.date | None:
    text = text.strip()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    found = _FINNISH_DATE.fullmatch(text)
    if found:
        day, month, year = (int(part) for part in found.groups())
        try:
            return datetime.date(year, month, day)
        except ValueError:
            return None
    return None


def _header(cells: Sequence[str]) -> tuple[dict[str, int], list[Line]]:
    """Which cell holds which column; the date and the score are required."""
    where: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = cell.strip().lower()
        for column, aliases in COLUMNS.items():
            if name in aliases and column not in where:
                where[column] = index
    problems = [
        Line("row %(row)s: the column “%(column)s” is missing", {"row": "1", "column": column})
        for column in ("date", "score")
        if column not in where
    ]
    return where, problems


def parse_feedback(
    rows: Iterable[tuple[int, list[str]]], today: datetime.date
) -> list[FeedbackRow]:
    """The rows of a CSV (row number as a spreadsheet shows it, cells), the first being the
    header: date (2026-03-31 or 31.3.2026, not in the future), score (a whole number 1–5) and
    an optional comment. Empty lines are skipped. Raises FeedbackImportError listing every
    problem found (up to MAX_ERRORS), each naming its row and column; nothing is half read."""
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        raise FeedbackImportError([Line("the file is empty", {})])
    where, problems = _header(first[1])
    if problems:
        raise FeedbackImportError(problems)
    found: list[FeedbackRow] = []
    for number, cells in iterator:
        if not any(cell.strip() for cell in cells):
            continue
        row = str(number)

        def cell(column: str, cells: list[str] = cells) -> str:
            index = where.get(column)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        given_on = _date(cell("date"))
        if given_on is None:
            problems.append(
                Line(
                    "row %(row)s, column “%(column)s”: %(value)s is not a date such as "
                    "2026-03-31 or 31.3.2026",
                    {"row": row, "column": "date", "value": repr(cell("date"))},
                )
            )
        elif given_on > today:
            problems.append(
                Line(
                    "row %(row)s, column “%(column)s”: %(value)s is in the future",
                    {"row": row, "column": "date", "value": given_on.isoformat()},
                )
            )
        raw_score = cell("score")
        score = int(raw_score) if raw_score.isdigit() else 0
        if score not in SCALE:
            problems.append(
                Line(
                    "row %(row)s, column “%(column)s”: %(value)s is not a whole number from 1 to 5",
                    {"row": row, "column": "score", "value": repr(raw_score)},
                )
            )
        comment = cell("comment")
        if len(comment) > MAX_COMMENT:
            problems.append(
                Line(
                    "row %(row)s, column “%(column)s”: the comment is longer than %(max)s "
                    "characters",
                    {"row": row, "column": "comment", "max": str(MAX_COMMENT)},
                )
            )
        if len(problems) >= MAX_ERRORS:
            break
        if given_on is not None and score in SCALE:
            found.append(FeedbackRow(given_on, score, comment))
    if problems:
        raise FeedbackImportError(problems[:MAX_ERRORS])
    if not found:
        raise FeedbackImportError([Line("the file has no rows after the header", {})])
    return found
