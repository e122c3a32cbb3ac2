"""Outages of the platform's database under real worker processes: a PostgreSQL restart, SQLite's
write lock held past the busy timeout, and a full disk under SQLite. Each run must complete
with every item done exactly once (the counting robot writes a completion record inside each
completion transaction), and no worker process may end or need a restart by hand.

These tests bring their own database, whatever `--db` says: the PostgreSQL test its own
throwaway cluster (it is restarted, which the session's database must not be), skipped where
no PostgreSQL server binaries are installed; the SQLite tests a database file in a folder of
their own, for the disk-full test on a small tmpfs mounted for it (skipped where mounting is
not allowed, i.e. not as root).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 3
COMPLETION = "completion"


class Platform:
    """A migrated database of its own, runs started on it and real `kuntarobo worker`s."""

    def __init__(self, env: dict[str, str], tmp_path: Path) -> None:
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
            "KUNTAROBO_EXTRA_APPS": "kuntarobo.testing",
            "KUNTAROBO_MEDIA_ROOT": str(tmp_path / "media"),
            "KUNTAROBO_WORKER_HEARTBEAT_SECONDS": "1",
            # Longer than the outages here: no worker is judged dead for having waited.
            "KUNTAROBO_WORKER_STALE_SECONDS": "20",
            "KUNTAROBO_DB_RETRY_MAX_SECONDS": "2",
            "KUNTAROBO_RETRY_BASE_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
            **env,
        }
        self.logs = tmp_path / "logs"
        self.logs.mkdir()
        self.workers: dict[str, subprocess.Popen[bytes]] = {}

    def kuntarobo(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "kuntarobo", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def migrate(self) -> None:
        self.kuntarobo("migrate", "--verbosity", "0")

    def start_run(self, count: int, sleep_ms: int) -> int:
        """A counting robot's run of `count` items, as the CLI starts one; the run's id."""
        code = (
            "from kuntarobo.runtime import actions\n"
            "from kuntarobo.runtime.models import Trigger\n"
            "from tests.factories import MunicipalityFactory\n"
            "started = actions.start_run('test', MunicipalityFactory(slug='esimerkkila'), "
            f"'test_counting', parameters={{'count': {count}, 'sleep_ms': {sleep_ms}}}, "
            "trigger=Trigger.CLI, via='cli')\n"
            "print(started.run.pk)\n"
        )
        return int(self.kuntarobo("shell", "-c", code).split()[-1])

    def start_workers(self) -> None:
        command = [sys.executable, "-m", "kuntarobo", "worker", "--interval", "0.1"]
        for number in range(WORKERS):
            worker_id = f"outage-test-{number}"
            self.workers[worker_id] = subprocess.Popen(
                [*command, "--worker-id", worker_id],
                env=self.env,
                cwd=ROOT,
                stdout=(self.logs / f"{worker_id}.log").open("wb"),
                stderr=subprocess.STDOUT,
            )

    def log(self, worker_id: str) -> str:
        return (self.logs / f"{worker_id}.log").read_text(errors="replace")

    def exited(self) -> list[str]:
        return [name for name, worker in self.workers.items() if worker.poll() is not None]

    def stop_workers(self) -> None:
        for worker in self.workers.values():
            if worker.poll() is None:
                worker.terminate()
        for worker in self.workers.values():
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()

    def wait_for(
        self,
        condition: Callable[[], bool],
        seconds: float,
        what: str,
        state: Callable[[], object] = lambda: "",
    ) -> None:
        """Poll until the condition holds; fail at once if a worker has ended."""
        deadline = time.monotonic() + seconds
        while True:
            exited = self.exited()
            if exited:
                logs = "\n".join(self.log(name)[-3000:] for name in exited)
                pytest.fail(f"workers {exited} ended while waiting for {what}:\n{logs}")
            with contextlib.suppress(Exception):  # the database may be down just now
                if condition():
                    return
            if time.monotonic() > deadline:
                logs = "\n".join(self.log(name)[-2000:] for name in self.workers)
                try:
                    now = state()
                except Exception as error:  # the message must still come out
                    now = error
                pytest.fail(f"{what} did not happen within {seconds} s: {now}\n{logs}")
            time.sleep(0.3)


class Reader:
    """Reads the run's state straight from the database, as a person's query would."""

    def __init__(self, connect: Callable[[], Any], placeholder: str) -> None:
        self.connect = connect
        self.placeholder = placeholder

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        connection = self.connect()
        try:
            cursor = connection.cursor()
            cursor.execute(sql.replace("?", self.placeholder), params)
            return list(cursor.fetchall())
        finally:
            connection.close()

    def done(self, run_id: int) -> int:
        [(count,)] = self.rows(
            "SELECT count(*) FROM runtime_workitem WHERE run_id = ? AND status = 'done'", run_id
        )
        return int(count)

    def finished(self, run_id: int) -> bool:
        return self.rows("SELECT status FROM runtime_run WHERE id = ?", run_id) == [("finished",)]

    def state(self, run_id: int) -> list[tuple[Any, ...]]:
        """Items by status and claimant, and tasks by status, for a failure's message."""
        return [
            *self.rows(
                "SELECT status, claimed_by, count(*) FROM runtime_workitem WHERE run_id = ? "
                "GROUP BY status, claimed_by",
                run_id,
            ),
            *self.rows(
                "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status"
            ),
        ]

    def open_tasks(self) -> int:
        [(count,)] = self.rows(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN (?, ?)",
            "READY",
            "RUNNING",
        )
        return int(count)


