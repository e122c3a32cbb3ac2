"""Runs through the API: starting them (JSON or an uploaded file), listing and following them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from kuntarobo.audit.models import AuditEvent
from kuntarobo.demo.data import write_invoice_file
from kuntarobo.runtime.models import ItemStatus, Run, RunStatus, WorkItem
from tests.api.helpers import InvoiceItemFactory, build_world, client_for, send
from tests.factories import RunFactory
from tests.runtime.helpers import read_inputs


def drain() -> None:
    call_command("worker", batch=True, interval=0, verbosity=0)


def upload(tmp_path, count: int = 4) -> SimpleUploadedFile:
    path = write_invoice_file(tmp_path / "upload", datetime.date(2030, 3, 4), count=count, seed=3)
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")


def test_a_run_started_with_json_answers_202_at_once_and_a_worker_reads_the_inbox_folder(world):
    response = send(
        client_for(world.user("coordinator")),
        "POST",
        "/api/v1/runs",
        {
            "municipality": "esimerkkila",
            "robot": "invoice_check",
            "parameters": {"inbox_folder": "inbox", "approval_limit": 8000},
        },
    )
    assert response.status_code == 202, response.content
    started = response.json()
    run = Run.objects.get(pk=started["id"])
    assert response["Location"].endswith(f"/api/v1/runs/{run.pk}")
    assert (started["status"], started["counts"]["total"]) == ("starting", 0)
    assert read_inputs() == 1
    body = client_for(world.user("coordinator")).get(f"/api/v1/runs/{run.pk}").json()
    assert body["status"] == "running"
    assert (body["items_created"], body["items_duplicate"]) == (3, 0)
    assert body["counts"]["new"] == 3
    assert body["progress"] == {"processed": 0, "total": 3, "percent": 0}
    assert (run.trigger, run.requested_by, run.parameters["approval_limit"]) == (
        "api",
        world.user("coordinator"),
        "8000",
    )
    event = AuditEvent.objects.get(action="run.start", object_id=str(run.pk))
    assert event.via == "api"


def test_a_run_started_with_an_uploaded_file_keeps_the_file_name(world, tmp_path):
    response = client_for(world.user("developer")).post(
        "/api/v1/runs",
        {"municipality": "esimerkkila", "robot": "invoice_check", "file": upload(tmp_path)},
    )
    assert response.status_code == 202, response.content
    read_inputs()
    run = Run.objects.get(pk=response.json()["id"])
    assert run.input_name == "invoices-2030-03-04.csv"
    assert run.items.count() == 4


def test_parameters_can_come_as_a_json_string_in_a_multipart_request(world, tmp_path):
    response = client_for(world.user("coordinator")).post(
        "/api/v1/runs",
        {
            "municipality": "esimerkkila",
            "robot": "invoice_check",
            "parameters": '{"approval_limit": "100"}',
            "file": upload(tmp_path),
        },
    )
    assert response.status_code == 202, response.content
    assert Run.objects.get(pk=response.json()["id"]).parameters["approval_limit"] == "100"


def test_the_same_file_twice_reports_duplicates(world, tmp_path):
    client = client_for(world.user("coordinator"))
    body = {"municipality": "esimerkkila", "robot": "invoice_check"}
    client.post("/api/v1/runs", {**body, "file": upload(tmp_path)})
    read_inputs()
    second = client.post("/api/v1/runs", {**body, "file": upload(tmp_path)}).json()
    read_inputs()
    again = client.get(f"/api/v1/runs/{second['id']}").json()
    assert (again["items_created"], again["items_duplicate"]) == (0, 4)


def test_runs_are_listed_newest_first_and_filtered(world):
    other_robot = RunFactory(
        municipality=world.home.municipality, robot_slug="file_archiver", status=RunStatus.RUNNING
    )
    client = client_for(world.user("viewer"))
    everything = client.get("/api/v1/runs").json()
    assert [r["id"] for r in everything["results"]] == [other_robot.pk, world.home.run.pk]
    assert everything["count"] == 2
    assert everything["next"] is None
    running = client.get("/api/v1/runs?status=running").json()
    assert [r["id"] for r in running["results"]] == [other_robot.pk]
    archiver = client.get("/api/v1/runs?robot=file_archiver&municipality=esimerkkila").json()
    assert [r["id"] for r in archiver["results"]] == [other_robot.pk]
    both = client.get("/api/v1/runs?status=running,finished").json()
    assert both["count"] == 2


def test_runs_are_paginated_by_a_hundred_with_a_link_to_the_next_page(db):
    world = build_world()
    Run.objects.bulk_create(
        Run(municipality=world.home.municipality, robot_slug="invoice_check", trigger="manual")
        for _ in range(100)
    )
    client = client_for(world.user("viewer"))
    first = client.get("/api/v1/runs?status=running").json()
    assert (first["count"], len(first["results"]), first["pages"]) == (100, 100, 1)
    assert first["next"] is None
    page_one = client.get("/api/v1/runs").json()
    assert (page_one["count"], len(page_one["results"])) == (101, 100)
    assert page_one["next"].startswith("http://testserver/api/v1/runs?")
    assert "page=2" in page_one["next"]
    page_two = client.get(page_one["next"]).json()
    assert [r["id"] for r in page_two["results"]] == [world.home.run.pk]
    assert page_two["next"] is None
    assert page_two["previous"].endswith("page=1")


def test_a_run_shows_its_live_counts_progress_and_minutes_saved(world):
    InvoiceItemFactory(run=world.home.run, status=ItemStatus.DONE)
    InvoiceItemFactory(run=world.home.run, status=ItemStatus.NEW)
    response = client_for(world.user("viewer")).get(f"/api/v1/runs/{world.home.run.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["counts"]["done"] == 2
    assert body["counts"]["needs_review"] == 1
    assert body["counts"]["new"] == 1
    assert body["counts"]["total"] == 5
    assert body["progress"] == {"processed": 4, "total": 5, "percent": 80}
    assert Decimal(body["manual_minutes_saved"]) == Decimal("6")
    assert body["municipality"] == "esimerkkila"


@pytest.mark.django_db(transaction=True)
def test_a_run_started_by_api_is_processed_reviewed_and_finished(tmp_path):
    world = build_world(tmp_path)
    coordinator = client_for(world.user("coordinator"))
    reviewer = client_for(world.user("reviewer"))
    started = coordinator.post(
        "/api/v1/runs",
        {"municipality": "esimerkkila", "robot": "invoice_check", "file": upload(tmp_path, 6)},
    ).json()
    drain()
    run = coordinator.get(f"/api/v1/runs/{started['id']}").json()
    assert run["status"] == "finished"
    assert run["progress"]["percent"] == 100
    waiting = reviewer.get(f"/api/v1/items?run={run['id']}&status=needs_review").json()
    ids = [item["id"] for item in waiting["results"]]
    assert ids
    result = send(reviewer, "POST", "/api/v1/items/approve", {"ids": ids, "note": "checked"})
    assert result.json() == {"done": ids, "refused": {}}
    drain()
    assert set(WorkItem.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"done"}
    finished = coordinator.get(f"/api/v1/runs/{run['id']}").json()
    assert finished["counts"]["done"] == len(ids)
    assert Decimal(finished["manual_minutes_saved"]) == 3 * len(ids)
    assert AuditEvent.objects.filter(action="item.approve", via="api").count() == len(ids)


def test_a_finished_run_with_a_failed_item_has_the_outcome_finished_with_failures(world):
    client = client_for(world.user("viewer"))
    clean = RunFactory(municipality=world.home.municipality)
    detail = client.get(f"/api/v1/runs/{world.home.run.pk}").json()
    assert detail["status"] == "finished"
    assert (detail["outcome"], detail["failed_items"]) == ("finished_with_failures", 1)
    listed = {run["id"]: run for run in client.get("/api/v1/runs").json()["results"]}
    assert (listed[world.home.run.pk]["outcome"], listed[world.home.run.pk]["failed_items"]) == (
        "finished_with_failures",
        1,
    )
    assert (listed[clean.pk]["outcome"], listed[clean.pk]["failed_items"]) == ("finished", 0)
    assert client.get(f"/api/v1/runs/{clean.pk}").json()["outcome"] == "finished"
