"""Doing one work item: claim it, run the robot's handler outside any transaction, then commit the
result only if the claim is still ours. That token check is what makes "no item is completed
twice" hold even when a worker thought dead comes back.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import logging
import os
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import close_old_connections, connection, transaction
from django.db.models import Avg, Count, Field, Max, Model, Sum
from django.utils import formats, timezone, translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from kuntarobo.accounts.models import Municipality
from kuntarobo.core.backoff import retry_delay_seconds
from kuntarobo.core.localized import pick
from kuntarobo.core.masking import mask_identity_codes, mask_secrets, mask_secrets_in_bytes
from kuntarobo.runtime.declarations import (
    ApplicationException,
    BusinessException,
    Document,
    ItemView,
    Outcome,
    Robot,
    RunContext,
    Wait,
    get_robot,
    message,
)
from kuntarobo.runtime.enqueue import (
    DELIVER_ITEM,
    PROCESS_ITEM,
    RESUME_ITEM,
    START_CHAINED,
    enqueue,
    enqueue_items,
)
from kuntarobo.runtime.files import save_file
from kuntarobo.runtime.impact import REPEATED, REPEATED_ITEMS
from kuntarobo.runtime.localized import stored_line, stored_text
from kuntarobo.runtime.models import (
    ItemAction,
    ItemDocument,
    ItemStatus,
    Run,
    RunLogEntry,
    RunStatus,
    WorkerProcess,
    WorkItem,
)
from kuntarobo.runtime.outage import Outage, is_outage
from kuntarobo.runtime.statuses import UNFINISHED_STATUSES
from kuntarobo.runtime.storage_roots import robot_root

logger = logging.getLogger(__name__)

PROCESS = "process"
DELIVER = "deliver"
# The claimant of a task run at once in the process that queued it (django-tasks' immediate
# backend, development only): it beats no heartbeat, so recovery cannot judge it.
IMMEDIATE = "inline:immediate"


_ITEM_STAGES = {PROCESS_ITEM: PROCESS, DELIVER_ITEM: DELIVER}


def item_stage(task_result: DBTaskResult[..., Any]) -> tuple[str, int] | None:
    """(stage, item id) of a work item's task, or None for any other task."""
    stage = _ITEM_STAGES.get(task_result.task_path)
    args = task_result.args_kwargs.get("args") or []
    if stage is None or len(args) != 1 or not isinstance(args[0], int):
        return None
    if task_result.args_kwargs.get("kwargs"):
        return None
    return stage, args[0]


def stage_task(stage: str) -> str:
    """The path of the task that does this stage of an item."""
    return PROCESS_ITEM if stage == PROCESS else DELIVER_ITEM


def run_context(run: Run) -> RunContext:
    return RunContext(
        run_id=run.pk,
        municipality_slug=run.municipality.slug,
        municipality_name=run.municipality.name_fi,
        parameters=dict(run.parameters),
        trigger=run.trigger,
        input_path=_input_path(run),
        input_name=run.input_name,
        robot_slug=run.robot_slug,
        root_finder=functools.partial(robot_root, run.municipality.slug, run.robot_slug),
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
        title=pick(item.title, translation.get_language()),
        municipality_id=item.municipality_id,
        reviewed_by_name=reviewer_name(item),
        reviewed_at=item.reviewed_at,
        reviewed_by_id=item.reviewed_by_id,
        resume_payload=item.resume_payload,
        record=item.record,
    )


