"""`kuntarobo worker` takes tasks as django-tasks-db's worker would (ready, due, by priority, then
the earliest, from its queues only), in one statement, and stops gracefully."""

from __future__ import annotations

import datetime
import signal

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kuntarobo.runtime import actions, tasks
from kuntarobo.runtime.enqueue import enqueue_many
from kuntarobo.runtime.management.commands.worker import HeartbeatWorker
from kuntarobo.runtime.models import ItemStatus, WorkItem
from tests.runtime.helpers import queue_entries, script

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


def test_a_worker_stopped_while_taking_a_task_runs_that_task_before_it_exits(
    municipality, monkeypatch
):
    """A task is taken in one committed statement: a SIGTERM arriving just then must not leave
    the task running for a worker that has gone."""
    actions.start_run(
        "test",
        municipality,
        "test_scripted",
        parameters=script({"reference": "a"}, {"reference": "b"}),
    )
    take_task = HeartbeatWorker.take_task

    def take_then_sigterm(self):
        task = take_task(self)
        self.shutdown(signal.SIGTERM, None)
        return task

    monkeypatch.setattr(HeartbeatWorker, "take_task", take_then_sigterm)
    worker(batch=False).run()  # returns: no SystemExit while a task was in hand

    statuses = dict(WorkItem.objects.values_list("reference", "status"))
    assert sorted(statuses.values()) == [ItemStatus.DONE, ItemStatus.NEW]
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists()
    waiting = WorkItem.objects.get(status=ItemStatus.NEW)
    assert len(queue_entries(waiting.pk, TaskResultStatus.READY)) == 1
