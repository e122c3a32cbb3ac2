"""`kuntarobo worker` takes tasks as django-tasks-db's worker would (ready, due, by priority, then
the earliest, from its queues only), in one statement, and stops gracefully."""

from __future__ import annotations

import datetime
import signal

import psycopg
import pytest
from django.db import connection
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kuntarobo.runtime import actions, tasks
from kuntarobo.runtime.enqueue import enqueue_many
from kuntarobo.runtime.management.commands.worker import HeartbeatWorker
from kuntarobo.runtime.models import ItemStatus, RunStatus, WorkItem
from tests.runtime.helpers import queue_entries, script, statements_adding_rows

pytestmark = pytest.mark.django_db(transaction=True)


def worker(queues=("robots",), batch=True) -> HeartbeatWorker:
    return HeartbeatWorker(
        queue_names=list(queues),
        interval=0,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )


def test_a_worker_takes_the_highest_priority_then_the_earliest_due_task():
    now = timezone.now()
    enqueue_many(tasks.process_item, [(1, 0)], run_after=now - datetime.timedelta(minutes=5))
    enqueue_many(tasks.process_item, [(2, 0)])  # no run_after: due at once
    enqueue_many(tasks.process_item, [(3, 5)])
    enqueue_many(tasks.process_item, [(4, 9)], run_after=now + datetime.timedelta(hours=1))
    taking = worker()
    order = []
    while (task := taking.take_task()) is not None:
        order.append(task.args_kwargs["args"][0])
        assert task.status == TaskResultStatus.RUNNING
        assert task.worker_ids == ["test-worker"]
        assert task.started_at is not None
    assert order == [3, 1, 2]  # 4 is not due yet
    stored = DBTaskResult.objects.get(args_kwargs__args__0=3)
    assert (stored.status, stored.worker_ids) == (TaskResultStatus.RUNNING, ["test-worker"])
    assert DBTaskResult.objects.get(args_kwargs__args__0=4).status == TaskResultStatus.READY


def test_a_worker_takes_tasks_of_its_own_queues_only():
    enqueue_many(tasks.process_item.using(queue_name="default"), [(1, 0)])
    enqueue_many(tasks.process_item, [(2, 0)])
    assert worker(queues=("default",)).take_task().args_kwargs["args"] == [1]
    assert worker(queues=("default",)).take_task() is None
    assert worker(queues=("default", "robots")).take_task().args_kwargs["args"] == [2]


def test_a_worker_adds_itself_to_the_workers_a_task_has_had():
    enqueue_many(tasks.process_item, [(1, 0)])
    DBTaskResult.objects.update(worker_ids=["earlier-worker"])
    assert worker().take_task().worker_ids == ["earlier-worker", "test-worker"]


@pytest.mark.parametrize("batch_size", [1, 10])
def test_a_worker_stopped_while_taking_tasks_runs_the_tasks_it_took_before_it_exits(
    municipality, monkeypatch, settings, batch_size
):
    """Tasks are taken in one committed statement: a SIGTERM arriving just then must not leave
    them running for a worker that has gone."""
    settings.KUNTAROBO_WORKER_BATCH = batch_size
    actions.start_run(
        "test",
        municipality,
        "test_scripted",
        parameters=script({"reference": "a"}, {"reference": "b"}),
    )
    take_tasks = HeartbeatWorker.take_tasks

    def take_then_sigterm(self, limit):
        taken = take_tasks(self, limit)
        self.shutdown(signal.SIGTERM, None)
        return taken

    monkeypatch.setattr(HeartbeatWorker, "take_tasks", take_then_sigterm)
    worker(batch=False).run()  # returns: no SystemExit while tasks were in hand

    statuses = sorted(WorkItem.objects.values_list("status", flat=True))
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists()
    if batch_size == 1:
        assert statuses == [ItemStatus.DONE, ItemStatus.NEW]
        waiting = WorkItem.objects.get(status=ItemStatus.NEW)
        assert len(queue_entries(waiting.pk, TaskResultStatus.READY)) == 1
    else:
        assert statuses == [ItemStatus.DONE, ItemStatus.DONE]


def test_a_worker_takes_up_to_its_batch_of_tasks_at_once_in_queue_order():
    enqueue_many(tasks.process_item, [(1, 0), (2, 0), (3, 5), (4, 0)])
    taking = worker()
    assert [task.args_kwargs["args"][0] for task in taking.take_tasks(3)] == [3, 1, 2]
    assert [task.args_kwargs["args"][0] for task in taking.take_tasks(3)] == [4]
    assert taking.take_tasks(3) == []
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {TaskResultStatus.RUNNING}


