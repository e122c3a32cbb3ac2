#!/usr/bin/env python
"""ECEC fee decisions for a whole municipality, and the fee calculator's latency.

The issue's target: a generated municipality of 20,000 children in about 14,000 families — all
fees computed and all draft decision PDFs written and stored — in under 2 minutes with two
workers on a 2-core machine; the calculator answers in under 50 ms. Measured here:

* decisions: the families generated once (`generate.generate_families(N, seed=1)`, period
  2025-01-01, so the complete parameters of 1 August 2024 apply, every placement ending by
  31 July 2026 at the latest, the day before the next row of the figures, which has no income
  thresholds yet: one draft per decision period, no part split off to a person; not timed),
  then for each set-up a fresh database, `migrate`, a municipality with the example fee
  settings and the robot taken into use, real `kuntarobo worker` processes left to register,
  and `actions.start_run` with the file. The
  clock runs from start_run (reading the file, creating and enqueuing N items in one
  transaction) until the run's `finished_at`, which the worker that finishes the last item
  writes (read from the record: the script looks only once a second, to leave the CPU alone).
  PostgreSQL with two workers is the target set-up (KUNTAROBO_BENCH_DATABASE_URL, or a
  throwaway cluster with fsync off); SQLite (embedded mode) with one and two workers is also
  measured. MEDIA_ROOT is a temporary folder, so the PDFs' bytes on disk can be counted;
* calculator: the pure engine (`calculator.calculate_json`), the HTTP API
  (`POST /api/v1/ecec-fees/calculate` on a real `kuntarobo web` process, one keep-alive
  connection, a Bearer token), and the CLI (`kuntarobo ecec-fees calculate` as a new process
  each time, the package's bytecode compiled first as an installed package's is: with the
  request's own parameters, which needs no Django, and with a date, which starts Django to
  read the stored rows), on the issue's example request.

`--profile N` measures instead where an item's time goes: N items through
`execution.execute_many` in this process, in the worker's batches (after a few warm-up items),
first with a timer on each step of the robot and the runtime, then N more under cProfile (top
25 by cumulative time).

Each set-up runs in a child process of this script because Django reads its database from the
environment once. Usage: `python benchmarks/ecec_fees_decisions.py [--families 14000]
[--skip-sqlite] [--skip-calculator] [--profile N] [--keep]`; without --keep each set-up's
database and PDFs are removed when it has been measured.
"""

from __future__ import annotations

import argparse
import compileall
import cProfile
import datetime
import http.client
import io
import json
import os
import pstats
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.queue_throughput import (  # noqa: E402
    _stop_workers,
    _wait,
    base_env,
    machine,
    run_script_child,
    start_ready_workers,
    take_into_use,
)

TARGET_SECONDS = 120.0  # all decisions, PostgreSQL, two workers, 2-core machine
TARGET_CALCULATOR_MS = 50.0
PERIOD_START = datetime.date(2025, 1, 1)  # the complete parameters from 1 August 2024 apply
SEED = 1
SETTINGS_FROM = datetime.date(2020, 1, 1)
ENGINE_CALLS = 2000
API_REQUESTS = 500
CLI_RUNS = 10
WARM_UP_ITEMS = 5
EXAMPLE_REQUEST: dict[str, Any] = {
    "parameters": {
        "income_percentage": "10.7",
        "income_thresholds": {
            "2": 406600,
            "3": 524500,
            "4": 595600,
            "5": 666700,
            "6": 737600,
        },
        "threshold_increase_per_further_child": 27500,
        "max_fee": 31100,
        "min_fee": 3000,
        "sibling_percentages": [100, 40, 20],
    },
    "family": {
        "size": 4,
        "incomes": [{"amount": 350000}, {"amount": 280000}],
        "children": [
            {
                "id": "a",
                "birth_date": "2022-05-01",
                "service_need_coefficient": "1.0",
                "alterations": [{"kind": "discount", "percent": "20"}],
            },
            {"id": "b", "birth_date": "2020-01-15", "service_need_coefficient": "0.6"},
        ],
    },
}


