"""`kuntarobo worker`: a django-tasks-db worker that beats a heartbeat, so that when it dies its
items go back to the queue (the database worker alone would leave them "running" forever), and
that rides out outages of the database (`kuntarobo.runtime.outage`) instead of ending.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import random
import socket
import threading
import time
from argparse import ArgumentParser
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection, connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks.base import TaskResultStatus
from django_tasks.signals import task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_db.utils import exclusive_transaction

from kuntarobo.runtime import execution, recovery
from kuntarobo.runtime.outage import Outage, is_outage

logger = logging.getLogger("kuntarobo.worker")

if TYPE_CHECKING:
    # Tasks of every signature and result pass through the worker (DBTaskResult is generic
    # for type checkers only).
    AnyTaskResult = DBTaskResult[..., Any]


class HeartbeatWorker(Worker):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._stop = threading.Event()
        self._outage = Outage(f"worker {self.worker_id}", logger)
        self._interrupted = False  # an outage cut a batch short: return what it held

    def _beat(self) -> None:
        """Beat while the worker runs, recovering other workers' lost work now and then."""
        execution.beat_until(
            self._stop,
            self.worker_id,
            f"worker {self.worker_id} heartbeat",
            recovery.recover_lost_work,
        )

    def run(self) -> None:
        restore = _keep_connections()
        self._until_the_database_answers(self._start)
        beater = threading.Thread(target=self._beat, name="heartbeat", daemon=True)
        beater.start()
        try:
            self._work()
        finally:
            self._stop.set()
            beater.join(timeout=5)
            self._leave()
            restore()

    def _start(self) -> None:
        execution.register_worker(self.worker_id)
        recovery.recover_lost_work()

    def _leave(self) -> None:
        """Unregister; with the database down, the heartbeat's silence says the same later."""
        try:
            if self._interrupted:
                recovery.release_interrupted_work(self.worker_id)
            execution.unregister_worker(self.worker_id)
        except Exception as error:
            if not is_outage(error):
                raise
            logger.warning(
                "worker %s stopped without reaching the database; its items go back to the "
                "queue when its heartbeat is stale",
                self.worker_id,
            )

    def _until_the_database_answers(self, step: Callable[[], None]) -> None:
        """Run `step` until it gets through an outage of the database, waiting in between."""
        while True:
            try:
                step()
            except Exception as error:
                if not is_outage(error):
                    raise
                self.running_task = False  # a stop asked for while waiting ends the worker
                time.sleep(self._outage.failed(error))
            else:
                self._outage.succeeded()
                return

    def _work(self) -> None:
        """django-tasks-db's `Worker.run` loop, except that tasks are taken by `take_tasks`,
        several at a time, and a batch of work items is claimed and finished together. An
        outage of the database (connection lost, a restart, the SQLite lock held too long, a
        full disk) ends the batch in hand, not the worker: it waits with back-off, returns
        what the batch held, and goes on. Any other error still ends it."""
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311  (spreads workers started together)
        while self.running:
            try:
                more = self._step()
            except Exception as error:
                if not is_outage(error):
                    raise
                self._interrupted = True
                self.running_task = False  # a stop asked for while waiting ends the worker
                time.sleep(self._outage.failed(error))
                continue
            self._outage.succeeded()
            if not more:
                return

    def _step(self) -> bool:
        """One turn of the loop; whether the loop goes on."""
        if self._interrupted:
            recovery.release_interrupted_work(self.worker_id)
            self._interrupted = False
        close_old_connections()
        taken: list[AnyTaskResult] = []
        # Taking tasks commits at once (the library's transaction would roll back), so a
        # SIGTERM meanwhile must let the tasks just taken run rather than exit at once.
        self.running_task = True
        try:
            taken = self.take_tasks(self._batch_size())
        finally:
            self.running_task = bool(taken)
        if taken:
            self.run_tasks(taken)
        if self.batch and not taken:
            return False
        if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
            return False
        close_old_connections()
        if self.running and not taken:
            time.sleep(self.interval)
        return True

    def _batch_size(self) -> int:
        size = settings.KUNTAROBO_WORKER_BATCH
        if self.max_tasks is not None:
            size = min(size, self.max_tasks - self._run_tasks)
        return max(1, size)

    def run_tasks(self, taken: list[AnyTaskResult]) -> None:
        """Run tasks taken together: the work items' stages as one batch per stage, any other
        task on its own. Every task taken is run, even if a stop is asked for meanwhile."""
        try:
            batches: dict[str, list[tuple[AnyTaskResult, int]]] = {}
            for task_result in taken:
                work = execution.item_stage(task_result)
                if work is None:
                    self.run_task(task_result)
                    self.running_task = True  # run_task clears it; the batch is not done yet
                else:
                    batches.setdefault(work[0], []).append((task_result, work[1]))
            for stage, batch in batches.items():
                self._run_item_batch(stage, batch)
        finally:
            self.running_task = False

    def run_task(self, db_task_result: AnyTaskResult) -> None:
        """The library's `run_task`, except that a task cut short by an outage of the database
        is not marked failed: the outage ends the batch, and the task is made ready again."""
        set_failed = db_task_result.set_failed

        def set_failed_unless_outage(error: BaseException) -> None:
            if is_outage(error):
                raise error
            set_failed(error)

        db_task_result.set_failed = set_failed_unless_outage
        super().run_task(db_task_result)

    def _run_item_batch(self, stage: str, batch: list[tuple[AnyTaskResult, int]]) -> None:
        """What `run_task` does for each task of `tasks.process_item` or `tasks.deliver_item`,
        with the items claimed together and the successful tasks' rows updated together."""
        backend_type = type(batch[0][0].task.get_backend())
        for task_result, _ in batch:
            task_started.send(sender=backend_type, task_result=task_result.task_result)
        outcomes: Mapping[int, str | BaseException]
        try:
            outcomes = execution.execute_many(
                [item_id for _, item_id in batch], self.worker_id, stage
            )
        except BaseException as error:  # as run_task: the tasks fail, the worker goes on
            if is_outage(error):  # unless the database failed: wait, then return the items
                raise
            outcomes = dict.fromkeys((item_id for _, item_id in batch), error)
            close_old_connections()
        succeeded: dict[str, list[AnyTaskResult]] = {}
        for task_result, item_id in batch:
            outcome = outcomes[item_id]
            if isinstance(outcome, BaseException):
                task_result.set_failed(outcome)
            else:
                succeeded.setdefault(outcome, []).append(task_result)
        now = timezone.now()
        for outcome, results in succeeded.items():
            DBTaskResult.objects.filter(pk__in=[result.pk for result in results]).update(
                status=TaskResultStatus.SUCCESSFUL,
                finished_at=now,
                return_value=outcome,
                exception_class_path="",
                traceback="",
            )
            for result in results:
                result.status, result.finished_at = TaskResultStatus.SUCCESSFUL, now
                result.return_value = outcome
        for task_result, _ in batch:
            task_finished.send(sender=backend_type, task_result=task_result.task_result)
        self._run_tasks += len(batch)

    def take_task(self) -> AnyTaskResult | None:
        """The next ready task, taken as `take_tasks` takes them."""
        taken = self.take_tasks(1)
        return taken[0] if taken else None

    def take_tasks(self, limit: int) -> list[AnyTaskResult]:
        """Take up to `limit` ready tasks and mark them running for this worker, in one statement.

        The same choice and claim as django-tasks-db's worker (ready, due, highest priority,
        then the earliest), which needs a transaction, a locking SELECT through the ORM and a
        save per task: four round trips and about as much CPU as the rest of a no-op item.
        PostgreSQL skips rows other workers have locked; SQLite writes one statement at a time.
        """
        if connection.vendor not in _APPEND_WORKER:
            task_result = self._take_task_by_orm()
            return [task_result] if task_result is not None else []
        sql, params = self.take_tasks_statement(limit, timezone.now())
        taken = list(DBTaskResult.objects.raw(sql, params))
        # RETURNING keeps no order: run them in the order they were chosen.
        taken.sort(key=lambda task: (-task.priority, task.run_after, task.enqueued_at))
        return taken

    def take_tasks_statement(self, limit: int, now: datetime.datetime) -> tuple[str, list[Any]]:
        """The UPDATE that marks the chosen tasks running for this worker, returning them, and
        its parameters."""
        quote = connection.ops.quote_name
        table = quote(DBTaskResult._meta.db_table)
        column = {f.name: quote(f.column) for f in DBTaskResult._meta.concrete_fields}
        choose, params = self._ready_tasks_sql(limit, now, table, column)
        append, appended = _APPEND_WORKER[connection.vendor]
        sql = (
            f"UPDATE {table} "  # noqa: S608
            f"SET {column['status']} = %s, {column['started_at']} = %s, "
            f"{column['worker_ids']} = {append.format(column=column['worker_ids'])} "
            f"WHERE {column['id']} IN ({choose}) RETURNING *"
        )
        own = [
            TaskResultStatus.RUNNING,
            connection.ops.adapt_datetimefield_value(now),
            appended(self.worker_id),
        ]
        return sql, [*own, *params]

    def _ready_tasks_sql(
        self, limit: int, now: datetime.datetime, table: str, column: dict[str, str]
    ) -> tuple[str, list[Any]]:
        """The SELECT of the ids of the tasks to take, with its parameters."""
        vendor = connection.vendor
        adapt = connection.ops.adapt_datetimefield_value
        conditions = [
            # The status as a literal, not a parameter: only then may the planner use the
            # library's partial index of ready tasks (WHERE status = 'READY') in a prepared,
            # generic plan. With a parameter, PostgreSQL sorted every ready task on each take:
            # 3.5 ms of server time per batch on 14,000 queued items, 0.06 ms with the index.
            f"{column['status']} = '{TaskResultStatus.READY.value}'",
            f"{column['backend_name']} = %s",
            f"({column['run_after']} = %s OR {column['run_after']} <= %s)",
        ]
        params: list[Any] = [self.backend_name, adapt(get_date_max()), adapt(now)]
        if not self.process_all_queues:
            conditions.append(
                f"{column['queue_name']} IN ({', '.join(['%s'] * len(self.queue_names))})"
            )
            params += self.queue_names
        if self.excluded_queue_names:
            placeholders = ", ".join(["%s"] * len(self.excluded_queue_names))
            conditions.append(f"{column['queue_name']} NOT IN ({placeholders})")
            params += self.excluded_queue_names
        lock = " FOR UPDATE SKIP LOCKED" if vendor == "postgresql" else ""
        sql = (
            f"SELECT {column['id']} FROM {table} "  # noqa: S608
            f"WHERE {' AND '.join(conditions)} "
            f"ORDER BY {column['priority']} DESC, {column['run_after']}, {column['enqueued_at']} "
            # A literal too: for a parameter, the generic plan guesses a tenth of the table and
            # joins the UPDATE to the chosen ids by reading the whole queue.
            f"LIMIT {int(limit)}{lock}"
        )
        return sql, params

    def _take_task_by_orm(self) -> AnyTaskResult | None:
        """django-tasks-db's own way, for databases without UPDATE ... RETURNING here."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)
        return task_result


def _keep_connections() -> Callable[[], None]:
    """Keep database connections open between tasks while the worker runs; returns the undo.

    The loop calls close_old_connections() like a request does, and with CONN_MAX_AGE 0 (the
    embedded mode's SQLite) that reconnected for every task, as much time as a no-op item.
    Broken connections are still closed and opened again. Nor is a kept connection checked
    before each turn (CONN_HEALTH_CHECKS, for the web server): a round trip per batch, while
    the worker learns of a broken connection from the error and reconnects (`outage`).
    """
    changed = []
    checked = []
    for alias in connections:
        settings_dict = connections[alias].settings_dict
        if settings_dict.get("CONN_MAX_AGE") == 0:
            settings_dict["CONN_MAX_AGE"] = None
            changed.append(settings_dict)
        if settings_dict.get("CONN_HEALTH_CHECKS"):
            settings_dict["CONN_HEALTH_CHECKS"] = False
            # Set by BaseDatabaseWrapper.connect(); django-stubs does not declare it.
            connections[alias].health_check_enabled = False  # type: ignore[attr-defined]
            checked.append(settings_dict)

    def restore() -> None:
        for settings_dict in changed:
            settings_dict["CONN_MAX_AGE"] = 0
        for settings_dict in checked:
            settings_dict["CONN_HEALTH_CHECKS"] = True

    return restore


# How each database appends the worker's id to the task's JSON list of workers.
_APPEND_WORKER: dict[str, tuple[str, Callable[[str], str]]] = {
    "postgresql": ("{column} || %s::jsonb", lambda worker_id: json.dumps([worker_id])),
    "sqlite": ("json_insert({column}, '$[#]', %s)", lambda worker_id: worker_id),
}


class Command(BaseCommand):
    help = "Run a robot worker: takes work items from the queue until stopped."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--queues", default="default,robots", help="Queues to take work from, comma-separated."
        )
        parser.add_argument(
            "--interval", type=float, default=0.5, help="Seconds to wait when the queue is empty."
        )
        parser.add_argument(
            "--batch", action="store_true", help="Process what is ready, then exit."
        )
        parser.add_argument("--max-tasks", type=int, default=None)
        parser.add_argument("--worker-id", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = options["worker_id"] or (
            f"{socket.gethostname()[:30]}-{os.getpid()}-{get_random_string(8)}"
        )
        if options["interval"] < 0:
            self.stderr.write("--interval must be zero or more")
            raise SystemExit(2)
        worker = HeartbeatWorker(
            queue_names=[q for q in options["queues"].split(",") if q],
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=not options["batch"],
            max_tasks=options["max_tasks"],
            worker_id=worker_id[:64],
            excluded_queue_names=[],
        )
        worker.configure_signals()
        self.stdout.write(f"worker {worker_id} started")
        worker.run()
