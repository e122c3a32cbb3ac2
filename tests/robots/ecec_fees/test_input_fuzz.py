"""Hostile family files through the API's and the CLI's run path: a refusal naming the field
(400 / exit 2) or a run, never a 500 or a traceback (the review's fuzz found both)."""

from __future__ import annotations

import copy
import json

import pytest
from django.contrib.auth import get_user_model
from hypothesis import event, given
from hypothesis import strategies as st

from kuntarobo.accounts.models import Role
from kuntarobo.runtime.models import Run, RunStatus, WorkItem
from tests.factories import MunicipalityFactory, user_with_role
from tests.robots.ecec_fees.helpers import PERIOD, configure, family, write_families
from tests.robots.fuzz_helpers import FUZZ, run_command, submit_upload, token_client

pytestmark = pytest.mark.django_db

PATHS = (
    ("size",),
    ("period_start",),
    ("language",),
    ("family_id",),
    ("accepts_max_fee",),
    ("guardians",),
    ("guardians", 0, "address", "postal_code"),
    ("incomes", 0, "amount"),
    ("incomes",),
    ("children",),
    ("children", 0, "birth_date"),
    ("children", 0, "placement", "start"),
    ("children", 0, "placement", "end"),
    ("children", 0, "service_need", "hours_per_month"),
    ("children", 0, "service_need", "coefficient"),
    ("children", 0, "alterations"),
)
HOSTILE = st.one_of(
    st.sampled_from(
        [
            "9999-12-31",
            "0001-01-01",
            "0000-01-01",
            "2025-02-29",
            "1899-12-31",
            "2201-01-01",
            "NaN",
            "Infinity",
            "-0",
            "1e999",
            "",
            [],
            {},
            [[]],
            None,
            True,
            10**30,
            -(10**30),
            2**63,
            1.5,
            "9" * 500,
            "x" * 5000,
        ]
    ),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.lists(st.integers(), max_size=3),
)
PERIOD_PARAMETER = json.dumps({"period_start": PERIOD.isoformat()})


def mutated(path: tuple, value: object) -> dict:
    data = copy.deepcopy(family())
    target = data
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return data


@pytest.fixture
def esimerkkila():
    municipality = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")
    configure(municipality)
    return municipality


@given(
    changes=st.lists(st.tuples(st.sampled_from(PATHS), HOSTILE), min_size=1, max_size=3),
    garbage=st.one_of(st.none(), st.binary(max_size=200), st.text(max_size=200)),
)
@FUZZ
def test_hostile_family_files_through_the_api_are_refused_by_name_or_run(
    esimerkkila, changes, garbage
):
    lines = []
    for path, value in changes:
        lines.append(json.dumps(mutated(path, value)).encode())
    if isinstance(garbage, bytes):
        lines.append(garbage.replace(b"\n", b" "))
    elif isinstance(garbage, str):
        lines.append(garbage.replace("\n", " ").encode("utf-8", "surrogatepass"))
    client = token_client(esimerkkila)
    outcome = submit_upload(
        client, "esimerkkila", "ecec_fees", "families.jsonl", b"\n".join(lines), PERIOD_PARAMETER
    )
    event(outcome.status)
    if outcome.status == "refused":
        assert outcome.field in ("file", "period_start"), outcome
        assert "line " in outcome.message or "families" in outcome.message, outcome


@given(value=HOSTILE, path=st.sampled_from(PATHS))
@FUZZ
def test_hostile_family_files_through_the_cli_exit_2_or_run(esimerkkila, tmp_path, value, path):
    user = "kehittaja"
    if not get_user_model().objects.filter(username=user).exists():
        user_with_role(Role.DEVELOPER, esimerkkila, username=user)
    source = write_families(tmp_path / "families.jsonl", mutated(path, value))
    outcome = run_command(
        "ecec-fees",
        "run",
        "--input",
        str(source),
        "--date",
        PERIOD.isoformat(),
        "--municipality",
        "esimerkkila",
        "--user",
        user,
    )
    event(outcome.status)
    if outcome.status == "refused":
        assert "line 1" in outcome.message or "families" in outcome.message, outcome


def test_an_open_ended_placement_written_9999_12_31_is_refused_naming_the_field(esimerkkila):
    """It overflowed the decision periods' date arithmetic: OverflowError, HTTP 500."""
    data = family()
    data["children"][0]["placement"]["end"] = "9999-12-31"
    content = json.dumps(data).encode()
    outcome = submit_upload(
        token_client(esimerkkila),
        "esimerkkila",
        "ecec_fees",
        "f.jsonl",
        content,
        PERIOD_PARAMETER,
    )
    assert outcome.status == "refused"
    assert "children[0].placement.end" in outcome.message
    assert "2200-12-31" in outcome.message
    # The run stays as the record of the refusal; nothing was read into it.
    assert not Run.objects.exclude(status=RunStatus.REFUSED).exists()
    assert not WorkItem.objects.exists()


@pytest.mark.parametrize("period", ["0000-01-01", "9999-12-31", "1899-12-31"])
def test_a_period_start_outside_the_years_is_refused_naming_the_parameter(esimerkkila, period):
    content = json.dumps(family()).encode()
    outcome = submit_upload(
        token_client(esimerkkila),
        "esimerkkila",
        "ecec_fees",
        "f.jsonl",
        content,
        json.dumps({"period_start": period}),
    )
    assert outcome.status == "refused"
    assert outcome.field == "parameters.period_start", outcome
    assert "1900" in outcome.message


def test_json_error_messages_read_as_sentences(esimerkkila):
    lines = [
        b'{"family_id": "F\x01"}',  # a control character: json says "... at"
        json.dumps(family(guardians={"name": "x"})).encode(),
        json.dumps(family(size=[1, 2])).encode(),
    ]
    outcome = submit_upload(
        token_client(esimerkkila), "esimerkkila", "ecec_fees", "f.jsonl", b"\n".join(lines)
    )
    assert outcome.status == "refused"
    assert "at at" not in outcome.message
    assert "a list a list" not in outcome.message
    assert "an object an object" not in outcome.message
    assert "expected a list, got an object" in outcome.message
    assert "expected an integer, got a list" in outcome.message


def test_a_nul_in_a_name_is_refused_naming_the_field(esimerkkila):
    """PostgreSQL cannot store a NUL in a payload: refused by name instead of a DataError."""
    data = family()
    data["children"][0]["name"] = "Aino\u0000"
    outcome = submit_upload(
        token_client(esimerkkila),
        "esimerkkila",
        "ecec_fees",
        "f.jsonl",
        json.dumps(data).encode(),
        PERIOD_PARAMETER,
    )
    assert outcome.status == "refused"
    assert "children[0].name: holds a control character" in outcome.message
