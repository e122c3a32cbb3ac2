"""Import of the "kuntarobo HR exchange format v1": units, employees, employments, payments
and absences from an .xlsx workbook, a folder of CSV files or a .zip of either.

No payroll system publishes a schema of its reports, so a municipality maps its own export
onto this format once (`ColumnMapping`, stored as JSON). The import checks everything and
lists every problem in the municipality's own sheet and column names, so one round of fixes
is enough; a file with any problem is refused as a whole (nothing is sent).
Pure Python, no Django.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path, PurePosixPath
from typing import IO, Any, TypeVar, cast

import openpyxl
from defusedxml import ElementTree
from openpyxl.cell import WriteOnlyCell
from python_calamine import CalamineSheet, CalamineWorkbook

from kuntarobo.core.folders import regular_files
from kuntarobo.core.inputs import (
    CHUNK,
    Budget,
    CountingReader,
    CsvDecodeError,
    InputLimits,
    LimitExceeded,
    check_archive,
    csv_rows,
    open_member,
)
from kuntarobo.robots.hr_reports.dataset import (
    ABSENCE_TYPES,
    EMPLOYMENT_TYPES,
    LANGUAGES,
    Absence,
    Dataset,
    Employee,
    Employment,
    ExportError,
    Payment,
    RowError,
    Unit,
)

SHEETS = ("units", "employees", "employments", "payments", "absences")
COLUMNS: dict[str, tuple[str, ...]] = {
    "units": ("unit_id", "unit_name", "supervisor_name", "supervisor_email", "language"),
    "employees": ("employee_id", "last_name", "first_name", "unit_id"),
    "employments": (
        "employment_id",
        "employee_id",
        "unit_id",
        "type",
        "title",
        "start_date",
        "end_date",
        "end_reason",
        "part_time_percent",
    ),
    "payments": (
        "employee_id",
        "payment_date",
        "period_start",
        "period_end",
        "income_type",
        "amount",
    ),
    "absences": ("employee_id", "start_date", "end_date", "type", "paid"),
}
# Columns whose cells may be empty (the header must still be there).
OPTIONAL_VALUES = {
    ("units", "supervisor_name"),
    ("units", "supervisor_email"),
    ("employments", "title"),
    ("employments", "end_date"),
    ("employments", "end_reason"),
    ("employments", "part_time_percent"),
    ("absences", "end_date"),
}
BOOLEANS = {
    "yes": True,
    "no": False,
    "kyllä": True,
    "ei": False,
    "ja": True,
    "nej": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
}
CODED_FIELDS: dict[str, tuple[str, ...]] = {
    "units.language": LANGUAGES,
    "employments.type": EMPLOYMENT_TYPES,
    "absences.type": ABSENCE_TYPES,
    "absences.paid": tuple(BOOLEANS),
}
# Every problem code the import reports (the UI translates them).
PROBLEMS = (
    "missing_sheet",
    "missing_column",
    "empty",
    "bad_date",
    "bad_amount",
    "bad_percent",
    "bad_language",
    "bad_type",
    "bad_boolean",
    "unknown_unit",
    "unknown_employee",
    "end_before_start",
    "duplicate_id",
    "period_end_before_start",
    "too_long",  # an identifier over MAX_ID_LENGTH or a text over MAX_TEXT_LENGTH characters
    "bad_encoding",  # a CSV file that is not UTF-8
    "unreadable_file",  # not an .xlsx, folder or .zip we can open
)
MAX_ERRORS = 1000
# Rows of the units sheet: far more units than any Finnish employer has (the largest has a few
# thousand); the other sheets have the installation's row limit (runtime.inputs).
MAX_UNITS = 50_000
MAX_ID_LENGTH = 64  # ids make work items' references and file names
MAX_TEXT_LENGTH = 300
ID_COLUMNS = {"unit_id", "employee_id", "employment_id"}

_EMAIL = re.compile(
    r"[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*"
    r"@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}"
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def is_valid_email(text: str) -> bool:
    """A pragmatic check of one address (no display name, no list): enough to catch the typos
    and empty cells that would make a report undeliverable."""
    text = text.strip()
    return len(text) <= 254 and _EMAIL.fullmatch(text) is not None


@dataclass(frozen=True)
class ColumnMapping:
    """How a municipality's own export maps onto the format: sheet names, column names and
    codes (e.g. absence type "SA" → "sickness"). Missing entries mean our own names."""

    sheets: dict[str, str] = field(default_factory=dict)  # our sheet → theirs
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet → our → theirs
    codes: dict[str, dict[str, str]] = field(default_factory=dict)  # "sheet.col" → theirs → our

    def sheet_name(self, sheet: str) -> str:
        return self.sheets.get(sheet, sheet)

    def column_name(self, sheet: str, column: str) -> str:
        return self.columns.get(sheet, {}).get(column, column)

    def our_code(self, coded_field: str, value: str) -> str:
        """Their code translated to ours (exact first, then ignoring case); else unchanged."""
        codes = self.codes.get(coded_field, {})
        if value in codes:
            return codes[value]
        folded = {key.strip().casefold(): our for key, our in codes.items()}
        return folded.get(value.strip().casefold(), value)

    @classmethod
    def from_json(cls, data: object) -> ColumnMapping:
        """Validate a stored mapping; names that the format does not have are refused."""
        if not isinstance(data, dict):
            raise ValueError("a column mapping must be a JSON object")
        unknown_keys = sorted(str(k) for k in data if k not in ("sheets", "columns", "codes"))
        if unknown_keys:
            raise ValueError(f"unknown keys in the column mapping: {', '.join(unknown_keys)}")
        sheets = _string_map(data.get("sheets", {}), "sheets")
        bad = sorted(set(sheets) - set(SHEETS))
        if bad:
            raise ValueError(f"unknown sheets in the column mapping: {', '.join(bad)}")
        columns_data = data.get("columns", {})
        if not isinstance(columns_data, dict):
            raise ValueError("'columns' must be an object")
        columns: dict[str, dict[str, str]] = {}
        problems: list[str] = []
        for sheet, names in columns_data.items():
            if sheet not in SHEETS:
                problems.append(f"unknown sheet {sheet!r}")
                continue
            columns[sheet] = _string_map(names, f"columns.{sheet}")
            problems += [
                f"unknown column {sheet}.{c}" for c in columns[sheet] if c not in COLUMNS[sheet]
            ]
        codes_data = data.get("codes", {})
        if not isinstance(codes_data, dict):
            raise ValueError("'codes' must be an object")
        codes: dict[str, dict[str, str]] = {}
        for coded_field, table in codes_data.items():
            if coded_field not in CODED_FIELDS:
                problems.append(f"unknown coded field {coded_field!r}")
                continue
            codes[coded_field] = _string_map(table, f"codes.{coded_field}")
            allowed = CODED_FIELDS[coded_field]
            problems += [
                f"unknown code {our!r} for {coded_field}"
                for our in codes[coded_field].values()
                if our.casefold() not in allowed
            ]
        if problems:
            raise ValueError("invalid column mapping: " + "; ".join(problems))
        return cls(sheets=sheets, columns=columns, codes=codes)

    def to_json(self) -> dict[str, object]:
        return {
            "sheets": dict(self.sheets),
            "columns": {sheet: dict(names) for sheet, names in self.columns.items()},
            "codes": {name: dict(table) for name, table in self.codes.items()},
        }


def _string_map(data: object, where: str) -> dict[str, str]:
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in data.items()
    ):
        raise ValueError(f"'{where}' must map names to non-empty strings")
    return {str(k): str(v) for k, v in data.items()}


# --- reading sheets -----------------------------------------------------------------------

Cell = object  # str, int, float, Decimal, bool, date, datetime or None
T = TypeVar("T")
Rows = Iterable[tuple[int, Sequence[Cell]]]  # (spreadsheet row number, cells), streamed


class _Errors:
    """Collects problems up to MAX_ERRORS (a broken file should not flood the reader)."""

    def __init__(self) -> None:
        self.items: list[RowError] = []

    @property
    def full(self) -> bool:
        return len(self.items) >= MAX_ERRORS

    def add(self, error: RowError) -> None:
        if not self.full:
            self.items.append(error)


def _read_workbook(
    source: Path,
    mapping: ColumnMapping,
    errors: _Errors,
    limits: InputLimits,
    budget: Budget,
    name: str,
    builder: _Builder,
) -> bool:
    """An .xlsx is a zip: its members' real sizes are checked within the limits before
    calamine reads it (a crafted workbook must not inflate without bound). False: the file
    could not be read (the problem is in `errors`)."""
    try:
        with zipfile.ZipFile(source) as zipped:
            check_archive(zipped, limits, budget)
            percent_cells = _percent_cells(zipped, mapping.sheet_name("employments"))
        book = CalamineWorkbook.from_path(str(source))
    except LimitExceeded:
        raise
    except Exception as error:  # zipfile, XML and calamine raise many kinds for a broken file
        errors.add(RowError("", 0, "", "unreadable_file", name, {"reason": str(error)[:200]}))
        return False
    try:
        _workbook_sheets(book, mapping, percent_cells, limits, builder)
    except LimitExceeded:
        raise
    except Exception as error:  # a damaged sheet shows only when it is read
        errors.add(RowError("", 0, "", "unreadable_file", name, {"reason": str(error)[:200]}))
        return False
    finally:
        book.close()
    return True


def _missing_sheets(present: dict[str, bool], builder: _Builder) -> bool:
    """With a sheet missing the export cannot be used: it is refused naming the missing sheets
    before any rows are read (a lone huge sheet is not parsed only to be refused). The CSV
    readers do the same but still check the header rows, so one round of fixes is enough."""
    if all(present.values()):
        return False
    for sheet, ok in present.items():
        if not ok:
            builder.missing(sheet)
    return True


def _sheet_rows(sheet: str, limits: InputLimits) -> int:
    """Rows a sheet may have: the units sheet is small in every municipality, so a huge one
    is refused early (the cheapest place for a bomb to hide)."""
    return min(limits.rows, MAX_UNITS) if sheet == "units" else limits.rows


def _workbook_sheets(
    book: CalamineWorkbook,
    mapping: ColumnMapping,
    percent_cells: set[tuple[int, int]],
    limits: InputLimits,
    builder: _Builder,
) -> None:
    """Each sheet's rows go to the builder as calamine hands them out (`iter_rows`): no Python
    list of the whole sheet, and one sheet loaded at a time."""
    names = {name.strip().casefold(): name for name in book.sheet_names}
    if _missing_sheets(
        {s: mapping.sheet_name(s).strip().casefold() in names for s in SHEETS}, builder
    ):
        return
    for sheet in SHEETS:
        name = names[mapping.sheet_name(sheet).strip().casefold()]
        worksheet = book.get_sheet_by_name(name)
        maximum = _sheet_rows(sheet, limits)
        if worksheet.total_height > maximum + 1:
            raise LimitExceeded("rows", maximum, name)
        rows = _calamine_rows(worksheet, percent_cells if sheet == "employments" else None)
        header = [_text(value) for value in next(rows, [])]
        builder.sheet(sheet, header, enumerate(rows, 2))
        del rows, worksheet  # the sheet's cells are freed before the next one is loaded


def _calamine_rows(
    worksheet: CalamineSheet, percent_cells: set[tuple[int, int]] | None
) -> Iterator[list[Cell]]:
    """The sheet's rows from its first row and column, as `to_python(skip_empty_area=False)`
    gave them: calamine's `iter_rows` starts at row 1 but at the first used column. The
    converters read calamine's "" and 1234.0 as openpyxl's None and 1234; on the sheet with a
    percentage the cells are converted here."""
    start = worksheet.start
    padding: list[Cell] = [""] * start[1] if start else []
    for r, row in enumerate(worksheet.iter_rows()):
        cells = [*padding, *row] if padding else cast(list[Cell], row)
        if percent_cells is not None:
            cells = [
                _calamine_value(value, (r, c) in percent_cells) for c, value in enumerate(cells)
            ]
        yield cells


def _calamine_value(value: object, percent: bool) -> Cell:
    """calamine's value as openpyxl gave it: None for an empty cell, whole numbers as int,
    a number shown as a percentage (0.8 shown as 80 %) in percent."""
    if value == "" or value is None:
        return None
    if isinstance(value, float) and not isinstance(value, bool):
        if percent:
            return Decimal(str(value)) * 100
        if value.is_integer():
            return int(value)
    elif isinstance(value, int) and not isinstance(value, bool) and percent:
        return Decimal(value) * 100
    return value


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_PERCENT_FORMATS = {9, 10}  # Excel's built-in "0%" and "0.00%"
_CELL_REF = re.compile(r"([A-Z]{1,3})(\d{1,7})")


def _percent_cells(archive: zipfile.ZipFile, sheet_name: str) -> set[tuple[int, int]]:
    """(row, column), 0-based, of the sheet's cells formatted as a percentage. calamine gives
    values only, so the styles are read here: the workbook's sheet list and relations, the
    cell formats, and the `s` attribute of the sheet's cells (streamed)."""
    files = {info.filename: info for info in archive.infolist()}
    if not {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"} <= set(files):
        return set()
    target = ""
    relation = ""
    with archive.open("xl/workbook.xml") as handle:
        for _, element in ElementTree.iterparse(handle):
            if element.tag == f"{_MAIN}sheet" and (
                (element.get("name") or "").strip().casefold() == sheet_name.strip().casefold()
            ):
                relation = element.get(f"{_REL}id") or ""
    with archive.open("xl/_rels/workbook.xml.rels") as handle:
        for _, element in ElementTree.iterparse(handle):
            if element.tag == f"{_PACKAGE_REL}Relationship" and element.get("Id") == relation:
                target = element.get("Target") or ""
    path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    if not relation or path not in files:
        return set()
    formats: dict[int, str] = {}
    styles: list[int] = []
    with archive.open("xl/styles.xml") as handle:
        in_cell_xfs = False
        for event, element in ElementTree.iterparse(handle, events=("start", "end")):
            if element.tag == f"{_MAIN}numFmt" and event == "end":
                formats[int(element.get("numFmtId") or 0)] = element.get("formatCode") or ""
            elif element.tag == f"{_MAIN}cellXfs":
                in_cell_xfs = event == "start"
            elif element.tag == f"{_MAIN}xf" and event == "end" and in_cell_xfs:
                styles.append(int(element.get("numFmtId") or 0))
    percent_styles = {
        index
        for index, number_format in enumerate(styles)
        if number_format in _PERCENT_FORMATS or "%" in formats.get(number_format, "")
    }
    if not percent_styles:
        return set()
    cells: set[tuple[int, int]] = set()
    row_index = -1
    column_index = -1
    with archive.open(path) as handle:
        for event, element in ElementTree.iterparse(handle, events=("start", "end")):
            if event == "start":
                if element.tag == f"{_MAIN}row":
                    number = element.get("r")
                    row_index = int(number) - 1 if number else row_index + 1
                    column_index = -1
                continue
            if element.tag == f"{_MAIN}c":
                match = _CELL_REF.fullmatch(element.get("r") or "")
                column_index = _column_index(match.group(1)) if match else column_index + 1
                if int(element.get("s") or 0) in percent_styles:
                    cells.add((row_index, column_index))
                element.clear()
            elif element.tag == f"{_MAIN}row":
                element.clear()
    return cells


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def _read_csv(
    stream: IO[bytes],
    sheet_name: str,
    errors: _Errors,
    limits: InputLimits,
    sheet: str,
    builder: _Builder,
    *,
    header_only: bool = False,
) -> None:
    """One CSV file, streamed into the builder: rows bounded, a line at a time (or its header
    row alone). A file that cannot be decoded leaves nothing of its sheet but the problem."""
    maximum = _sheet_rows(sheet, limits)
    member = f"{sheet_name}.csv"
    lines = csv_rows(stream, limits, member)

    def data() -> Iterator[tuple[int, list[str]]]:
        for number, cells in lines:
            if number > maximum + 1:
                raise LimitExceeded("rows", maximum, member)
            yield number, cells

    try:
        first = next(lines, None)
        header = [h.strip() for h in first[1]] if first is not None else []
        builder.sheet(sheet, header, () if header_only else data())
    except CsvDecodeError as error:
        detail = {"file": member, "expected": "UTF-8"}
        errors.add(RowError(sheet_name, error.line, "", "bad_encoding", "", detail))
    except csv.Error as error:
        detail = {"file": member, "reason": str(error)[:200]}
        errors.add(RowError(sheet_name, 0, "", "unreadable_file", member, detail))


def _read_folder(
    folder: Path,
    mapping: ColumnMapping,
    errors: _Errors,
    limits: InputLimits,
    budget: Budget,
    builder: _Builder,
) -> bool:
    """The CSV files of a folder: regular files only, like a robot's folders
    (runtime.folders.regular_files): a symlink could point anywhere on the server."""

    @contextlib.contextmanager
    def opened(path: Path) -> Iterator[IO[bytes]]:
        with (
            _open_regular(path) as raw,
            io.BufferedReader(
                CountingReader(raw, limits.member_bytes, member=path.name, budget=budget)
            ) as stream,
        ):
            yield stream

    files = {p.name.casefold(): p for p in regular_files(folder)}
    return _read_csv_sheets(files, opened, mapping, errors, limits, builder)


def _read_csv_sheets(
    found: dict[str, T],
    opened: Callable[[T], contextlib.AbstractContextManager[IO[bytes]]],
    mapping: ColumnMapping,
    errors: _Errors,
    limits: InputLimits,
    builder: _Builder,
) -> bool:
    """Each sheet from its CSV file among `found` (by case-folded file name), a folder's or an
    archive's alike; with any sheet missing, only the headers of the others are checked."""
    names = {sheet: f"{mapping.sheet_name(sheet)}.csv".casefold() for sheet in SHEETS}
    header_only = not all(name in found for name in names.values())
    for sheet in SHEETS:
        entry = found.get(names[sheet])
        if entry is None:
            builder.missing(sheet)
            continue
        with opened(entry) as stream:
            _read_csv(
                stream,
                mapping.sheet_name(sheet),
                errors,
                limits,
                sheet,
                builder,
                header_only=header_only,
            )
    return True


def _open_regular(path: Path) -> IO[bytes]:
    """A file listed as regular, opened without following a symlink put in its place since."""
    return os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb")


def _read_zip(
    path: Path,
    mapping: ColumnMapping,
    errors: _Errors,
    limits: InputLimits,
    budget: Budget,
    builder: _Builder,
) -> bool:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        errors.add(RowError("", 0, "", "unreadable_file", path.name, {"reason": str(error)}))
        return False
    try:
        with archive:
            return _zip_sheets(archive, mapping, errors, limits, budget, path.name, builder)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError) as error:
        errors.add(RowError("", 0, "", "unreadable_file", path.name, {"reason": str(error)}))
        return False


