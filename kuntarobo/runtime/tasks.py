"""The Tasks API entry points. Each is a thin shell: the work is in `execution`."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django_tasks import TaskContext, task
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from kuntarobo.runtime import execution
from kuntarobo.runtime.enqueue import enqueue_many
from kuntarobo.runtime.models import WorkItem

QUEUE = "robots"


def _worker_id(context: TaskContext) -> str:
    worker_ids = context.task_result.worker_ids
    return worker_ids[-1] if worker_ids else execution.IMMEDIATE


@task(queue_name=QUEUE, takes_context=True)
def process_item(context: TaskContext, item_id: int) -> str:
    return execution.execute(item_id, _worker_id(context), execution.PROCESS)


@task(queue_name=QUEUE, takes_context=True)
def deliver_item(context: TaskContext, item_id: int) -> str:
    return execution.execute(item_id, _worker_id(context), execution.DELIVER)


@task(queue_name=QUEUE)
def produce_run(run_id: int, via: str = "task") -> str:
    """Read a started run's input and create its items (`actions.produce_run`)."""
    from kuntarobo.runtime import actions

    return str(actions.produce_run(run_id, via=via).run.status)


_ITEM_STAGES = {
    process_item.module_path: execution.PROCESS,
    deliver_item.module_path: execution.DELIVER,
}


def item_stage(task_result: DBTaskResult[..., Any]) -> tuple[str, int] | None:
    """(stage, item id) of a work item's task, or None for any other task."""
    stage = _ITEM_STAGES.get(task_result.task_path)
    args = task_result.args_kwargs.get("args") or []
    if stage is None or len(args) != 1 or not isinstance(args[0], int):
        return None
    if task_result.args_kwargs.get("kwargs"):
        return None
    return stage, args[0]


def enqueue_items(
    task_: Task[Any, Any], items: Sequence[WorkItem], run_after: datetime.datetime | None = None
) -> None:
    if items:
        enqueue_many(task_, [(item.pk, item.priority) for item in items], run_after=run_after)
