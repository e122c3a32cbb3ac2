"""Doing one work item: claim it, run the robot's handler outside any transaction, then commit the
result only if the claim is still ours. That token check is what makes "no item is completed
twice" hold even when a worker thought dead comes back.
"""

from __future__ import annotations

import datetime
import logging
import socket
import time
import traceback
import uuid
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kuntarobo.runtime.backoff import retry_delay_seconds
from kuntarobo.runtime.masking import mask_identity_codes
from kuntarobo.runtime.models import (
    ItemDocument,
    ItemStatus,
    Run,
    RunLogEntry,
    RunStatus,
    WorkerProcess,
    WorkItem,
)
from kuntarobo.runtime.sdk import (
    BusinessException,
    ItemView,
    Outcome,
    Robot,
    RunContext,
    get_robot,
)

logger = logging.getLogger(__name__)

PROCESS = "process"
DELIVER = "deliver"


def run_context(run: Run) -> RunContext:
    return RunContext(
        run_id=run.pk,
        municipality_slug=run.municipality.slug,
        municipality_name=run.municipality.name_fi,
        parameters=dict(run.parameters),
        trigger=run.trigger,
        input_path=_input_path(run),
        input_name=run.input_name,
    )


def _input_path(run: Run) -> Path | None:
    return Path(run.input_file.path) if run.input_file else None


def item_view(item: WorkItem) -> ItemView:
    return ItemView(
        id=item.pk,
        reference=item.reference,
        payload=item.payload,
        attempt=item.attempts,
        output=item.output,
        title=item.title,
    )


def write_log(run_id: int, item_id: int | None, lines: Iterable[tuple[str, str]]) -> None:
    RunLogEntry.objects.bulk_create(
        RunLogEntry(
            run_id=run_id, item_id=item_id, level=level, message=mask_identity_codes(message)
        )
        for level, message in lines
    )


def _claim(item_id: int, worker_id: str, stage: str) -> tuple[WorkItem, str] | None:
    token = uuid.uuid4().hex
    expected = ItemStatus.NEW if stage == PROCESS else ItemStatus.APPROVED
    with transaction.atomic():
        item = (
            WorkItem.objects.select_for_update(of=("self",))
            .select_related("run__municipality")
            .filter(pk=item_id)
            .first()
        )
        if item is None or item.status != expected or item.claim_token:
            return None
        item.claim_token = token
        item.claimed_by = worker_id
        item.attempts += 1
        item.retry_at = None
        if stage == PROCESS:
            item.status = ItemStatus.IN_PROGRESS
            item.started_at = timezone.now()
        item.save(
            update_fields=[
                "claim_token",
                "claimed_by",
                "attempts",
                "retry_at",
                "status",
                "started_at",
            ]
        )
    return item, token


def _call_robot(
    robot: Robot, item: WorkItem, context: RunContext, stage: str
) -> tuple[str, Outcome | str]:
    try:
        if stage == PROCESS:
            return "ok", robot.handle(item_view(item), context)
        robot.deliver(item_view(item), context)
        return "ok", Outcome(output=item.output)
    except BusinessException as error:
        return "business", str(error)
    except Exception as error:  # every other failure is technical: retried, then a person
        text = "".join(traceback.format_exception_only(type(error), error)).strip()
        logger.warning("item %s failed: %s", item.pk, text)
        return "application", text


def execute(item_id: int, worker_id: str, stage: str = PROCESS) -> str:
    """Run one stage of one item; returns a short word on what happened (for the task result)."""
    claimed = _claim(item_id, worker_id, stage)
    if claimed is None:
        return "skipped"
    item, token = claimed
    robot_class = get_robot(item.robot_slug)
    context = run_context(item.run)
    started = time.monotonic()
    kind, result = _call_robot(robot_class(), item, context, stage)
    duration_ms = int((time.monotonic() - started) * 1000)
    return _complete(item.pk, token, robot_class, stage, kind, result, context, duration_ms)


