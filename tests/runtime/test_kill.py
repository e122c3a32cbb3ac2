"""The kill test: real worker processes on PostgreSQL, one killed with SIGKILL in the middle of
an item. Every item must end done, completed exactly once, the killed worker's item by another
worker. The counting robot writes a completion record inside each completion transaction, so
"exactly once" is counted, not assumed."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kuntarobo.runtime import actions
from kuntarobo.runtime.models import ItemStatus, Run, RunLogEntry, RunStatus, Trigger, WorkItem
from kuntarobo.testing.robots import COMPLETION
from tests.runtime.helpers import database_url

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

ITEMS = 5000
WORKERS = 4
HELD = "item-01000"  # sleeps on its first attempt: its worker is killed while it sleeps
COMPLETION_RECORD = re.compile(rf"{COMPLETION} status=(\w+) pid=(\d+) attempt=(\d+)")


def start_workers(log_dir: Path) -> dict[str, subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "KUNTAROBO_EXTRA_APPS": "kuntarobo.testing",
        "KUNTAROBO_WORKER_HEARTBEAT_SECONDS": "1",
        "KUNTAROBO_WORKER_STALE_SECONDS": "4",
        "KUNTAROBO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "kuntarobo", "worker", "--queues", "robots", "--interval"]
    workers = {}
    for number in range(WORKERS):
        worker_id = f"kill-test-{number}"
        workers[worker_id] = subprocess.Popen(
            [*command, "0.1", "--worker-id", worker_id],
            env=env,
            stdout=(log_dir / f"{worker_id}.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
    return workers


def stop(workers: dict[str, subprocess.Popen[bytes]]) -> None:
    for worker in workers.values():
        if worker.poll() is None:
            worker.terminate()
    for worker in workers.values():
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def wait_for(
    condition: Callable[[], bool],
    seconds: float,
    what: str,
    workers: dict[str, subprocess.Popen[bytes]],
    log_dir: Path,
) -> None:
    """Poll until the condition holds; fail early if a worker that should live has exited."""
    deadline = time.monotonic() + seconds
    while not condition():
        exited = [name for name, worker in workers.items() if worker.poll() is not None]
        if exited:
            logs = "\n".join((log_dir / f"{name}.log").read_text()[-3000:] for name in exited)
            pytest.fail(f"workers {exited} exited while waiting for {what}:\n{logs}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {seconds} s")
        time.sleep(0.2)


def test_a_worker_killed_in_the_middle_of_an_item_loses_nothing_and_repeats_nothing(
    municipality, tmp_path
):
    started = actions.start_run(
        "test",
        municipality,
        "test_counting",
        parameters={"count": ITEMS, "sleep_ms": 2, "hold_reference": HELD, "hold_seconds": 120},
        trigger=Trigger.CLI,
        via="cli",
    )
    run = started.run
    assert started.created == ITEMS
    held = WorkItem.objects.get(run=run, reference=HELD)
    workers = start_workers(tmp_path)
    began = time.monotonic()
    try:
        wait_for(
            lambda: WorkItem.objects.filter(pk=held.pk, status=ItemStatus.IN_PROGRESS).exists(),
            120,
            f"{HELD} to be taken",
            workers,
            tmp_path,
        )
        held.refresh_from_db()
        victim_id = held.claimed_by
        done_before_the_kill = WorkItem.objects.filter(run=run, status=ItemStatus.DONE).count()
        victim = workers.pop(victim_id)
        killed_at = timezone.now()
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        wait_for(
            lambda: Run.objects.filter(pk=run.pk, status=RunStatus.FINISHED).exists(),
            240,
            "the run to finish",
            workers,
            tmp_path,
        )
        took = time.monotonic() - began
    finally:
        stop(workers)

    assert done_before_the_kill > 0
    assert WorkItem.objects.filter(run=run).count() == ITEMS
    assert WorkItem.objects.filter(run=run, status=ItemStatus.DONE).count() == ITEMS

    # Exactly once: one completion record per item, every one of them "done".
    records = [
        (entry.item_id, COMPLETION_RECORD.fullmatch(entry.message))
        for entry in RunLogEntry.objects.filter(run=run, message__startswith=COMPLETION)
    ]
    assert len(records) == ITEMS
    assert len({item_id for item_id, _ in records}) == ITEMS
    assert {match.group(1) for _, match in records} == {ItemStatus.DONE}
    pids = Counter(int(match.group(2)) for _, match in records)
    assert len(pids) >= WORKERS - 1  # the work was shared

    # The killed worker's item was taken again by another worker, on a second attempt.
    held.refresh_from_db()
    assert (held.status, held.attempts) == (ItemStatus.DONE, 2)
    [(_, held_record)] = [(i, m) for i, m in records if i == held.pk]
    assert int(held_record.group(2)) != victim.pid
    assert held_record.group(3) == "2"
    assert RunLogEntry.objects.filter(
        item=held, message__contains=f"worker {victim_id} stopped"
    ).exists()

    # The killed worker's task is failed as lost; nothing failed for another reason, and
    # nothing is left waiting or running. (A live worker too slow to beat under load would
    # also be "lost": its result is then discarded, which the counts above allow for.)
    failed = list(DBTaskResult.objects.filter(status=TaskResultStatus.FAILED))
    assert all(task.exception_class_path.endswith("WorkerLostError") for task in failed)
    # At the kill the worker held one batch of tasks (KUNTAROBO_WORKER_BATCH), the held item's
    # among them; those are failed as lost after the kill, and their items were still completed
    # once (above), by the victim before the kill or by another worker after it. (Batches it
    # lost earlier, while alive but too slow to beat under load, were failed before the kill.)
    killed_tasks = [
        task
        for task in failed
        if task.worker_ids[-1] == victim_id and task.finished_at >= killed_at
    ]
    assert held.pk in {task.args_kwargs["args"][0] for task in killed_tasks}
    assert len(killed_tasks) <= settings.KUNTAROBO_WORKER_BATCH
    assert not DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).exists()
    run.refresh_from_db()
    assert run.summary["done"] == ITEMS
    print(f"\nkill test: {ITEMS} items, {WORKERS} workers, {took:.1f} s")  # noqa: T201
