"""Bad input on every entry point: a 400 naming the problem, and nothing changed."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kuntarobo.runtime.models import Run, WorkItem
from tests.api.helpers import client_for, error_of, send, state
from tests.runtime.helpers import read_inputs

MALFORMED_CSV = (
    b"invoice_id;supplier_name;business_id;iban;reference;amount;invoice_date;due_date\n"
    b"1;A;0737546-2;FI2112345600000785;13;12,5;2026-13-01;2026-12-01\n"
)


def refused(response, field, *, code=None, words=()):
    assert response.status_code == 400, response.content
    error = error_of(response)
    assert error["field"] == field, error
    if code:
        assert error["code"] == code, error
    for word in words:
        assert word in error["message"], error
    return error


@pytest.fixture
def coordinator(world):
    return client_for(world.user("coordinator"))


def read_refusal(coordinator, response) -> dict:
    """The input is read by a worker: the run ends refused, saying why."""
    assert response.status_code == 202, response.content
    read_inputs()
    run = coordinator.get(response["Location"]).json()
    assert (run["status"], run["counts"]["total"]) == ("refused", 0), run
    return run["refusal"]


def test_a_malformed_upload_names_the_row_and_column_and_creates_nothing(world, coordinator):
    items = WorkItem.objects.count()
    response = coordinator.post(
        "/api/v1/runs",
        {
            "municipality": "esimerkkila",
            "robot": "invoice_check",
            "file": SimpleUploadedFile("bad.csv", MALFORMED_CSV, content_type="text/csv"),
        },
    )
    refusal = read_refusal(coordinator, response)
    assert refusal["field"] == "file"
    assert refusal["message"].startswith("bad.csv: 1 row cannot be read: ")
    assert "'invoice_date'" in refusal["message"]
    assert WorkItem.objects.count() == items
    assert not Run.objects.get(pk=response.json()["id"]).input_file


def test_an_inbox_folder_that_does_not_exist_ends_the_run_refused(world, coordinator):
    body = {
        "municipality": "esimerkkila",
        "robot": "invoice_check",
        "parameters": {"inbox_folder": "no/such/folder"},
    }
    refusal = read_refusal(coordinator, send(coordinator, "POST", "/api/v1/runs", body))
    assert refusal["field"] == "inbox_folder"
    assert "inbox folder no/such/folder does not exist" in refusal["message"]


def test_an_upload_of_the_wrong_kind_is_refused(world, coordinator):
    before = state()
    response = coordinator.post(
        "/api/v1/runs",
        {
            "municipality": "esimerkkila",
            "robot": "invoice_check",
            "file": SimpleUploadedFile("invoices.xlsx", b"PK\x03\x04", content_type="text/csv"),
        },
    )
    refused(response, "file", words=(".csv",))
    assert state() == before


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"municipality": "esimerkkila", "robot": "no_such"}, "robot", ("unknown robot",)),
        ({"municipality": "atlantis", "robot": "invoice_check"}, "municipality", ("atlantis",)),
        ({"municipality": 5, "robot": "invoice_check"}, "municipality", ("string",)),
        ({"municipality": "esimerkkila"}, "robot", ("required",)),
        ({"municipality": "esimerkkila", "robot": ""}, "robot", ("empty",)),
        (
            {"municipality": "esimerkkila", "robot": "invoice_check", "parameters": [1]},
            "parameters",
            ("JSON object",),
        ),
        (
            {"municipality": "esimerkkila", "robot": "invoice_check", "parameters": {"x": {}}},
            "parameters.x",
            (),
        ),
        (
            {"municipality": "esimerkkila", "robot": "invoice_check", "priority": 1},
            "priority",
            ("unknown field",),
        ),
        (
            {"municipality": "esimerkkila", "robot": "file_archiver"},
            "parameters.inbox_folder",
            ("required",),
        ),
        (
            {
                "municipality": "esimerkkila",
                "robot": "invoice_check",
                "parameters": {"approval_limit": "lots"},
            },
            "parameters.approval_limit",
            ("approval_limit",),
        ),
        (
            {
                "municipality": "esimerkkila",
                "robot": "invoice_check",
                "parameters": {"colour": "red"},
            },
            "parameters.colour",
            ("unknown parameter",),
        ),
        (
            {
                "municipality": "esimerkkila",
                "robot": "invoice_check",
                "parameters": {"inbox_folder": "/no/such/folder"},
            },
            "parameters.inbox_folder",
            ("inbox_folder", "inside the robot's own storage folder"),
        ),
    ],
)
def test_starting_a_run_with_bad_input_changes_nothing(world, coordinator, body, field, words):
    before = state()
    refused(send(coordinator, "POST", "/api/v1/runs", body), field, words=words)
    assert state() == before


def test_another_municipality_is_refused_exactly_like_one_that_does_not_exist(world, coordinator):
    before = state()
    foreign = send(
        coordinator, "POST", "/api/v1/runs", {"municipality": "naapurila", "robot": "invoice_check"}
    )
    missing = send(
        coordinator, "POST", "/api/v1/runs", {"municipality": "atlantis", "robot": "invoice_check"}
    )
    assert foreign.status_code == missing.status_code == 400
    assert error_of(foreign)["message"].replace("naapurila", "X") == error_of(missing)[
        "message"
    ].replace("atlantis", "X")
    assert state() == before


@pytest.mark.parametrize(
    ("raw", "content_type", "words"),
    [
        (b"[1, 2]", "application/json", ("JSON object", "list")),
        (b'"ids"', "application/json", ("JSON object",)),
        (b"{ids: [1]}", "application/json", ("not valid JSON",)),
        (b'{"ids": [NaN]}', "application/json", ("not valid JSON",)),
        (b"\xff\xfe", "application/json", ("not valid JSON",)),
        (b"", "application/json", ("JSON",)),
        (b"ids=1", "application/x-www-form-urlencoded", ("Content-Type: application/json",)),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused(world, raw, content_type, words):
    before = state()
    client = client_for(world.user("reviewer"))
    response = client.generic("POST", "/api/v1/items/approve", raw, content_type=content_type)
    refused(response, None, code="invalid_json", words=words)
    assert state() == before


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/items/approve", {}, "ids"),
        ("/api/v1/items/approve", {"ids": []}, "ids"),
        ("/api/v1/items/approve", {"ids": "1"}, "ids"),
        ("/api/v1/items/approve", {"ids": ["1"]}, "ids"),
        ("/api/v1/items/approve", {"ids": [True]}, "ids"),
        ("/api/v1/items/approve", {"ids": [0]}, "ids"),
        ("/api/v1/items/approve", {"ids": list(range(1, 1002))}, "ids"),
        ("/api/v1/items/approve", {"ids": [1], "note": 5}, "note"),
        ("/api/v1/items/approve", {"ids": [1], "reason": "x"}, "reason"),
        ("/api/v1/items/reject", {"ids": [1]}, "reason"),
        ("/api/v1/items/reject", {"ids": [1], "reason": None}, "reason"),
        ("/api/v1/items/retry", {"ids": [1], "force": True}, "force"),
        ("/api/v1/items/abandon", {"ids": [1], "reason": ["why"]}, "reason"),
    ],
)
def test_a_review_request_with_bad_input_changes_nothing(world, url, body, field):
    before = state()
    response = send(client_for(world.user("reviewer")), "POST", url, body)
    refused(response, field)
    assert state() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "corrections"),
        ({"corrections": {}}, "corrections"),
        ({"corrections": "2030-01-01"}, "corrections"),
        ({"corrections": {"amount_cents": 1}}, "corrections.amount_cents"),
        ({"corrections": {"payment_date": "tomorrow"}}, "corrections.payment_date"),
        ({"corrections": {"payment_date": "2030-01-01"}, "status": "done"}, "status"),
    ],
)
def test_a_correction_with_bad_input_changes_nothing(world, body, field):
    before = state()
    url = f"/api/v1/items/{world.home.waiting.pk}/correct"
    refused(send(client_for(world.user("reviewer")), "POST", url, body), field)
    assert state() == before


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("/api/v1/runs?colour=red", "colour"),
        ("/api/v1/runs?page=abc", "page"),
        ("/api/v1/runs?page=0", "page"),
        ("/api/v1/runs?page=2", "page"),
        ("/api/v1/runs?status=sleeping", "status"),
        ("/api/v1/runs?status=running&status=finished", "status"),
        ("/api/v1/runs?robot=no_such", "robot"),
        ("/api/v1/runs?municipality=atlantis", "municipality"),
        ("/api/v1/items?run=abc", "run"),
        ("/api/v1/items?run=999999", "run"),
        ("/api/v1/items?status=done,sleeping", "status"),
        ("/api/v1/items?search=x", "search"),
        ("/api/v1/audit?since=yesterday", "since"),
        ("/api/v1/audit?until=2030-02-30", "until"),
        ("/api/v1/audit?since=2030-02-01&until=2030-01-01", "until"),
        ("/api/v1/audit?municipality=atlantis", "municipality"),
        ("/api/v1/audit?actor=x", "actor"),
        ("/api/v1/audit/export?format=xml", "format"),
        ("/api/v1/audit/export?page=1", "page"),
    ],
)
def test_a_bad_query_parameter_is_named_in_the_error(world, query, field):
    before = state()
    response = client_for(world.user("administrator")).get(query)
    refused(response, field, words=(f"'{field}'",))
    assert state() == before


@pytest.mark.parametrize(
    "url",
    ["/api/v1/runs?dry_run=1", "/api/v1/items/approve?force=1", "/api/v1/items/ID/correct?x=1"],
)
def test_a_change_request_with_a_query_parameter_is_refused(world, url):
    before = state()
    url = url.replace("ID", str(world.home.waiting.pk))
    body = {"ids": [world.home.waiting.pk]} if "approve" in url else {}
    response = send(client_for(world.user("administrator")), "POST", url, body)
    assert response.status_code == 400
    assert error_of(response)["code"] == "unknown_parameter"
    assert state() == before
