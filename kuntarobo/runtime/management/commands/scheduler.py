"""`kuntarobo scheduler`: starts scheduled runs and returns stopped workers' items to the queue."""

from __future__ import annotations

import logging
import signal
import threading
from argparse import ArgumentParser
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from kuntarobo.runtime import actions, housekeeping, recovery, scheduling
from kuntarobo.runtime.outage import Outage, is_outage
from kuntarobo.runtime.signals import scheduler_pass_done

logger = logging.getLogger("kuntarobo.scheduler")


def scheduler_pass(state: dict[str, Any] | None = None) -> dict[str, int]:
    """One pass; `state` remembers between passes when housekeeping last ran."""
    started = scheduling.run_due_schedules()
    recovered = recovery.recover_lost_work()
    finished = scheduling.sweep_runs()
    # A safety net: each timed wait has its own task; this catches one lost with its worker.
    resumed = actions.resume_due_items(via="scheduler")
    result = {
        "started": len(started),
        "recovered": recovered,
        "finished": finished,
        "resumed": resumed,
    }
    if state is not None:
        try:
            result.update(housekeeping.housekeeping(state))
        except Exception as error:  # the schedules must not stop for it; tried again later
            if is_outage(error):
                raise
            logger.exception("housekeeping failed")
        for _receiver, outcome in scheduler_pass_done.send_robust(sender=None, state=state):
            if isinstance(outcome, Exception):
                if is_outage(outcome):
                    raise outcome
                logger.error("a receiver of the scheduler's pass failed: %r", outcome)
    return result


def run_scheduler(
    stop: threading.Event,
    once: bool,
    report: Callable[[dict[str, int]], None],
    one_pass: Callable[[], dict[str, int]] = scheduler_pass,
) -> None:
    """Pass after pass until `stop` is set. While the database is unreachable, locked or full,
    the next pass comes after a back-off (logged once per outage) instead of the interval;
    any other failure is logged with its traceback and the next pass comes as usual."""
    outage = Outage("scheduler", logger)
    while not stop.is_set():
        wait = float(settings.KUNTAROBO_SCHEDULER_INTERVAL_SECONDS)
        try:
            result = one_pass()
            outage.succeeded()
            if once or any(result.values()):
                report(result)
        except Exception as error:
            if is_outage(error):
                wait = min(wait, outage.failed(error))
            else:
                logger.exception("scheduler pass failed")
        finally:
            close_old_connections()
        if once:
            return
        stop.wait(wait)


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
        run_scheduler(
            stop,
            options["once"],
            lambda result: self.stdout.write(f"scheduler: {result}"),
            lambda: scheduler_pass(state),
        )