def reviewer_name(item: WorkItem) -> str:
    if item.reviewed_by_id is None:
        return ""
    user = item.reviewed_by
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _local_date_time(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


# A moment as the reader writes it (their language's format), rendered when the line is read.
local_date_time = lazy(_local_date_time, str)


def write_log(run_id: int, item_id: int | None, lines: Iterable[tuple[str, Any]]) -> None:
    entries = _log_entries(run_id, item_id, lines)
    if entries:  # bulk_create() opens a transaction even for nothing
        RunLogEntry.objects.bulk_create(entries)


def _log_entries(
    run_id: int, item_id: int | None, lines: Iterable[tuple[str, Any]]
) -> list[RunLogEntry]:
    return [
        RunLogEntry(run_id=run_id, item_id=item_id, level=level, message=stored_text(message))
        for level, message in lines
    ]


def _claim(item_id: int, worker_id: str, stage: str) -> tuple[WorkItem, str, RunContext] | None:
    """Take one item for this worker, or return None if it is not waiting for this stage."""
    claimed = _claim_many([item_id], worker_id, stage)
    return claimed[0] if claimed else None


def _claim_many(
    item_ids: Sequence[int], worker_id: str, stage: str
) -> list[tuple[WorkItem, str, RunContext]]:
    """Take for this worker those of the items still waiting for this stage, in the given order.

    One conditional UPDATE decides who gets each item: it matches only while the item is in the
    expected status with no claim, so of two workers holding tasks for the same item, the second
    matches no row. The items are then read, by the claim token they now share, without a lock:
    while claimed, only the claimant (or recovery, which takes the claim away) changes them.
    A worker's batch costs these two statements, not two per item.
    """
    token = uuid.uuid4().hex
    expected = ItemStatus.NEW if stage == PROCESS else ItemStatus.APPROVED
    changes: dict[str, Any] = {"claim_token": token, "claimed_by": worker_id, "retry_at": None}
    if stage == PROCESS:
        changes.update(status=ItemStatus.IN_PROGRESS, started_at=timezone.now())
    matched = update_rows(
        WorkItem,
        item_ids,
        {"status": expected, "claim_token": ""},
        changes,
        increment=("attempts",),
    )
    if not matched:
        return []
    loaded = {item.pk: (item, context) for item, context in _load_items(item_ids, token)}
    return [
        (loaded[item_id][0], token, loaded[item_id][1])
        for item_id in dict.fromkeys(item_ids)
        if item_id in loaded
    ]


def update_row(
    model: type[Model],
    pk: Any,
    match: dict[str, Any],
    changes: dict[str, Any],
    increment: tuple[str, ...] = (),
) -> bool:
    """UPDATE one row if it still matches `match`; whether it did."""
    return update_rows(model, [pk], match, changes, increment) == 1


def update_rows(
    model: type[Model],
    pks: Sequence[Any],
    match: dict[str, Any],
    changes: dict[str, Any],
    increment: tuple[str, ...] = (),
) -> int:
    """UPDATE the rows of these keys that still match `match`; how many did.

    What QuerySet.filter(...).update(...) does for these plain fields, with the values prepared
    by the fields themselves, but without building a query each time: on a no-op robot that
    building was a third of the worker's CPU per item.
    """
    meta = model._meta
    quote = connection.ops.quote_name
    assignments, conditions, params = [], [], []
    for name, value in changes.items():
        field = _concrete_field(model, name)
        assignments.append(f"{quote(field.column)} = %s")
        params.append(field.get_db_prep_save(value, connection))
    for name in increment:
        column = quote(_concrete_field(model, name).column)
        assignments.append(f"{column} = {column} + 1")
    assert meta.pk is not None
    conditions.append(f"{quote(meta.pk.column)} IN ({', '.join(['%s'] * len(pks))})")
    params.extend(pks)
    for name, value in match.items():
        field = _concrete_field(model, name)
        conditions.append(f"{quote(field.column)} = %s")
        params.append(field.get_db_prep_value(value, connection))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {', '.join(assignments)} "  # noqa: S608
            f"WHERE {' AND '.join(conditions)}",
            params,
        )
        return int(cursor.rowcount)


def _concrete_field(model: type[Model], name: str) -> Field[Any, Any]:
    """A column of the model's table, by field name."""
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.concrete:
        raise ValueError(f"{model._meta.label}.{name} is not a column")
    return field


