"""Hostile invoice files through the API's run path: a refusal naming the file, the row and the
column (400) or a run, never a 500 or a traceback."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from hypothesis import event, given, settings
from hypothesis import strategies as st

from kuntarobo.accounts.models import Municipality, Role
from kuntarobo.robots.invoice_check.rules import INVOICE_COLUMNS
from tests.factories import MunicipalityFactory, user_with_role
from tests.robots.fuzz_helpers import FUZZ, run_command, submit_upload, token_client

pytestmark = pytest.mark.django_db

VALID = {
    "invoice_id": "INV-1",
    "supplier_name": "Kuntatekniikka Oy",
    "business_id": "0737546-2",
    "iban": "FI2112345600000785",
    "reference": "13",
    "amount": "125,00",
    "invoice_date": "2030-01-02",
    "due_date": "2030-01-15",
    "purchase_order": "PO-1",
}
HOSTILE = st.one_of(
    st.sampled_from(
        [
            "9999-12-31",
            "0001-01-01",
            "2030-02-30",
            "NaN",
            "Infinity",
            "1e999",
            "9" * 5000,
            "-0,00",
            "99999999999,99",
            "",
            '"',
            "\x00",
        ]
    ),
    st.text(max_size=40),
)


def csv_bytes(rows: list[dict[str, str]], delimiter: str = ";") -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerow(INVOICE_COLUMNS)
    for row in rows:
        writer.writerow([row[column] for column in INVOICE_COLUMNS])
    return text.getvalue().encode("utf-8", "surrogatepass")


@pytest.fixture
def client():
    return token_client(MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä"))


def test_the_unchanged_file_is_accepted(client):
    outcome = submit_upload(client, "esimerkkila", "invoice_check", "i.csv", csv_bytes([VALID]))
    assert outcome.status == "accepted"


@given(
    changes=st.lists(st.tuples(st.sampled_from(INVOICE_COLUMNS), HOSTILE), min_size=1, max_size=4),
    delimiter=st.sampled_from([";", ","]),
)
@FUZZ
def test_hostile_invoice_files_through_the_api_are_refused_by_name_or_run(
    client, changes, delimiter
):
    row = dict(VALID)
    row["invoice_id"] = f"INV-{abs(hash(tuple(changes))) % 10**9}"
    for column, value in changes:
        row[column] = value
    outcome = submit_upload(
        client, "esimerkkila", "invoice_check", "invoices.csv", csv_bytes([row], delimiter)
    )
    event(outcome.status)
    if outcome.status == "refused":
        assert outcome.field == "file", outcome
        assert "invoices.csv" in outcome.message, outcome


@given(content=st.binary(max_size=300))
@FUZZ
def test_arbitrary_bytes_as_an_invoice_file_are_refused_or_run(client, content):
    outcome = submit_upload(client, "esimerkkila", "invoice_check", "invoices.csv", content)
    event(outcome.status)
    if outcome.status == "refused":
        assert outcome.field == "file", outcome


@pytest.mark.parametrize("column", ["invoice_date", "due_date"])
def test_a_date_in_the_year_9999_is_refused_naming_the_row_and_column(client, column):
    """9999-12-31 overflowed the next working day's arithmetic (OverflowError, a 500)."""
    row = dict(VALID, **{column: "9999-12-31"})
    outcome = submit_upload(client, "esimerkkila", "invoice_check", "i.csv", csv_bytes([row]))
    assert outcome.status == "refused"
    assert f"row 2: column '{column}'" in outcome.message
    assert "1900–2200" in outcome.message


def test_an_overlong_invoice_id_is_refused_naming_the_row_and_column(client):
    """It became a work item reference over 200 characters: a 400 that named no field."""
    row = dict(VALID, invoice_id="9" * 5000)
    outcome = submit_upload(client, "esimerkkila", "invoice_check", "i.csv", csv_bytes([row]))
    assert outcome.status == "refused"
    assert outcome.field == "file"
    assert "row 2: column 'invoice_id' is longer than 100 characters" in outcome.message


def test_a_nul_byte_is_refused_naming_the_line(client):
    """PostgreSQL cannot store a NUL in a payload: it was a DataError, a 500 (found by the fuzz
    on PostgreSQL)."""
    row = dict(VALID, supplier_name="Kuntatekniikka\x00 Oy")
    outcome = submit_upload(client, "esimerkkila", "invoice_check", "i.csv", csv_bytes([row]))
    assert outcome.status == "refused"
    assert "line 2" in outcome.message
    assert "NUL" in outcome.message


@given(
    changes=st.lists(st.tuples(st.sampled_from(INVOICE_COLUMNS), HOSTILE), min_size=1, max_size=3)
)
@settings(FUZZ, max_examples=60)
def test_hostile_invoice_files_through_the_cli_exit_2_or_run(client, tmp_path_factory, changes):
    user = "kehittaja"
    if not get_user_model().objects.filter(username=user).exists():
        user_with_role(Role.DEVELOPER, Municipality.objects.get(slug="esimerkkila"), username=user)
    row = dict(VALID, invoice_id=f"INV-CLI-{abs(hash(tuple(changes))) % 10**9}")
    for column, value in changes:
        row[column] = value
    path = tmp_path_factory.mktemp("cli") / "invoices.csv"
    path.write_bytes(csv_bytes([row]))
    outcome = run_command(
        "robots", "run", "invoice_check", "--municipality", "esimerkkila", "--input", str(path),
        "--user", user,
    )  # fmt: skip
    event(outcome.status)
    if outcome.status == "refused":
        assert "invoices.csv" in outcome.message, outcome
