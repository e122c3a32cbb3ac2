"""The Tasks API entry points. Each is a thin shell: the work is in `execution` and `actions`.

Nothing below imports this module: work is queued by the tasks' paths (`enqueue`), which must
be these functions' paths (tests/runtime check it)."""

from __future__ import annotations

from django_tasks import TaskContext, task

from kuntarobo.runtime import actions, chains, execution

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
    return str(actions.produce_run(run_id, via=via).run.status)


@task(queue_name=QUEUE)
def resume_waiting_item(item_id: int) -> str:
    """Bring back a waiting item whose time has come (queued for its `wait_until`); an item an
    outside event resumed first is left alone."""
    return f"resumed {actions.resume_due_items(item_ids=[item_id])}"


@task(queue_name=QUEUE)
def start_chained_runs(item_id: int) -> str:
    """Start the runs a done item's robot chains to (`chains.start_chained_runs`)."""
    return f"started {chains.start_chained_runs(item_id)}"
