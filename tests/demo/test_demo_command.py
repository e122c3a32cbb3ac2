"""`kuntarobo demo` (what `make demo` runs) as a new user meets it: real web server, worker and
scheduler processes on the embedded SQLite database, started from nothing."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
        env["KUNTAROBO_VAR_DIR"] = str(var_dir)
        env["PORT"] = str(self.port)
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


@pytest.fixture
def var_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


@pytest.fixture
def demo(var_dir: Path) -> Iterator[Demo]:
    running = Demo(var_dir)
    yield running
    if running.process.poll() is None:
        os.killpg(running.process.pid, signal.SIGKILL)
        running.process.wait()


def test_demo_serves_the_login_page_runs_a_worker_and_stops_cleanly_on_ctrl_c(demo, var_dir):
    started = time.monotonic()
    login = wait_for(f"{demo.url}/login/", 180)
    assert "csrfmiddlewaretoken" in login
    assert 'lang="fi"' in login
    deadline = time.monotonic() + 30
    while True:
        health = json.loads(wait_for(f"{demo.url}/health", 10))
        if health["workers"] >= 1 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert health["status"] == "ok"
    assert health["workers"] >= 1
    print(f"login page served {time.monotonic() - started:.1f} s after start")  # noqa: T201  (shown with -s)
    code, output = demo.stop()
    assert code == 0, output
    assert "kuntarobo-demo" in output  # the demo logins are printed
    assert "koordinaattori" in output
    assert (var_dir / "kuntarobo.sqlite3").exists()


def test_running_the_demo_again_keeps_the_data(var_dir):
    first = Demo(var_dir)
    try:
        wait_for(f"{first.url}/login/", 180)
    finally:
        code, output = first.stop()
    assert code == 0, output
    import sqlite3

    database = var_dir / "kuntarobo.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("INSERT INTO auth_group (name) VALUES ('kept between runs')")
    second = Demo(var_dir)
    try:
        wait_for(f"{second.url}/login/", 180)
    finally:
        code, output = second.stop()
    assert code == 0, output
    with sqlite3.connect(database) as db:
        kept = db.execute("SELECT count(*) FROM auth_group WHERE name = 'kept between runs'")
        assert kept.fetchone()[0] == 1
        users = db.execute("SELECT count(*) FROM auth_user").fetchone()[0]
    assert users == 6
