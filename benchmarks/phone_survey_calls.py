#!/usr/bin/env python
"""Simultaneous real survey calls on loopback: calls per minute and lost keypad input.

The issue's load target: at least 30 simultaneous real SIP calls with no lost keypad digit.
What runs (everything real, on 127.0.0.1):

* callee user agents: the tests' scripted PJSUA2 callee (tests/.../telephony/callee.py), one
  process per `--calls-per-callee` calls (default 4: the wheel's PJSUA_MAX_CALLS, and a callee
  loses RFC 2833 keys once a call slot is reused, so no process answers more than that). Each
  call consents (1), picks an area (3) and keys a two-digit score and # as RFC 2833 events; the
  score differs per callee, so every call has a known keypad sequence;
* the caller: the production engine (telephony/caller.py). The pjsua2 wheel holds at most 4
  calls per process (MAX_CALLS_PER_PROCESS), so N calls need ceil(N / 4) engine processes:
  workers of this script, each one `Engine.shared()` placing its 4 calls. All workers are
  started, then told "GO" together, so the calls overlap;
* with `--proxy`: Kamailio between them, asking every INVITE for the trunk's password, as the
  operator's proxy would.

Figures: calls placed, answered, completed; wall time from GO to the last call's end; calls
per minute; digits expected, received and lost; the peak number of calls up at once (from the
answer and end times of the records); peak RSS of the engine processes. Exit 1 if a digit is
lost, a call did not complete, fewer than N calls were up at once or an engine process crashed
(its stderr is shown; its unreported calls count as lost).
Usage: `python benchmarks/phone_survey_calls.py [--calls 30] [--proxy] [--json]`.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.queue_throughput import machine  # noqa: E402
from kuntarobo.testing.sip_peers import start_kamailio, wait_for_udp_listener  # noqa: E402

CALLEE = ROOT / "tests" / "robots" / "phone_survey" / "telephony" / "callee.py"
CALLS_PER_ENGINE = 4  # caller.MAX_CALLS_PER_PROCESS; not imported: the parent loads no pjsua2
PASSWORD = "bench-s3cret"
START_SECONDS = 60.0
CALL_SECONDS = 120.0

QUESTIONNAIRE: dict[str, Any] = {
    "id": "load-benchmark",
    "languages": ["en"],
    "introduction": {"en": "A test call from the town. Press 9 to stop."},
    "consent": {"prompt": {"en": "Press 1 to take part."}, "key": "1"},
    "stop_key": "9",
    "max_retries": 1,
    "steps": [
        {
            "id": "area",
            "type": "single_choice",
            "prompt": {"en": "Centre 2, rural 3."},
            "choices": [
                {"key": "2", "value": "centre", "label": {"en": "centre"}},
                {"key": "3", "value": "rural", "label": {"en": "rural"}},
            ],
        },
        {
            "id": "score",
            "type": "numeric",
            "prompt": {"en": "Your score, then hash."},
            "min": 0,
            "max": 99,
        },
        {
            "id": "thanks",
            "type": "flag",
            "disposition": "completed",
            "prompt": {"en": "Thank you."},
        },
    ],
}


def score_of(callee_index: int) -> int:
    """A two-digit score without a repeated key: the engine counts one key pressed twice
    within 0.3 s once (SAME_KEY_SECONDS), and the callee keys 0.3 s apart."""
    scores = [n for n in range(10, 100) if n % 11 != 0]
    return scores[callee_index % len(scores)]


def keys_of(score: int) -> str:
    return f"13{score}#"


def callee_script(score: int) -> list[list[Any]]:
    return [
        ["wait", 0.6],
        ["dtmf", "1"],
        ["wait", 0.5],
        ["dtmf", "3"],
        ["wait", 0.5],
        ["dtmf", f"{score}#"],
        ["wait", 60],  # the engine hangs up after its thanks
    ]


# --- the worker: one engine process placing its calls -------------------------------------------


def worker(options: dict[str, Any]) -> None:
    """Start the engine, say READY, wait for GO, place every call at once, print the records."""
    from kuntarobo.core.questionnaire import parse_questionnaire
    from kuntarobo.robots.phone_survey.telephony.caller import (
        Engine,
        EngineConfig,
        Timing,
        Trunk,
    )
    from kuntarobo.robots.phone_survey.telephony.prompts import PromptCache

    engine = Engine.shared(EngineConfig(bind_address="127.0.0.1", max_calls=CALLS_PER_ENGINE))
    questionnaire = parse_questionnaire(QUESTIONNAIRE)
    prompts = PromptCache(Path(options["prompts"]))
    trunk = Trunk(caller_id="+35821000000", display_name="Kuntarobo benchmark")
    if options.get("proxy_port"):
        trunk = Trunk(
            caller_id="+35821000000",
            display_name="Kuntarobo benchmark",
            domain="trunk.test",
            proxy=f"sip:127.0.0.1:{options['proxy_port']};lr",
            username="city",
            password=PASSWORD,
            realm="trunk.test",
        )
    timing = Timing(ring_timeout=20.0, input_timeout=5.0, max_call_seconds=CALL_SECONDS)
    print("READY", flush=True)
    if sys.stdin.readline().strip() != "GO":
        engine.shutdown()
        return
    futures = [
        engine.place_call(
            target,
            questionnaire,
            language="en",
            prompts=prompts,
            recordings_dir=Path(options["recordings"]),
            trunk=trunk,
            timing=timing,
        )
        for target in options["targets"]
    ]
    records = []
    for future in futures:
        record = future.result(timeout=CALL_SECONDS + 60)
        records.append(
            {
                "to": record.to,
                "answered": record.answered,
                "answered_at": record.answered_at,
                "ended_at": record.ended_at,
                "disposition": record.disposition,
                "digits": record.digits,
                "answers": dict(record.answers),
                "code": record.code,
                "events": [event for event in record.events if event[1] != "play"],
            }
        )
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("RESULT " + json.dumps({"records": records, "rss_kib": rss_kib}), flush=True)
    print("SHUTDOWN", file=sys.stderr, flush=True)
    engine.shutdown()
    print("STOPPED", file=sys.stderr, flush=True)


# --- the parent ----------------------------------------------------------------------------------


@dataclass
class Process:
    process: subprocess.Popen[str]
    port: int = 0

    def wait_for(self, word: str, seconds: float) -> str:
        """The first stdout line starting with `word` (pjlib's banner may come first)."""
        assert self.process.stdout is not None
        deadline = time.time() + seconds
        for line in self.process.stdout:
            if line.startswith(word):
                return line
            if time.time() > deadline:
                break
        raise RuntimeError(f"a child process never printed {word} (exit {self.process.poll()})")

    def result(self) -> dict[str, Any]:
        """A worker's records; none (and its RSS unknown) when it died before printing them."""
        try:
            line = self.wait_for("RESULT ", CALL_SECONDS + 90)
        except RuntimeError:
            return {"records": [], "rss_kib": 0}
        figures: dict[str, Any] = json.loads(line[len("RESULT ") :])
        return figures

    def stop(self) -> None:
        if self.process.poll() is None:
            if self.process.stdin is not None:
                self.process.stdin.close()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def free_port() -> int:
    """A UDP port free now (SIP listens on UDP)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def warm_prompts(directory: Path, scores: list[int]) -> None:
    """Speak every prompt of the calls once before the clock runs (espeak-ng in 8 workers at
    the same moment would be measured instead of the calls)."""
    from kuntarobo.core.questionnaire import HangUp, Interview, parse_questionnaire
    from kuntarobo.robots.phone_survey.telephony.prompts import PromptCache

    questionnaire = parse_questionnaire(QUESTIONNAIRE)
    prompts = PromptCache(directory)
    for score in scores:
        interview = Interview(questionnaire, "en")
        action: Any = interview.start()
        prompts.path_for(action.text, action.language, action.step_id)
        for key in keys_of(score):
            action = interview.on_digits(key)
            if action.text:
                prompts.path_for(action.text, action.language, getattr(action, "step_id", ""))
            if isinstance(action, HangUp):
                break


def lost_digits(expected: str, received: str) -> int:
    """Expected keys not found, in order, among the received ones."""
    position = 0
    found = 0
    for key in expected:
        index = received.find(key, position)
        if index >= 0:
            found += 1
            position = index + 1
    return len(expected) - found


def peak_overlap(intervals: list[tuple[float, float]]) -> int:
    """The most intervals open at one moment."""
    edges = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    peak = current = 0
    for _moment, step in edges:  # an end sorts before a start at the same moment
        current += step
        peak = max(peak, current)
    return peak


def run(calls: int, per_callee: int, use_proxy: bool) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="kuntarobo-calls-"))
    children: list[Process] = []
    kamailio: subprocess.Popen[str] | None = None
    try:
        callee_count = math.ceil(calls / per_callee)
        scores = [score_of(index) for index in range(callee_count)]
        warm_prompts(work / "prompts", sorted(set(scores)))
        proxy_port = 0
        if use_proxy:
            if shutil.which("kamailio") is None:
                raise SystemExit("kamailio is not installed (make system-deps)")
            proxy_port = free_port()
            kamailio = start_kamailio(work, proxy_port, PASSWORD, children=4, memory_mb=64)
        expected: dict[str, str] = {}
        targets: list[str] = []
        for index, score in enumerate(scores):
            port = free_port()
            options = {"port": port, "script": callee_script(score), "answer_after": 0.2}
            callee = Process(
                subprocess.Popen(
                    [sys.executable, str(CALLEE), json.dumps(options)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    text=True,
                ),
                port,
            )
            children.append(callee)
            # Ready once its SIP port is bound (not its "READY" line: see the report on 80d5d68).
            wait_for_udp_listener(port, callee.process, "a callee", START_SECONDS)
            for slot in range(min(per_callee, calls - len(targets))):
                target = f"sip:survey{index}x{slot}@127.0.0.1:{port}"
                targets.append(target)
                expected[target] = keys_of(score)
        workers: list[Process] = []
        for first in range(0, calls, CALLS_PER_ENGINE):
            options = {
                "targets": targets[first : first + CALLS_PER_ENGINE],
                "prompts": str(work / "prompts"),
                "recordings": str(work / "recordings"),
                "proxy_port": proxy_port,
            }
            process = Process(
                subprocess.Popen(
                    [sys.executable, __file__, "--worker", json.dumps(options)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=(work / f"worker-{first // CALLS_PER_ENGINE}.err").open("w"),
                    text=True,
                )
            )
            workers.append(process)
            children.append(process)
        for process in workers:
            process.wait_for("READY", START_SECONDS)
        began = time.time()
        for process in workers:
            assert process.process.stdin is not None
            process.process.stdin.write("GO\n")
            process.process.stdin.flush()
        results = [process.result() for process in workers]
        wall = max(time.time() - began, 1e-9)
        records = [record for result in results for record in result["records"]]
        exits = [process.process.wait(30) for process in workers]
        crashes = [
            (code, (work / f"worker-{index}.err").read_text(errors="replace")[-300:])
            for index, code in enumerate(exits)
            if code != 0
        ]
    finally:
        for child in children:
            child.stop()
        if kamailio is not None:
            kamailio.terminate()
            try:
                kamailio.wait(10)
            except subprocess.TimeoutExpired:
                kamailio.kill()
                kamailio.wait(5)
        shutil.rmtree(work, ignore_errors=True)

    answered = [r for r in records if r["answered"]]
    completed = [
        r
        for r in records
        if r["disposition"] == "completed" and r["answers"].get("score") is not None
    ]
    digits_expected = sum(len(keys) for keys in expected.values())
    by_target = {r["to"]: r for r in records}
    lost = sum(
        lost_digits(keys, by_target[target]["digits"] if target in by_target else "")
        for target, keys in expected.items()
    )
    wrong_answers = [
        r["to"]
        for r in records
        if r["answers"].get("score") != int(expected[r["to"]][2:-1])
        or r["answers"].get("area") != "rural"
    ]
    last_end = max((r["ended_at"] for r in records), default=began)
    intervals = [(r["answered_at"], r["ended_at"]) for r in answered]
    return {
        "calls": calls,
        "proxy": use_proxy,
        "engine_processes": len(workers),
        "callee_processes": callee_count,
        "placed": len(targets),
        "reported": len(records),
        "answered": len(answered),
        "completed": len(completed),
        "wall_seconds": round(wall, 2),
        "calls_per_minute": round(60 * len(completed) / wall, 1),
        "digits_expected": digits_expected,
        "digits_received": sum(len(r["digits"]) for r in records),
        "lost_digits": lost,
        "wrong_answers": len(wrong_answers),
        "peak_simultaneous": peak_overlap(intervals),
        "mean_call_seconds": round(
            sum(end - start for start, end in intervals) / max(len(intervals), 1), 2
        ),
        "last_end_after_go_seconds": round(last_end - began, 2),
        "peak_rss_engine_process_mib": round(max(r["rss_kib"] for r in results) / 1024, 1),
        "peak_rss_engine_total_mib": round(sum(r["rss_kib"] for r in results) / 1024, 1),
        "peak_rss_any_child_mib": round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
        ),
        "engine_exits_not_zero": [code for code, _tail in crashes],
        "engine_crash_stderr": [tail for _code, tail in crashes][:2],
        "failed_calls": [
            {"to": r["to"], "code": r["code"], "digits": r["digits"], "events": r["events"]}
            for r in records
            if r not in completed or r["to"] in wrong_answers
        ][:5],
    }


def passed(figures: dict[str, Any]) -> bool:
    return bool(
        figures["lost_digits"] == 0
        and figures["wrong_answers"] == 0
        and figures["completed"] == figures["calls"]
        and figures["peak_simultaneous"] >= figures["calls"]
        and not figures["engine_exits_not_zero"]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=30, help="simultaneous calls (default 30)")
    parser.add_argument(
        "--calls-per-callee",
        type=int,
        default=4,
        help="calls one callee process answers (at most 4, default 4)",
    )
    parser.add_argument("--proxy", action="store_true", help="through Kamailio as the proxy")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON only")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(json.loads(args.worker))
        return
    if args.calls < 1:
        parser.error("--calls must be at least 1")
    if not 1 <= args.calls_per_callee <= 4:
        parser.error("--calls-per-callee must be 1 to 4 (the wheel's PJSUA_MAX_CALLS)")
    about = machine()
    figures = run(args.calls, args.calls_per_callee, args.proxy)
    if args.json:
        print(json.dumps({"machine": about, **figures}))
        sys.exit(0 if passed(figures) else 1)
    print("kuntarobo phone survey: simultaneous real SIP calls on loopback")
    for key, value in about.items():
        print(f"  {key:8} {value}{' before the benchmark' if key == 'load' else ''}")
    print()
    route = "through Kamailio (digest auth)" if args.proxy else "direct"
    print(
        f"  {args.calls} calls, {route}: {figures['engine_processes']} engine processes "
        f"(4 calls each), {figures['callee_processes']} callee processes"
    )
    labels = [
        ("placed", "calls placed"),
        ("reported", "calls reported by the engines"),
        ("answered", "answered"),
        ("completed", "completed (every answer right)"),
        ("wall_seconds", "wall time, s (GO to the last end)"),
        ("calls_per_minute", "calls per minute"),
        ("mean_call_seconds", "mean call length, s"),
        ("digits_expected", "digits expected"),
        ("digits_received", "digits received"),
        ("lost_digits", "lost digits"),
        ("peak_simultaneous", "peak simultaneous calls"),
        ("peak_rss_engine_process_mib", "peak RSS of one engine process, MiB"),
        ("peak_rss_engine_total_mib", "peak RSS of all engine processes, MiB"),
        ("peak_rss_any_child_mib", "peak RSS of any child (callees too), MiB"),
    ]
    for key, label in labels:
        print(f"  {label:42} {figures[key]}")
    for code, tail in zip(
        figures["engine_exits_not_zero"], figures["engine_crash_stderr"], strict=False
    ):
        print(f"  an engine process exited {code}: {tail[-200:]!r}")
    for failure in figures["failed_calls"]:
        print(f"  failed: {json.dumps(failure)[:400]}")
    ok = passed(figures)
    print(f"\n  target (>= {args.calls} at once, no lost digit): {'met' if ok else 'NOT met'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
