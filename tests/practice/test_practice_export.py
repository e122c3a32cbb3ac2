"""The practice system's Excel download: the payroll system's own sheets and columns, readable
by the HR reports robot through the column mapping an administrator stores (columns.py)."""

from __future__ import annotations

import datetime
import io
import time
from pathlib import Path

import openpyxl
import pytest
import requests

from kuntarobo.core.inputs import InputLimits
from kuntarobo.practice.columns import HR_EXCHANGE_MAPPING
from kuntarobo.practice.data import generate_month, generate_units, month_end, month_start
from kuntarobo.practice.export import SHEET_COLUMNS
from kuntarobo.practice.server import PracticeOptions, PracticeServer
from kuntarobo.practice.xlsx import write_workbook
from kuntarobo.robots.hr_reports.early_support import Thresholds, alerts_for_units
from kuntarobo.robots.hr_reports.exchange import ColumnMapping, read_export
from kuntarobo.robots.hr_reports.reports import parse_month, slice_by_unit
from tests.practice.conftest import LAST_MONTH, login

PAYROLL_SHEETS = ["Yksiköt", "Henkilöt", "Palvelussuhteet", "Palkkatapahtumat", "Poissaolot"]


def download(
    session: requests.Session,
    server: PracticeServer,
    report: str = "henkilostoaineisto",
    **query: str,
) -> requests.Response:
    params = {"unit": "all", "month": LAST_MONTH, "report": report, **query}
    response = session.get(server.url + "raportit/lataa/", params=params)
    assert response.status_code == 200, response.text[:500]
    return response


def test_the_download_is_a_workbook_with_the_payroll_systems_sheets_and_columns(
    practice, signed_in
):
    response = download(signed_in, practice)
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="palkka-aineisto-{LAST_MONTH}.xlsx"'
    )
    assert response.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == PAYROLL_SHEETS
    for sheet in PAYROLL_SHEETS:
        header = next(book[sheet].iter_rows(max_row=1, values_only=True))
        assert tuple(header) == SHEET_COLUMNS[sheet]
    units = list(book["Yksiköt"].iter_rows(min_row=2, values_only=True))
    assert [u[0] for u in units] == ["1000", "1001", "1002", "1003"]
    assert {u[4] for u in units} == {"suomi", "ruotsi"}
    assert [u[3] for u in units] == [f"esihenkilo.{u[0]}@esimerkkila.fi" for u in units]
    assert len(list(book["Henkilöt"].iter_rows(min_row=2))) == 40
    codes = {row[3] for row in book["Poissaolot"].iter_rows(min_row=2, values_only=True)}
    assert "SA" in codes
    assert codes <= {"SA", "VL", "PV", "PL", "MU"}
    kinds = {row[3] for row in book["Palvelussuhteet"].iter_rows(min_row=2, values_only=True)}
    assert kinds <= {"VAK", "MÄÄR"}
    assert "VAK" in kinds


def test_a_single_report_downloads_only_its_sheet_and_a_unit_only_its_rows(practice, signed_in):
    response = download(signed_in, practice, report="poissaolot", unit="1001")
    assert 'filename="poissaolot-' in response.headers["Content-Disposition"]
    assert "-1001.xlsx" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["Poissaolot"]
    persons = {row[0] for row in book["Poissaolot"].iter_rows(min_row=2, values_only=True)}
    assert persons
    assert all(10011 <= int(p) <= 10020 for p in persons)


def test_a_month_without_data_has_no_download(practice, signed_in):
    response = signed_in.get(
        practice.url + "raportit/lataa/",
        params={"unit": "all", "month": "1990-01", "report": "henkilostoaineisto"},
    )
    assert response.status_code == 404
    assert "no-data" in response.text


def test_the_mapping_reads_the_download_as_the_hr_exchange_format(practice, signed_in, tmp_path):
    path = tmp_path / f"palkka-aineisto-{LAST_MONTH}.xlsx"
    path.write_bytes(download(signed_in, practice).content)
    mapping = ColumnMapping.from_json(HR_EXCHANGE_MAPPING)
    dataset = read_export(path, mapping, InputLimits())  # the limits robot.read passes
    assert len(dataset.units) == 4
    assert len(dataset.employees) == 40
    assert {u.language for u in dataset.units} == {"fi", "sv"}
    assert {e.type for e in dataset.employments} <= {"permanent", "fixed_term"}
    assert "sickness" in {a.type for a in dataset.absences}
    first, last = month_start(LAST_MONTH), month_end(LAST_MONTH)
    paid = [p for p in dataset.payments if first <= p.payment_date <= last]
    assert {p.employee_id for p in paid} >= {e.employee_id for e in dataset.employees} - {
        e.employee_id for e in dataset.employments if e.start_date > last
    }
    slices = slice_by_unit(
        dataset, year=parse_month(LAST_MONTH)[0], month=parse_month(LAST_MONTH)[1]
    )
    assert sorted(slices.employees) == ["1000", "1001", "1002", "1003"]
    assert slices.previous_month_in_export