def test_a_batch_of_items_is_done_with_each_task_finished_with_its_own_result(
    municipality, settings
):
    settings.KUNTAROBO_WORKER_BATCH = 10
    started = actions.start_run(
        "test",
        municipality,
        "test_scripted",
        parameters=script(
            {"reference": "ok-1"},
            {"reference": "rule", "behaviour": "business", "message": "not allowed"},
            {"reference": "ok-2"},
        ),
    )
    worker().run()

    statuses = dict(WorkItem.objects.values_list("reference", "status"))
    assert statuses == {
        "ok-1": ItemStatus.DONE,
        "rule": ItemStatus.FAILED_BUSINESS,
        "ok-2": ItemStatus.DONE,
    }
    results = {
        entry.args_kwargs["args"][0]: (entry.status, entry.return_value)
        for entry in DBTaskResult.objects.all()
    }
    by_reference = dict(WorkItem.objects.values_list("reference", "pk"))
    assert results[by_reference["ok-1"]] == (TaskResultStatus.SUCCESSFUL, ItemStatus.DONE)
    assert results[by_reference["rule"]] == (
        TaskResultStatus.SUCCESSFUL,
        ItemStatus.FAILED_BUSINESS,
    )
    started.run.refresh_from_db()
    assert started.run.status == "finished"
    assert started.run.summary["done"] == 2


def test_an_item_that_breaks_the_worker_fails_its_own_task_and_the_batch_goes_on(
    municipality, settings, monkeypatch
):
    """An error outside the robot (here: the robot's status hook) is no item result: the item's
    task is marked failed, as django-tasks-db's worker would, and the other items are done."""
    from kuntarobo.testing.robots import ScriptedRobot

    settings.KUNTAROBO_WORKER_BATCH = 10
    actions.start_run(
        "test",
        municipality,
        "test_scripted",
        parameters=script({"reference": "first"}, {"reference": "broken"}, {"reference": "last"}),
    )
    broken = WorkItem.objects.get(reference="broken").pk

    def on_status(item, status):
        if item.id == broken:
            raise RuntimeError("the status hook failed")

    monkeypatch.setattr(ScriptedRobot, "status_hook", on_status)
    worker().run()

    statuses = dict(WorkItem.objects.values_list("reference", "status"))
    assert statuses["first"] == statuses["last"] == ItemStatus.DONE
    # The item is not left claimed by a worker that lives on (nobody would take it again): each
    # attempt whose result could not be saved counts as a technical failure, then it fails.
    item = WorkItem.objects.get(pk=broken)
    assert (item.status, item.attempts, item.claim_token) == (
        ItemStatus.FAILED_APPLICATION,
        ScriptedRobot.max_attempts,
        "",
    )
    assert item.error_message == (
        "the result could not be saved: RuntimeError: the status hook failed"
    )
    failed = queue_entries(broken)
    assert len(failed) == ScriptedRobot.max_attempts
    assert {task.status for task in failed} == {TaskResultStatus.FAILED}
    assert {task.exception_class_path for task in failed} == {"builtins.RuntimeError"}
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 2
    assert item.run.status == RunStatus.FINISHED


def test_a_worker_with_max_tasks_takes_no_more_tasks_than_that(settings):
    settings.KUNTAROBO_WORKER_BATCH = 10
    enqueue_many(tasks.process_item, [(1, 0), (2, 0), (3, 0)])
    limited = worker()
    limited.max_tasks = 2
    assert limited._batch_size() == 2
    limited.max_tasks = 0
    assert limited._batch_size() == 1  # as django-tasks-db: the first task is always run


def each_item_stores_a_document(monkeypatch) -> None:
    """The scripted robot's items each return a small text document."""
    from kuntarobo.runtime.declarations import Document, Outcome
    from kuntarobo.testing.robots import ScriptedRobot

    handle = ScriptedRobot.handle

    def with_a_document(self, item, context):
        outcome = handle(self, item, context)
        return Outcome(
            output=outcome.output,
            documents=[Document(f"{item.reference}.txt", b"report", "text/plain")],
        )

    monkeypatch.setattr(ScriptedRobot, "handle", with_a_document)


