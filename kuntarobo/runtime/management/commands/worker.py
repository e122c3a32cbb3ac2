"""`kuntarobo worker`: a django-tasks-db worker that beats a heartbeat, so that when it dies its
items go back to the queue (the database worker alone would leave them "running" forever).
"""

from __future__ import annotations

import json
import logging
import os
import random
import socket
import threading
import time
from argparse import ArgumentParser
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection, connections
from django.db.utils import OperationalError
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from kuntarobo.runtime import execution

logger = logging.getLogger("kuntarobo.worker")


class HeartbeatWorker(Worker):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._stop = threading.Event()

    def _beat(self) -> None:
        interval = settings.KUNTAROBO_WORKER_HEARTBEAT_SECONDS
        beats = 0
        while not self._stop.wait(interval):
            try:
                execution.heartbeat(self.worker_id)
                beats += 1
                if beats % 3 == 0:
                    execution.recover_lost_work()
            except Exception:
                logger.exception("heartbeat failed")
            finally:
                close_old_connections()
        connection.close()

    def run(self) -> None:
        restore = _keep_connections()
        execution.register_worker(self.worker_id)
        execution.recover_lost_work()
        beater = threading.Thread(target=self._beat, name="heartbeat", daemon=True)
        beater.start()
        try:
            self._work()
        finally:
            self._stop.set()
            beater.join(timeout=5)
            execution.unregister_worker(self.worker_id)
            restore()

    def _work(self) -> None:
        """django-tasks-db's `Worker.run` loop, except that a task is taken by `take_task`."""
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311  (spreads workers started together)
        while self.running:
            close_old_connections()
            task_result, retrieved = None, False
            # Taking a task commits at once (the library's transaction would roll back), so a
            # SIGTERM meanwhile must let the task just taken run rather than exit at once.
            self.running_task = True
            try:
                task_result = self.take_task()
                retrieved = True
            except OperationalError as error:  # SQLite busy: try again later
                if not is_locked_database_exception(error):
                    raise
            finally:
                self.running_task = task_result is not None
            if task_result is not None:
                self.run_task(task_result)
            if self.batch and retrieved and task_result is None:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            close_old_connections()
            if self.running and task_result is None:
                time.sleep(self.interval)

    def take_task(self) -> DBTaskResult | None:
        """Take the next ready task and mark it running for this worker, in one statement.

        The same choice and claim as django-tasks-db's worker (ready, due, highest priority,
        then the earliest), which needs a transaction, a locking SELECT through the ORM and a
        save: four round trips and about as much CPU as the rest of a no-op item together.
        PostgreSQL skips rows other workers have locked; SQLite writes one statement at a time.
        """
        vendor = connection.vendor
        if vendor not in _APPEND_WORKER:
            return self._take_task_by_orm()
        quote = connection.ops.quote_name
        adapt = connection.ops.adapt_datetimefield_value
        column = {f.name: quote(f.column) for f in DBTaskResult._meta.concrete_fields}
        table = quote(DBTaskResult._meta.db_table)
        now = timezone.now()
        conditions = [
            f"{column['status']} = %s",
            f"{column['backend_name']} = %s",
            f"({column['run_after']} = %s OR {column['run_after']} <= %s)",
        ]
        params: list[Any] = [
            TaskResultStatus.READY,
            self.backend_name,
            adapt(get_date_max()),
            adapt(now),
        ]
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
        append, appended = _APPEND_WORKER[vendor]
        sql = (
            f"UPDATE {table} SET {column['status']} = %s, {column['started_at']} = %s, "  # noqa: S608
            f"{column['worker_ids']} = {append.format(column=column['worker_ids'])} "
            f"WHERE {column['id']} = (SELECT {column['id']} FROM {table} "
            f"WHERE {' AND '.join(conditions)} "
            f"ORDER BY {column['priority']} DESC, {column['run_after']}, {column['enqueued_at']} "
            f"LIMIT 1{lock}) RETURNING *"
        )
        taken = list(
            DBTaskResult.objects.raw(
                sql, [TaskResultStatus.RUNNING, adapt(now), appended(self.worker_id), *params]
            )
        )
        return taken[0] if taken else None

    def _take_task_by_orm(self) -> DBTaskResult | None:
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
    Broken connections are still closed and opened again.
    """
    changed = []
    for alias in connections:
        settings_dict = connections[alias].settings_dict
        if settings_dict.get("CONN_MAX_AGE") == 0:
            settings_dict["CONN_MAX_AGE"] = None
            changed.append(settings_dict)

    def restore() -> None:
        for settings_dict in changed:
            settings_dict["CONN_MAX_AGE"] = 0

    return restore


# How each database appends the worker's id to the task's JSON list of workers.
_APPEND_WORKER = {
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