# --- the children: one database each -----------------------------------------------------------


def _django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kuntarobo.settings")
    django.setup()


def _fresh_municipality() -> Any:
    """Migrate, then a municipality of its own (a reused bench database keeps older runs' items,
    which would be duplicates and previous decisions) with the example fee settings."""
    from django.core.management import call_command

    from kuntarobo.accounts.models import Municipality
    from kuntarobo.robots.ecec_fees.municipal import example_settings
    from kuntarobo.robots.ecec_fees.robot import EcecFeeRobot
    from kuntarobo.runtime.settings_actions import save_robot_settings

    call_command("migrate", verbosity=0, interactive=False)
    slug = f"bench-{uuid.uuid4().hex[:8]}"
    municipality = Municipality.objects.create(slug=slug, name_fi="Benchmark")
    take_into_use(municipality, "ecec_fees")
    save_robot_settings(
        "benchmark",
        municipality,
        EcecFeeRobot,
        example_settings(municipality.name_fi),
        valid_from=SETTINGS_FROM,
        via="cli",
    )
    return municipality


def _server(connection: Any) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def _start(municipality: Any, path: Path) -> Any:
    from kuntarobo.runtime import actions

    return actions.start_run(
        "benchmark",
        municipality,
        "ecec_fees",
        input_file=path,
        parameters={"period_start": PERIOD_START.isoformat()},
        trigger="cli",
        via="cli",
    )


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int | str) -> list[str] | None:
    """/proc/PID/stat after the command name: [state, ppid, ...]; None if unreadable."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name, _, rest = text.partition(" (")[2].rpartition(")")
    return [name, *rest.split()]


def _cpu(pid: int | str, reaped: bool = True) -> float:
    """CPU seconds (user + system) of a process, with its reaped children's by default."""
    fields = _stat(pid)
    if fields is None:
        return 0.0
    # fields[0] is the name; then state, ppid, … utime at 12, stime 13, cutime 14, cstime 15
    ticks = int(fields[12]) + int(fields[13])
    if reaped:
        ticks += int(fields[14]) + int(fields[15])
    return ticks / _TICK


