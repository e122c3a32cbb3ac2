#!/usr/bin/env python
"""The Uusikaupunki strategy survey of December 2021 simulated with `kuntarobo survey simulate`
(issue 18): 7,759 numbers, at most 3 attempts, weekdays 1-31 December 2021, 10-20
Europe/Helsinki, the module's blocked days (6.12. Independence Day, 24.12. Christmas Eve and
the weekend holidays; 31.12. stays open, New Year's Day 2022 being a Saturday).

Our assumptions, not facts: 3 lines (`--lines`), 9 cents a minute, the simulation's default
population (docs/phone-survey.md), and the sample's age groups drawn with the shares of
Uusikaupunki's adults (18-29 14 %, 30-44 20 %, 45-64 32 %, 65+ 34 %; rounded from Statistics
Finland's 2021 age structure), genders alternating and three areas. The real campaign made
20,219 calls for 1,132 completes (14.6 %); the figures printed beside them show how far the
default assumptions are from that one campaign.

It runs the whole command in this process (writing the files, reading them, the simulation,
the JSON written atomically) and prints the elapsed seconds, calls, completes, RR1 and the
process's peak resident memory (VmHWM).

Usage: `python benchmarks/phone_survey_simulation.py [--numbers 7759] [--lines 3] [--seed 2021]`.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.queue_throughput import machine  # noqa: E402
from kuntarobo.robots.phone_survey.simulate_cli import simulate_main  # noqa: E402

AGE_SHARES = {"18-29": 14, "30-44": 20, "45-64": 32, "65+": 34}
AREAS = ("keskusta", "Kalanti", "Pyhäranta-suunta")
REAL_CALLS = 20_219
REAL_COMPLETES = 1_132


def campaign(lines: int) -> dict[str, object]:
    return {
        "schedule": {
            "start_date": "2021-12-01",
            "end_date": "2021-12-31",
            "weekdays": [1, 2, 3, 4, 5],
            "from": "10:00",
            "to": "20:00",
            "timezone": "Europe/Helsinki",
        },
        "max_attempts": 3,
        "lines": lines,
        "price_per_minute_cents": 9,
    }


def respondents_csv(numbers: int) -> tuple[str, dict[str, str]]:
    """The sample and each number's age group (from a fixed seed: the same file every run)."""
    draw = random.Random(18)
    groups = list(AGE_SHARES)
    weights = list(AGE_SHARES.values())
    rows = ["puhelin;ikäryhmä;sukupuoli;alue"]
    ages: dict[str, str] = {}
    for index in range(numbers):
        age = draw.choices(groups, weights)[0]
        phone = f"+35840{index:07d}"
        ages[phone] = age
        rows.append(f"{phone};{age};{'nm'[index % 2]};{AREAS[index % 3]}")
    return "\n".join(rows) + "\n", ages


def peak_memory_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--numbers", type=int, default=7759)
    parser.add_argument("--lines", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2021)
    arguments = parser.parse_args()
    for key, value in machine().items():
        print(f"{key}: {value}")
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        (base / "campaign.json").write_text(json.dumps(campaign(arguments.lines)))
        text, ages = respondents_csv(arguments.numbers)
        (base / "respondents.csv").write_text(text, encoding="utf-8")
        out = base / "out.json"
        argv = ["--campaign", str(base / "campaign.json")]
        argv += ["--respondents", str(base / "respondents.csv")]
        argv += ["--seed", str(arguments.seed), "--out", str(out)]
        started = time.perf_counter()
        code = simulate_main(argv)
        elapsed = time.perf_counter() - started
        if code != 0:
            raise SystemExit(code)
        data = json.loads(out.read_text(encoding="utf-8"))
    completes = [r["phone"] for r in data["respondents"] if r["final_code"] == "1.1"]
    by_age = Counter(ages[phone] for phone in completes)
    last = max(a["at"] for r in data["respondents"] for a in r["attempts"])
    print(
        f"numbers {arguments.numbers}, lines {arguments.lines}, seed {arguments.seed}: "
        f"{elapsed:.2f} s, {data['calls']} calls (real campaign {REAL_CALLS}), "
        f"{data['counts']['I']} completes (real {REAL_COMPLETES}), RR1 {data['rates']['RR1']}, "
        f"{data['minutes']} minutes, {data['cost_cents'] / 100:.2f} EUR, last call {last}, "
        f"peak memory {peak_memory_mib():.0f} MiB"
    )
    shares = ", ".join(f"{age} {100 * by_age[age] / len(completes):.1f} %" for age in AGE_SHARES)
    print(f"completes by age group: {shares} (real: 18-29 5.3 %, 65+ 54 %)")


if __name__ == "__main__":
    main()
