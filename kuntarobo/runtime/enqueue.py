"""Putting work on the Tasks queue, in the caller's transaction, one row or thousands at once.

Tasks are named by their dotted path: the modules that queue work (actions, execution, recovery)
do not import `kuntarobo.runtime.tasks`, which imports them; the queue stores the path anyway.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task_backends
from django_tasks.base import TASK_MAX_PRIORITY, TASK_MIN_PRIORITY, Task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from kuntarobo.runtime.bulk import insert_rows

_TASKS = "kuntarobo.runtime.tasks"
PROCESS_ITEM = f"{_TASKS}.process_item"
DELIVER_ITEM = f"{_TASKS}.deliver_item"
PRODUCE_RUN = f"{_TASKS}.produce_run"
RESUME_ITEM = f"{_TASKS}.resume_waiting_item"
START_CHAINED = f"{_TASKS}.start_chained_runs"


def task_at(task: Task[Any, Any] | str) -> Task[Any, Any]:
    """The task itself, given it or its dotted path."""
    if isinstance(task, str):
        found: Task[Any, Any] = import_string(task)
        return found
    return task


def enqueue(
    task: Task[Any, Any] | str, *args: Any, run_after: datetime.datetime | None = None
) -> None:
    """Queue one call of the task (by path or itself)."""
    found = task_at(task)
    (found.using(run_after=run_after) if run_after else found).enqueue(*args)


def enqueue_items(
    task: Task[Any, Any] | str, items: Sequence[Any], run_after: datetime.datetime | None = None
) -> None:
    """Queue the task for each work item, at the item's priority."""
    if items:
        enqueue_many(task, [(item.pk, item.priority) for item in items], run_after=run_after)


def clamp_priority(priority: int) -> int:
    return max(TASK_MIN_PRIORITY, min(TASK_MAX_PRIORITY, priority))


def enqueue_many(
    task: Task[Any, Any] | str,
    jobs: Sequence[tuple[int, int]],
    run_after: datetime.datetime | None = None,
) -> None:
    """Enqueue `task(arg)` for each (arg, priority) pair.

    On the database backend the rows are inserted in bulk inside the caller's transaction, so
    items and their queue entries commit together (5,000 entries by one COPY on PostgreSQL, ten
    INSERTs on SQLite, rather than 5,000 statements). Other backends get the ordinary per-task
    `enqueue`.
    """
    task = task_at(task)
    backend = task_backends[task.backend]
    if isinstance(backend, DatabaseBackend):
        backend.validate_task(task)
        template: DBTaskResult[..., Any] = DBTaskResult(
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=run_after or get_date_max(),
            backend_name=backend.alias,
        )
        # enqueued_at grows by a microsecond a row: entries of equal priority are taken in
        # the order they were given.
        started = timezone.now()
        insert_rows(
            template,
            [
                {
                    "id": uuid.uuid4(),
                    "args_kwargs": {"args": [arg], "kwargs": {}},
                    "priority": clamp_priority(priority),
                    "enqueued_at": started + datetime.timedelta(microseconds=number),
                }
                for number, (arg, priority) in enumerate(jobs)
            ],
        )
        return
    for arg, priority in jobs:
        task.using(priority=clamp_priority(priority), run_after=run_after).enqueue(arg)
