"""`kuntarobo worker`: a django-tasks-db worker that beats a heartbeat, so that when it dies its
items go back to the queue (the database worker alone would leave them "running" forever).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

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
        execution.register_worker(self.worker_id)
        execution.recover_lost_work()
        beater = threading.Thread(target=self._beat, name="heartbeat", daemon=True)
        beater.start()
        try:
            super().run()
        finally:
            self._stop.set()
            beater.join(timeout=5)
            execution.unregister_worker(self.worker_id)


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