def _load_items(item_ids: Sequence[int], token: str) -> list[tuple[WorkItem, RunContext]]:
    """The items of this claim with their runs' context, in one query written out: per item,
    the ORM's select_related() cost the worker three times the CPU of the raw query."""
    placeholders = ", ".join(["%s"] * len(item_ids))
    sql = _item_with_run_sql(connection.vendor).format(ids=placeholders)
    parameters_field = Run._meta.get_field("parameters")
    storage = Run._meta.get_field("input_file").storage
    loaded = []
    for item in WorkItem.objects.raw(sql, [*item_ids, token]):
        raw: dict[str, Any] = item.__dict__
        # JSONField.from_db_value does not use the expression, which the stubs require.
        parameters = parameters_field.from_db_value(
            raw["run_parameters"],
            None,  # type: ignore[arg-type]
            connection,
        )
        input_file = raw["run_input_file"]
        context = RunContext(
            run_id=item.run_id,
            municipality_slug=raw["municipality_slug"],
            municipality_name=raw["municipality_name"],
            parameters=dict(parameters or {}),
            trigger=raw["run_trigger"],
            input_path=Path(storage.path(input_file)) if input_file else None,
            input_name=raw["run_input_name"],
            robot_slug=item.robot_slug,
            root_finder=functools.partial(robot_root, raw["municipality_slug"], item.robot_slug),
        )
        loaded.append((item, context))
    return loaded


@functools.cache
def _item_with_run_sql(vendor: str) -> str:
    quote = connection.ops.quote_name

    def column(model: type[Model], field: str) -> str:
        return quote(_concrete_field(model, field).column)

    extra = {
        "run_parameters": column(Run, "parameters"),
        "run_trigger": column(Run, "trigger"),
        "run_input_file": column(Run, "input_file"),
        "run_input_name": column(Run, "input_name"),
    }
    selected = ", ".join(f"r.{source} AS {quote(name)}" for name, source in extra.items())
    return (
        f"SELECT w.*, {selected}, "  # noqa: S608  (names from the models, the id a parameter)
        f"m.{column(Municipality, 'slug')} AS {quote('municipality_slug')}, "
        f"m.{column(Municipality, 'name_fi')} AS {quote('municipality_name')} "
        f"FROM {quote(WorkItem._meta.db_table)} w "
        f"JOIN {quote(Run._meta.db_table)} r "
        f"ON r.{column(Run, 'id')} = w.{column(WorkItem, 'run')} "
        f"JOIN {quote(Municipality._meta.db_table)} m "
        f"ON m.{column(Municipality, 'id')} = r.{column(Run, 'municipality')} "
        f"WHERE w.{column(WorkItem, 'id')} IN ({{ids}}) "
        f"AND w.{column(WorkItem, 'claim_token')} = %s"
    )


def _call_robot(
    robot: Robot, item: WorkItem, context: RunContext, stage: str
) -> tuple[str, Outcome | Wait | str | Promise, list[Document]]:
    """What the robot did: a kind, its result, and the documents a failure kept."""
    try:
        kind, result = _call_robot_unguarded(robot, item, context, stage)
    except (BusinessException, ApplicationException) as error:
        kind, result = _failure(item, error)
        return kind, result, [_masked(document) for document in error.documents]
    return kind, result, []


def _masked(document: Document) -> Document:
    """A failure's document may hold what a page showed while a secret was typed."""
    return Document(document.name, mask_secrets_in_bytes(document.content), document.content_type)


def _failure(item: WorkItem, error: Exception) -> tuple[str, str | Promise]:
    reason = error.args[0] if len(error.args) == 1 else None
    if isinstance(error, BusinessException):
        # A translatable reason is kept as it is: stored in every language (`stored_text`).
        return "business", reason if isinstance(reason, Promise) else mask_secrets(str(error))
    if isinstance(reason, Promise):  # a robot's translatable text, kept in every language
        logger.warning("item %s failed: %s", item.pk, mask_identity_codes(str(error)))
        return "application", reason
    return "application", _technical_failure(item.pk, error)


def _call_robot_unguarded(
    robot: Robot, item: WorkItem, context: RunContext, stage: str
) -> tuple[str, Outcome | Wait | str | Promise]:
    try:
        if stage == PROCESS:
            outcome = robot.handle(item_view(item), context)
            return ("wait" if isinstance(outcome, Wait) else "ok"), outcome
        robot.deliver(item_view(item), context)
        return "ok", Outcome(output=item.output)
    except Wait as wait:
        if stage == PROCESS:
            return "wait", wait
        return "application", "the robot asked to wait while delivering; only handle() may wait"
    except (BusinessException, ApplicationException):
        raise  # the caller keeps their documents
    except Exception as error:  # every other failure is technical: retried, then a person
        if is_outage(error):
            # The platform's own database failed under the robot: not the item's fault, so
            # not an attempt. The worker waits for the database and returns the item.
            raise
        return "application", _technical_failure(item.pk, error)


