#!/usr/bin/env python
"""Hostile and large inputs through the HR export reader: figures, not a timed test.

Each input is read in a fresh child process (`exchange.read_export`, what the robot's producer
calls), which reports its wall time and peak resident memory:

1. the zip bomb of the review: a small .zip whose `units.csv` inflates to 100 MiB
   (`--bomb-mib` for more); target: refused within seconds and under 300 MB;
2. the same bomb hidden in `payments.csv` under a member limit of 64 MiB;
3. a large valid export as .xlsx (`--employees`, default 70,000 in 300 units with a year of
   payments: 1.03 million payment rows, about as many as a sheet can hold (1,048,576);
   generated with xlsxwriter in a child process, not timed); it must be read whole;
4. a payroll the size of Helsinki's as a .zip of CSV files (`--city-employees`, default 38,000,
   a year of monthly pay in `--income-types` (4) income types: about 1.8 million payment rows,
   over 50 MB unpacked), the largest valid input the default limits must let through;
5. the path a user takes with that .zip: the API request that starts the run (multipart
   upload, time to the 202 answer) and the worker's reading of it (`actions.produce_run`: the
   robot's producer, early-support alerts, one item per unit), each in a fresh process on a
   fresh SQLite database.

Peak memory is the child's VmHWM (/proc/self/status): ru_maxrss would include the parent's
memory at the fork.

Usage: `python benchmarks/hostile_inputs.py [--bomb-mib 100] [--employees 70000]
[--city-employees 38000] [--income-types 4]`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any, SupportsFloat, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.queue_throughput import machine, run_script_child, take_into_use  # noqa: E402

MIB = 1024 * 1024
BOMB_TARGET_SECONDS = 10.0
BOMB_TARGET_MB = 300.0
UNIT_ROW = b"U00001;Yksikko Nimi;Esihenkilo Nimi;esihenkilo@example.fi;fi\n"
PAYMENT_ROW = b"100001;2026-10-25;2026-10-01;2026-10-31;palkka;3512.40\n"


def write_bomb(path: Path, member: str, header: bytes, row: bytes, size: int) -> Path:
    """A complete export (the other sheets with their headers) whose `member` inflates to
    `size` bytes: with a sheet missing the reader would refuse before reading any rows."""
    from kuntarobo.robots.hr_reports.exchange import COLUMNS

    block = row * (MIB // len(row))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for sheet, columns in COLUMNS.items():
            if f"{sheet}.csv" != member:
                archive.writestr(f"{sheet}.csv", ";".join(columns) + "\n")
        with archive.open(member, "w", force_zip64=True) as stream:
            stream.write(header)
            written = 0
            while written < size:
                stream.write(block)
                written += len(block)
    return path


def write_large_export(path: Path, employees: int, units: int) -> dict[str, int]:
    """The exchange format as .xlsx, written by xlsxwriter in constant memory (fast)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kuntarobo.settings")
    import django

    django.setup()
    import xlsxwriter

    from kuntarobo.demo.data import hr_dataset
    from kuntarobo.robots.hr_reports.exchange import COLUMNS, _rows

    data = hr_dataset(
        year=2026, month=10, units=units, employees=employees, unit_without_email=None
    )
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    counts: dict[str, int] = {}
    for sheet, rows in _rows(data):
        worksheet = book.add_worksheet(sheet)
        worksheet.write_row(0, 0, COLUMNS[sheet])
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                if value is None or value == "":
                    continue
                if hasattr(value, "isoformat"):
                    worksheet.write_datetime(number, column, value, dates)
                elif isinstance(value, str):
                    worksheet.write_string(number, column, value)
                else:
                    worksheet.write_number(number, column, float(cast(SupportsFloat, value)))
        counts[sheet] = len(rows)
    book.close()
    return counts


EXTRA_INCOME_TYPES = (
    "evening_work_compensation",
    "saturday_work_compensation",
    "overtime_compensation",
    "holiday_bonus",
    "on_call_compensation",
)


