"""Text that a spreadsheet program would run as a formula, made inert (pure; no Django).

A user, unit, employee or family named `=HYPERLINK("http://x","y")` must come out of every
CSV or workbook export as that text, not as a link or a command (CSV/formula injection,
OWASP). In CSV the only defence is OWASP's: a single quote before a text cell that begins with
a character that starts a formula. In an .xlsx file a text cell is never a formula; the quote
prefix style (Excel's own "this is text" mark, invisible) keeps it text when a person edits
the cell or saves the sheet as CSV.
"""

from __future__ import annotations

from collections.abc import Iterable

# `=`, `+`, `-` and `@` start formulas in Excel, LibreOffice and Google Sheets; a leading tab
# or carriage return hides one from a reader and is dropped by some of them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def starts_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def escape_text(text: str) -> str:
    """The text with a single quote before it when it could start a formula."""
    return "'" + text if starts_like_formula(text) else text


def escape_cell(value: object) -> object:
    """A CSV cell: text escaped, numbers (negative ones too) and everything else unchanged."""
    return escape_text(value) if isinstance(value, str) else value


def escape_row(values: Iterable[object]) -> list[object]:
    return [escape_cell(value) for value in values]