def _zip_sheets(
    archive: zipfile.ZipFile,
    mapping: ColumnMapping,
    errors: _Errors,
    limits: InputLimits,
    budget: Budget,
    name: str,
    builder: _Builder,
) -> bool:
    # Every member inflated once first, bytes discarded: a bomb is refused before any parsing.
    members = check_archive(archive, limits, Budget(limits))
    by_name = {PurePosixPath(i.filename).name.casefold(): i for i in members}
    csv_names = {f"{mapping.sheet_name(s)}.csv".casefold() for s in SHEETS}
    if not csv_names & set(by_name):
        books = [i for i in members if i.filename.casefold().endswith(".xlsx")]
        if len(books) == 1:
            # Streamed to a temporary file, not read whole into memory (up to the member limit).
            with tempfile.TemporaryDirectory(prefix="kuntarobo-hr-") as folder:
                workbook = Path(folder) / "export.xlsx"
                with (
                    open_member(archive, books[0], limits, budget) as stream,
                    workbook.open("wb") as copy,
                ):
                    shutil.copyfileobj(stream, copy, CHUNK)
                return _read_workbook(workbook, mapping, errors, limits, budget, name, builder)
    return _read_csv_sheets(
        by_name,
        lambda info: open_member(archive, info, limits, budget),
        mapping,
        errors,
        limits,
        builder,
    )


