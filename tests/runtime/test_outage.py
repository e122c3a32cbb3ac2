"""Outages of the platform's database, in one process: which errors are an outage (wait) and
which a bug (surface), what a worker does with a batch an outage cut short, its heartbeat, and
the scheduler. Real worker processes through real outages: test_outage_processes.py."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path
from types import ModuleType, SimpleNamespace

import psycopg
import pytest
from django.db.utils import DatabaseErrorWrapper, OperationalError
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kuntarobo.runtime import actions, execution
from kuntarobo.runtime.declarations import ApplicationException
from kuntarobo.runtime.management.commands import scheduler
from kuntarobo.runtime.management.commands.worker import HeartbeatWorker
from kuntarobo.runtime.models import ItemStatus, RunLogEntry, WorkerProcess, WorkItem
from kuntarobo.runtime.outage import Outage, describe, is_outage
from kuntarobo.testing.robots import ScriptedRobot
from tests.runtime.helpers import script


def through_django(error: BaseException, driver: ModuleType) -> BaseException:
    """The error as Django's connection raises it: its own class, from the driver's error."""
    connection = SimpleNamespace(Database=driver, errors_occurred=False)
    try:
        with DatabaseErrorWrapper(connection):  # type: ignore[arg-type]
            raise error
    except Exception as wrapped:
        return wrapped
    raise AssertionError("not raised")


def sqlite_error(tmp_path: Path, *statements: str) -> sqlite3.Error:
    """The error SQLite raises for the last statement, on a database file of its own."""
    database = sqlite3.connect(tmp_path / "errors.sqlite3", isolation_level=None)
    for statement in statements[:-1]:
        database.execute(statement)
    with pytest.raises(sqlite3.Error) as raised:
        database.execute(statements[-1])
    database.close()
    return raised.value


def sqlite_busy(tmp_path: Path) -> BaseException:
    holder = sqlite3.connect(tmp_path / "busy.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    waiter = sqlite3.connect(tmp_path / "busy.sqlite3", timeout=0, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError) as raised:
        waiter.execute("BEGIN IMMEDIATE")
    holder.close()
    waiter.close()
    return through_django(raised.value, sqlite3)


def sqlite_full(tmp_path: Path) -> BaseException:
    error = sqlite_error(
        tmp_path,
        "CREATE TABLE filler (data BLOB)",
        "PRAGMA max_page_count = 3",
        "INSERT INTO filler VALUES (zeroblob(100000))",
    )
    return through_django(error, sqlite3)


# --- which errors are an outage --------------------------------------------------------------


def test_sqlite_locked_past_the_busy_timeout_and_a_full_disk_are_outages(tmp_path):
    busy, full = sqlite_busy(tmp_path), sqlite_full(tmp_path)
    assert isinstance(busy, OperationalError)
    assert str(busy) == "database is locked"
    assert str(full) == "database or disk is full"
    assert is_outage(busy)
    assert is_outage(full)


def test_a_missing_table_under_sqlite_is_a_bug_though_sqlite_calls_it_operational(tmp_path):
    missing = through_django(sqlite_error(tmp_path, "SELECT * FROM nowhere"), sqlite3)
    duplicate = through_django(
        sqlite_error(
            tmp_path,
            "CREATE TABLE once (x UNIQUE)",
            "INSERT INTO once VALUES (1)",
            "INSERT INTO once VALUES (1)",
        ),
        sqlite3,
    )
    assert isinstance(missing, OperationalError)
    assert not is_outage(missing)
    assert not is_outage(duplicate)


@pytest.mark.parametrize(
    "error",
    [
        psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
        psycopg.errors.CannotConnectNow("the database system is starting up"),
        psycopg.errors.DiskFull("could not extend file: No space left on device"),
        psycopg.OperationalError("connection failed: Connection refused"),
        psycopg.OperationalError("consuming input failed: server closed the connection"),
        psycopg.InterfaceError("the connection is closed"),
    ],
    ids=lambda error: type(error).__name__ + ":" + str(error)[:20],
)
def test_a_postgresql_restart_lost_connection_or_full_disk_is_an_outage(error):
    assert is_outage(through_django(error, psycopg))


@pytest.mark.parametrize(
    "error",
    [
        psycopg.errors.UndefinedTable('relation "nowhere" does not exist'),
        psycopg.errors.UniqueViolation("duplicate key value violates unique constraint"),
        psycopg.errors.QueryCanceled("canceling statement due to statement timeout"),
        psycopg.errors.DivisionByZero("division by zero"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_a_bad_query_a_constraint_or_a_cancelled_statement_is_no_outage(error):
    assert not is_outage(through_django(error, psycopg))


def test_only_the_platforms_own_connections_count_not_a_robots_driver_for_another_system():
    restart = psycopg.errors.AdminShutdown("terminating connection due to administrator command")
    assert not is_outage(restart)  # raised by psycopg itself, not through Django
    assert not is_outage(RuntimeError("database is locked"))


def test_a_robots_exception_raised_from_an_outage_is_the_outage(tmp_path):
    busy = sqlite_busy(tmp_path)

    def read_families() -> None:
        try:
            raise busy
        except OperationalError as error:
            raise ApplicationException("could not read the families") from error

    with pytest.raises(ApplicationException) as raised:
        read_families()
    assert is_outage(raised.value)


def test_the_log_line_for_an_outage_is_one_masked_line():
    error = through_django(
        psycopg.OperationalError("connection failed for 131052-308T\nsecond line"), psycopg
    )
    assert describe(error) == "OperationalError: connection failed for ******-****"


def test_an_outage_is_logged_once_when_it_begins_and_once_when_it_ends(tmp_path, caplog, settings):
    settings.KUNTAROBO_DB_RETRY_MAX_SECONDS = 8
    outage = Outage("worker w1", logging.getLogger("test.outage"), fraction=lambda: 0.0)
    busy = sqlite_busy(tmp_path)
    with caplog.at_level(logging.DEBUG, logger="test.outage"):
        waits = [outage.failed(busy) for _ in range(6)]
        outage.succeeded()
        outage.succeeded()
    assert waits == [0.25, 0.5, 1.0, 2.0, 4.0, 4.0]  # half of a doubling delay, capped
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 2
    assert warnings[0] == (
        "worker w1: the database is unavailable (OperationalError: database is locked); "
        "waiting and trying again"
    )
    assert warnings[1].startswith("worker w1: the database is back after ")
    assert warnings[1].endswith("(6 failed tries); going on")


# --- the worker ------------------------------------------------------------------------------


def worker(worker_id: str = "outage-worker") -> HeartbeatWorker:
    return HeartbeatWorker(
        queue_names=["default", "robots"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def handled_lines(reference: str) -> int:
    """The robot's log line from handling is written in its item's completion transaction: one
    per commit (the producer's line of the same text belongs to the run, not the item)."""
    return RunLogEntry.objects.filter(
        message=f"handled {reference}", item__reference=reference
    ).count()


@pytest.fixture
def quick_back_off(settings) -> None:
    settings.KUNTAROBO_DB_RETRY_MAX_SECONDS = 0  # waits of 0.25 to 0.5 s


@pytest.mark.django_db(transaction=True)
def test_a_completion_that_fails_mid_transaction_in_an_outage_is_done_again_once_at_no_cost(
    municipality, monkeypatch, tmp_path, caplog, quick_back_off
):
    references = ["a", "b", "c"]
    actions.start_run(
        "test",
        municipality,
        "test_scripted",
        parameters=script(*({"reference": r, "log": f"handled {r}"} for r in references)),
    )
    busy = sqlite_busy(tmp_path)
    real_insert = execution._Records.insert
    inserts = []

    def insert_then_lose_the_database(records: execution._Records) -> None:
        real_insert(records)  # the batch's rows are written, then the commit fails
        inserts.append(records)
        if len(inserts) == 1:
            raise busy

    monkeypatch.setattr(execution._Records, "insert", insert_then_lose_the_database)
    with caplog.at_level(logging.WARNING):
        worker().run()

    items = list(WorkItem.objects.order_by("reference"))
    assert [(i.reference, i.status, i.attempts) for i in items] == [
        (r, ItemStatus.DONE, 1) for r in references
    ]
    assert [handled_lines(r) for r in references] == [1, 1, 1]  # committed once each
    returned = RunLogEntry.objects.filter(message__contains="the attempt not counted")
    assert returned.count() == 3
    assert not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists()
    messages = [record.getMessage() for record in caplog.records]
    assert sum("the database is unavailable" in m for m in messages) == 1
    assert sum("the database is back" in m for m in messages) == 1
    assert not WorkerProcess.objects.exists()  # it unregistered as it ended


@pytest.mark.django_db(transaction=True)
def test_an_outage_under_the_robot_costs_the_item_no_attempt(
    municipality, monkeypatch, tmp_path, quick_back_off
):
    actions.start_run(
        "test", municipality, "test_scripted", parameters=script({"reference": "only"})
    )
    busy = sqlite_busy(tmp_path)
    calls = []

    def lose_the_database_once(item) -> None:
        calls.append(item.attempt)
        if len(calls) == 1:
            raise busy  # what a robot reading the platform's tables meets in an outage

    monkeypatch.setattr(ScriptedRobot, "handle_hook", lose_the_database_once)
    worker().run()

    item = WorkItem.objects.get()
    assert calls == [1, 1]  # the second try is still the first attempt
    assert (item.status, item.attempts, item.error_message) == (ItemStatus.DONE, 1, "")
    assert not RunLogEntry.objects.filter(message__contains="failed").exists()


@pytest.mark.django_db(transaction=True)
def test_a_bug_in_the_loop_still_ends_the_worker(municipality, monkeypatch, tmp_path):
    missing = through_django(sqlite_error(tmp_path, "SELECT * FROM nowhere"), sqlite3)

    def take_tasks(self, limit):
        raise missing

    monkeypatch.setattr(HeartbeatWorker, "take_tasks", take_tasks)
    with pytest.raises(OperationalError, match="no such table: nowhere"):
        worker().run()


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_resumes_after_an_outage(monkeypatch, tmp_path, settings, caplog):
    settings.KUNTAROBO_WORKER_HEARTBEAT_SECONDS = 0.05
    busy = sqlite_busy(tmp_path)
    real_heartbeat = execution.heartbeat
    beats = []
    recovered = threading.Event()
    beating = worker("beating-worker")

    def heartbeat(worker_id: str) -> None:
        beats.append(worker_id)
        if len(beats) <= 3:
            raise busy
        real_heartbeat(worker_id)
        # Stop after the first beat that got through: the test reads the database
        # only after the thread has ended, so no read of its own can lock a later beat.
        beating._stop.set()
        recovered.set()

    monkeypatch.setattr(execution, "heartbeat", heartbeat)
    before = timezone.now()
    thread = threading.Thread(target=beating._beat)
    with caplog.at_level(logging.WARNING):
        thread.start()
        assert recovered.wait(timeout=20), "no heartbeat after the outage"
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert WorkerProcess.objects.filter(heartbeat_at__gte=before).exists()
    messages = [record.getMessage() for record in caplog.records]
    assert sum("heartbeat: the database is unavailable" in m for m in messages) == 1
    assert sum("heartbeat: the database is back" in m for m in messages) == 1
    assert not any("heartbeat failed" in m for m in messages)


# --- the scheduler ---------------------------------------------------------------------------


class RecordedStop(threading.Event):
    """A stop event that records the waits asked of it instead of waiting."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(float(timeout or 0))
        return self.is_set()


def test_the_scheduler_backs_off_through_an_outage_and_goes_on_when_the_database_is_back(
    tmp_path, settings, caplog
):
    settings.KUNTAROBO_SCHEDULER_INTERVAL_SECONDS = 20
    settings.KUNTAROBO_DB_RETRY_MAX_SECONDS = 30
    busy, full = sqlite_busy(tmp_path), sqlite_full(tmp_path)
    stop = RecordedStop()
    reported = []
    passes = [busy, full, busy, {"started": 1}, RuntimeError("a bug"), {"started": 0}]

    def one_pass() -> dict[str, int]:
        outcome = passes.pop(0)
        if not passes:
            stop.set()
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    with caplog.at_level(logging.WARNING, logger="kuntarobo.scheduler"):
        scheduler.run_scheduler(stop, False, reported.append, one_pass)

    assert passes == []
    assert reported == [{"started": 1}]
    outage_waits, rest = stop.waits[:3], stop.waits[3:]
    assert 0.25 <= outage_waits[0] <= 0.5  # back-off, not the 20 s interval
    assert 0.5 <= outage_waits[1] <= 1.0
    assert 1.0 <= outage_waits[2] <= 2.0
    assert rest == [20.0, 20.0, 20.0]
    messages = [record.getMessage() for record in caplog.records]
    assert sum("the database is unavailable" in m for m in messages) == 1
    assert sum("the database is back" in m for m in messages) == 1
    [bug] = [r for r in caplog.records if r.getMessage() == "scheduler pass failed"]
    assert bug.exc_info is not None  # a bug is logged with its traceback