def _technical_failure(item_id: int, error: BaseException) -> str:
    text = mask_identity_codes("".join(traceback.format_exception_only(type(error), error)).strip())
    # Masked here, not only by the console handler's filter: every handler gets the record.
    logger.warning("item %s failed: %s", item_id, text)
    return text


def execute(item_id: int, worker_id: str, stage: str = PROCESS) -> str:
    """Run one stage of one item; returns a short word on what happened (for the task result)."""
    outcome = execute_many([item_id], worker_id, stage)[item_id]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def execute_many(
    item_ids: Sequence[int], worker_id: str, stage: str = PROCESS
) -> dict[int, str | Exception]:
    """Run one stage of each item: claimed together, handled one by one, committed together.

    Returns for each item the word `execute` would, or the exception that stopped it, so that
    one item's failure (its task is marked failed) does not keep the rest of a worker's batch
    from running. Whether a run is finished is asked once per run, after the batch: while its
    other items were claimed, the answer could not have been yes.
    """
    outcomes: dict[int, str | Exception] = dict.fromkeys(item_ids, "skipped")
    runs: dict[int, None] = {}
    outage = False
    try:
        handled = []
        for item, token, context in _claim_many(item_ids, worker_id, stage):
            runs[item.run_id] = None
            try:
                handled.append(_handle(item, token, context, stage))
            except Exception as error:  # recorded on the item's task by the caller
                if is_outage(error):
                    raise
                outcomes[item.pk] = error
        outcomes.update(_complete_together(handled))
    except Exception as error:
        # An outage of the database ends the batch: the worker returns its items once the
        # database is back (`release_interrupted_work`), and finishes their runs then.
        outage = is_outage(error)
        raise
    finally:
        if not outage:
            for run_id in runs:
                finish_run_if_done(run_id)
    return outcomes


@dataclass
class _Handled:
    """A claimed item's result from the robot, not yet committed."""

    item: WorkItem
    token: str
    robot_class: type[Robot]
    stage: str
    kind: str
    result: Outcome | Wait | str | Promise
    context: RunContext
    duration_ms: int
    # What a failure kept (a screenshot, a page): stored with the item like an outcome's.
    failure_documents: list[Document] = field(default_factory=list)


def _handle(item: WorkItem, token: str, context: RunContext, stage: str) -> _Handled:
    robot_class = get_robot(item.robot_slug)
    started = time.monotonic()
    kind, result, kept = _call_robot(robot_class(), item, context, stage)
    duration_ms = int((time.monotonic() - started) * 1000)
    return _Handled(item, token, robot_class, stage, kind, result, context, duration_ms, kept)


@dataclass
class _Records:
    """The rows that go with the items' new statuses, inserted together after the items'
    UPDATEs: a batch's documents in one INSERT, its log lines in one, and each robot's
    `on_statuses` called once for the batch (a draft decision per item, in one INSERT)."""

    documents: list[ItemDocument] = field(default_factory=list)
    statuses: dict[type[Robot], list[tuple[ItemView, str]]] = field(default_factory=dict)
    log_entries: list[RunLogEntry] = field(default_factory=list)

    def insert(self) -> None:
        if self.documents:
            ItemDocument.objects.bulk_create(self.documents)
        for robot_class, changes in self.statuses.items():
            robot_class.on_statuses(changes)
        if self.log_entries:
            RunLogEntry.objects.bulk_create(self.log_entries)