# --- cell conversion ---------------------------------------------------------------------


def _text(value: Cell) -> str:
    """A cell as text: ids typed as numbers in Excel (1234.0) read as "1234"."""
    if type(value) is str:  # the common case first: a million rows pass here
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _blank(value: Cell) -> bool:
    """`_text(value) == ""` without making the text of a date or a number (never empty)."""
    return value is None or (isinstance(value, str) and not value.strip())


class _Bad(Exception):
    def __init__(self, problem: str) -> None:
        self.problem = problem


def _date(value: Cell) -> datetime.date:
    if isinstance(value, datetime.datetime):
        if value.time() != datetime.time():
            raise _Bad("bad_date")
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    if not _DATE.fullmatch(text):
        raise _Bad("bad_date")
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise _Bad("bad_date") from None


def _decimal(value: Cell, problem: str) -> Decimal:
    """A number from a cell: Excel numbers via their shortest text (never float arithmetic),
    text with a dot or a comma as decimal separator and spaces between thousands."""
    if isinstance(value, bool):
        raise _Bad(problem)
    if isinstance(value, Decimal | int):
        return Decimal(value)
    if isinstance(value, float):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise _Bad(problem) from None
    text = _text(value)
    for space in (" ", "\u00a0", "\u202f"):
        text = text.replace(space, "")
    text = text.replace("\u2212", "-").replace("€", "").replace(",", ".")
    if not _NUMBER.fullmatch(text):
        raise _Bad(problem)
    return Decimal(text)