def _postgres_cpu(connection: Any) -> float | None:
    """CPU seconds of a PostgreSQL server on this machine so far: the postmaster, its live
    processes and the ones it reaped. The figure is load-independent where wall time is not.
    None for SQLite or a server this script cannot see."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = _stat(cursor.fetchone()[0])
    if backend is None or backend[0] != "postgres":
        return None
    postmaster = int(backend[2])
    total = _cpu(postmaster)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(entry.name)
            if fields is not None and int(fields[2]) == postmaster:
                total += _cpu(entry.name)
    return total


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_decisions(path: Path, workers_count: int) -> dict[str, Any]:
    """The whole municipality through real workers; figures read back from the database."""
    _django()
    from django.conf import settings
    from django.db import connection

    from kuntarobo.robots.ecec_fees.models import FeeDecision
    from kuntarobo.runtime.execution import run_counts
    from kuntarobo.runtime.models import ItemDocument, Run, RunStatus

    municipality = _fresh_municipality()
    log_dir = Path(tempfile.mkdtemp(prefix="kuntarobo-bench-ecec-logs-"))
    workers = start_ready_workers(workers_count, log_dir)
    try:
        workers_cpu = [_cpu(w.pid) for w in workers]  # their start-up, not counted
        postgres_cpu = _postgres_cpu(connection)
        self_cpu = _self_cpu()
        started_at = time.time()
        started = _start(municipality, path)
        enqueued = time.time()
        start_cpu = _self_cpu() - self_cpu
        run = started.run
        # The finish is read from the run's record (the time the worker that finished the last
        # item wrote), so this process can look seldom and leave the CPU to the workers.
        _wait(
            lambda: Run.objects.filter(pk=run.pk, status=RunStatus.FINISHED).exists(),
            3600,
            "the run to finish",
            workers,
            interval=1.0,
        )
        run.refresh_from_db()
        finished = run.finished_at.timestamp()
        self_cpu = _self_cpu() - self_cpu
        workers_cpu = [_cpu(w.pid) - before for w, before in zip(workers, workers_cpu, strict=True)]
    finally:
        _stop_workers(workers)
    if postgres_cpu is not None:
        time.sleep(1)  # the workers' backends exit and are reaped
        after = _postgres_cpu(connection)
        postgres_cpu = None if after is None else after - postgres_cpu
    run.refresh_from_db()
    counts = {k: v for k, v in run_counts(run).items() if v}
    documents = list(ItemDocument.objects.filter(item__run=run).values_list("file", flat=True))
    media = Path(settings.MEDIA_ROOT)
    pdf_bytes = sum((media / name).stat().st_size for name in documents)
    return {
        "database": connection.vendor,
        "server": _server(connection),
        "workers": workers_count,
        "items": started.created,
        "start_run_seconds": enqueued - started_at,
        "process_seconds": finished - enqueued,
        "total_seconds": finished - started_at,
        "items_per_second": started.created / (finished - started_at),
        "statuses": counts,
        "decisions": FeeDecision.objects.filter(municipality=municipality).count(),
        "documents": len(documents),
        "pdf_bytes": pdf_bytes,
        "media_root": str(media),
        "handle_ms_average": run.summary.get("item_ms_average"),
        "cpu_seconds": {
            "start_run_process": start_cpu,
            "this_process": self_cpu,  # start_run, and polling for the end
            "workers": workers_cpu,
            "database_server": postgres_cpu,  # None: SQLite (in the processes) or not visible
        },
        "load_after": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "worker_logs": str(log_dir),
    }


def _percentiles(samples: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {
        "n": len(samples),
        "median_ms": statistics.median(samples),
        "p99_ms": cuts[98],
        "max_ms": max(samples),
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _engine_latency() -> dict[str, float]:
    from kuntarobo.robots.ecec_fees.calculator import calculate_json

    for _ in range(50):
        calculate_json(EXAMPLE_REQUEST)
    samples = []
    for _ in range(ENGINE_CALLS):
        began = time.perf_counter()
        calculate_json(EXAMPLE_REQUEST)
        samples.append((time.perf_counter() - began) * 1000)
    return _percentiles(samples)


def _api_latency(token: str) -> dict[str, Any]:
    """A real `kuntarobo web` (waitress) on loopback; one HTTP/1.1 keep-alive connection."""
    port = _free_port()
    log = (Path(tempfile.mkdtemp(prefix="kuntarobo-bench-web-")) / "web.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "kuntarobo", "web", "--host", "127.0.0.1", "--port", str(port)],
        env=dict(os.environ),
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"kuntarobo web exited; see {log.name}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("kuntarobo web did not start in 60 s") from None
                time.sleep(0.1)
        body = json.dumps(EXAMPLE_REQUEST).encode()
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
            "Connection": "keep-alive",
        }
        client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

        def call() -> dict[str, Any]:
            client.request("POST", "/api/v1/ecec-fees/calculate", body=body, headers=headers)
            response = client.getresponse()
            data = response.read()
            if response.status != 200:
                raise RuntimeError(f"API answered {response.status}: {data[:300]!r}")
            return dict(json.loads(data))

        for _ in range(20):  # the first requests import the views and open the database
            answer = call()
        samples = []
        for _ in range(API_REQUESTS):
            began = time.perf_counter()
            call()
            samples.append((time.perf_counter() - began) * 1000)
        client.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return {**_percentiles(samples), "total_fee": answer.get("total_fee")}


def _cli_latency(request: dict[str, Any]) -> dict[str, Any]:
    """A new process each time, as a script sees it: Python and the command, and Django's
    set-up too when the request asks for the stored parameters of a date."""
    body = json.dumps(request)
    samples = []
    for _ in range(CLI_RUNS):
        began = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "kuntarobo", "ecec-fees", "calculate"],
            input=body,
            capture_output=True,
            text=True,
            env=dict(os.environ),
            cwd=ROOT,
            check=False,
        )
        samples.append((time.perf_counter() - began) * 1000)
        if result.returncode != 0:
            raise RuntimeError(f"the CLI failed: {result.stderr[-500:]}")
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    bare_python = (time.perf_counter() - began) * 1000
    return {
        "n": len(samples),
        "median_ms": statistics.median(samples),
        "min_ms": min(samples),
        "max_ms": max(samples),
        "bare_python_ms": bare_python,
        "total_fee": json.loads(result.stdout).get("total_fee"),
    }


def child_calculator() -> dict[str, Any]:
    _django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from kuntarobo.api.models import ApiToken

    call_command("migrate", verbosity=0, interactive=False)
    user = get_user_model().objects.create_user(
        username=f"bench-{uuid.uuid4().hex[:8]}", password=uuid.uuid4().hex
    )
    _, token = ApiToken.issue(user, "benchmark")
    dated = {"date": "2025-01-15", "family": EXAMPLE_REQUEST["family"]}
    # As an installed package has: with PYTHONDONTWRITEBYTECODE set (as on the project's build
    # machines) every new process would compile the sources again, 12 ms for the fee rules alone.
    compileall.compile_dir(str(ROOT / "kuntarobo"), quiet=1)
    return {
        "engine": _engine_latency(),
        "api": _api_latency(token),
        "cli": _cli_latency(EXAMPLE_REQUEST),
        "cli_dated": _cli_latency(dated),
    }


# --- the profile: where an item's time goes -----------------------------------------------------


class _Timers:
    """Inclusive seconds and calls per step, from wrappers put on module attributes."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.enabled = False
        self._undo: list[Callable[[], None]] = []

    def wrap(self, owner: Any, attribute: str, key: str) -> None:
        own = owner.__dict__.get(attribute) if isinstance(owner, type) else None
        function = getattr(owner, attribute)

        def timed(*args: Any, **kwargs: Any) -> Any:
            if not self.enabled:
                return function(*args, **kwargs)
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[key] = self.seconds.get(key, 0.0) + time.perf_counter() - began
                self.calls[key] = self.calls.get(key, 0) + 1

        setattr(owner, attribute, timed)
        if isinstance(owner, type) and own is None:  # inherited: drop the wrapper again
            self._undo.append(lambda: delattr(owner, attribute))
        else:
            self._undo.append(lambda: setattr(owner, attribute, own or function))

    def undo(self) -> None:
        for restore in reversed(self._undo):
            restore()
        self._undo.clear()


