#!/usr/bin/env python
"""A month of HR reports for a large municipality, the way `kuntarobo hr-reports run` does it.

Generates an export of 10,000 employees in 300 units with a year of monthly payments and
realistic absences (xlsx, not timed), then times, in one process on a fresh SQLite database:

* import: reading the export (`exchange.read_export`) on its own;
* start: `actions.start_run` — read the export again, early-support alerts, one item per unit;
* reports: every item done in this process — the report, the workbook, its delivery by the
  robot's default channel (the workbook stored for the supervisor's account and a secure-link
  notice e-mailed to an aiosmtpd server on loopback: real SMTP through Django's backend), the
  records.

Set-up, not timed: the municipality takes the robot into use, every supervisor has an account
there with the export's address, and the HR settings allow the addresses' mail domain (without
them no report is sent). Every item must end done. The total is start + reports, what an
operator waits for. Usage:
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

from benchmarks.queue_throughput import machine, run_script_child, take_into_use  # noqa: E402

TARGET_SECONDS = 60.0
YEAR, MONTH = 2026, 10


def supervisors_and_domains(municipality: Any, data: Any) -> None:
    """What the robot needs to deliver every report (set-up, not timed): each unit's supervisor
    a user of the municipality with the export's address (a report goes by secure link to that
    account, `channels.actions.usernames_for_email`), and the addresses' mail domains allowed
    in the HR settings (with none, nothing is sent), as `demo.data.load_hr_supervisors` does."""
    from django.contrib.auth import get_user_model

    from kuntarobo.accounts.models import Membership, Role
    from kuntarobo.robots.hr_reports.robot import HrReportsRobot
    from kuntarobo.runtime.settings_actions import save_robot_settings

    user_model = get_user_model()
    users = []
    for unit in data.units:
        first, _space, last = unit.supervisor_name.partition(" ")
        user = user_model(
            username=unit.supervisor_email.partition("@")[0],
            first_name=first,
            last_name=last,
            email=unit.supervisor_email,
        )
        user.set_unusable_password()
        users.append(user)
    user_model.objects.bulk_create(users)
    saved = user_model.objects.filter(username__in=[u.username for u in users])
    Membership.objects.bulk_create(
        Membership(user=user, municipality=municipality, role=Role.VIEWER) for user in saved
    )
    domains = sorted({unit.supervisor_email.rpartition("@")[2] for unit in data.units})
    save_robot_settings(
        "benchmark",
        municipality,
        HrReportsRobot,
        {"allowed_email_domains": ", ".join(domains)},
        partial=True,
        via="cli",
    )


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
    take_into_use(municipality, "hr_reports")
    started = time.monotonic()
    data = hr_dataset(
        year=YEAR, month=MONTH, units=units, employees=employees, unit_without_email=None
    )
    export = Path(tempfile.mkdtemp(prefix="kuntarobo-hr-bench-")) / "export.xlsx"
    write_export_xlsx(data, export)
    generated = time.monotonic() - started
    supervisors_and_domains(municipality, data)

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
    if summary["emails_sent"] != units or summary["errors"] or len(received) != units:
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