def _cents(value: Cell) -> int:
    amount = _decimal(value, "bad_amount")
    if not amount.is_finite():
        raise _Bad("bad_amount")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        raise _Bad("bad_amount")  # fractions of a cent: a float artefact or a wrong column
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _percent(value: Cell) -> Decimal:
    text = _text(value).removesuffix("%").strip() if isinstance(value, str) else value
    number = _decimal(text, "bad_percent")
    if not number.is_finite() or not 0 < number <= 100:
        raise _Bad("bad_percent")
    return number


# --- rows into the dataset --------------------------------------------------------------

# Distinct texts and dates shared between rows, at most this many (a hostile file of unique
# values must not grow the table without bound; past it values are simply not shared).
MAX_SHARED = 200_000
_HUNDRED = Decimal(100)
_EPOCH = datetime.date(1, 1, 1)


class _Row:
    """The row being converted, with converters that record problems under the municipality's
    names. One object per sheet, moved from row to row (a million rows, not a million objects)."""

    __slots__ = ("builder", "cells", "mapping", "number", "positions", "sheet", "width")

    def __init__(self, builder: _Builder, sheet: str, positions: dict[str, int]) -> None:
        self.builder = builder
        self.mapping = builder.mapping
        self.sheet = sheet
        self.positions = positions
        self.number = 0
        self.cells: Sequence[Cell] = ()
        self.width = 0

    def move(self, number: int, cells: Sequence[Cell]) -> bool:
        """Onto the next row; False for a row whose cells of the format are all empty."""
        self.number = number
        self.cells = cells
        self.width = len(cells)
        return not all(_blank(cells[i]) for i in self.positions.values() if i < self.width)

    def get(self, column: str) -> Cell:
        index = self.positions[column]
        return self.cells[index] if index < self.width else None

    def fail(self, column: str, problem: str, detail: dict[str, str] | None = None) -> None:
        self.builder.problem(
            RowError(
                self.mapping.sheet_name(self.sheet),
                self.number,
                self.mapping.column_name(self.sheet, column),
                problem,
                _text(self.get(column)),
                detail or {},
            )
        )

    def text(self, column: str) -> str:
        value = _text(self.get(column))
        if not value and (self.sheet, column) not in OPTIONAL_VALUES:
            self.fail(column, "empty")
        maximum = MAX_ID_LENGTH if column in ID_COLUMNS else MAX_TEXT_LENGTH
        if len(value) > maximum:
            self.fail(column, "too_long", {"max": str(maximum)})
            if column in ID_COLUMNS:  # later problems of the row show the id as it was
                self.builder.long_ids[(self.sheet, self.number, column)] = value
            value = value[:maximum]
        return self.builder.shared(value)

    def convert(self, column: str, convert: Callable[[Cell], T], default: T) -> T:
        cell = self.get(column)
        if _blank(cell):
            if (self.sheet, column) not in OPTIONAL_VALUES:
                self.fail(column, "empty")
            return default
        try:
            return convert(cell)
        except _Bad as bad:
            self.fail(column, bad.problem)
            return default

    def date(self, column: str) -> datetime.date:
        return self.convert(column, self.builder.date, _EPOCH)

    def optional_date(self, column: str) -> datetime.date | None:
        converter: Callable[[Cell], datetime.date | None] = self.builder.date
        return self.convert(column, converter, None)

    def code(self, column: str, allowed: tuple[str, ...], problem: str) -> str:
        raw = self.text(column)
        if not raw:
            return ""
        ours = self.mapping.our_code(f"{self.sheet}.{column}", raw).strip().casefold()
        if ours not in allowed:
            self.fail(column, problem)
            return ""
        return allowed[allowed.index(ours)]  # the format's own string, shared

    def boolean(self, column: str) -> bool:
        raw = self.get(column)
        if isinstance(raw, bool):
            return raw
        value = self.code(column, tuple(BOOLEANS), "bad_boolean")
        return BOOLEANS.get(value, False)