# (step, owner module or class path, attribute, parent step): the tree printed by the parent.
_STEPS: tuple[tuple[str, str, str, str], ...] = (
    ("execute_many", "kuntarobo.runtime.execution", "execute_many", ""),
    ("claim + load items", "kuntarobo.runtime.execution", "_claim_many", "execute_many"),
    ("robot.handle", "kuntarobo.robots.ecec_fees.robot:EcecFeeRobot", "handle", "execute_many"),
    ("parse payload", "kuntarobo.robots.ecec_fees.families", "parse_family", "robot.handle"),
    ("family input", "kuntarobo.robots.ecec_fees.decision_content", "family_input", "robot.handle"),
    ("fee computation", "kuntarobo.robots.ecec_fees.fees", "calculate_fees", "robot.handle"),
    ("snapshot", "kuntarobo.robots.ecec_fees.decision_content", "snapshot_of", "robot.handle"),
    (
        "previous-decision query",
        "kuntarobo.robots.ecec_fees.models:FeeDecision.objects",
        "previous_for",
        "robot.handle",
    ),
    (
        "following-decision query",
        "kuntarobo.robots.ecec_fees.models:FeeDecision.objects",
        "following",
        "robot.handle",
    ),
    ("changes", "kuntarobo.robots.ecec_fees.changes", "describe_changes", "robot.handle"),
    ("attention flags", "kuntarobo.robots.ecec_fees.changes", "attention_flags", "robot.handle"),
    ("build letter", "kuntarobo.robots.ecec_fees.decision_content", "build_letter", "robot.handle"),
    ("render_pdf", "kuntarobo.robots.ecec_fees.letters", "render_pdf", "robot.handle"),
    ("letter data", "kuntarobo.robots.ecec_fees.letters", "letter_data", "render_pdf"),
    (
        "explanation lines",
        "kuntarobo.robots.ecec_fees.decision_content",
        "computation_lines",
        "robot.handle",
    ),
    ("result JSON", "kuntarobo.robots.ecec_fees.robot", "_result_json", "robot.handle"),
    ("complete", "kuntarobo.runtime.execution", "_complete", "execute_many"),
    (
        "PDF file write",
        "django.db.models.fields.files:FieldFile",
        "save",
        "complete",
    ),
    ("ItemDocument row", "kuntarobo.runtime.models:ItemDocument", "save", "complete"),
    (
        "on_status: FeeDecision",
        "kuntarobo.robots.ecec_fees.records",
        "on_item_status",
        "complete",
    ),
    ("finish_run_if_done", "kuntarobo.runtime.execution", "finish_run_if_done", "execute_many"),
)


