"""`kuntarobo demo` (what `make demo` runs) as a subprocess on a free port, for tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.loopback import free_port


def wait_for(url: str, deadline_seconds: float) -> str:
    deadline = time.monotonic() + deadline_seconds
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError as error:
            last_error = error
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {deadline_seconds} s: {last_error}")


class Demo:
    def __init__(self, var_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # As a new user runs it: no database server, no key (the demo makes its own).
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
        env["KUNTAROBO_VAR_DIR"] = str(var_dir)
        env["PORT"] = str(self.port)
        # The demo's mail catcher on a free port too (tests run side by side).
        self.mail_port = free_port()
        env["KUNTAROBO_MAIL_CATCHER_PORT"] = str(self.mail_port)
        # And its practice system (the HR fetch robot's payroll system).
        self.practice_port = free_port()
        env["KUNTAROBO_PRACTICE_PORT"] = str(self.practice_port)
        self.env = env
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kuntarobo", "demo"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGINT)
        output, _ = self.process.communicate(timeout=60)
        return self.process.returncode, output

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
