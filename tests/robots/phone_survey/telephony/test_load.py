"""The issue's load target as a test: 30 simultaneous real calls on loopback, no lost key.

It runs the benchmark (benchmarks/phone_survey_calls.py) as a child process: PJSUA2 allows one
Endpoint per process and the pjsua2 wheel holds 4 calls per process, so 30 calls need 8 engine
processes, which the benchmark starts (the session's engine fixture stays out of it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BENCHMARK = Path(__file__).resolve().parents[4] / "benchmarks" / "phone_survey_calls.py"


def test_thirty_simultaneous_calls_lose_no_keypad_digit() -> None:
    finished = subprocess.run(
        [sys.executable, str(BENCHMARK), "--calls", "30", "--json"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    lines = [line for line in finished.stdout.splitlines() if line.startswith("{")]
    assert lines, (finished.returncode, finished.stdout[-2000:], finished.stderr[-2000:])
    figures = json.loads(lines[-1])

    assert figures["engine_exits_not_zero"] == [], figures["engine_crash_stderr"]
    assert figures["placed"] == 30
    assert figures["reported"] == 30
    assert figures["answered"] == 30
    assert figures["completed"] == 30, figures["failed_calls"]
    assert figures["digits_expected"] == 150  # 1, 3, two score digits and # per call
    assert figures["lost_digits"] == 0, figures["failed_calls"]
    assert figures["wrong_answers"] == 0, figures["failed_calls"]
    assert figures["peak_simultaneous"] == 30
    assert figures["engine_processes"] == 8
    assert finished.returncode == 0
