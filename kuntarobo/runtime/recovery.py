"""Giving back the work of processes that stopped: items claimed by a worker that no longer beats,
tasks it was running, readings of inputs nothing will finish, and what a worker held when the
database failed under it.

Above both `execution` (doing items) and `actions` (ending a reading fails the run through
`actions.fail_reading`), so neither needs to import the other's way back.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kuntarobo.runtime import actions
from kuntarobo.runtime.declarations import get_robot, message
from kuntarobo.runtime.enqueue import (
    DELIVER_ITEM,
    PROCESS_ITEM,
    PRODUCE_RUN,
    enqueue,
    enqueue_items,
)
from kuntarobo.runtime.execution import (
    DELIVER,
    IMMEDIATE,
    PROCESS,
    finish_run_if_done,
    item_stage,
    stage_task,
    write_log,
)
from kuntarobo.runtime.localized import stored_text
from kuntarobo.runtime.models import ItemStatus, Run, RunStatus, WorkerProcess, WorkItem
from kuntarobo.runtime.outage import is_outage

logger = logging.getLogger(__name__)

MAX_READINGS = 3  # times a run's input is read again after its reader's worker was lost


def recover_lost_work(now: datetime.datetime | None = None) -> int:
    """Give the items of workers that stopped beating back to the queue; returns how many.

    A worker is alive while its heartbeat is fresh; any other claimant (stale, or already removed
    from the table) is dead. Its claimed items go back to the queue (or fail, after the last
    attempt), its running tasks are marked failed, and an item whose task it had taken but not
    yet claimed is queued again, since that task was the item's only way back to a worker.
    """
    now = now or timezone.now()
    stale_before = now - datetime.timedelta(seconds=settings.KUNTAROBO_WORKER_STALE_SECONDS)
    live = WorkerProcess.objects.filter(heartbeat_at__gte=stale_before).values("worker_id")
    requeue: dict[str, list[WorkItem]] = {PROCESS: [], DELIVER: []}
    runs: set[int] = set()
    recovered = 0
    with transaction.atomic():
        # One statement, so "alive" is judged on the snapshot that shows the claims: a worker
        # registers before it claims anything.
        orphans = (
            WorkItem.objects.select_for_update(skip_locked=True)
            .exclude(claim_token="")
            .exclude(claimed_by__in=live)
            .exclude(claimed_by=IMMEDIATE)
            .filter(status__in=[ItemStatus.IN_PROGRESS, ItemStatus.APPROVED])
        )
        for item in orphans:
            stage = PROCESS if item.status == ItemStatus.IN_PROGRESS else DELIVER
            lost_worker = item.claimed_by
            item.claim_token = ""
            item.claimed_by = ""
            robot_class = get_robot(item.robot_slug)
            if item.attempts >= robot_class.max_attempts:
                item.status = ItemStatus.FAILED_APPLICATION
                item.finished_at = now
                item.error_message = stored_text(
                    message(
                        _("worker %(worker)s stopped during the last attempt"),
                        worker=lost_worker,
                    )
                )
            else:
                item.status = ItemStatus.NEW if stage == PROCESS else ItemStatus.APPROVED
                requeue[stage].append(item)
            item.save(
                update_fields=[
                    "claim_token",
                    "claimed_by",
                    "status",
                    "finished_at",
                    "error_message",
                ]
            )
            write_log(
                item.run_id,
                item.pk,
                [
                    (
                        "warning",
                        message(
                            _(
                                "%(reference)s: worker %(worker)s stopped; "
                                "item returned to the queue"
                            ),
                            reference=item.reference,
                            worker=lost_worker,
                        ),
                    )
                ],
            )
            runs.add(item.run_id)
            recovered += 1
        enqueue_items(PROCESS_ITEM, requeue[PROCESS])
        enqueue_items(DELIVER_ITEM, requeue[DELIVER])
        # Running tasks are read before the live workers, so that a worker whose task shows
        # here is sure to show among the live ones if it is alive (it registered first).
        running = list(DBTaskResult.objects.select_for_update(skip_locked=True).running())
        alive = set(live.values_list("worker_id", flat=True))
        for result in running:
            if result.worker_ids and result.worker_ids[-1] not in alive:
                result.set_failed(WorkerLostError(result.worker_ids[-1]))
                recovered += _requeue_unclaimed(result, runs)
        WorkerProcess.objects.filter(heartbeat_at__lt=stale_before).delete()
    if recovered:
        logger.warning("returned %d items of stopped workers to the queue", recovered)
    for run_id in runs:  # an item failed after its last attempt may have been the run's last
        finish_run_if_done(run_id)
    return recovered


def _requeue_unclaimed(result: DBTaskResult[..., Any], runs: set[int]) -> int:
    """Queue again the item of a lost task if the worker stopped before claiming it."""
    work = item_stage(result)
    if work is None:
        return _requeue_lost_producer(result)
    stage, item_id = work
    expected = ItemStatus.NEW if stage == PROCESS else ItemStatus.APPROVED
    item = (
        WorkItem.objects.select_for_update(skip_locked=True)
        .filter(pk=item_id, status=expected, claim_token="")
        .first()
    )
    if item is None:
        return 0
    # A ready task for the item (a retry waiting for its back-off, or one queued just now by
    # the recovery of its claimed items) already brings it back.
    if DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=result.task_path, args_kwargs__args__0=item.pk
    ).exists():
        return 0
    task = stage_task(stage)
    enqueue_items(task, [item], run_after=item.retry_at)
    write_log(
        item.run_id,
        item.pk,
        [
            (
                "warning",
                message(
                    _(
                        "%(reference)s: worker %(worker)s stopped before starting the item; "
                        "item returned to the queue"
                    ),
                    reference=item.reference,
                    worker=result.worker_ids[-1],
                ),
            )
        ],
    )
    runs.add(item.run_id)
    return 1


def release_interrupted_work(worker_id: str) -> int:
    """Put back what this worker held when the platform's database failed under it; returns
    how many items went back.

    Called by the worker itself once the database answers again, before it takes anything new,
    so nothing of its own is in hand: every item still claimed by it and every task still
    running under its name belongs to the batch the outage cut short. Their tasks are made
    ready again; the items return to the queue with the attempt not counted (the outage was
    the platform's, not the item's). An item whose result did commit before the connection
    broke is no longer claimed and stays as it is: its task is then run again and finds
    nothing to do. Other workers may already have judged this one dead and done all this
    (`recover_lost_work`); then there is nothing left here.
    """
    runs: set[int] = set()
    released = 0
    with transaction.atomic():
        # No lock while reading: another worker's recovery locks every running task for a
        # moment, and skipping those would leave ours running for ever. The UPDATE waits for
        # it instead, and changes only those still running.
        running = [
            task
            for task in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
            if task.worker_ids and task.worker_ids[-1] == worker_id
        ]
        DBTaskResult.objects.filter(
            pk__in=[task.pk for task in running], status=TaskResultStatus.RUNNING
        ).update(status=TaskResultStatus.READY, started_at=None)
        their_items = [work[1] for task in running if (work := item_stage(task))]
        claimed = (
            WorkItem.objects.select_for_update()
            .filter(claimed_by=worker_id, status__in=[ItemStatus.IN_PROGRESS, ItemStatus.APPROVED])
            .exclude(claim_token="")
        )
        for item in claimed:
            stage = PROCESS if item.status == ItemStatus.IN_PROGRESS else DELIVER
            item.claim_token = ""
            item.claimed_by = ""
            item.status = ItemStatus.NEW if stage == PROCESS else ItemStatus.APPROVED
            item.attempts = max(item.attempts - 1, 0)
            item.save(update_fields=["claim_token", "claimed_by", "status", "attempts"])
            task = stage_task(stage)
            if not DBTaskResult.objects.filter(
                status=TaskResultStatus.READY,
                task_path=task,
                args_kwargs__args__0=item.pk,
            ).exists():
                enqueue_items(task, [item], run_after=item.retry_at)
            write_log(
                item.run_id,
                item.pk,
                [
                    (
                        "warning",
                        message(
                            _(
                                "%(reference)s: the platform's database was unavailable during "
                                "the attempt; item returned to the queue, the attempt not counted"
                            ),
                            reference=item.reference,
                        ),
                    )
                ],
            )
            runs.add(item.run_id)
            released += 1
        runs.update(WorkItem.objects.filter(pk__in=their_items).values_list("run_id", flat=True))
    if released or running:
        logger.warning(
            "worker %s: %d tasks and %d items cut short by the database outage returned to "
            "the queue",
            worker_id,
            len(running),
            released,
        )
    for run_id in runs:  # a result committed just before the outage may have been the last
        finish_run_if_done(run_id)
    return released


def _requeue_lost_producer(result: DBTaskResult[..., Any]) -> int:
    """Queue again the reading of a run's input if the worker reading it stopped: the run would
    otherwise stay `starting` for ever."""
    if result.task_path != PRODUCE_RUN:
        return 0
    args = result.args_kwargs.get("args") or []
    if not args or not isinstance(args[0], int):
        return 0
    if not Run.objects.filter(pk=args[0], status=RunStatus.STARTING).exists():
        return 0
    readings = DBTaskResult.objects.filter(
        task_path=result.task_path, args_kwargs__args__0=args[0]
    ).count()
    if readings >= MAX_READINGS:
        # An input that kills its reader (memory) must not take down one worker after another.
        actions.fail_reading(
            args[0], f"the workers reading the input stopped {readings} times; not read again"
        )
        return 1
    enqueue(PRODUCE_RUN, *args)
    write_log(args[0], None, [("warning", _("the worker reading the input stopped; read again"))])
    return 1


def recover_stalled_readings(now: datetime.datetime | None = None) -> int:
    """Safety net for runs left `starting`: read again, or fail, the input of every run whose
    reading nothing will finish; returns how many runs it acted on.

    A run is stalled when it is older than the grace period, no reading of it is queued or
    running, and no live process reads it inline: its reading task ended without recording
    anything (failed while the database was down, or its row was lost). Its input is then read
    again, within the `MAX_READINGS` the lost workers' readings count against, and after that
    the run fails with its input deleted. A command line that died while reading inline leaves
    no queued reading behind and had audited no start: that run fails at once (start it again).
    """
    now = now or timezone.now()
    started_before = now - datetime.timedelta(seconds=settings.KUNTAROBO_READING_GRACE_SECONDS)
    stale_before = now - datetime.timedelta(seconds=settings.KUNTAROBO_WORKER_STALE_SECONDS)
    acted = 0
    for run_id in Run.objects.filter(
        status=RunStatus.STARTING, created_at__lt=started_before
    ).values_list("pk", flat=True):
        try:
            acted += _recover_stalled_reading(run_id, stale_before)
        except Exception as error:  # one run's trouble must not keep the others stalled
            if is_outage(error):
                raise
            logger.exception("run %s: a stalled reading could not be recovered", run_id)
    if acted:
        logger.warning("%d runs left starting were read again or failed", acted)
    return acted


def _recover_stalled_reading(run_id: int, stale_before: datetime.datetime) -> int:
    """Read again, or fail, this one run if nothing reads it; whether it did."""
    with transaction.atomic():
        run = (
            Run.objects.select_for_update(skip_locked=True)
            .filter(pk=run_id, status=RunStatus.STARTING)
            .first()
        )
        if run is None:
            return 0
        readings = DBTaskResult.objects.filter(task_path=PRODUCE_RUN, args_kwargs__args__0=run_id)
        if readings.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).exists():
            return 0  # a worker reads it, or recovery judges the worker that does
        reader = str((run.summary or {}).get("reader") or "")
        if reader:
            if WorkerProcess.objects.filter(
                worker_id=reader, heartbeat_at__gte=stale_before
            ).exists():
                return 0
            actions.fail_reading(
                run_id,
                f"the command line {reader} reading the input stopped; start the run again",
            )
        elif (count := readings.count()) >= MAX_READINGS:
            actions.fail_reading(
                run_id,
                f"reading the input ended {count} times without a result; not read again",
            )
        else:
            last = readings.order_by("-enqueued_at").first()
            args = (last.args_kwargs.get("args") or []) if last is not None else []
            via = args[1] if len(args) > 1 and isinstance(args[1], str) else "system"
            enqueue(PRODUCE_RUN, run_id, via)
            write_log(
                run_id,
                None,
                [("warning", _("reading the input ended without a result; read again"))],
            )
    return 1


class WorkerLostError(Exception):
    """The worker running a task stopped without finishing it."""