def _complete_together(handled: list[_Handled]) -> dict[int, str | Exception]:
    """Commit the batch's results in one transaction; if that fails, each in its own.

    One commit for ten results spares the database nine (and SQLite nine hand-overs of its
    write lock). Should anything in it fail, nothing of it is kept, its files are removed, and
    the results are committed one by one, so that the failure stays with its own item.
    """
    if len(handled) > 1:
        records = _Records()
        try:
            with transaction.atomic():
                completed = {entry.item.pk: _complete(entry, records) for entry in handled}
                records.insert()
                return dict(completed)
        except Exception as error:  # its documents' files went with the rollback (files.save_file)
            if is_outage(error):  # one by one would fail alike; nothing of it was kept
                raise
            logger.warning("a batch's results failed together; committing them one by one")
    outcomes: dict[int, str | Exception] = {}
    for entry in handled:
        records = _Records()
        try:
            with transaction.atomic():
                outcomes[entry.item.pk] = _complete(entry, records)
                records.insert()
        except Exception as error:  # recorded on the item's task by the caller
            if is_outage(error):
                raise
            outcomes[entry.item.pk] = error
            _give_back_unsaved(entry, error)
    return outcomes


def _give_back_unsaved(handled: _Handled, error: Exception) -> None:
    """An item whose result could not be committed (a robot's `on_status` that fails, bad data)
    must not stay claimed by a worker that lives on: nobody would take it again, and its run
    would never finish. It is a technical failure of the attempt instead, committed without the
    robot's records: retried after the back-off, failed after the last attempt."""
    text = mask_identity_codes(
        "the result could not be saved: "
        + "".join(traceback.format_exception_only(type(error), error)).strip()
    )
    logger.warning("item %s: %s", handled.item.pk, text)
    failed = replace(handled, kind="application", result=text)
    records = _Records()
    try:
        with transaction.atomic():
            _complete(failed, records)
            if records.log_entries:
                RunLogEntry.objects.bulk_create(records.log_entries)
    except Exception as second:
        if is_outage(second):
            raise
        logger.exception("item %s: its failure could not be saved either", handled.item.pk)


