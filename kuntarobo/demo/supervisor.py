"""Keeps the demo's processes (web, worker, scheduler) running: a child that ends when it was not
told to is started again, after a wait that doubles while it keeps ending soon after its start.
Plain subprocesses, no Django: `kuntarobo demo` hands it the commands."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass
class Child:
    name: str
    command: Sequence[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    quick_exits: int = 0  # ends in a row soon after a start; the wait doubles with each
    restart_at: float | None = None
    restarts: int = field(default=0)


class Supervisor:
    def __init__(
        self,
        commands: dict[str, Sequence[str]],
        log: Callable[[str], None],
        *,
        first_wait: float = 1.0,
        longest_wait: float = 30.0,
        stable_after: float = 60.0,
        start: Callable[[Sequence[str]], subprocess.Popen[bytes]] = subprocess.Popen,
    ) -> None:
        self.children = [Child(name, command) for name, command in commands.items()]
        self.log = log
        self.first_wait = first_wait
        self.longest_wait = longest_wait
        self.stable_after = stable_after
        self._start = start

    def start(self) -> None:
        for child in self.children:
            self._launch(child)

    def _launch(self, child: Child) -> None:
        child.process = self._start(child.command)
        child.started_at = time.monotonic()
        child.restart_at = None

    def check(self) -> None:
        """Notice children that ended and start again those whose wait is over."""
        now = time.monotonic()
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.restarts += 1
                    self.log(f"{child.name}: starting again (restart {child.restarts})")
                    self._launch(child)
                continue
            if child.process is None or child.process.poll() is None:
                continue
            if now - child.started_at >= self.stable_after:
                child.quick_exits = 0
            child.quick_exits += 1
            wait = min(self.first_wait * 2 ** (child.quick_exits - 1), self.longest_wait)
            child.restart_at = now + wait
            self.log(
                f"{child.name} ended unexpectedly (exit code {child.process.returncode}); "
                f"starting it again in {wait:.1f} s"
            )

    def stop(self, grace: float = 15.0) -> None:
        """SIGTERM to every child still running, SIGKILL to those not gone after `grace`."""
        running = [
            child.process
            for child in self.children
            if child.process is not None and child.process.poll() is None
        ]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def run(self, stop: threading.Event, poll: float = 0.5) -> None:
        """Start the children and keep them running until `stop` is set; then stop them."""
        self.start()
        try:
            while not stop.wait(poll):
                self.check()
        finally:
            self.stop()
