"""The supervisor's workbook opens in a spreadsheet, in the unit's language, with the figures."""

from __future__ import annotations

import dataclasses
import datetime
import io

import openpyxl
import pytest

from kuntarobo.robots.hr_reports.reports import build_report, summary_row
from kuntarobo.robots.hr_reports.workbooks import (
    DATE_FORMAT,
    EURO_FORMAT,
    LABELS,
    summary_workbook,
    unit_workbook,
)
from tests.robots.hr_reports.test_reports import OTHER, TODAY, UNIT, dataset


def report(unit=UNIT):
    return build_report(
        unit, dataset(), year=2026, month=1, previous_month_in_export=True, today=TODAY
    )


def test_every_language_has_every_label():
    assert set(LABELS["fi"]) == set(LABELS["sv"]) == set(LABELS["en"])
    for key in LABELS["fi"]:
        assert LABELS["sv"][key] != LABELS["fi"][key] or key in {"unit_id"}, key


@pytest.mark.parametrize(
    ("language", "sheets"),
    [
        ("fi", ["Poissaolot", "Palkat", "Palvelussuhteet", "Varhainen tuki"]),
        ("sv", ["Frånvaro", "Löner", "Anställningar", "Tidigt stöd"]),
        ("en", ["Absences", "Salaries", "Employments", "Early support"]),
    ],
)
def test_the_workbook_is_in_the_units_language(language, sheets):
    unit = dataclasses.replace(UNIT, language=language)
    book = openpyxl.load_workbook(io.BytesIO(unit_workbook(report(unit))))
    assert book.sheetnames == sheets
    assert book[sheets[0]]["B1"].value == LABELS[language]["name"]


def test_the_workbook_holds_the_figures_with_euro_and_date_formats(tmp_path):
    target = tmp_path / "u1.xlsx"
    assert unit_workbook(report(), target) is None  # written to a file in constant memory
    book = openpyxl.load_workbook(target)
    absences = book["Poissaolot"]
    assert absences.freeze_panes == "A2"
    assert absences.auto_filter.ref.startswith("A1:H")
    assert absences["A1"].font.b
    days = [absences.cell(row, 7).value for row in range(2, 7)]
    assert days == [5, 3, 6, 3, 2]  # Aalto Anna, Aalto Pekka ×3 (two overlap), Virtanen
    assert absences.cell(8, 7).value == 17  # the total row counts an overlapped day once
    assert absences.cell(2, 5).number_format == DATE_FORMAT
    assert absences.cell(2, 5).value == datetime.datetime(2026, 1, 10)

    salaries = book["Palkat"]
    headers = [c.value for c in salaries[1]]
    total_column = headers.index("Yhteensä") + 1
    totals = [salaries.cell(row, total_column).value for row in range(2, 5)]
    assert totals == [1500.5, 3123.45, 2500.0]
    assert salaries.cell(6, total_column).value == pytest.approx(7123.95)
    assert salaries.cell(2, total_column).number_format == EURO_FORMAT
    assert headers[2:4] == ["iltatyölisä", "aikapalkka"]  # income types in the unit's language
    assert salaries.cell(6, headers.index("Muutos %") + 1).value == pytest.approx(31.9)

    employments = book["Palvelussuhteet"]
    assert employments["C2"].value == "alkanut"
    assert employments["C3"].value == "päättynyt"


def test_the_hr_summary_has_a_row_per_unit_and_totals():
    rows = [summary_row(report()), summary_row(report(OTHER))]
    book = openpyxl.load_workbook(io.BytesIO(summary_workbook(rows, "2026-01", "fi")))
    sheet = book["Yhteenveto"]
    assert [sheet.cell(r, 1).value for r in (2, 3)] == ["U1", "U2"]
    assert sheet["C2"].value == 3
    assert sheet["D2"].value == 12  # sickness days of U1
    assert sheet["D3"].value == 31  # sickness days of U2
    assert sheet.cell(5, 3).value == 4  # headcount total
    salaries_column = 3 + 5 + 1
    assert sheet.cell(2, salaries_column).value == pytest.approx(7123.95)
    assert sheet.cell(3, salaries_column).value == pytest.approx(7777.77)