def _complete(handled: _Handled, records: _Records) -> str:
    """Write the result of a claimed item, unless the claim was lost meanwhile.

    `item` is the worker's copy from the claim; the UPDATE matches only while the claim token is
    still ours, so a result that comes back after recovery gave the item to another worker is
    discarded. Runs in the caller's transaction, which then inserts `records`: the robot's
    `on_status` rows commit (or vanish) with the status change. Run again for the same result
    when its batch failed together, so it changes nothing but the database and the files it
    stores, which a rollback removes again.
    """
    item, token, robot_class, stage = (
        handled.item,
        handled.token,
        handled.robot_class,
        handled.stage,
    )
    kind, result = handled.kind, handled.result
    # The robot's lines and the runtime's own, kept apart from the context: a batch committed
    # again one by one must not log twice.
    log_lines = list(handled.context.log_lines)

    def log(line: Any, level: str) -> None:
        log_lines.append((level, line))  # masked with the rest when written

    now = timezone.now()
    changes: dict[str, Any] = {"claim_token": "", "claimed_by": "", "error_message": ""}
    retry_task = None
    if stage == PROCESS:
        changes["duration_ms"] = handled.duration_ms
    if kind == "ok":
        assert isinstance(result, Outcome)
        if stage == PROCESS:
            changes["output"] = result.output
            changes["record"] = result.record
            changes["explanation"] = [stored_line(line) for line in result.explanation]
            changes["attention"] = [stored_line(line) for line in result.attention]
            needs_review = robot_class.needs_review()
            changes["status"] = ItemStatus.NEEDS_REVIEW if needs_review else ItemStatus.DONE
        else:
            changes["status"] = ItemStatus.DONE
        changes["finished_at"] = now
    elif kind == "wait":
        assert isinstance(result, Wait)
        wait_until = result.until
        if wait_until is not None and timezone.is_naive(wait_until):
            wait_until = timezone.make_aware(wait_until)
        changes["status"] = ItemStatus(item.status).after(ItemAction.WAIT)
        changes["wait_until"] = wait_until
        changes["wait_reason"] = mask_identity_codes(result.reason)[:300]
        changes["resume_payload"] = {}
        # Waiting is not an attempt: the claim's count is taken back.
        changes["attempts"] = max(item.attempts - 1, 0)
        if result.output is not None:
            changes["output"] = result.output
        if wait_until is not None:
            log(
                message(
                    _("%(reference)s: waits until %(until)s: %(reason)s"),
                    reference=item.reference,
                    until=local_date_time(wait_until),
                    reason=result.reason,
                ),
                "info",
            )
        else:
            log(
                message(
                    _("%(reference)s: waits: %(reason)s"),
                    reference=item.reference,
                    reason=result.reason,
                ),
                "info",
            )
    elif kind == "business":
        changes["status"] = ItemStatus.FAILED_BUSINESS
        changes["error_message"] = stored_text(result)
        changes["finished_at"] = now
        log(
            message(_("%(reference)s: %(reason)s"), reference=item.reference, reason=result),
            "warning",
        )
    else:
        changes["error_message"] = stored_text(result)
        if item.attempts < robot_class.max_attempts:
            delay = retry_delay_seconds(
                item.attempts,
                settings.KUNTAROBO_RETRY_BASE_SECONDS,
                settings.KUNTAROBO_RETRY_MAX_SECONDS,
            )
            changes["retry_at"] = now + datetime.timedelta(seconds=delay)
            changes["status"] = ItemStatus.NEW if stage == PROCESS else ItemStatus.APPROVED
            retry_task = PROCESS_ITEM if stage == PROCESS else DELIVER_ITEM
            log(
                message(
                    _(
                        "%(reference)s: attempt %(attempt)d failed (%(reason)s); "
                        "retry in %(delay)d s"
                    ),
                    reference=item.reference,
                    attempt=item.attempts,
                    reason=result,
                    delay=delay,
                ),
                "warning",
            )
        else:
            changes["status"] = ItemStatus.FAILED_APPLICATION
            changes["finished_at"] = now
            log(
                message(
                    _("%(reference)s: failed, attempts: %(attempts)d: %(reason)s"),
                    reference=item.reference,
                    attempts=item.attempts,
                    reason=result,
                ),
                "error",
            )
    documents = result.documents if isinstance(result, Outcome) and stage == PROCESS else []
    documents = [*documents, *handled.failure_documents]
    if not update_row(WorkItem, item.pk, {"claim_token": token}, changes):
        logger.warning("item %s: result of a lost claim discarded", item.pk)
        return "stale"
    for name, value in changes.items():
        setattr(item, name, value)
    for document in documents:
        stored = ItemDocument(item=item, name=document.name, content_type=document.content_type)
        # Removed again if the completion's transaction rolls back.
        save_file(stored.file, document.name, ContentFile(document.content))
        records.documents.append(stored)
    if retry_task is not None:
        enqueue_items(retry_task, [item], run_after=item.retry_at)
    if robot_class.chains and changes.get("status") == ItemStatus.DONE:
        # Queued in the item's own transaction: the next run starts exactly when the item is
        # done, and is not lost if this worker dies right after committing.
        enqueue(START_CHAINED, item.pk)
    if kind == "wait" and item.wait_until is not None:
        enqueue_items(RESUME_ITEM, [item], run_after=item.wait_until)
    records.statuses.setdefault(robot_class, []).append((item_view(item), str(item.status)))
    records.log_entries += _log_entries(item.run_id, item.pk, log_lines)
    return str(item.status)


def process_run_inline(run_id: int, label: str = "cli") -> None:
    """Do every new item of the run in this process (a CLI run that must not wait for a worker).
    The queue's tasks for them find the items taken and skip them; an item that failed
    technically waits for a worker's retry. The process beats a heartbeat like a worker, so
    that if it dies mid-item, recovery returns its item to the queue and a worker ends the run."""
    with inline_process(label) as worker_id:
        ids = list(
            WorkItem.objects.filter(run_id=run_id, status=ItemStatus.NEW)
            .order_by("id")
            .values_list("id", flat=True)
        )
        for item_id in ids:
            execute(item_id, worker_id, PROCESS)
    finish_run_if_done(run_id)