class _Builder:
    """Turns each sheet's rows into the dataset's records as the reader streams them: no list
    of raw rows, no copy of the cells; repeated texts (ids, codes) and dates are one object.
    A sheet's records and problems count only once all its rows are read (a file that turns
    out undecodable halfway leaves only its reading problem, as if never parsed). Problems are
    kept in the order the reader reports them: reading, structure, rows, then the checks
    across rows and sheets."""

    def __init__(self, mapping: ColumnMapping, errors: _Errors) -> None:
        self.mapping = mapping
        self.errors = errors  # reading problems go there at once
        self.structure: list[RowError] = []  # missing sheets and columns
        self.problems: list[RowError] = []  # rows' problems of the sheets read whole
        self.pending: list[RowError] = []  # rows' problems of the sheet being read
        self.readable: set[str] = set()  # sheets whose rows could all be read
        self.records: dict[str, list[Any]] = {s: [] for s in SHEETS}
        self.numbers: dict[str, array[int]] = {s: array("l") for s in SHEETS}
        self.long_ids: dict[tuple[str, int, str], str] = {}
        self.texts: dict[str, str] = {}
        self.dates: dict[object, datetime.date] = {}

    def shared(self, value: str) -> str:
        found = self.texts.get(value)
        if found is not None:
            return found
        if len(self.texts) < MAX_SHARED:
            self.texts[value] = value
        return value

    def date(self, value: Cell) -> datetime.date:
        try:
            return self.dates[value]
        except (KeyError, TypeError):
            pass
        result = _date(value)
        if len(self.dates) < MAX_SHARED:
            self.dates[value] = self.dates.setdefault(result, result)
        return result

    def problem(self, error: RowError) -> None:
        if len(self.problems) + len(self.pending) < MAX_ERRORS:
            self.pending.append(error)

    def missing(self, sheet: str) -> None:
        self.structure.append(RowError(self.mapping.sheet_name(sheet), 0, "", "missing_sheet"))

    def sheet(self, sheet: str, header: Sequence[str], rows: Rows) -> None:
        """One sheet: its header checked, its rows converted as they come. An exception from
        `rows` (a reading problem, a limit) leaves nothing of the sheet behind."""
        positions: dict[str, int] = {}
        structure: list[RowError] = []
        folded = [h.strip().casefold() for h in header]
        for column in COLUMNS[sheet]:
            name = self.mapping.column_name(sheet, column).strip().casefold()
            if name in folded:
                positions[column] = folded.index(name)
            else:
                structure.append(
                    RowError(
                        self.mapping.sheet_name(sheet),
                        1,
                        self.mapping.column_name(sheet, column),
                        "missing_column",
                    )
                )
        if structure:  # without all columns the rows cannot be read, but they are read through
            for _ in rows:
                pass
            self.structure += structure
            return
        convert = _CONVERTERS[sheet]
        row = _Row(self, sheet, positions)
        records: list[Any] = []
        numbers: array[int] = array("l")
        self.pending = []
        try:
            for number, cells in rows:
                if row.move(number, cells):
                    records.append(convert(row))
                    numbers.append(number)
        except BaseException:
            self.pending = []
            raise
        self.records[sheet] = records
        self.numbers[sheet] = numbers
        self.problems += self.pending
        self.pending = []
        self.readable.add(sheet)

    def late(
        self,
        sheet: str,
        index: int,
        column: str,
        value: str,
        problem: str,
        detail: dict[str, str] | None = None,
    ) -> None:
        """A problem found across rows, reported on row `index` of the sheet's records."""
        number = self.numbers[sheet][index]
        self.errors.add(
            RowError(
                self.mapping.sheet_name(sheet),
                number,
                self.mapping.column_name(sheet, column),
                problem,
                self.long_ids.get((sheet, number, column), value),
                detail or {},
            )
        )

    def dataset(self) -> Dataset:
        for error in self.structure + self.problems:
            self.errors.add(error)
        records = self.records
        units: list[Unit] = records["units"]
        employees: list[Employee] = records["employees"]
        employments: list[Employment] = records["employments"]
        payments: list[Payment] = records["payments"]
        absences: list[Absence] = records["absences"]
        self.unique("units", [u.unit_id for u in units], "unit_id")
        self.unique("employees", [e.employee_id for e in employees], "employee_id")
        self.unique("employments", [e.employment_id for e in employments], "employment_id")
        # References are checked only against a sheet that could be read (no cascades).
        if "units" in self.readable:
            unit_ids = {u.unit_id for u in units}
            self.known("employees", (e.unit_id for e in employees), "unit_id", unit_ids)
            self.known("employments", (e.unit_id for e in employments), "unit_id", unit_ids)
        if "employees" in self.readable:
            employee_ids = {e.employee_id for e in employees}
            for sheet in ("employments", "payments", "absences"):
                ids = (record.employee_id for record in records[sheet])
                self.known(sheet, ids, "employee_id", employee_ids)
        order = {self.mapping.sheet_name(sheet): i for i, sheet in enumerate(SHEETS)}
        self.errors.items.sort(key=lambda e: (order.get(e.sheet, -1), e.row))
        if self.errors.items:
            return Dataset()  # refused: the records are not needed
        return Dataset(
            units=tuple(units),
            employees=tuple(employees),
            employments=tuple(employments),
            payments=tuple(payments),
            absences=tuple(absences),
        )

    def unique(self, sheet: str, ids: list[str], column: str) -> None:
        first_rows: dict[str, int] = {}
        for index, item_id in enumerate(ids):
            if not item_id:
                continue
            if item_id in first_rows:
                detail = {"first_row": str(first_rows[item_id])}
                self.late(sheet, index, column, item_id, "duplicate_id", detail)
            else:
                first_rows[item_id] = self.numbers[sheet][index]

    def known(self, sheet: str, ids: Iterable[str], column: str, known: set[str]) -> None:
        problem = "unknown_unit" if column == "unit_id" else "unknown_employee"
        for index, value in enumerate(ids):
            if value and value not in known:
                self.late(sheet, index, column, value, problem)