def _complete(
    item_id: int,
    token: str,
    robot_class: type[Robot],
    stage: str,
    kind: str,
    result: Outcome | str,
    context: RunContext,
    duration_ms: int,
) -> str:
    from kuntarobo.runtime import tasks

    now = timezone.now()
    with transaction.atomic():
        item = WorkItem.objects.select_for_update().filter(pk=item_id).first()
        if item is None or item.claim_token != token:
            logger.warning("item %s: result of a lost claim discarded", item_id)
            return "stale"
        fields = [
            "status",
            "claim_token",
            "claimed_by",
            "finished_at",
            "duration_ms",
            "error_message",
            "retry_at",
        ]
        item.claim_token = ""
        item.claimed_by = ""
        item.duration_ms = duration_ms if stage == PROCESS else item.duration_ms
        item.error_message = ""
        if kind == "ok":
            assert isinstance(result, Outcome)
            if stage == PROCESS:
                item.output = result.output
                item.explanation = [mask_identity_codes(line) for line in result.explanation]
                item.attention = result.attention
                fields += ["output", "explanation", "attention"]
                for document in result.documents:
                    stored = ItemDocument(
                        item=item, name=document.name, content_type=document.content_type
                    )
                    stored.file.save(document.name, ContentFile(document.content), save=False)
                    stored.save()
                needs_review = robot_class.needs_review()
                item.status = ItemStatus.NEEDS_REVIEW if needs_review else ItemStatus.DONE
            else:
                item.status = ItemStatus.DONE
            item.finished_at = now
        elif kind == "business":
            item.status = ItemStatus.FAILED_BUSINESS
            item.error_message = mask_identity_codes(str(result))
            item.finished_at = now
            context.log(f"{item.reference}: {result}", "warning")
        else:
            item.error_message = mask_identity_codes(str(result))
            if item.attempts < robot_class.max_attempts:
                delay = retry_delay_seconds(
                    item.attempts,
                    settings.KUNTAROBO_RETRY_BASE_SECONDS,
                    settings.KUNTAROBO_RETRY_MAX_SECONDS,
                )
                item.retry_at = now + datetime.timedelta(seconds=delay)
                item.status = ItemStatus.NEW if stage == PROCESS else ItemStatus.APPROVED
                task = tasks.process_item if stage == PROCESS else tasks.deliver_item
                tasks.enqueue_items(task, [item], run_after=item.retry_at)
                context.log(
                    f"{item.reference}: attempt {item.attempts} failed ({result}); "
                    f"retry in {delay} s",
                    "warning",
                )
            else:
                item.status = ItemStatus.FAILED_APPLICATION
                item.finished_at = now
                context.log(
                    f"{item.reference}: failed after {item.attempts} attempts: {result}", "error"
                )
        item.save(update_fields=fields)
        robot_class.on_status(item_view(item), str(item.status))
        write_log(item.run_id, item.pk, context.log_lines)
        run_id = item.run_id
        transaction.on_commit(lambda: finish_run_if_done(run_id))
    return str(item.status)


def finish_run_if_done(run_id: int) -> bool:
    """Mark a run finished once no item is left for the robot. Called after each commit."""
    if WorkItem.objects.filter(
        run_id=run_id, status__in=[ItemStatus.NEW, ItemStatus.IN_PROGRESS]
    ).exists():
        return False
    with transaction.atomic():
        run = Run.objects.select_for_update().filter(pk=run_id, status=RunStatus.RUNNING).first()
        if run is None:
            return False
        run.status = RunStatus.FINISHED
        run.finished_at = timezone.now()
        run.summary = run_counts(run)
        run.save(update_fields=["status", "finished_at", "summary"])
    return True


def run_counts(run: Run) -> dict[str, int]:
    counts = dict.fromkeys(ItemStatus.values, 0)
    for row in run.items.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    counts["total"] = sum(counts[s] for s in ItemStatus.values)
    return counts


# --- workers: heartbeats and recovery ----------------------------------------------------------


def register_worker(worker_id: str) -> None:
    import os

    WorkerProcess.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "heartbeat_at": timezone.now(),
        },
    )


def heartbeat(worker_id: str) -> None:
    updated = WorkerProcess.objects.filter(worker_id=worker_id).update(heartbeat_at=timezone.now())
    if not updated:
        register_worker(worker_id)


def unregister_worker(worker_id: str) -> None:
    WorkerProcess.objects.filter(worker_id=worker_id).delete()


def recover_lost_work(now: datetime.datetime | None = None) -> int:
    """Give the items of workers that stopped beating back to the queue; returns how many."""
    from kuntarobo.runtime import tasks

    now = now or timezone.now()
    stale_before = now - datetime.timedelta(seconds=settings.KUNTAROBO_WORKER_STALE_SECONDS)
    live = set(
        WorkerProcess.objects.filter(heartbeat_at__gte=stale_before).values_list(
            "worker_id", flat=True
        )
    )
    recovered = 0
    with transaction.atomic():
        orphans = (
            WorkItem.objects.select_for_update(skip_locked=True)
            .exclude(claim_token="")
            .exclude(claimed_by__in=live)
            .exclude(claimed_by__startswith="inline:")
            .filter(status__in=[ItemStatus.IN_PROGRESS, ItemStatus.APPROVED])
        )
        requeue: dict[str, list[WorkItem]] = {PROCESS: [], DELIVER: []}
        for item in orphans:
            stage = PROCESS if item.status == ItemStatus.IN_PROGRESS else DELIVER
            lost_worker = item.claimed_by
            item.claim_token = ""
            item.claimed_by = ""
            robot_class = get_robot(item.robot_slug)
            if item.attempts >= robot_class.max_attempts:
                item.status = ItemStatus.FAILED_APPLICATION
                item.finished_at = now
                item.error_message = f"worker {lost_worker} stopped during the last attempt"
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
                        f"{item.reference}: worker {lost_worker} stopped; item returned "
                        "to the queue",
                    )
                ],
            )
            recovered += 1
        tasks.enqueue_items(tasks.process_item, requeue[PROCESS])
        tasks.enqueue_items(tasks.deliver_item, requeue[DELIVER])
        for result in DBTaskResult.objects.select_for_update(skip_locked=True).running():
            if result.worker_ids and result.worker_ids[-1] not in live:
                result.set_failed(WorkerLostError(result.worker_ids[-1]))
        WorkerProcess.objects.filter(heartbeat_at__lt=stale_before).delete()
    if recovered:
        logger.warning("returned %d items of stopped workers to the queue", recovered)
        for run_id in {i.run_id for stage in requeue.values() for i in stage}:
            finish_run_if_done(run_id)
    return recovered


class WorkerLostError(Exception):
    """The worker running a task stopped without finishing it."""