def beat_until(
    stop: threading.Event,
    worker_id: str,
    label: str,
    every_third_beat: Callable[[], object] | None = None,
) -> None:
    """Beat `worker_id`'s heartbeat until `stop` is set (a thread of a worker, or of a command
    line working inline). A beat the database refuses is tried again at the next one, the
    outage logged once: when the database is back, so are the beats (a process judged dead
    meanwhile registers again; the claim tokens discard any result of its that came too late).
    `every_third_beat` is a worker's share of recovering other workers' lost work."""
    outage = Outage(label, logger)
    beats = 0
    while not stop.wait(settings.KUNTAROBO_WORKER_HEARTBEAT_SECONDS):
        try:
            heartbeat(worker_id)
            beats += 1
            if every_third_beat is not None and beats % 3 == 0:
                every_third_beat()
            outage.succeeded()
        except Exception as error:
            if is_outage(error):
                outage.failed(error)
            else:
                logger.exception("heartbeat failed")
        finally:
            close_old_connections()
    connection.close()


@contextlib.contextmanager
def inline_process(label: str) -> Iterator[str]:
    """Register this process as a worker, beating a heartbeat from a thread, while it does work
    of the queue's kind itself (a command line reading an input or processing items inline);
    yields its worker id, `inline:<label>-<host>-<pid>-<random>`.

    Whatever it claims is then judged like a worker's: alive while it beats, given back to the
    queue (`recover_lost_work`, `recover_stalled_readings`) once it has stopped.
    """
    host = socket.gethostname()[:20]
    worker_id = f"inline:{label[:12]}-{host}-{os.getpid()}-{uuid.uuid4().hex[:8]}"[:64]
    register_worker(worker_id)
    stop = threading.Event()
    beater = threading.Thread(
        target=beat_until,
        args=(stop, worker_id, f"{worker_id} heartbeat"),
        name=f"heartbeat {worker_id}",
        daemon=True,
    )
    beater.start()
    try:
        yield worker_id
    finally:
        stop.set()
        beater.join(timeout=5)
        try:
            unregister_worker(worker_id)
        except Exception as error:  # the heartbeat's silence says the same later
            if not is_outage(error):
                raise


def finish_run_if_done(run_id: int) -> bool:
    """Mark a run finished once no item is left for the robot. Called after each commit."""
    if _has_open_items(run_id):
        return False
    with transaction.atomic():
        run = Run.objects.select_for_update().filter(pk=run_id, status=RunStatus.RUNNING).first()
        if run is None:
            return False
        run.status = RunStatus.FINISHED
        run.finished_at = timezone.now()
        kept = {key: (run.summary or {}).get(key) for key in ("skipped", "notices")}
        run.summary = run_summary(run)
        run.summary.update({key: value for key, value in kept.items() if value})
        run.save(update_fields=["status", "finished_at", "summary"])
    return True


def _has_open_items(run_id: int) -> bool:
    """Whether the run has items the robot has not finished (new, in progress, waiting): asked
    after every item, so written out (the ORM's exists() cost the worker four times the CPU)."""
    quote = connection.ops.quote_name
    table = quote(WorkItem._meta.db_table)
    run_column = quote(WorkItem._meta.get_field("run").column)
    status_column = quote(WorkItem._meta.get_field("status").column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table} WHERE {run_column} = %s "  # noqa: S608
            f"AND {status_column} IN (%s, %s, %s) LIMIT 1",
            [run_id, *(status.value for status in UNFINISHED_STATUSES)],
        )
        return cursor.fetchone() is not None


def run_summary(run: Run) -> dict[str, int]:
    """What the run's record keeps when the robot is done: counts by status and durations."""
    summary = run_counts(run)
    durations = run.items.exclude(duration_ms=None).aggregate(
        average=Avg("duration_ms"), longest=Max("duration_ms"), total=Sum("duration_ms")
    )
    summary["item_ms_average"] = round(durations["average"] or 0)
    summary["item_ms_longest"] = durations["longest"] or 0
    summary["item_ms_total"] = durations["total"] or 0
    summary["run_seconds"] = round((timezone.now() - run.created_at).total_seconds())
    return summary


def run_counts(run: Run) -> dict[str, int]:
    counts = dict.fromkeys(ItemStatus.values, 0)
    for row in run.items.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    counts["total"] = sum(counts[s] for s in ItemStatus.values)
    counts[REPEATED] = run.items.filter(REPEATED_ITEMS).count()
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
