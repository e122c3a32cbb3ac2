#!/usr/bin/env python
"""The HR fetch robot against a large practice system: one month fetched through its screens.

Starts the practice system (`kuntarobo.practice`) on loopback with 300 units of 10 employees,
then, in one process on a fresh SQLite database, does one run of the HR fetch robot the way a
worker does it (`execution.process_run_inline`): the credential from the vault, Debian's
Chromium through the browser runtime (`sdk.browser.in_browser`), login, the reports form, every
result page through #next-page, the row count check, the download of the workbook, logout.

Set-up, not timed: migrate, the municipality takes the robot into use, the practice system's
address in the robot's settings, the credential stored in the vault. The run's start (a
browser launched on first use) is inside the timing, as it is for the first item a worker does.

Printed: the screens loaded (every page the browser's main frame navigated to) and result pages,
pages per second, wall time, and the peak memory (resident set, VmRSS) of the browser's processes
(the runtime's Chromium and its children, sampled every 50 ms in a thread) and of this Python
process (its VmHWM). Usage: `python benchmarks/hr_fetch_practice.py [--units 300]
[--employees-per-unit 10]`. The chain to the HR reports robot is started but not processed
here: `benchmarks/hr_reports_month.py` measures that robot.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet  # noqa: E402

from benchmarks.queue_throughput import machine, run_script_child, take_into_use  # noqa: E402

TARGET_SECONDS = 120.0
PASSWORD = "Harjoitus-2026!"


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    """A process's resident set in KiB (0 when it has gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def pss_kib(pid: int) -> int:
    """A process's proportional set in KiB: shared pages divided among their sharers, so the
    sum over the browser's processes does not count its shared libraries nine times."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def descendants(roots: list[int]) -> set[int]:
    """The processes `roots` and all their children, found through /proc/<pid>/stat's ppid."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    pending = list(roots)
    while pending:
        pid = pending.pop()
        if pid in found:
            continue
        found.add(pid)
        pending.extend(parents.get(pid, ()))
    return found


