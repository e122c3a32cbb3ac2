"""The demo's supervisor with trivial child processes: a child killed is started again, one that
keeps ending waits longer each time, and a stop ends every child."""

from __future__ import annotations

import signal
import sys
import threading
import time

from kuntarobo.demo.supervisor import Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
QUITTER = [sys.executable, "-c", "import sys; sys.exit(3)"]


def until(condition, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition did not hold in time"
        time.sleep(0.05)


def test_a_killed_worker_is_started_again_and_the_others_are_left_alone():
    lines: list[str] = []
    supervisor = Supervisor({"worker": SLEEPER, "scheduler": SLEEPER}, lines.append, first_wait=0.2)
    stop = threading.Event()
    running = threading.Thread(target=supervisor.run, args=(stop, 0.05))
    running.start()
    try:
        until(lambda: all(child.process is not None for child in supervisor.children))
        worker, scheduler = supervisor.children
        assert worker.process is not None
        assert scheduler.process is not None
        killed, untouched = worker.process, scheduler.process
        killed.send_signal(signal.SIGKILL)
        until(lambda: worker.process is not killed and worker.process.poll() is None)
        assert worker.restarts == 1
        assert scheduler.process is untouched
        assert untouched.poll() is None
        assert lines[0] == "worker ended unexpectedly (exit code -9); starting it again in 0.2 s"
        assert lines[1] == "worker: starting again (restart 1)"
    finally:
        stop.set()
        running.join(timeout=30)
    assert not running.is_alive()
    # A stop (Ctrl-C) ends every child, the restarted one too.
    assert all(child.process.poll() is not None for child in supervisor.children)


def test_a_child_that_keeps_ending_is_started_again_after_longer_and_longer_waits():
    lines: list[str] = []
    supervisor = Supervisor(
        {"worker": QUITTER}, lines.append, first_wait=0.1, longest_wait=0.4, stable_after=60
    )
    stop = threading.Event()
    running = threading.Thread(target=supervisor.run, args=(stop, 0.02))
    running.start()
    try:
        until(lambda: supervisor.children[0].restarts >= 4)
    finally:
        stop.set()
        running.join(timeout=30)
    waits = [line for line in lines if "ended unexpectedly" in line]
    assert waits[0] == "worker ended unexpectedly (exit code 3); starting it again in 0.1 s"
    delays = [float(line.rsplit(" in ", 1)[1].removesuffix(" s")) for line in waits[:4]]
    assert delays == [0.1, 0.2, 0.4, 0.4]  # doubling, up to the longest wait