def _owner(path: str) -> Any:
    import importlib

    module_name, _, attributes = path.partition(":")
    owner: Any = importlib.import_module(module_name)
    for name in attributes.split(".") if attributes else []:
        owner = getattr(owner, name)
    return owner


def _item_ids(run: Any) -> Iterator[int]:
    from kuntarobo.runtime.models import WorkItem

    yield from WorkItem.objects.filter(run=run).order_by("pk").values_list("pk", flat=True)


def child_profile(path: Path, items: int) -> dict[str, Any]:
    """Warm-up items, then N under the step timers, then N under cProfile, all in-process."""
    _django()
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count

    from kuntarobo.runtime import execution
    from kuntarobo.runtime.models import ItemDocument, WorkItem

    municipality = _fresh_municipality()
    began = time.perf_counter()
    started = _start(municipality, path)
    start_seconds = time.perf_counter() - began
    ids = list(_item_ids(started.run))
    warm, timed, profiled = (
        ids[:WARM_UP_ITEMS],
        ids[WARM_UP_ITEMS : WARM_UP_ITEMS + items],
        ids[WARM_UP_ITEMS + items : WARM_UP_ITEMS + 2 * items],
    )
    worker_id = f"profile-{os.getpid()}"
    timers = _Timers()
    for step, owner, attribute, _parent in _STEPS:
        if hasattr(_owner(owner), attribute):  # steps the robot's version may not have
            timers.wrap(_owner(owner), attribute, step)

    def in_batches(ids: list[int]) -> None:
        """As a worker does: claimed and finished in batches of KUNTAROBO_WORKER_BATCH."""
        size = max(1, settings.KUNTAROBO_WORKER_BATCH)
        for start in range(0, len(ids), size):
            execution.execute_many(ids[start : start + size], worker_id)

    in_batches(warm)
    timers.enabled = True
    began = time.perf_counter()
    in_batches(timed)
    timed_seconds = time.perf_counter() - began
    timers.enabled = False
    timers.undo()

    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    in_batches(profiled)
    profiler.disable()
    profiled_seconds = time.perf_counter() - began
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(25)
    pdfs = list(ItemDocument.objects.filter(item_id__in=timed).values_list("file", flat=True))
    return {
        "database": connection.vendor,
        "server": _server(connection),
        "families": len(ids),
        "start_run_seconds": start_seconds,
        "timed_items": len(timed),
        "timed_seconds": timed_seconds,
        "profiled_items": len(profiled),
        "profiled_seconds": profiled_seconds,
        "statuses": dict(
            WorkItem.objects.filter(pk__in=timed).values_list("status").annotate(n=Count("id"))
        ),
        "documents": len(pdfs),
        "steps": [
            {
                "step": step,
                "parent": parent,
                "ms_per_item": 1000 * timers.seconds.get(step, 0.0) / max(len(timed), 1),
                "calls": timers.calls.get(step, 0),
            }
            for step, _owner_path, _attribute, parent in _STEPS
        ],
        "profile": text.getvalue(),
    }


