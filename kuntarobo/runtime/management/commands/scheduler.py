"""`kuntarobo scheduler`: starts scheduled runs and returns stopped workers' items to the queue."""

from __future__ import annotations

import logging
import signal
import threading
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from kuntarobo.runtime import execution, housekeeping, scheduling

logger = logging.getLogger("kuntarobo.scheduler")


def scheduler_pass(state: dict[str, Any] | None = None) -> dict[str, int]:
    """One pass; `state` remembers between passes when housekeeping last ran."""
    started = scheduling.run_due_schedules()
    recovered = execution.recover_lost_work()
    finished = scheduling.sweep_runs()
    result = {"started": len(started), "recovered": recovered, "finished": finished}
    if state is not None:
        try:
            result.update(housekeeping.housekeeping(state))
        except Exception:  # the schedules must not stop for it; tried again next interval
            logger.exception("housekeeping failed")
    return result


class Command(BaseCommand):
    help = "Run the scheduler: starts robots on their schedules (Finnish holidays respected)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        state: dict[str, Any] = {}

        def request_stop(signum: int, frame: Any) -> None:
            stop.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        if not options["once"]:
            self.stdout.write("scheduler started")
        while not stop.is_set():
            try:
                result = scheduler_pass(state)
                if options["once"] or any(result.values()):
                    self.stdout.write(f"scheduler: {result}")
            except Exception:
                logger.exception("scheduler pass failed")
            finally:
                close_old_connections()
            if options["once"]:
                return
            stop.wait(settings.KUNTAROBO_SCHEDULER_INTERVAL_SECONDS)
