"""The export is turned into the dataset as its rows stream: the same dataset and the same
problems as a reader that held every row first, repeated values shared, and the CLI's folder
input limited to regular files."""

from __future__ import annotations

import datetime
import os
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from kuntarobo.demo.data import hr_dataset
from kuntarobo.robots.hr_reports.dataset import ExportError, RowError
from kuntarobo.robots.hr_reports.exchange import (
    COLUMNS,
    MAX_ERRORS,
    read_export,
    write_export_xlsx,
)

HEADERS = {sheet: ";".join(columns) for sheet, columns in COLUMNS.items()}
GOOD_ROWS = {
    "units": ["U1;Päiväkoti;Maija;maija@kunta.fi;fi"],
    "employees": ["E1;Virtanen;Aino;U1", "E2;Lahti;Eino;U1"],
    "employments": ["T1;E1;U1;permanent;opettaja;2020-01-01;;;"],
    "payments": [
        "E1;2025-04-15;2025-04-01;2025-04-30;101;1 234,50",
        "E2;2025-04-15;2025-04-01;2025-04-30;101;2 000,00",
        "E1;2025-05-15;2025-05-01;2025-05-31;101;1 234,50",
    ],
    "absences": ["E1;2025-04-01;2025-04-03;sickness;kyllä"],
}


def write_folder(folder: Path, rows: dict[str, list[str]]) -> Path:
    folder.mkdir(exist_ok=True)
    for sheet in COLUMNS:
        lines = [HEADERS[sheet], *rows.get(sheet, GOOD_ROWS[sheet])]
        (folder / f"{sheet}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def errors_of(path: Path) -> list[RowError]:
    with pytest.raises(ExportError) as caught:
        read_export(path)
    return caught.value.errors


def test_repeated_ids_codes_and_dates_are_one_object_each_across_rows(tmp_path):
    data = read_export(write_folder(tmp_path / "export", {}))
    first, second, third = data.payments
    assert first.employee_id == third.employee_id == data.employees[0].employee_id
    assert first.employee_id is third.employee_id is data.employees[0].employee_id
    assert first.payment_date is second.payment_date
    assert first.income_type is second.income_type is third.income_type
    assert data.absences[0].type == "sickness"


def test_a_file_undecodable_halfway_leaves_its_reading_problem_and_no_row_problems(tmp_path):
    folder = write_folder(tmp_path / "export", {})
    lines = [HEADERS["payments"], "E1;not a date;2025-04-01;2025-04-30;101;x", "E1;2025-04-15"]
    (folder / "payments.csv").write_bytes(
        ("\n".join(lines) + "\n").encode() + "E2;Ääliö\n".encode("cp1252")
    )
    (error,) = errors_of(folder)
    assert (error.sheet, error.row, error.problem) == ("payments", 4, "bad_encoding")


def test_a_sheet_of_bad_rows_does_not_push_a_later_missing_column_out_of_the_list(tmp_path):
    bad_units = [f"U{i};Yksikkö;;;klingon" for i in range(MAX_ERRORS + 50)]
    folder = write_folder(tmp_path / "export", {"units": bad_units})
    (folder / "absences.csv").write_text("employee_id;start_date;end_date;type\n")
    errors = errors_of(folder)
    assert len(errors) == MAX_ERRORS
    assert ("absences", 1, "paid", "missing_column") in [
        (e.sheet, e.row, e.column, e.problem) for e in errors
    ]
    assert errors[0].problem == "bad_language"


def test_a_long_duplicate_id_is_shown_whole_in_its_duplicate_problem(tmp_path):
    long_id = "E" * 80
    employees = [f"{long_id};Virtanen;Aino;U1", f"{long_id};Lahti;Eino;U1"]
    errors = errors_of(write_folder(tmp_path / "export", {"employees": employees}))
    duplicate = next(e for e in errors if e.problem == "duplicate_id")
    assert (duplicate.row, duplicate.value) == (3, long_id)
    assert {e.problem for e in errors if e.sheet == "employees"} == {"too_long", "duplicate_id"}


def test_a_workbook_table_that_starts_in_a_later_column_keeps_its_percentages(tmp_path):
    """calamine's row iterator starts at the first used column: the percentage formats are
    looked up by the sheet's own column numbers all the same."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    rows = {
        "units": [["U1", "Koulu", "Rehtori", "r@kunta.fi", "fi"]],
        "employees": [["E1", "Virtanen", "Aino", "U1"]],
        "employments": [
            ["T1", "E1", "U1", "permanent", None, datetime.date(2020, 1, 1), None, None, 0.8]
        ],
        "payments": [],
        "absences": [],
    }
    for sheet, values in rows.items():
        worksheet = book.create_sheet(sheet)
        offset = 3 if sheet == "employments" else 0  # the table starts in column D
        for r, row in enumerate([list(COLUMNS[sheet]), *values], start=1):
            for c, value in enumerate(row, start=1 + offset):
                worksheet.cell(r, c, value)
    book["employments"]["L2"].number_format = "0%"
    book.save(tmp_path / "shifted.xlsx")
    data = read_export(tmp_path / "shifted.xlsx")
    assert [e.part_time_percent for e in data.employments] == [Decimal(80)]
    assert data.employments[0].start_date == datetime.date(2020, 1, 1)


def test_the_folder_input_reads_no_symlink_even_to_a_valid_sheet(tmp_path):
    folder = write_folder(tmp_path / "export", {})
    elsewhere = tmp_path / "elsewhere.csv"
    (folder / "units.csv").rename(elsewhere)
    os.symlink(elsewhere, folder / "units.csv")
    assert [(e.sheet, e.problem) for e in errors_of(folder)] == [("units", "missing_sheet")]
    (folder / "units.csv").unlink()
    os.mkdir(folder / "units.csv")  # a folder by the name is not a sheet either
    assert [(e.sheet, e.problem) for e in errors_of(folder)] == [("units", "missing_sheet")]


def test_a_workbook_inside_a_zip_is_streamed_to_a_temporary_file_that_is_removed(
    tmp_path, monkeypatch
):
    """Not read whole into memory (a member may be up to the member limit), and not left
    behind on the disk, whether the workbook reads or not."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    data = hr_dataset(year=2026, month=10, units=3, employees=20, unit_without_email=None)
    write_export_xlsx(data, tmp_path / "export.xlsx")
    with zipfile.ZipFile(tmp_path / "export.zip", "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.write(tmp_path / "export.xlsx", "Populus export.xlsx")
    assert read_export(tmp_path / "export.zip") == data
    assert list(temporary.iterdir()) == []
    with zipfile.ZipFile(tmp_path / "broken.zip", "w") as zipped:
        zipped.writestr("export.xlsx", b"not a workbook")
    assert [e.problem for e in errors_of(tmp_path / "broken.zip")] == ["unreadable_file"]
    assert list(temporary.iterdir()) == []