def write_city_export(
    path: Path,
    employees: int,
    units: int,
    income_types: int,
    compression: int = zipfile.ZIP_DEFLATED,
) -> dict[str, int]:
    """The exchange format as a .zip of CSV files, streamed into the archive: each month's pay
    of every employee in `income_types` income types (the monthly salary and supplements).
    Stored without compression (as some payroll systems write them), the file is as large as
    its sheets: the 50 MB valid export."""
    import csv
    import io

    django_setup()
    from kuntarobo.demo.data import hr_dataset
    from kuntarobo.robots.hr_reports.dataset import Dataset
    from kuntarobo.robots.hr_reports.exchange import COLUMNS, _rows, _text

    data = hr_dataset(
        year=2026, month=10, units=units, employees=employees, unit_without_email=None
    )
    salaries = [p for p in data.payments if p.income_type == "time_rate_pay"]
    others = Dataset(data.units, data.employees, data.employments, (), data.absences)
    counts: dict[str, int] = {}
    with zipfile.ZipFile(path, "w", compression) as archive:
        for sheet, rows in _rows(others):
            with (
                archive.open(f"{sheet}.csv", "w", force_zip64=True) as member,
                io.TextIOWrapper(member, encoding="utf-8-sig", newline="") as text,
            ):
                writer = csv.writer(text, delimiter=";")
                writer.writerow(COLUMNS[sheet])
                if sheet == "payments":
                    rows = [
                        [
                            p.employee_id,
                            p.payment_date,
                            p.period_start,
                            p.period_end,
                            income_type,
                            f"{amount // 100}.{amount % 100:02d}",
                        ]
                        for p in salaries
                        for income_type, amount in zip(
                            ("time_rate_pay", *EXTRA_INCOME_TYPES[: income_types - 1]),
                            (p.amount_cents, *(p.amount_cents // (7 + k) for k in range(9))),
                            strict=False,
                        )
                    ]
                writer.writerows([_text(cell) for cell in row] for row in rows)
                counts[sheet] = len(rows)
    counts["unpacked_bytes"] = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    return counts


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM, else ru_maxrss)."""
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            peak_kib = int(line.split()[1])
    return peak_kib * 1024 / 1e6


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kuntarobo.settings")
    import django

    django.setup()


def api_start(path: str) -> dict[str, Any]:
    """A fresh database, a coordinator, and the run started through the API with the file."""
    django_setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from kuntarobo.accounts.models import Membership, Municipality, Role

    call_command("migrate", verbosity=0, interactive=False)
    municipality = Municipality.objects.create(slug="benchmark", name_fi="Benchmark")
    take_into_use(municipality, "hr_reports")
    user = get_user_model().objects.create_user("coordinator", password=None)
    Membership.objects.create(user=user, municipality=municipality, role=Role.COORDINATOR)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    started = time.monotonic()
    with open(path, "rb") as upload:
        response = client.post(
            "/api/v1/runs",
            {
                "municipality": "benchmark",
                "robot": "hr_reports",
                "parameters": json.dumps({"month": "2026-10"}),
                "file": upload,
            },
        )
    seconds = time.monotonic() - started
    if response.status_code != 202:
        raise SystemExit(f"the API answered {response.status_code}: {response.content[:300]!r}")
    return {"run": response.json()["id"], "seconds": seconds, "peak_mb": peak_mb()}


def api_produce(run_id: int) -> dict[str, Any]:
    """What the worker's task does with the started run: read the input, create the items."""
    django_setup()
    from kuntarobo.runtime import actions

    started = time.monotonic()
    result = actions.produce_run(run_id, via="api")
    seconds = time.monotonic() - started
    run = result.run
    outcome = f"{run.status}: {result.created} items" + (f" ({run.error})" if run.error else "")
    return {"outcome": outcome, "seconds": seconds, "peak_mb": peak_mb()}


def child(path: str, member_bytes: int) -> dict[str, Any]:
    from kuntarobo.core.inputs import InputLimits, LimitExceeded
    from kuntarobo.robots.hr_reports.dataset import ExportError
    from kuntarobo.robots.hr_reports.exchange import read_export

    limits = InputLimits.from_env()
    if member_bytes:
        limits = InputLimits(**{**limits.__dict__, "member_bytes": member_bytes})
    started = time.monotonic()
    try:
        data = read_export(Path(path), limits=limits)
    except LimitExceeded as error:
        outcome = f"refused: {error}"
    except ExportError as error:
        outcome = f"refused: {len(error.errors)} problems, first {error.errors[0]}"
    else:
        rows = sum(
            len(getattr(data, s))
            for s in ("units", "employees", "employments", "payments", "absences")
        )
        outcome = f"read: {rows} rows"
    seconds = time.monotonic() - started
    return {"outcome": outcome, "seconds": seconds, "peak_mb": peak_mb()}


def measure(path: Path, env: dict[str, str], member_bytes: int = 0) -> dict[str, Any]:
    return run_script_child(__file__, [str(path), str(member_bytes)], env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bomb-mib", type=int, default=100)
    parser.add_argument("--employees", type=int, default=70_000)
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--city-employees", type=int, default=38_000)
    parser.add_argument("--city-units", type=int, default=1_000)
    parser.add_argument("--income-types", type=int, default=4)
    # About 50 MB of CSV sheets with four income types.
    parser.add_argument("--stored-employees", type=int, default=14_700)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("arguments", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child_task(args)))
        return
    before = machine()
    folder = Path(tempfile.mkdtemp(prefix="kuntarobo-hostile-"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"KUNTAROBO_VAR_DIR": str(folder / "var"), "PYTHONPATH": str(ROOT)})
    header = b"unit_id;unit_name;supervisor_name;supervisor_email;language\n"
    bomb = write_bomb(folder / "bomb.zip", "units.csv", header, UNIT_ROW, args.bomb_mib * MIB)
    payments_header = b"employee_id;payment_date;period_start;period_end;income_type;amount\n"
    hidden = write_bomb(
        folder / "payments-bomb.zip",
        "payments.csv",
        payments_header,
        PAYMENT_ROW,
        args.bomb_mib * MIB,
    )
    started = time.monotonic()
    large = folder / "export.xlsx"
    counts = run_script_child(
        __file__,
        ["--employees", str(args.employees), "--units", str(args.units), "generate", str(large)],
        env,
    )
    city = folder / "city.zip"
    city_counts = run_script_child(
        __file__,
        [
            "--city-employees",
            str(args.city_employees),
            "--city-units",
            str(args.city_units),
            "--income-types",
            str(args.income_types),
            "generate-city",
            str(city),
        ],
        env,
    )
    stored = folder / "stored.zip"
    stored_counts = run_script_child(
        __file__,
        [
            "--city-employees",
            str(args.stored_employees),
            "--city-units",
            str(args.city_units),
            "--income-types",
            str(args.income_types),
            "generate-stored",
            str(stored),
        ],
        env,
    )
    generated = time.monotonic() - started
    unpacked = city_counts.pop("unpacked_bytes")
    stored_counts.pop("unpacked_bytes")

    print("kuntarobo hostile inputs: the HR export reader, each input in a fresh process")
    for key, value in before.items():
        print(f"  {key:8} {value}{' before the benchmark' if key == 'load' else ''}")
    print()
    results = []
    for label, path, member_bytes in (
        (f"zip bomb: units.csv of {args.bomb_mib} MiB", bomb, 0),
        (f"zip bomb: payments.csv of {args.bomb_mib} MiB, member limit 64 MiB", hidden, 64 * MIB),
        (f"valid export, .xlsx, {sum(counts.values())} rows", large, 0),
        (
            f"valid export, .zip of CSV files, {sum(city_counts.values())} rows, "
            f"{unpacked / 1e6:.0f} MB unpacked",
            city,
            0,
        ),
        (
            f"valid export, .zip of CSV files stored uncompressed, {sum(stored_counts.values())} "
            f"rows",
            stored,
            0,
        ),
    ):
        result = run_script_child(__file__, ["read", str(path), str(member_bytes)], env)
        results.append(result)
        show(label, path, result)
    for label, path in (("the .zip", city), ("the 50 MB stored .zip", stored)):
        own = {**env, "KUNTAROBO_VAR_DIR": str(folder / f"var-{path.stem}")}  # a fresh database
        start = run_script_child(__file__, ["api-start", str(path)], own)
        show(f"{label} started through the API: time to the 202 answer", path, start)
        produce = run_script_child(__file__, ["api-produce", str(start["run"])], own)
        show("  then the worker: actions.produce_run (read, alerts, items)", path, produce)
    print(
        f"\n  (the valid exports were generated in {generated:.0f} s, not counted: "
        f"{counts}, {city_counts}, {stored_counts})"
    )
    bomb_result = results[0]
    ok = bomb_result["seconds"] < BOMB_TARGET_SECONDS and bomb_result["peak_mb"] < BOMB_TARGET_MB
    verdict = "meets" if ok and bomb_result["outcome"].startswith("refused") else "MISSES"
    print(
        f"\n  {verdict} the target for the bomb: refused within {BOMB_TARGET_SECONDS:.0f} s "
        f"and under {BOMB_TARGET_MB:.0f} MB."
    )


def show(label: str, path: Path, result: dict[str, Any]) -> None:
    print(f"  {label}")
    print(
        f"    file {path.stat().st_size / 1e6:8.2f} MB   wall {result['seconds']:7.2f} s"
        f"   peak RSS {result['peak_mb']:7.0f} MB"
    )
    if "outcome" in result:
        print(f"    {result['outcome'][:160]}")


def child_task(args: argparse.Namespace) -> dict[str, Any]:
    """One measurement or generation, in this fresh process."""
    task, *rest = args.arguments
    if task == "generate":
        return write_large_export(Path(rest[0]), args.employees, args.units)
    if task == "generate-city":
        return write_city_export(
            Path(rest[0]), args.city_employees, args.city_units, args.income_types
        )
    if task == "generate-stored":
        return write_city_export(
            Path(rest[0]),
            args.city_employees,
            args.city_units,
            args.income_types,
            zipfile.ZIP_STORED,
        )
    if task == "api-start":
        return api_start(rest[0])
    if task == "api-produce":
        return api_produce(int(rest[0]))
    return child(rest[0], int(rest[1]))


if __name__ == "__main__":
    main()
