"""Names that look like formulas come out of every CSV and workbook export as text: the audit
CSV (web, API, command line) and the HR workbooks (OWASP CSV injection)."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from kuntarobo.accounts.models import Role
from kuntarobo.api.models import ApiToken
from kuntarobo.audit.export import export_events
from kuntarobo.audit.models import AuditEvent
from kuntarobo.audit.trail import record
from kuntarobo.core.spreadsheet_safety import escape_cell, escape_row, escape_text
from kuntarobo.robots.hr_reports.dataset import Payment
from kuntarobo.robots.hr_reports.reports import build_report, summary_row
from kuntarobo.robots.hr_reports.workbooks import summary_workbook, unit_workbook
from tests.factories import MunicipalityFactory, user_with_role
from tests.robots.hr_reports.test_reports import TODAY, dataset

HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-cmd", "@SUM(1)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_could_start_a_formula_gets_a_quote_before_it(text):
    assert escape_text(text) == "'" + text


def test_ordinary_text_and_numbers_are_left_as_they_are():
    assert escape_row(["Aalto Anna", "", "a=b", -5, 12.5, None]) == [
        "Aalto Anna",
        "",
        "a=b",
        -5,
        12.5,
        None,
    ]
    assert escape_cell("'quoted") == "'quoted"


# --- the audit CSV -----------------------------------------------------------------------


@pytest.fixture
def hostile_events(db):
    """Events by actors and on objects named like formulas, as people could name them."""
    home = MunicipalityFactory(slug="esimerkkila")
    administrator = user_with_role(Role.ADMINISTRATOR, home, username="paakayttaja")
    for text in HOSTILE:
        record("item.reject", actor=text, municipality=home, details={"note": text})
    # People name themselves: the actor label is "first last (username)".
    for number, name in enumerate(("+1", "-cmd", "@SUM(1)")):
        person = user_with_role(
            Role.VIEWER, home, username=f"user{number}", first_name=name, last_name=""
        )
        record("run.start", actor=person, municipality=home)
    return administrator


def assert_escaped(text: str) -> int:
    rows = list(csv.DictReader(io.StringIO(text)))
    actors = {row["actor"] for row in rows}
    assert {"'" + t for t in HOSTILE} <= actors
    for name in ("'+1 (user0)", "'-cmd (user1)", "'@SUM(1) (user2)"):
        assert name in actors
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (column, cell)
    return len(rows)


def test_the_audit_export_function_escapes_every_text_cell(hostile_events):
    assert assert_escaped("".join(export_events(AuditEvent.objects.order_by("pk"), "csv"))) >= 9


def test_the_web_audit_csv_escapes_formula_names(hostile_events):
    client = Client()
    client.force_login(hostile_events)
    response = client.get(reverse("audit_export", args=["csv"]))
    assert assert_escaped(b"".join(response.streaming_content).decode()) >= 9


def test_the_api_audit_csv_escapes_formula_names(hostile_events):
    _token, secret = ApiToken.issue(hostile_events, "export")
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    response = client.get(reverse("api:audit-export"), {"format": "csv"})
    assert response.status_code == 200
    assert assert_escaped(b"".join(response.streaming_content).decode()) >= 9


def test_the_command_line_audit_csv_escapes_formula_names(hostile_events, tmp_path):
    target = tmp_path / "audit.csv"
    call_command("audit", "export", "--format", "csv", "--output", str(target))
    with target.open(encoding="utf-8", newline="") as handle:  # a quoted \r kept as it is
        assert assert_escaped(handle.read()) >= 9


def test_the_json_lines_export_keeps_names_exactly(hostile_events):
    text = "".join(export_events(AuditEvent.objects.order_by("pk"), "jsonl"))
    assert '"actor": "=HYPERLINK(\\"http://x\\",\\"y\\")"' in text


# --- the HR workbooks --------------------------------------------------------------------


def hostile_dataset():
    """The test export with people, a title, a unit and an income type named like formulas."""
    base = dataset()
    names = iter(HOSTILE)
    employees = tuple(
        dataclasses.replace(e, last_name=next(names)) if e.unit_id == "U1" else e
        for e in base.employees
    )
    employments = tuple(
        dataclasses.replace(e, title="@SUM(1)") if e.unit_id == "U1" else e
        for e in base.employments
    )
    unit = dataclasses.replace(base.units[0], unit_name='=HYPERLINK("http://x","y")')
    january = datetime.date(2026, 1, 15)
    payments = (
        *base.payments,
        Payment("E1", january, january.replace(day=1), january, "=1+1", -500),
    )
    data = dataclasses.replace(
        base,
        units=(unit, *base.units[1:]),
        employees=employees,
        employments=employments,
        payments=payments,
    )
    return data, unit


def cells(workbook: bytes):
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from (cell for cell in row if cell.value is not None)


def assert_no_formula_and_names_kept(workbook: bytes, expected: set[str]) -> None:
    found = {}
    for cell in cells(workbook):
        assert cell.data_type != "f", (cell.coordinate, cell.value)
        if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@", "\t", "\r")):
            assert cell.data_type == "s"
            assert cell.quotePrefix, (cell.coordinate, cell.value)  # stays text when edited
            found[cell.value] = cell
    for text in expected:
        assert any(text in value for value in found), text


def test_the_supervisors_workbook_writes_formula_names_as_text(tmp_path):
    data, unit = hostile_dataset()
    report = build_report(
        unit, data, year=2026, month=1, previous_month_in_export=True, today=TODAY
    )
    for workbook in (unit_workbook(report), None):
        if workbook is None:  # the constant-memory file variant too
            unit_workbook(report, tmp_path / "u1.xlsx")
            workbook = (tmp_path / "u1.xlsx").read_bytes()
        assert_no_formula_and_names_kept(workbook, {"=HYPERLINK", "+1", "-cmd", "@SUM(1)", "=1+1"})
        # the negative payment stays a number
        numbers = [c.value for c in cells(workbook) if c.data_type == "n"]
        assert -5.0 in numbers


def test_hrs_summary_workbook_writes_a_formula_unit_name_as_text():
    data, unit = hostile_dataset()
    report = build_report(
        unit, data, year=2026, month=1, previous_month_in_export=True, today=TODAY
    )
    workbook = summary_workbook([summary_row(report)], "1/2026")
    assert_no_formula_and_names_kept(workbook, {'=HYPERLINK("http://x","y")'})