def test_the_hr_robots_early_support_rules_fire_on_the_downloaded_month(
    practice, signed_in, tmp_path
):
    path = tmp_path / "export.xlsx"
    path.write_bytes(download(signed_in, practice).content)
    dataset = read_export(path, ColumnMapping.from_json(HR_EXCHANGE_MAPPING), InputLimits())
    year, month = parse_month(LAST_MONTH)
    alerts = alerts_for_units(
        dataset, year=year, month=month, thresholds=Thresholds(), today=datetime.date.today()
    )
    rules = {alert.rule for unit_alerts in alerts.values() for alert in unit_alerts}
    assert "discussion" in rules  # repeated short sick leaves
    assert "thirty_day_rule" in rules  # a long sick leave going on


def test_the_mapping_is_accepted_as_stored_json(tmp_path: Path):
    import json

    stored = json.loads(json.dumps(HR_EXCHANGE_MAPPING))
    assert ColumnMapping.from_json(stored).to_json() == stored


def test_some_employees_have_enough_sickness_for_early_support_and_employments_change():
    data = generate_month(LAST_MONTH, 30, 10)
    sick_spells: dict[str, int] = {}
    for absence in data.absences:
        if absence.code == "SA":
            sick_spells[absence.person_number] = sick_spells.get(absence.person_number, 0) + 1
    assert any(spells >= 5 for spells in sick_spells.values())
    assert any(a.code == "SA" and a.end is None for a in data.absences)
    first, last = data.first_day, data.last_day
    assert any(first <= e.start <= last for e in data.employments)
    assert any(e.end is not None and first <= e.end <= last for e in data.employments)


def test_the_data_is_the_same_every_time_and_the_people_stay_from_month_to_month():
    generate_month.cache_clear()
    once = generate_month(LAST_MONTH, 6, 10, 7)
    generate_month.cache_clear()
    assert generate_month(LAST_MONTH, 6, 10, 7) == once
    earlier = generate_month("2025-03", 6, 10, 7)
    assert [p.name for p in earlier.persons] == [p.name for p in once.persons]
    assert generate_month(LAST_MONTH, 6, 10, 8).persons != once.persons
    assert generate_units(6, 7) == once.units


def test_a_month_of_three_hundred_units_is_generated_quickly():
    generate_month.cache_clear()
    started = time.perf_counter()
    data = generate_month("2026-05", 300, 10)
    elapsed = time.perf_counter() - started
    assert len(data.persons) == 3000
    assert elapsed < 2.0, elapsed


@pytest.mark.slow
def test_a_large_download_reads_back_with_every_unit_and_employee(tmp_path):
    server = PracticeServer(PracticeOptions(units=300))
    server.start()
    try:
        session = login(server).session
        path = tmp_path / "large.xlsx"
        path.write_bytes(download(session, server).content)
    finally:
        server.stop()
    dataset = read_export(path, ColumnMapping.from_json(HR_EXCHANGE_MAPPING), InputLimits())
    assert len(dataset.units) == 300
    assert len(dataset.employees) == 3000
    assert all(isinstance(p.payment_date, datetime.date) for p in dataset.payments[:10])


def test_the_workbook_writer_keeps_texts_as_texts_and_dates_as_dates(tmp_path):
    header = [f"Sarake {n}" for n in range(30)]  # past column Z
    texts = ["=SUM(A1:A2)", "  välilyönnit ", 'A & B <C> "D"', "Åke", None]
    path = tmp_path / "writer.xlsx"
    path.write_bytes(
        write_workbook(
            [
                ("Ä & Ö", header, [[*texts, datetime.date(2026, 2, 28), 12.5, 7]]),
                ("Tyhjä", ["Yksi"], []),
            ]
        )
    )
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Ä & Ö", "Tyhjä"]
    sheet = book["Ä & Ö"]
    assert [c.value for c in sheet[1]] == header
    row = [c.value for c in sheet[2]][:8]
    assert row == [*texts, datetime.datetime(2026, 2, 28), 12.5, 7]
    assert sheet["A2"].data_type == "s"  # never a formula
    assert sheet["AD1"].value == "Sarake 29"
    assert book["Tyhjä"].max_row == 1
