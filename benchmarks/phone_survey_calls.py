#!/usr/bin/env python
"""Simultaneous real survey calls on loopback: calls per minute and keys lost.

The pjsua2-python wheel holds at most 4 calls per process (PJSUA_MAX_CALLS = 4, one Endpoint per
process), so N calls run in ceil(N/4) caller processes, each placing its 4 at once through the
telephony engine, to ceil(N/4) scripted PJSUA2 callees (tests/robots/phone_survey/telephony/
callee.py) that each answer 4 calls and key a known sequence: consent 1, a choice, a number and
# (the interview then thanks and hangs up). A call's keys are compared with what the interview
received (matching keys in order); the difference is "lost". The clock runs from the first dial
to the last end; prompt synthesis is done before it starts.

Usage: `python benchmarks/phone_survey_calls.py [--calls 30]`.
"""

from __future__ import annotations

import argparse
import difflib
import json
import math
import multiprocessing
import platform
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CALLEE = ROOT / "tests" / "robots" / "phone_survey" / "telephony" / "callee.py"
PER_PROCESS = 4

QUESTIONNAIRE: dict[str, Any] = {
    "id": "bench",
    "languages": ["fi"],
    "introduction": {"fi": "Kaupungin kyselypuhelu. Lopettaaksesi paina 9."},
    "consent": {"prompt": {"fi": "Paina 1."}, "key": "1"},
    "stop_key": "9",
    "max_retries": 1,
    "steps": [
        {
            "id": "area",
            "type": "single_choice",
            "prompt": {"fi": "Keskusta 2, maaseutu 3."},
            "choices": [
                {"key": "2", "value": "centre", "label": {"fi": "keskusta"}},
                {"key": "3", "value": "rural", "label": {"fi": "maaseutu"}},
            ],
        },
        {
            "id": "score",
            "type": "numeric",
            "prompt": {"fi": "Luku ja risuaita."},
            "min": 0,
            "max": 99,
        },
        {"id": "thanks", "type": "flag", "disposition": "completed", "prompt": {"fi": "Kiitos."}},
    ],
}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _keys(group: int) -> str:
    return f"1{2 + group % 2}{group}#"


def _script(keys: str) -> list[list[Any]]:
    steps: list[list[Any]] = [["wait", 0.6]]
    for key in keys:
        steps += [["dtmf", key], ["wait", 0.5]]
    return [*steps, ["wait", 20]]


def _caller(port: int, count: int, prompts: str, queue: Any) -> None:
    """One caller process: `count` calls at once to the callee on `port`."""
    sys.path.insert(0, str(ROOT))
    from kuntarobo.core.questionnaire import parse_questionnaire
    from kuntarobo.robots.phone_survey.telephony.caller import Engine, EngineConfig, Timing
    from kuntarobo.robots.phone_survey.telephony.prompts import PromptCache

    questionnaire = parse_questionnaire(QUESTIONNAIRE)
    engine = Engine.shared(EngineConfig())
    timing = Timing(ring_timeout=10, input_timeout=3)
    cache = PromptCache(Path(prompts))
    futures = [
        engine.place_call(
            f"sip:bench{n}@127.0.0.1:{port}",
            questionnaire,
            language="fi",
            prompts=cache,
            recordings_dir=Path(prompts) / "rec",
            timing=timing,
        )
        for n in range(count)
    ]
    results = []
    for future in futures:
        record = future.result(timeout=120)
        results.append(
            {
                "digits": record.digits,
                "code": record.code,
                "started": record.started_at,
                "ended": record.ended_at,
            }
        )
    engine.shutdown()
    queue.put((port, results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=30)
    calls = parser.parse_args().calls
    groups = math.ceil(calls / PER_PROCESS)
    sys.path.insert(0, str(ROOT))
    from kuntarobo.robots.phone_survey.telephony.prompts import PromptCache

    with tempfile.TemporaryDirectory() as work:
        cache = PromptCache(Path(work))
        for text in (
            "Kaupungin kyselypuhelu. Lopettaaksesi paina 9. Paina 1.",
            "Keskusta 2, maaseutu 3.",
            "Luku ja risuaita.",
            "Kiitos.",
        ):
            cache.path_for(text, "fi")
        callees: list[tuple[int, str, subprocess.Popen[str]]] = []
        for group in range(groups):
            port = _free_port()
            keys = _keys(group)
            options = {"port": port, "script": _script(keys)}
            process = subprocess.Popen(
                [sys.executable, str(CALLEE), json.dumps(options)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            assert process.stdout is not None
            for line in process.stdout:
                if line.strip() == "READY":
                    break
            callees.append((port, keys, process))
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        counts = [min(PER_PROCESS, calls - PER_PROCESS * g) for g in range(groups)]
        workers = [
            context.Process(target=_caller, args=(port, count, work, queue))
            for (port, _expected, _process), count in zip(callees, counts, strict=True)
        ]
        for worker in workers:
            worker.start()
        by_port = dict(queue.get(timeout=300) for _ in workers)
        for worker in workers:
            worker.join(30)
        for _port, _expected, process in callees:
            if process.stdin is not None:
                process.stdin.close()
            process.wait(10)

    expected_total = received_total = lost = 0
    codes: dict[str, int] = {}
    first = min(r["started"] for results in by_port.values() for r in results)
    last = max(r["ended"] for results in by_port.values() for r in results)
    peak = 0
    spans = [(r["started"], r["ended"]) for results in by_port.values() for r in results]
    for start, _end in spans:
        peak = max(peak, sum(1 for s, e in spans if s <= start < e))
    for port, keys, _process in callees:
        for result in by_port[port]:
            got = result["digits"]
            matcher = difflib.SequenceMatcher(a=keys, b=got, autojunk=False)
            matched = sum(block.size for block in matcher.get_matching_blocks())
            expected_total += len(keys)
            received_total += len(got)
            lost += len(keys) - matched
            codes[result["code"]] = codes.get(result["code"], 0) + 1
    seconds = last - first
    report = {
        "calls": calls,
        "caller_processes": groups,
        "most_at_once": peak,
        "seconds": round(seconds, 2),
        "calls_per_minute": round(calls / seconds * 60, 1),
        "keys_expected": expected_total,
        "keys_received": received_total,
        "keys_lost": lost,
        "codes": codes,
        "machine": platform.machine(),
        "cpus": multiprocessing.cpu_count(),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
