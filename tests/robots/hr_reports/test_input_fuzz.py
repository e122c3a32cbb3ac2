"""Hostile HR exports (a .zip of CSV files, an .xlsx) and months through the API's run path: a
refusal naming the file or the parameter (400) or a run, never a 500 or a traceback."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import openpyxl
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from kuntarobo.robots.hr_reports.exchange import COLUMNS, _rows, _text
from kuntarobo.runtime.models import Run, RunStatus, WorkItem
from tests.factories import MunicipalityFactory
from tests.robots.fuzz_helpers import FUZZ, submit_upload, token_client
from tests.robots.hr_reports.test_exchange import SAMPLE

pytestmark = pytest.mark.django_db

MONTH = json.dumps({"month": "2025-04"})
BASE = {sheet: [[_text(cell) for cell in row] for row in rows] for sheet, rows in _rows(SAMPLE)}
HOSTILE = st.one_of(
    st.sampled_from(
        [
            "9999-12-31",
            "0000-01-01",
            "0001-01-01",
            "2025-02-30",
            "NaN",
            "inf",
            "-1e400",
            "1" * 400,
            "12,345.67",
            "150 %",
            "0%",
            "=HYPERLINK(1)",
            "",
            "\x00",
            "x" * 3000,
            '"',
        ]
    ),
    st.text(max_size=40),
)
CELL = st.tuples(
    st.sampled_from(sorted(BASE)), st.integers(min_value=0, max_value=3), st.integers(0, 9)
)


def mutated(changes: list[tuple[tuple[str, int, int], str]]) -> dict[str, list[list[str]]]:
    tables = {sheet: [list(row) for row in rows] for sheet, rows in BASE.items()}
    for (sheet, row, column), value in changes:
        rows = tables[sheet]
        if not rows:
            continue
        cells = rows[row % len(rows)]
        cells[column % len(cells)] = value
    return tables


def zipped(tables: dict[str, list[list[str]]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for sheet, rows in tables.items():
            text = io.StringIO()
            writer = csv.writer(text, delimiter=";")
            writer.writerow(COLUMNS[sheet])
            writer.writerows(rows)
            archive.writestr(f"{sheet}.csv", text.getvalue().encode("utf-8", "surrogatepass"))
    return buffer.getvalue()


def workbook(tables: dict[str, list[list[str]]]) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    for sheet, rows in tables.items():
        worksheet = book.create_sheet(sheet)
        worksheet.append(list(COLUMNS[sheet]))
        for row in rows:
            worksheet.append([openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE.sub("", c) for c in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def client():
    return token_client(MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä"))


def test_the_unchanged_export_is_accepted(client):
    """The fuzz's base is valid: what the fuzz refuses, its mutation caused."""
    assert submit_upload(
        client, "esimerkkila", "hr_reports", "x.zip", zipped(BASE), MONTH
    ).status == ("accepted")


@given(changes=st.lists(st.tuples(CELL, HOSTILE), min_size=1, max_size=4))
@FUZZ
def test_hostile_csv_exports_through_the_api_are_refused_by_name_or_run(client, changes):
    outcome = submit_upload(
        client, "esimerkkila", "hr_reports", "export.zip", zipped(mutated(changes)), MONTH
    )
    event(outcome.status)
    if outcome.status == "refused":
        assert outcome.field == "file", outcome
        assert "export.zip" in outcome.message, outcome


@given(changes=st.lists(st.tuples(CELL, HOSTILE), min_size=1, max_size=3))
@settings(FUZZ, max_examples=40)
def test_hostile_xlsx_exports_through_the_api_are_refused_by_name_or_run(client, changes):
    outcome = submit_upload(
        client, "esimerkkila", "hr_reports", "export.xlsx", workbook(mutated(changes)), MONTH
    )
    event(outcome.status)
    if outcome.status == "refused":
        assert outcome.field == "file", outcome
        assert "export.xlsx" in outcome.message, outcome


@given(content=st.binary(max_size=400))
@settings(FUZZ, max_examples=60)
def test_arbitrary_bytes_named_zip_or_xlsx_are_refused_as_unreadable(client, content):
    for name in ("export.zip", "export.xlsx"):
        outcome = submit_upload(client, "esimerkkila", "hr_reports", name, content, MONTH)
        event(outcome.status)
        assert outcome.status == "refused", outcome
        assert outcome.field == "file", outcome


@pytest.mark.parametrize("month", ["0000-01", "9999-12", "1899-12", "2025-13", "2025-00"])
def test_a_month_outside_the_years_is_refused_naming_the_parameter(client, month):
    """0000-01 and 9999-12 were accepted and then failed with a ValueError (a 500)."""
    outcome = submit_upload(
        client, "esimerkkila", "hr_reports", "x.zip", zipped(BASE), json.dumps({"month": month})
    )
    assert outcome.status == "refused"
    assert outcome.field == "parameters.month", outcome
    assert "YYYY-MM" in outcome.message
    assert not Run.objects.exists()


def test_the_zip_bomb_through_the_api_is_refused_naming_the_member_and_the_limit(client, tmp_path):
    from tests.core.test_inputs import bomb

    content = bomb(tmp_path / "export.zip").read_bytes()
    outcome = submit_upload(client, "esimerkkila", "hr_reports", "export.zip", content, MONTH)
    assert outcome.status == "refused"
    assert "units.csv" in outcome.message
    assert "50 000 rows" in outcome.message
    # The run stays as the record of the refusal; nothing was read into it.
    assert not Run.objects.exclude(status=RunStatus.REFUSED).exists()
    assert not WorkItem.objects.exists()


def test_an_overlong_unit_id_is_refused_naming_the_cell(client):
    """It became a work item reference over 200 characters: a 400 that named no field."""
    tables = mutated([(("units", 0, 0), "U" * 300), (("employees", 0, 3), "U" * 300)])
    outcome = submit_upload(
        client, "esimerkkila", "hr_reports", "export.zip", zipped(tables), MONTH
    )
    assert outcome.status == "refused"
    assert outcome.field == "file"
    assert "sheet units, row 2, column 'unit_id'" in outcome.message
    assert len(outcome.message) < 2000


@pytest.mark.parametrize(
    ("month", "content_kind"),
    [("0000-01", "valid"), ("9999-12", "valid"), ("2025-04", "bomb"), ("2025-04", "bytes")],
)
def test_the_cli_exits_2_naming_the_problem_for_bad_months_and_bombs(
    client, tmp_path, month, content_kind
):
    from tests.core.test_inputs import bomb
    from tests.robots.fuzz_helpers import run_command

    path = tmp_path / "export.zip"
    if content_kind == "valid":
        path.write_bytes(zipped(BASE))
    elif content_kind == "bomb":
        bomb(path)
    else:
        path.write_bytes(b"PK\x03\x04 not really a zip")
    outcome = run_command(
        "hr-reports", "run", "--input", str(path), "--month", month, "--municipality", "esimerkkila"
    )
    assert outcome.status == "refused"
    expected = {"valid": "month", "bomb": "units.csv", "bytes": "export.zip"}[content_kind]
    assert expected in outcome.message
    assert not Run.objects.exists()