# --- the parent: the data, the databases, the figures -------------------------------------------


def figures_end() -> datetime.date:
    """The last day of the act's figures in force on PERIOD_START: the day before the next row
    of the figures begins (1 August 2026, a row without income thresholds yet)."""
    from kuntarobo.robots.ecec_fees.statutory import ROWS

    starts = sorted(datetime.date.fromisoformat(row[0]) for row in ROWS)
    following = [day for day in starts if day > PERIOD_START]
    return following[0] - datetime.timedelta(days=1) if following else datetime.date.max


def within_the_figures(family: dict[str, object], last_day: datetime.date) -> None:
    """Every placement ends by `last_day` at the latest. A decision period is split where a new
    row of the figures begins, and a part from a row without income thresholds goes to a
    person: without this, each open-ended family would make a second item that fails, where
    the benchmark measures one draft decision per decision period on complete figures. The
    first part's draft is the same either way (it ends on `last_day`)."""
    kids = family["children"]
    for child in kids if isinstance(kids, list) else []:
        placement = child["placement"]
        end = placement.get("end")
        if end is None or datetime.date.fromisoformat(str(end)) > last_day:
            placement["end"] = last_day.isoformat()


def generate(families: int, folder: Path) -> dict[str, Any]:
    """The synthetic municipality's export; not part of any figure."""
    from kuntarobo.robots.ecec_fees.generate import generate_families, write_jsonl

    children = 0
    last_day = figures_end()

    def counting() -> Iterator[dict[str, object]]:
        nonlocal children
        for family in generate_families(families, seed=SEED, period_start=PERIOD_START):
            within_the_figures(family, last_day)
            kids = family["children"]
            children += len(kids) if isinstance(kids, list) else 0
            yield family

    path = folder / f"families-{families}.jsonl"
    began = time.perf_counter()
    written = write_jsonl(path, counting())
    return {
        "path": str(path),
        "families": written,
        "children": children,
        "megabytes": path.stat().st_size / 1e6,
        "seconds": time.perf_counter() - began,
    }


def source_state() -> str:
    """The commit measured, and whether the working tree differed from it (other work)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--short", "--untracked-files=no", "kuntarobo"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.split()
    except OSError:
        return "unknown"
    return f"{head} + uncommitted changes in kuntarobo/" if dirty else head


def _env(prefix: str) -> dict[str, str]:
    var_dir = tempfile.mkdtemp(prefix=f"kuntarobo-bench-ecec-{prefix}-")
    env = base_env(var_dir)
    env["KUNTAROBO_EXTRA_APPS"] = ""  # the test robots are not needed here
    env["KUNTAROBO_MEDIA_ROOT"] = str(Path(var_dir) / "media")
    return env


class _Postgres:
    """KUNTAROBO_BENCH_DATABASE_URL, or a throwaway cluster for the duration."""

    def __init__(self) -> None:
        self.cluster: Any = None
        self.url = os.environ.get("KUNTAROBO_BENCH_DATABASE_URL", "")

    def __enter__(self) -> str:
        if not self.url:
            from kuntarobo.testing.postgres import ThrowawayCluster

            self.cluster = ThrowawayCluster()
            self.url = self.cluster.start()
        return self.url

    def __exit__(self, *exc: object) -> None:
        if self.cluster is not None:
            self.cluster.stop()

    @property
    def note(self) -> str:
        return " (throwaway, fsync off)" if self.cluster is not None else ""


def decisions(path: str, workers: int, database: str, keep: bool) -> dict[str, Any]:
    """One set-up's run; its database and PDFs (about 0.7 GB) are removed afterwards unless
    `keep`, so that repeated runs do not fill the disk. The workers' logs are kept."""
    arguments = ["decisions", "--input", path, "--workers", str(workers)]
    env = _env("sqlite" if database == "sqlite" else "pg")
    try:
        if database == "sqlite":
            return run_script_child(__file__, arguments, env)
        postgres = _Postgres()
        with postgres as url:
            env["DATABASE_URL"] = url
            result = run_script_child(__file__, arguments, env)
        result["server"] += postgres.note
        return result
    finally:
        if not keep:
            shutil.rmtree(env["KUNTAROBO_VAR_DIR"], ignore_errors=True)


