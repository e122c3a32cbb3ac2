"""Starting a run from the web or the API stores the input and returns; a worker reads the input
outside any write transaction. A refused or crashed reading leaves no input file behind."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import TestCase
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kuntarobo.audit.models import AuditEvent
from kuntarobo.runtime import actions, execution, recovery, tasks
from kuntarobo.runtime.models import Run, RunStatus, WorkerProcess, WorkItem
from kuntarobo.testing.robots import GatedRobot
from tests.api.helpers import build_world, client_for
from tests.runtime.helpers import drain, read_inputs

BAD_INVOICES = (
    b"invoice_id;supplier_name;business_id;iban;reference;amount;invoice_date;due_date\n"
    b"1;A;0737546-2;FI2112345600000785;13;12,5;2026-13-01;2026-12-01\n"
)


@pytest.fixture(autouse=True)
def _gate():
    GatedRobot.entered.clear()
    GatedRobot.gate.clear()
    GatedRobot.wait_seconds = 10.0
    yield
    GatedRobot.gate.set()


def stored_inputs(settings) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "inputs"
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def post_run(user, robot: str, name: str, content: bytes):
    return client_for(user).post(
        "/api/v1/runs",
        {
            "municipality": "esimerkkila",
            "robot": robot,
            "file": SimpleUploadedFile(name, content, content_type="text/csv"),
        },
    )


def test_a_refused_upload_through_the_api_leaves_no_file_and_no_items_and_says_why_in_fi_sv_en(
    db, settings
):
    world = build_world()
    response = post_run(world.user("developer"), "invoice_check", "bad.csv", BAD_INVOICES)
    assert response.status_code == 202, response.content
    run = Run.objects.get(pk=response.json()["id"])
    assert len(stored_inputs(settings)) == 1  # stored by the request, read by a worker
    read_inputs()
    run.refresh_from_db()
    assert (run.status, run.input_file.name, run.items.count()) == (RunStatus.REFUSED, "", 0)
    assert stored_inputs(settings) == []
    assert run.error["field"] == "file"
    assert run.error["fi"].startswith("bad.csv: 1 riviä ei voi lukea: ")
    assert run.error["sv"].startswith("bad.csv: 1 rad kan inte läsas: ")
    assert run.error["en"].startswith("bad.csv: 1 row cannot be read: ")
    body = client_for(world.user("viewer")).get(f"/api/v1/runs/{run.pk}").json()
    assert body["status"] == "refused"
    assert body["refusal"]["message"] == run.error["en"]
    event = AuditEvent.objects.get(action="run.refuse", object_id=str(run.pk))
    assert (event.via, event.details["reason"]["en"]) == ("api", run.error["en"])


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fi", "rivi 2: sarake 'line' on tyhjä"),
        ("sv", "rad 2: kolumnen 'line' är tom"),
        ("en", "row 2: column 'line' is empty"),
    ],
)
def test_the_run_page_shows_a_refusal_in_the_viewers_language(db, language, text):
    world = build_world()
    GatedRobot.gate.set()
    response = post_run(world.user("developer"), "test_gated", "in.csv", b"a\nrefuse\n")
    read_inputs()
    viewer = client_for(world.user("viewer"))
    viewer.cookies["django_language"] = language
    page = viewer.get(f"/runs/{response.json()['id']}/").content.decode()
    assert text in page.replace("&#x27;", "'")


def test_a_crashing_producer_leaves_no_file_and_a_masked_error_only_for_those_who_see_logs(
    db, settings
):
    world = build_world()
    GatedRobot.gate.set()
    response = post_run(world.user("developer"), "test_gated", "in.csv", b"a\ncrash 131052-308T\n")
    run_id = response.json()["id"]
    read_inputs()
    run = Run.objects.get(pk=run_id)
    assert (run.status, run.input_file.name, run.items.count()) == (RunStatus.FAILED, "", 0)
    assert stored_inputs(settings) == []
    assert "131052-308T" not in run.error["technical"]
    assert run.error["technical"] == "RuntimeError: crash ******-****"
    developer = client_for(world.user("developer")).get(f"/api/v1/runs/{run_id}").json()
    viewer = client_for(world.user("viewer")).get(f"/api/v1/runs/{run_id}").json()
    assert developer["error"] == run.error["technical"]
    assert "error" not in viewer
    assert AuditEvent.objects.filter(action="run.fail", object_id=str(run_id)).exists()


def test_the_api_answers_before_the_input_is_read(db):
    world = build_world()
    GatedRobot.wait_seconds = 0.5  # had the request read the input, the run would have failed
    response = post_run(world.user("developer"), "test_gated", "in.csv", b"a\nb\n")
    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["counts"]["total"]) == ("starting", 0)
    assert not GatedRobot.entered.is_set()
    assert DBTaskResult.objects.filter(
        task_path=tasks.produce_run.module_path, status=TaskResultStatus.READY
    ).exists()


@pytest.mark.django_db(transaction=True)
def test_a_worker_reads_the_input_and_then_does_the_items(settings):
    world = build_world()
    GatedRobot.gate.set()
    response = post_run(world.user("developer"), "test_gated", "in.csv", b"a\nb\nc\n")
    drain()
    run = Run.objects.get(pk=response.json()["id"])
    assert (run.status, run.items_created) == (RunStatus.FINISHED, 3)
    assert set(run.items.values_list("status", flat=True)) == {"done"}
    assert AuditEvent.objects.filter(action="run.read", object_id=str(run.pk)).exists()


@pytest.mark.django_db(transaction=True)
def test_reading_an_input_holds_no_write_lock_so_others_write_meanwhile():
    world = build_world()
    response = post_run(world.user("developer"), "test_gated", "in.csv", b"a\nb\n")
    run_id = response.json()["id"]
    outcome: list[object] = []

    def read() -> None:
        try:
            outcome.append(actions.produce_run(run_id, via="api").run.status)
        except Exception as error:  # shown by the assertion below
            outcome.append(error)
        finally:
            connection.close()

    reader = threading.Thread(target=read)
    reader.start()
    try:
        assert GatedRobot.entered.wait(10)
        # The producer is reading now. On SQLite a held write lock would make this wait out the
        # busy timeout and fail; on PostgreSQL a lock on the run's row would fail NOWAIT.
        with transaction.atomic():
            Run.objects.select_for_update(nowait=connection.vendor == "postgresql").get(pk=run_id)
            execution.heartbeat("another-worker")
        assert WorkerProcess.objects.filter(worker_id="another-worker").exists()
        assert Run.objects.get(pk=run_id).status == RunStatus.STARTING
    finally:
        GatedRobot.gate.set()
        reader.join(20)
    assert outcome == [RunStatus.RUNNING]
    assert WorkItem.objects.filter(run_id=run_id).count() == 2


def test_a_run_read_twice_makes_its_items_once(db):
    world = build_world()
    GatedRobot.gate.set()
    response = post_run(world.user("developer"), "test_gated", "in.csv", b"a\nb\n")
    run_id = response.json()["id"]
    first = actions.produce_run(run_id, via="api")
    second = actions.produce_run(run_id, via="api")
    assert (first.created, second.created) == (2, 2)
    assert WorkItem.objects.filter(run_id=run_id).count() == 2
    assert AuditEvent.objects.filter(action="run.read", object_id=str(run_id)).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_command_line_refusal_leaves_no_run_and_no_file(settings, municipality, tmp_path):
    GatedRobot.gate.set()
    path = tmp_path / "in.csv"
    path.write_text("a\nrefuse\n")
    with pytest.raises(actions.InputError, match="row 2: column 'line' is empty"):
        actions.start_run("test", municipality, "test_gated", input_file=path, via="cli")
    assert not Run.objects.exists()
    assert stored_inputs(settings) == []
    assert not AuditEvent.objects.exists()


def test_a_lost_workers_reading_is_queued_again(db):
    world = build_world()
    response = post_run(world.user("developer"), "test_gated", "in.csv", b"a\n")
    run_id = response.json()["id"]
    task = DBTaskResult.objects.get(task_path=tasks.produce_run.module_path)
    DBTaskResult.objects.filter(pk=task.pk).update(
        status=TaskResultStatus.RUNNING, worker_ids=["gone-worker"]
    )
    assert recovery.recover_lost_work() == 1
    GatedRobot.gate.set()
    assert read_inputs() == 1
    assert Run.objects.get(pk=run_id).items_created == 1


def test_an_input_whose_readers_keep_dying_ends_the_run_failed_after_three_readings(db, settings):
    world = build_world()
    response = post_run(world.user("developer"), "test_gated", "in.csv", b"a\n")
    run_id = response.json()["id"]
    for reading in range(1, 4):
        task = DBTaskResult.objects.get(
            task_path=tasks.produce_run.module_path, status=TaskResultStatus.READY
        )
        DBTaskResult.objects.filter(pk=task.pk).update(
            status=TaskResultStatus.RUNNING, worker_ids=[f"killed-{reading}"]
        )
        with TestCase.captureOnCommitCallbacks(execute=True):
            assert recovery.recover_lost_work() == 1
    run = Run.objects.get(pk=run_id)
    assert (run.status, run.input_file.name) == (RunStatus.FAILED, "")
    assert "stopped 3 times" in run.error["technical"]
    assert stored_inputs(settings) == []
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