def _unit(row: _Row) -> Unit:
    return Unit(
        unit_id=row.text("unit_id"),
        unit_name=row.text("unit_name"),
        supervisor_name=row.text("supervisor_name"),
        supervisor_email=row.text("supervisor_email"),
        language=row.code("language", LANGUAGES, "bad_language"),
    )


def _employee(row: _Row) -> Employee:
    return Employee(
        employee_id=row.text("employee_id"),
        last_name=row.text("last_name"),
        first_name=row.text("first_name"),
        unit_id=row.text("unit_id"),
    )


def _employment(row: _Row) -> Employment:
    start = row.date("start_date")
    end = row.optional_date("end_date")
    employment = Employment(
        employment_id=row.text("employment_id"),
        employee_id=row.text("employee_id"),
        unit_id=row.text("unit_id"),
        type=row.code("type", EMPLOYMENT_TYPES, "bad_type"),
        title=row.text("title"),
        start_date=start,
        end_date=end,
        end_reason=row.text("end_reason"),
        part_time_percent=row.convert("part_time_percent", _percent, _HUNDRED),
    )
    if end is not None and start != _EPOCH and end < start:
        row.fail("end_date", "end_before_start", {"start": start.isoformat()})
    return employment


def _payment(row: _Row) -> Payment:
    period_start = row.date("period_start")
    period_end = row.date("period_end")
    payment = Payment(
        employee_id=row.text("employee_id"),
        payment_date=row.date("payment_date"),
        period_start=period_start,
        period_end=period_end,
        income_type=row.text("income_type"),
        amount_cents=row.convert("amount", _cents, 0),
    )
    if _EPOCH not in (period_start, period_end) and period_end < period_start:
        row.fail("period_end", "period_end_before_start", {"start": period_start.isoformat()})
    return payment


