#!/usr/bin/env python
"""A month of HR reports for a large municipality, the way `kuntarobo hr-reports run` does it.

Generates an export of 10,000 employees in 300 units with a year of monthly payments and
realistic absences (xlsx, not timed), then times, in one process on a fresh SQLite database:

* import: reading the export (`exchange.read_export`) on its own;
* start: `actions.start_run` — read the export again, early-support alerts, one item per unit;
* reports: every item done in this process — the report, the workbook, one e-mail each to an
  aiosmtpd server on loopback (real SMTP through Django's backend), the records.

The total is start + reports, what an operator waits for. Usage:
`python benchmarks/hr_reports_month.py [--employees 10000] [--units 300]`.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.queue_throughput import machine, run_script_child  # noqa: E402

TARGET_SECONDS = 60.0
YEAR, MONTH = 2026, 10


def child(employees: int, units: int) -> dict[str, Any]:
    from aiosmtpd.controller import Controller

    received: list[bytes] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            received.append(envelope.content)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    os.environ["EMAIL_HOST"] = "127.0.0.1"
    os.environ["EMAIL_PORT"] = str(port)

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kuntarobo.settings")
    django.setup()
    from django.core.management import call_command

    from kuntarobo.accounts.models import Municipality
    from kuntarobo.demo.data import hr_dataset
    from kuntarobo.robots.hr_reports.exchange import read_export, write_export_xlsx
    from kuntarobo.robots.hr_reports.management.commands.hr_reports import (
        run_summary,
    )
    from kuntarobo.runtime import actions, execution
    from kuntarobo.runtime.models import Trigger

    call_command("migrate", verbosity=0, interactive=False)
    municipality, _ = Municipality.objects.get_or_create(
        slug="benchmark", defaults={"name_fi": "Benchmark"}
    )
    started = time.monotonic()
    data = hr_dataset(
        year=YEAR, month=MONTH, units=units, employees=employees, unit_without_email=None
    )
    export = Path(tempfile.mkdtemp(prefix="kuntarobo-hr-bench-")) / "export.xlsx"
    write_export_xlsx(data, export)
    generated = time.monotonic() - started

    started = time.monotonic()
    read_export(export, None)
    imported = time.monotonic() - started

    started = time.monotonic()
    run = actions.start_run(
        "benchmark",
        municipality,
        "hr_reports",
        parameters={"month": f"{YEAR}-{MONTH:02d}"},
        input_file=export,
        trigger=Trigger.CLI,
        via="cli",
    )
    start_seconds = time.monotonic() - started
    started = time.monotonic()
    execution.process_run_inline(run.run.pk)
    report_seconds = time.monotonic() - started
    summary = run_summary(run.run.pk, run.duplicates)
    controller.stop()
    if summary["emails_sent"] != units or len(received) != units:
        raise RuntimeError(f"{summary} but {len(received)} messages arrived")
    return {
        "employees": len(data.employees),
        "units": len(data.units),
        "payments": len(data.payments),
        "absences": len(data.absences),
        "export_mb": export.stat().st_size / 1e6,
        "generate_seconds": generated,
        "import_seconds": imported,
        "start_seconds": start_seconds,
        "report_seconds": report_seconds,
        "total_seconds": start_seconds + report_seconds,
        "summary": summary,
        "messages": len(received),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.employees, args.units)))
        return
    before = machine()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        {
            "KUNTAROBO_VAR_DIR": tempfile.mkdtemp(prefix="kuntarobo-hr-bench-var-"),
            "DJANGO_SETTINGS_MODULE": "kuntarobo.settings",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    r = run_script_child(
        __file__, ["--employees", str(args.employees), "--units", str(args.units)], env
    )
    print("kuntarobo HR reports: one month, CLI path (one process, SQLite, SMTP on loopback)")
    for key, value in before.items():
        print(f"  {key:8} {value}{' before the benchmark' if key == 'load' else ''}")
    print()
    print(
        f"  export: {r['employees']} employees, {r['units']} units, {r['payments']} payments, "
        f"{r['absences']} absences, {r['export_mb']:.1f} MB xlsx "
        f"(generated in {r['generate_seconds']:.1f} s, not counted)"
    )
    print(f"  import alone (read_export)               {r['import_seconds']:7.2f} s")
    print(f"  start run (read, alerts, {r['units']} items)       {r['start_seconds']:7.2f} s")
    print(f"  {r['units']} reports: workbook + e-mail + record  {r['report_seconds']:7.2f} s")
    print(f"  total (start + reports)                  {r['total_seconds']:7.2f} s")
    print(f"  summary {json.dumps(r['summary'])}; {r['messages']} messages arrived")
    verdict = "meets" if r["total_seconds"] < TARGET_SECONDS else "MISSES"
    print(f"\n  {verdict} the target of {TARGET_SECONDS:.0f} s on this machine.")


if __name__ == "__main__":
    main()