def assert_done_exactly_once(reader: Reader, run_id: int, count: int) -> None:
    items = reader.rows(
        "SELECT id, status, attempts, claim_token FROM runtime_workitem WHERE run_id = ?", run_id
    )
    assert len(items) == count
    assert {(status, token) for _, status, _, token in items} == {("done", "")}
    # The outage was the platform's: it cost no item an attempt.
    assert {attempts for _, _, attempts, _ in items} == {1}
    records = [
        item_id
        for (item_id,) in reader.rows(
            "SELECT item_id FROM runtime_runlogentry WHERE run_id = ? AND message LIKE ?",
            run_id,
            f"{COMPLETION} %",
        )
    ]
    assert len(records) == count  # nothing completed twice
    assert len(set(records)) == count  # nothing lost
    assert reader.open_tasks() == 0  # nothing left waiting or running in the queue


def assert_rode_out_an_outage(platform: Platform) -> None:
    """Every worker is still the process it was started as, and they did meet the outage."""
    assert platform.exited() == []
    logs = "".join(platform.log(name) for name in platform.workers)
    assert "the database is unavailable" in logs
    assert "the database is back" in logs
    assert "Traceback" not in logs


# --- PostgreSQL ------------------------------------------------------------------------------


@pytest.fixture
def cluster() -> Iterator[Any]:
    from kuntarobo.testing.postgres import ThrowawayCluster

    try:
        cluster = ThrowawayCluster()
    except RuntimeError as error:
        pytest.skip(str(error))
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