def _absence(row: _Row) -> Absence:
    start = row.date("start_date")
    end = row.optional_date("end_date")
    absence = Absence(
        employee_id=row.text("employee_id"),
        start_date=start,
        end_date=end,
        type=row.code("type", ABSENCE_TYPES, "bad_type"),
        paid=row.boolean("paid"),
    )
    if end is not None and start != _EPOCH and end < start:
        row.fail("end_date", "end_before_start", {"start": start.isoformat()})
    return absence


_CONVERTERS: dict[str, Callable[[_Row], object]] = {
    "units": _unit,
    "employees": _employee,
    "employments": _employment,
    "payments": _payment,
    "absences": _absence,
}


def read_export(
    path: Path, mapping: ColumnMapping | None = None, limits: InputLimits | None = None
) -> Dataset:
    """Read an export (.xlsx, a folder of CSV files or a .zip); raise ExportError listing
    every problem found (at most MAX_ERRORS), or LimitExceeded for an input past its limits
    (by default those of the environment, runtime.inputs)."""
    mapping = mapping or ColumnMapping()
    limits = limits or InputLimits.from_env()
    budget = Budget(limits)
    errors = _Errors()
    builder = _Builder(mapping, errors)
    path = Path(path)
    suffix = path.suffix.casefold()
    if path.is_dir():
        read = _read_folder(path, mapping, errors, limits, budget, builder)
    elif not path.is_file():
        errors.add(RowError("", 0, "", "unreadable_file", path.name, {"reason": "not found"}))
        raise ExportError(errors.items)
    elif suffix == ".zip":
        read = _read_zip(path, mapping, errors, limits, budget, builder)
    elif suffix in (".xlsx", ".xlsm"):
        read = _read_workbook(path, mapping, errors, limits, budget, path.name, builder)
    else:
        errors.add(RowError("", 0, "", "unreadable_file", path.name, {"reason": "file type"}))
        raise ExportError(errors.items)
    if not read:
        raise ExportError(errors.items)
    dataset = builder.dataset()
    if errors.items:
        raise ExportError(errors.items)
    return dataset


