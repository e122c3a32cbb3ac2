#!/usr/bin/env python
"""Work items per second through the queue, for a robot whose handler does nothing.

Two set-ups are measured:

* SQLite (embedded mode): one `kuntarobo worker` process on a fresh SQLite file;
* PostgreSQL: two `kuntarobo worker` processes on KUNTAROBO_BENCH_DATABASE_URL, or on a
  throwaway cluster started for the purpose (fsync and synchronous_commit off, as in the tests).

For each, the workers are started and left to register, then `actions.start_run` creates and
enqueues N items in one transaction, and the clock runs until the run is finished (the worker
that completes the last item marks it). Worker start-up is not in the figure; queue latency is.
Each set-up runs in a child process of this script because Django reads its database from the
environment once. Usage: `python benchmarks/queue_throughput.py [--items 5000]`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

# A benchmark runs as a deployment, not the demo, so it brings the key its processes share.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

ROOT = Path(__file__).resolve().parent.parent
TARGET_POSTGRES = 200.0  # items per second on a 2-core machine
PROFILE_ITEMS = 200


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    model = "unknown"
    memory = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "nproc": str(cpus),
        "cpu": model,
        "memory": memory,
        "python": platform.python_version(),
        "os": platform.platform(),
        "load": "{:.2f} {:.2f} {:.2f} (1, 5, 15 min load average)".format(*load),
        "speed": f"{speed_gauge_ms():.0f} ms for a fixed pure-Python loop (lower is faster)",
    }


def speed_gauge_ms() -> float:
    """The CPU time of one fixed pure-Python workload, best of five.

    A shared virtual machine's speed drifts (by a third within one hour, measured here), so
    figures from different runs compare only together with this gauge."""
    best = float("inf")
    for _ in range(5):
        began = time.process_time()
        total = 0
        for number in range(2_000_000):
            total += number * number
        best = min(best, time.process_time() - began)
    return 1000 * best


# --- the child: one database, N items, W workers ------------------------------------------------


def _start_workers(count: int, env: dict[str, str], log_dir: Path) -> list[subprocess.Popen[bytes]]:
    workers = []
    for number in range(count):
        log = (log_dir / f"worker-{number}.log").open("wb")
        workers.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "kuntarobo",
                    "worker",
                    "--queues",
                    "robots",
                    "--worker-id",
                    f"bench-{os.getpid()}-{number}",
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
        )
    return workers


def _stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def start_ready_workers(count: int, log_dir: Path) -> list[subprocess.Popen[bytes]]:
    """Real `kuntarobo worker` processes, registered and past their random start-up delay, so
    that the clock measures work, not start-up; stopped again if they never get there."""
    from kuntarobo.runtime.models import WorkerProcess

    workers = _start_workers(count, dict(os.environ), log_dir)
    ids = [f"bench-{os.getpid()}-{n}" for n in range(count)]
    try:
        _wait(
            lambda: WorkerProcess.objects.filter(worker_id__in=ids).count() == count,
            60,
            "the workers to register",
            workers,
        )
    except BaseException:
        _stop_workers(workers)
        raise
    time.sleep(1.5)  # let the workers' random start-up delay (up to 1 s) pass
    return workers


def _wait(
    condition: Any,
    timeout: float,
    what: str,
    workers: list[subprocess.Popen[bytes]],
    interval: float = 0.05,
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if any(w.poll() is not None for w in workers):
            raise RuntimeError(f"a worker exited while waiting for {what}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def take_into_use(municipality: Any, robot_slug: str) -> None:
    """A robot runs only where the municipality has taken it into use (`actions.check_in_use`):
    its deployment, enabled, with the robot's default parameters and no schedule. Set-up, not
    timed."""
    from kuntarobo.runtime import actions

    actions.configure_deployment(
        "benchmark", municipality, robot_slug, enabled=True, schedule_enabled=False, via="cli"
    )


def _statements_per_item(municipality: Any) -> float:
    """SQL statements one item costs in the worker's loop (the heartbeat thread aside): the
    loop of an in-process worker under a query counter."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kuntarobo.runtime import actions
    from kuntarobo.runtime.management.commands.worker import HeartbeatWorker

    actions.start_run(
        "benchmark",
        municipality,
        "test_noop",
        parameters={"count": PROFILE_ITEMS, "prefix": f"profile-{uuid.uuid4().hex[:8]}-"},
        trigger="cli",
        via="cli",
    )
    worker = HeartbeatWorker(
        queue_names=["robots"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=f"profile-{os.getpid()}",
        excluded_queue_names=[],
    )
    with CaptureQueriesContext(connection) as queries:
        worker._work()
    statements = [q for q in queries.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")]
    return len(statements) / PROFILE_ITEMS


def child(items: int, workers_count: int) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kuntarobo.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from kuntarobo.accounts.models import Municipality
    from kuntarobo.runtime import actions
    from kuntarobo.runtime.models import ItemStatus, Run, RunStatus, WorkItem

    call_command("migrate", verbosity=0, interactive=False)
    municipality, _ = Municipality.objects.get_or_create(
        slug="benchmark", defaults={"name_fi": "Benchmark"}
    )
    take_into_use(municipality, "test_noop")
    log_dir = Path(tempfile.mkdtemp(prefix="kuntarobo-bench-logs-"))
    workers = start_ready_workers(workers_count, log_dir)
    try:
        enqueue_started = time.monotonic()
        started = actions.start_run(
            "benchmark",
            municipality,
            "test_noop",
            parameters={"count": items, "prefix": f"bench-{uuid.uuid4().hex[:8]}-"},
            trigger="cli",
            via="cli",
        )
        enqueued = time.monotonic()
        run = started.run
        _wait(
            lambda: Run.objects.filter(pk=run.pk, status=RunStatus.FINISHED).exists(),
            900,
            "the run to finish",
            workers,
        )
        finished = time.monotonic()
    finally:
        _stop_workers(workers)
    done = WorkItem.objects.filter(run=run, status=ItemStatus.DONE).count()
    if done != items:
        raise RuntimeError(f"only {done} of {items} items are done")
    statements = _statements_per_item(municipality)
    return {
        "database": connection.vendor,
        "server": _server_version(connection),
        "workers": workers_count,
        "items": items,
        "enqueue_seconds": enqueued - enqueue_started,
        "process_seconds": finished - enqueued,
        "items_per_second": items / (finished - enqueued),
        "statements_per_item": statements,
    }


def _server_version(connection: Any) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


# --- the parent: set up each database, run a child for it, print the figures --------------------


def run_script_child(script: str, arguments: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run `script --child ARGUMENTS` (a fresh Django for its database) and read the JSON line
    it prints last; a failing child stops the benchmark with its output."""
    result = subprocess.run(
        [sys.executable, script, "--child", *arguments],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"benchmark child failed (exit {result.returncode})")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def run_child(items: int, workers: int, env: dict[str, str]) -> dict[str, Any]:
    return run_script_child(__file__, ["--items", str(items), "--workers", str(workers)], env)


def base_env(var_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        {
            "KUNTAROBO_VAR_DIR": var_dir,
            "KUNTAROBO_EXTRA_APPS": "kuntarobo.testing",
            "DJANGO_SETTINGS_MODULE": "kuntarobo.settings",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--sqlite-workers", type=int, default=1)
    parser.add_argument("--postgres-workers", type=int, default=2)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.items, args.workers)))
        return

    before = machine()  # the load average before the benchmark adds its own
    results = []
    if args.only in (None, "sqlite"):
        env = base_env(tempfile.mkdtemp(prefix="kuntarobo-bench-sqlite-"))
        results.append(run_child(args.items, args.sqlite_workers, env))
    if args.only in (None, "postgres"):
        env = base_env(tempfile.mkdtemp(prefix="kuntarobo-bench-pg-"))
        url = os.environ.get("KUNTAROBO_BENCH_DATABASE_URL", "")
        cluster = None
        if not url:
            sys.path.insert(0, str(ROOT))
            from kuntarobo.testing.postgres import ThrowawayCluster

            cluster = ThrowawayCluster()
            url = cluster.start()
        env["DATABASE_URL"] = url
        try:
            results.append(run_child(args.items, args.postgres_workers, env))
        finally:
            if cluster is not None:
                cluster.stop()
        if cluster is not None:
            results[-1]["server"] += " (throwaway cluster: fsync=off, synchronous_commit=off)"

    print("kuntarobo queue throughput: no-op handler")
    for key, value in before.items():
        print(f"  {key:8} {value}{' before the benchmark' if key == 'load' else ''}")
    print()
    print(
        f"  {'database':42} {'workers':>7} {'items':>6} {'enqueue s':>9} "
        f"{'process s':>9} {'items/s':>8} {'SQL/item':>8}"
    )
    for r in results:
        print(
            f"  {r['server']:42.42} {r['workers']:>7} {r['items']:>6} "
            f"{r['enqueue_seconds']:>9.2f} {r['process_seconds']:>9.2f} "
            f"{r['items_per_second']:>8.0f} {r['statements_per_item']:>8.1f}"
        )
    for r in results:
        if r["database"] == "postgresql":
            verdict = "meets" if r["items_per_second"] >= TARGET_POSTGRES else "BELOW"
            print(f"\n  PostgreSQL {verdict} the target of {TARGET_POSTGRES:.0f} items/s.")


if __name__ == "__main__":
    main()