def test_a_postgresql_restart_in_the_middle_of_a_run_loses_nothing_and_repeats_nothing(
    cluster, tmp_path
):
    import psycopg

    url = f"postgres://postgres@127.0.0.1:{cluster.port}/postgres"
    platform = Platform({"DATABASE_URL": url}, tmp_path)
    platform.migrate()
    count = 300
    run_id = platform.start_run(count, sleep_ms=40)
    reader = Reader(lambda: psycopg.connect(url, connect_timeout=2), "%s")
    platform.start_workers()
    try:
        platform.wait_for(lambda: reader.done(run_id) >= count // 10, 120, "work to begin")
        cluster.stop_server("fast")  # every session is ended, as by a restart
        time.sleep(3)
        cluster.start_server()
        assert reader.done(run_id) < count, "the run ended before the restart"
        state = lambda: reader.state(run_id)  # noqa: E731
        platform.wait_for(lambda: reader.finished(run_id), 240, "the run to finish", state)
        # Tasks made ready again whose items had committed before the outage still run, and
        # find nothing to do: the queue empties after the run has finished.
        platform.wait_for(lambda: reader.open_tasks() == 0, 60, "the queue to empty", state)
        assert_rode_out_an_outage(platform)
    finally:
        platform.stop_workers()
    assert_done_exactly_once(reader, run_id, count)


def test_the_web_server_answers_the_first_request_after_a_postgresql_restart(cluster, tmp_path):
    """Its threads keep their connections; one that the restart broke must be replaced before a
    request uses it, not fail that request."""
    import urllib.error
    import urllib.request

    from tests.demo_process import wait_for
    from tests.loopback import free_port

    url = f"postgres://postgres@127.0.0.1:{cluster.port}/postgres"
    platform = Platform({"DATABASE_URL": url}, tmp_path)
    platform.migrate()
    port = free_port()
    web = subprocess.Popen(
        [sys.executable, "-m", "kuntarobo", "web", "--port", str(port), "--threads", "1"],
        env=platform.env,
        cwd=ROOT,
        stdout=(platform.logs / "web.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    health = f"http://127.0.0.1:{port}/health"
    try:
        assert '"database": "ok"' in wait_for(health, 120)  # the thread's connection is open
        cluster.stop_server("fast")
        cluster.start_server()
        try:
            with urllib.request.urlopen(health, timeout=30) as response:
                answer = (response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            answer = (error.code, error.read().decode())
        assert answer[0] == 200, answer
        assert web.poll() is None
    finally:
        web.terminate()
        web.wait(timeout=30)


# --- SQLite ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database file, copied by each test (migrating is the slow part)."""
    var_dir = tmp_path_factory.mktemp("sqlite-template")
    platform = Platform({"KUNTAROBO_VAR_DIR": str(var_dir)}, var_dir)
    platform.migrate()
    return var_dir / "kuntarobo.sqlite3"


def sqlite_platform(template: Path, var_dir: Path, tmp_path: Path) -> tuple[Platform, Reader]:
    shutil.copy(template, var_dir / "kuntarobo.sqlite3")
    env = {"KUNTAROBO_VAR_DIR": str(var_dir), "KUNTAROBO_SQLITE_TIMEOUT_SECONDS": "1"}
    database = var_dir / "kuntarobo.sqlite3"
    return Platform(env, tmp_path), Reader(lambda: sqlite3.connect(database, timeout=30), "?")


def test_workers_wait_out_the_sqlite_write_lock_held_past_the_busy_timeout(
    migrated_sqlite, tmp_path
):
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    platform, reader = sqlite_platform(migrated_sqlite, var_dir, tmp_path)
    count = 300
    run_id = platform.start_run(count, sleep_ms=30)
    platform.start_workers()
    try:
        platform.wait_for(lambda: reader.done(run_id) >= count // 10, 120, "work to begin")
        holder = sqlite3.connect(var_dir / "kuntarobo.sqlite3", timeout=30, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # the write lock, for four busy timeouts
        time.sleep(4)
        assert platform.exited() == []
        holder.execute("ROLLBACK")
        holder.close()
        assert reader.done(run_id) < count, "the run ended before the lock was released"
        state = lambda: reader.state(run_id)  # noqa: E731
        platform.wait_for(lambda: reader.finished(run_id), 240, "the run to finish", state)
        # Tasks made ready again whose items had committed before the outage still run, and
        # find nothing to do: the queue empties after the run has finished.
        platform.wait_for(lambda: reader.open_tasks() == 0, 60, "the queue to empty", state)
        assert_rode_out_an_outage(platform)
    finally:
        platform.stop_workers()
    assert_done_exactly_once(reader, run_id, count)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 32 MB tmpfs of its own (mounting needs root; skipped otherwise)."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(disk: Path) -> Path:
    """Write a ballast file until the disk has no room left."""
    ballast = disk / "ballast"
    chunk = b"\0" * 65536
    with ballast.open("wb", buffering=0) as out:
        try:
            while True:
                out.write(chunk)
        except OSError:
            pass
        with contextlib.suppress(OSError):
            while True:
                out.write(b"\0" * 512)
    return ballast


def test_workers_wait_out_a_full_disk_under_sqlite_and_finish_once_there_is_room(
    migrated_sqlite, small_disk, tmp_path
):
    platform, reader = sqlite_platform(migrated_sqlite, small_disk, tmp_path)
    count = 300
    run_id = platform.start_run(count, sleep_ms=30)
    platform.start_workers()
    try:
        platform.wait_for(lambda: reader.done(run_id) >= count // 10, 120, "work to begin")
        ballast = fill(small_disk)

        def any_worker_logged_the_outage() -> bool:
            return any(
                "the database is unavailable" in platform.log(name) for name in platform.workers
            )

        platform.wait_for(any_worker_logged_the_outage, 60, "a write to fail for want of room")
        time.sleep(2)
        assert platform.exited() == []
        ballast.unlink()
        assert reader.done(run_id) < count, "the run ended before the disk was freed"
        state = lambda: reader.state(run_id)  # noqa: E731
        platform.wait_for(lambda: reader.finished(run_id), 240, "the run to finish", state)
        # Tasks made ready again whose items had committed before the outage still run, and
        # find nothing to do: the queue empties after the run has finished.
        platform.wait_for(lambda: reader.open_tasks() == 0, 60, "the queue to empty", state)
        assert_rode_out_an_outage(platform)
        logs = "".join(platform.log(name) for name in platform.workers)
        assert "full" in logs
    finally:
        platform.stop_workers()
    assert_done_exactly_once(reader, run_id, count)