# --- writing ------------------------------------------------------------------------------


def _rows(dataset: Dataset) -> Iterator[tuple[str, list[list[Cell]]]]:
    """The dataset as the format's sheets: header first; dates as dates, amounts in euros."""

    def euros(cents: int) -> Decimal:
        return Decimal(cents) / 100

    yield (
        "units",
        [
            [u.unit_id, u.unit_name, u.supervisor_name, u.supervisor_email, u.language]
            for u in dataset.units
        ],
    )
    yield (
        "employees",
        [[e.employee_id, e.last_name, e.first_name, e.unit_id] for e in dataset.employees],
    )
    yield (
        "employments",
        [
            [
                e.employment_id,
                e.employee_id,
                e.unit_id,
                e.type,
                e.title,
                e.start_date,
                e.end_date,
                e.end_reason,
                e.part_time_percent,
            ]
            for e in dataset.employments
        ],
    )
    yield (
        "payments",
        [
            [
                p.employee_id,
                p.payment_date,
                p.period_start,
                p.period_end,
                p.income_type,
                euros(p.amount_cents),
            ]
            for p in dataset.payments
        ],
    )
    yield (
        "absences",
        [
            [a.employee_id, a.start_date, a.end_date, a.type, "yes" if a.paid else "no"]
            for a in dataset.absences
        ],
    )


def write_export_xlsx(dataset: Dataset, path: Path) -> None:
    """Write the dataset as an exchange-format workbook (tests, demo, benchmark data)."""
    book = openpyxl.Workbook(write_only=True)
    for sheet, rows in _rows(dataset):
        worksheet = book.create_sheet(sheet)
        worksheet.append(list(COLUMNS[sheet]))
        for row in rows:
            worksheet.append([_literal(worksheet, cell) for cell in row])
    book.save(path)


def _literal(worksheet: Any, value: Cell) -> Cell:
    """Text that starts with "=" written as text: openpyxl would make it a formula (which
    reads back empty, and runs when a person opens the file)."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(worksheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def write_export_csv_folder(dataset: Dataset, folder: Path) -> None:
    """Write the dataset as one UTF-8 CSV file per sheet (`;`, dot decimals, ISO dates)."""
    folder.mkdir(parents=True, exist_ok=True)
    for sheet, rows in _rows(dataset):
        with (folder / f"{sheet}.csv").open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(COLUMNS[sheet])
            writer.writerows([_text(cell) for cell in row] for row in rows)