def test_when_a_batch_fails_together_its_results_are_kept_once_and_its_stored_files_only_once(
    municipality, settings, monkeypatch
):
    """The batch's one transaction is rolled back and each result committed on its own: the
    files the rolled-back attempt stored are removed, and no log line is written twice."""
    from pathlib import Path

    from kuntarobo.runtime.models import ItemDocument, RunLogEntry
    from kuntarobo.testing.robots import ScriptedRobot

    settings.KUNTAROBO_WORKER_BATCH = 10
    actions.start_run(
        "test",
        municipality,
        "test_scripted",
        parameters=script(
            {"reference": "first", "log": "first note"},
            {"reference": "broken"},
            {"reference": "rule", "behaviour": "business", "message": "not allowed"},
        ),
    )
    broken = WorkItem.objects.get(reference="broken").pk

    def on_status(item, status):
        if item.id == broken:
            raise RuntimeError("the status hook failed")

    each_item_stores_a_document(monkeypatch)
    monkeypatch.setattr(ScriptedRobot, "status_hook", on_status)
    worker().run()

    statuses = dict(WorkItem.objects.values_list("reference", "status"))
    assert statuses["first"] == ItemStatus.DONE
    assert statuses["rule"] == ItemStatus.FAILED_BUSINESS
    assert RunLogEntry.objects.filter(message="first note", item__isnull=False).count() == 1
    assert RunLogEntry.objects.filter(message__endswith="not allowed").count() == 1
    stored = list(ItemDocument.objects.values_list("file", flat=True))
    assert len(stored) == 1  # "first"'s; "broken"'s rolled back with its failure
    on_disk = sorted(p.name for p in Path(settings.MEDIA_ROOT).rglob("*.txt"))
    assert on_disk == [Path(stored[0]).name]


@task(queue_name="robots", priority=9)
def another_kind_of_task(number: int) -> int:
    return number


def test_a_stop_asked_for_after_another_kind_of_task_still_lets_the_batchs_items_run(
    municipality, settings
):
    """django-tasks-db's run_task marks the worker idle when its task ends; the items taken
    with it are still to run, so a SIGTERM then must not make the worker exit at once."""
    from kuntarobo.testing.robots import ScriptedRobot

    settings.KUNTAROBO_WORKER_BATCH = 10
    enqueue_many(another_kind_of_task, [(7, 9)])
    actions.start_run(
        "test",
        municipality,
        "test_scripted",
        parameters=script({"reference": "a"}, {"reference": "b"}),
    )
    stopping = worker(batch=False)
    ScriptedRobot.handle_hook = lambda item: (
        stopping.shutdown(signal.SIGTERM, None) if item.reference == "a" else None
    )
    try:
        stopping.run()  # returns: no SystemExit while the batch's items were in hand
    finally:
        ScriptedRobot.handle_hook = None

    assert sorted(WorkItem.objects.values_list("status", flat=True)) == [
        ItemStatus.DONE,
        ItemStatus.DONE,
    ]
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {
        TaskResultStatus.SUCCESSFUL
    }


def test_a_batchs_documents_and_log_lines_are_inserted_together(
    municipality, settings, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kuntarobo.runtime.models import ItemDocument, RunLogEntry

    settings.KUNTAROBO_WORKER_BATCH = 10
    actions.start_run(
        "test",
        municipality,
        "test_scripted",
        parameters=script(*({"reference": f"r{n}", "log": f"note {n}"} for n in range(5))),
    )

    each_item_stores_a_document(monkeypatch)
    with CaptureQueriesContext(connection) as captured:
        worker().run()

    assert set(WorkItem.objects.values_list("status", flat=True)) == {ItemStatus.DONE}
    assert ItemDocument.objects.count() == 5
    assert RunLogEntry.objects.filter(message__startswith="note ", item__isnull=False).count() == 5
    assert statements_adding_rows(captured.captured_queries, ItemDocument) == 1
    assert statements_adding_rows(captured.captured_queries, RunLogEntry) == 1


def _plan(sql: str, params: list) -> str:
    """How the database runs the statement once it is prepared: on PostgreSQL the generic plan,
    the one a connection keeps after a few uses, which cannot look at the parameters' values."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return "\n".join(str(row) for row in cursor.fetchall())
        numbered = sql
        for number in range(1, len(params) + 1):
            numbered = numbered.replace("%s", f"${number}", 1)
        client = psycopg.ClientCursor(cursor.connection)
        values = ", ".join(client.mogrify("%s", [value]) for value in params)
        cursor.execute(f"PREPARE choose AS {numbered}")
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        try:
            cursor.execute(f"EXPLAIN EXECUTE choose({values})")
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET plan_cache_mode")
            cursor.execute("DEALLOCATE choose")


def test_taking_the_next_tasks_reads_the_index_of_ready_tasks_not_the_whole_queue():
    """With the status and the limit as parameters, PostgreSQL's generic plan sorted every ready
    task, then read the whole queue again to mark the chosen ones (2.6 to 3.5 ms a batch with
    14,000 queued); the partial index and the primary key need the literals."""
    # As many as a large run queues: on a handful of rows reading them all is the best plan.
    enqueue_many(tasks.process_item, [(number, 0) for number in range(1, 3001)])
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(DBTaskResult._meta.db_table)}")
    sql, params = worker().take_tasks_statement(10, timezone.now())

    plan = _plan(sql, params)

    assert "tasks_db_new_ordering_idx" in plan, plan
    for whole_queue in ("Sort", "TEMP B-TREE", "Seq Scan", "SCAN django_tasks"):
        assert whole_queue not in plan, plan