def print_decisions(data: dict[str, Any], results: list[dict[str, Any]]) -> None:
    print(
        f"  input: {data['families']} families, {data['children']} children, "
        f"{data['megabytes']:.1f} MB JSON Lines, period from {PERIOD_START}, placements "
        f"ending by {figures_end()} "
        f"(generated in {data['seconds']:.1f} s, not counted)"
    )
    print()
    print(
        f"  {'database':34} {'wrk':>3} {'items':>6} {'start_run s':>11} {'total s':>8} "
        f"{'items/s':>7} {'decisions':>9} {'PDFs':>6} {'PDF MB':>7} {'handle ms':>9}"
    )
    for r in results:
        print(
            f"  {r['server']:34.34} {r['workers']:>3} {r['items']:>6} "
            f"{r['start_run_seconds']:>11.1f} {r['total_seconds']:>8.1f} "
            f"{r['items_per_second']:>7.1f} {r['decisions']:>9} {r['documents']:>6} "
            f"{r['pdf_bytes'] / 1e6:>7.1f} {r['handle_ms_average']:>9}"
        )
    for r in results:
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(r["statuses"].items()) if k != "total")
        print(f"  {r['server']} × {r['workers']}: {statuses}")
    print(
        "  (total = start_run + processing, to the run marked finished; handle ms = the robot's "
        "average per item as the runtime recorded it)"
    )
    print(
        "\n  CPU seconds (user + system; load-independent, unlike the wall time above when other "
        "processes share the machine):"
    )
    for r in results:
        cpu = r["cpu_seconds"]
        server = cpu["database_server"] or 0.0
        total = cpu["this_process"] + sum(cpu["workers"]) + server
        r["cpu_total_seconds"] = total
        r["cpu_ms_per_item"] = 1000 * total / r["items"]
        workers = " + ".join(f"{w:.0f}" for w in cpu["workers"])
        print(
            f"  {r['server']:.30} × {r['workers']}: start_run {cpu['start_run_process']:.1f} s, "
            f"workers {workers} s, database server "
            f"{'-' if cpu['database_server'] is None else format(server, '.0f')} s; "
            f"{total:.0f} s in all = {r['cpu_ms_per_item']:.1f} ms/item; at best "
            f"{total / 2:.0f} s of wall time on two idle cores (load after: {r['load_after']:.1f})"
        )
    for r in results:
        if r["database"] == "postgresql" and r["workers"] == 2:
            verdict = "MEETS" if r["total_seconds"] < TARGET_SECONDS else "MISSES"
            print(
                f"\n  PostgreSQL, 2 workers: {r['total_seconds']:.1f} s — {verdict} the target "
                f"of {TARGET_SECONDS:.0f} s."
            )


def print_calculator(r: dict[str, Any]) -> None:
    print("\n  calculator (the issue's example request; target < 50 ms)")
    for key, label in (("engine", "engine, calculate_json"), ("api", "HTTP API, waitress")):
        x = r[key]
        verdict = "meets" if x["p99_ms"] < TARGET_CALCULATOR_MS else "MISSES"
        print(
            f"    {label:26} n={x['n']:<5} median {x['median_ms']:7.2f} ms  p99 "
            f"{x['p99_ms']:7.2f} ms  max {x['max_ms']:7.2f} ms  ({verdict})"
        )
    for key, label, note in (
        ("cli", "CLI, a new process", "no Django: the request brings its parameters"),
        ("cli_dated", "CLI, new process, a date", "Django starts to read the stored rows"),
    ):
        cli = r[key]
        verdict = "meets" if cli["median_ms"] < TARGET_CALCULATOR_MS else "MISSES"
        print(
            f"    {label:26} n={cli['n']:<5} median {cli['median_ms']:7.0f} ms  "
            f"min {cli['min_ms']:7.0f} ms  max {cli['max_ms']:7.0f} ms  ({verdict}: {note}; "
            f"bare `python -c pass` {cli['bare_python_ms']:.0f} ms)"
        )