class Sampler(threading.Thread):
    """The browser processes' summed resident set, sampled until stopped; its peak."""

    def __init__(self, roots: Any, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.roots = roots
        self.interval = interval
        self.peak_kib = 0
        self.peak_pss_kib = 0
        self.processes = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            pids = descendants(list(self.roots()))
            total = sum(rss_kib(pid) for pid in pids)
            if total > self.peak_kib:
                self.peak_kib, self.processes = total, len(pids)
            self.peak_pss_kib = max(self.peak_pss_kib, sum(pss_kib(pid) for pid in pids))


PRACTICE = """
import sys
from kuntarobo.practice.server import PracticeOptions, serve
units, per_unit, port = (int(value) for value in sys.argv[1:4])
serve(PracticeOptions(units=units, employees_per_unit=per_unit), "127.0.0.1", port)
"""


def start_practice(units: int, per_unit: int) -> tuple[subprocess.Popen[bytes], str]:
    """The practice system in a process of its own (as `kuntarobo demo` runs it), so that the
    robot's process and its figures are the robot's alone; its address once it answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-c", PRACTICE, str(units), str(per_unit), str(port)], cwd=ROOT
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return process, url
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise
            time.sleep(0.1)


def child(units: int, per_unit: int) -> dict[str, Any]:
    practice, url = start_practice(units, per_unit)

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kuntarobo.settings")
    django.setup()
    from django.core.management import call_command

    from kuntarobo.accounts.models import Municipality
    from kuntarobo.robots.hr_fetch.months import default_month
    from kuntarobo.robots.hr_fetch.robot import HrFetchRobot
    from kuntarobo.runtime import actions, execution
    from kuntarobo.runtime.models import Trigger, WorkItem
    from kuntarobo.runtime.settings_actions import save_robot_settings
    from kuntarobo.sdk.browser import browser_process_ids, close_browser
    from kuntarobo.vault.actions import store_credential

    call_command("migrate", verbosity=0, interactive=False)
    municipality, _ = Municipality.objects.get_or_create(
        slug="benchmark", defaults={"name_fi": "Benchmark"}
    )
    take_into_use(municipality, "hr_fetch")
    save_robot_settings(
        "benchmark", municipality, HrFetchRobot, {"system_url": url}, partial=True, via="cli"
    )
    store_credential("benchmark", municipality, "palkkajarjestelma", "robotti", PASSWORD)
    month = default_month(datetime_today())

    sampler = Sampler(browser_process_ids)
    sampler.start()
    started = time.monotonic()
    run = actions.start_run(
        "benchmark",
        municipality,
        "hr_fetch",
        parameters={"month": month},
        trigger=Trigger.CLI,
        via="cli",
    )
    execution.process_run_inline(run.run.pk)
    wall = time.monotonic() - started
    sampler.stopped.set()
    sampler.join()
    close_browser()
    practice.terminate()
    practice.wait(timeout=30)
    item = WorkItem.objects.get(run_id=run.run.pk)
    if item.status != "done":
        raise RuntimeError(f"the item ended {item.status}: {item.error_message}")
    output = item.output
    screens = int(output["screens"])
    return {
        "units": units,
        "employees": units * per_unit,
        "month": month,
        "rows": output["rows"],
        "result_pages": output["pages"],
        "screens": screens,
        "size_bytes": output["size_bytes"],
        "wall_seconds": wall,
        "pages_per_second": screens / wall,
        "browser_peak_mib": sampler.peak_kib / 1024,
        "browser_peak_pss_mib": sampler.peak_pss_kib / 1024,
        "browser_processes": sampler.processes,
        "python_peak_mib": rss_kib(os.getpid(), "VmHWM") / 1024,
    }


def datetime_today() -> Any:
    from django.utils import timezone

    return timezone.localdate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--employees-per-unit", type=int, default=10)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.units, args.employees_per_unit)))
        return
    before = machine()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        {
            "KUNTAROBO_VAR_DIR": tempfile.mkdtemp(prefix="kuntarobo-hr-fetch-bench-var-"),
            "DJANGO_SETTINGS_MODULE": "kuntarobo.settings",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
            # A throwaway key for the vault of this benchmark's throwaway database.
            "KUNTAROBO_VAULT_KEYS": Fernet.generate_key().decode(),
        }
    )
    r = run_script_child(
        __file__,
        ["--units", str(args.units), "--employees-per-unit", str(args.employees_per_unit)],
        env,
    )
    print("kuntarobo HR fetch: one month through the practice system's screens (Chromium)")
    for key, value in before.items():
        print(f"  {key:8} {value}{' before the benchmark' if key == 'load' else ''}")
    print()
    print(
        f"  practice system (own process): {r['units']} units, {r['employees']} employees; "
        f"month {r['month']}"
    )
    print(
        f"  fetched {r['rows']} rows on {r['result_pages']} result pages, "
        f"{r['size_bytes'] / 1e6:.2f} MB xlsx"
    )
    print(f"  screens loaded                 {r['screens']:8d}")
    print(f"  pages per second               {r['pages_per_second']:8.1f}")
    print(f"  wall time (run, item, browser) {r['wall_seconds']:8.2f} s")
    print(
        f"  browser peak RSS               {r['browser_peak_mib']:8.0f} MiB "
        f"({r['browser_processes']} processes at the peak; shared pages counted in each)"
    )
    print(f"  browser peak PSS               {r['browser_peak_pss_mib']:8.0f} MiB (shared divided)")
    print(f"  Python process peak (VmHWM)    {r['python_peak_mib']:8.0f} MiB")
    verdict = "meets" if r["wall_seconds"] < TARGET_SECONDS else "MISSES"
    print(f"\n  {verdict} the target of {TARGET_SECONDS:.0f} s on this machine.")


if __name__ == "__main__":
    main()
