"""The .xlsx reader (python-calamine) gives the dataset openpyxl gave: percentages from the
cells' formats (built-in and custom), whole numbers as integers, dates, empty cells."""

from __future__ import annotations

import datetime
from decimal import Decimal

import openpyxl

from kuntarobo.demo.data import hr_dataset
from kuntarobo.robots.hr_reports.exchange import (
    COLUMNS,
    ColumnMapping,
    read_export,
    write_export_csv_folder,
    write_export_xlsx,
)


def test_a_generated_export_reads_back_identically_from_xlsx_and_from_csv(tmp_path):
    data = hr_dataset(year=2026, month=10, units=12, employees=300, unit_without_email=None)
    write_export_xlsx(data, tmp_path / "export.xlsx")
    write_export_csv_folder(data, tmp_path / "csv")
    assert read_export(tmp_path / "export.xlsx") == data
    assert read_export(tmp_path / "csv") == data


def test_percent_cells_are_found_by_their_format_in_a_renamed_sheet(tmp_path):
    mapping = ColumnMapping(sheets={"employments": "Palvelussuhteet"})
    book = openpyxl.Workbook()
    book.remove(book.active)
    rows = {
        "units": [["U1", "Koulu", "Rehtori", "r@kunta.fi", "fi"]],
        "employees": [[1001, "Virtanen", "Aino", "U1"], [1002, "Lahti", "Eino", "U1"]],
        "Palvelussuhteet": [
            ["T1", 1001, "U1", "permanent", None, datetime.date(2020, 1, 1), None, None, 0.755],
            ["T2", 1002, "U1", "permanent", None, datetime.date(2021, 1, 1), None, None, 60],
            ["T3", 1002, "U1", "fixed_term", None, datetime.date(2022, 1, 1), None, None, 1],
        ],
        "payments": [],
        "absences": [],
    }
    for sheet, values in rows.items():
        worksheet = book.create_sheet(sheet)
        ours = "employments" if sheet == "Palvelussuhteet" else sheet
        worksheet.append(list(COLUMNS[ours]))
        for row in values:
            worksheet.append(row)
    sheet = book["Palvelussuhteet"]
    sheet["I2"].number_format = "0.0%"  # custom: 75.5 %
    sheet["I4"].number_format = "0%"  # built-in: 100 %; I3 (60) is a plain number
    book.save(tmp_path / "typed.xlsx")
    data = read_export(tmp_path / "typed.xlsx", mapping)
    assert [e.part_time_percent for e in data.employments] == [
        Decimal("75.5"),
        Decimal(60),
        Decimal(100),
    ]
    assert [e.employee_id for e in data.employments] == ["1001", "1002", "1002"]
    assert [e.end_date for e in data.employments] == [None, None, None]
    assert data.employments[0].title == ""