def print_profile(r: dict[str, Any]) -> None:
    n = r["timed_items"]
    print(
        f"  {r['server']}: {r['families']} families, start_run {r['start_run_seconds']:.2f} s; "
        f"{n} items timed in {r['timed_seconds']:.2f} s "
        f"({1000 * r['timed_seconds'] / max(n, 1):.1f} ms/item), statuses {r['statuses']}"
    )
    print("\n  ms per item (inclusive; 'other' = the parent's time outside the steps below it)")
    steps = r["steps"]
    depth: dict[str, int] = {"": -1}
    for s in steps:
        depth[s["step"]] = depth[s["parent"]] + 1
    for s in steps:
        indent = "  " * depth[s["step"]]
        print(
            f"    {indent}{s['step']:<{34 - len(indent)}} {s['ms_per_item']:8.2f}  ({s['calls']})"
        )
        children = [c for c in steps if c["parent"] == s["step"]]
        if children:
            other = s["ms_per_item"] - sum(c["ms_per_item"] for c in children)
            inner = "  " * (depth[s["step"]] + 1)
            print(f"    {inner}{'other':<{34 - len(inner)}} {other:8.2f}")
    print(
        f"\n  cProfile, {r['profiled_items']} more items in {r['profiled_seconds']:.2f} s "
        "(with the profiler's overhead):"
    )
    print(r["profile"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=14_000)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-calculator", action="store_true")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep each run's database and PDFs and the generated input (removed by default)",
    )
    parser.add_argument("--sqlite-workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--profile", type=int, metavar="N", help="instead: where N items' time goes (in-process)"
    )
    parser.add_argument("--profile-db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--child", choices=["decisions", "calculator", "profile"])
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=2, help=argparse.SUPPRESS)
    parser.add_argument("--items", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "decisions":
        print(json.dumps(child_decisions(Path(args.input), args.workers)))
        return
    if args.child == "calculator":
        print(json.dumps(child_calculator()))
        return
    if args.child == "profile":
        print(json.dumps(child_profile(Path(args.input), args.items)))
        return

    before = machine()  # the load average before the benchmark adds its own
    before["source"] = source_state()
    folder = Path(tempfile.mkdtemp(prefix="kuntarobo-bench-ecec-data-"))
    print("kuntarobo ECEC fee decisions: a generated municipality, and the fee calculator")
    for key, value in before.items():
        print(f"  {key:8} {value}{' before the benchmark' if key == 'load' else ''}")
    print(flush=True)
    summary: dict[str, Any] = {"machine": before}

    if args.profile:
        data = generate(2 * args.profile + WARM_UP_ITEMS, folder)
        arguments = ["profile", "--input", data["path"], "--items", str(args.profile)]
        if args.profile_db == "sqlite":
            result = run_script_child(__file__, arguments, _env("profile"))
        else:
            postgres = _Postgres()
            with postgres as url:
                env = _env("profile")
                env["DATABASE_URL"] = url
                result = run_script_child(__file__, arguments, env)
            result["server"] += postgres.note
        print_profile(result)
        summary["profile"] = {k: v for k, v in result.items() if k != "profile"}
        print(json.dumps(summary))
        return

    data = generate(args.families, folder)
    summary["input"] = data
    results = []
    if not args.skip_postgres:
        results.append(decisions(data["path"], 2, "postgres", args.keep))
    if not args.skip_sqlite:
        for workers in args.sqlite_workers:
            results.append(decisions(data["path"], workers, "sqlite", args.keep))
    if results:
        print_decisions(data, results)
    summary["decisions"] = results
    if not args.skip_calculator:
        calculator_env = _env("calculator")
        try:
            calculator = run_script_child(__file__, ["calculator"], calculator_env)
        finally:
            if not args.keep:
                shutil.rmtree(calculator_env["KUNTAROBO_VAR_DIR"], ignore_errors=True)
        print_calculator(calculator)
        summary["calculator"] = calculator
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    print()
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
