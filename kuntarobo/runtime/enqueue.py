"""Putting work on the Tasks queue, in the caller's transaction, one row or thousands at once."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from typing import Any

from django_tasks import task_backends
from django_tasks.base import TASK_MAX_PRIORITY, TASK_MIN_PRIORITY, Task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max


def clamp_priority(priority: int) -> int:
    return max(TASK_MIN_PRIORITY, min(TASK_MAX_PRIORITY, priority))


def enqueue_many(
    task: Task[Any, Any],
    jobs: Sequence[tuple[int, int]],
    run_after: datetime.datetime | None = None,
) -> None:
    """Enqueue `task(arg)` for each (arg, priority) pair.

    On the database backend the rows are inserted in bulk inside the caller's transaction, so
    items and their queue entries commit together (5,000 items in one statement rather than
    5,000). Other backends get the ordinary per-task `enqueue`.
    """
    backend = task_backends[task.backend]
    if isinstance(backend, DatabaseBackend):
        backend.validate_task(task)
        rows = [
            DBTaskResult(
                id=uuid.uuid4(),
                args_kwargs={"args": [arg], "kwargs": {}},
                priority=clamp_priority(priority),
                task_path=task.module_path,
                queue_name=task.queue_name,
                run_after=run_after or get_date_max(),
                backend_name=backend.alias,
            )
            for arg, priority in jobs
        ]
        DBTaskResult.objects.bulk_create(rows, batch_size=1000)
        return
    for arg, priority in jobs:
        task.using(priority=clamp_priority(priority), run_after=run_after).enqueue(arg)
