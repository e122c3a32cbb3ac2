"""`kuntarobo practice_system` as an operator runs it: listens, serves, stops on SIGTERM; and
the server object releases its port when stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import pytest
import requests

from kuntarobo.practice.server import PracticeServer
from tests.demo_process import wait_for
from tests.loopback import free_port


def test_a_stopped_server_no_longer_listens(practice):
    assert requests.get(practice.url, timeout=5).status_code == 200
    thread = practice._thread
    port = practice.port
    practice.stop()
    assert thread is not None
    assert not thread.is_alive()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass


def test_two_servers_listen_side_by_side_on_free_ports():
    with PracticeServer() as first, PracticeServer() as second:
        assert first.url != second.url
        assert requests.get(first.url, timeout=5).status_code == 200
        assert requests.get(second.url, timeout=5).status_code == 200
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", second.port), timeout=2):
        pass


def test_the_command_serves_until_sigterm():
    port = free_port()
    env = {**os.environ, "SECRET_KEY": "x"}
    process = subprocess.Popen(
        [sys.executable, "-m", "kuntarobo", "practice_system", "--port", str(port), "--units", "7"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        page = wait_for(f"http://127.0.0.1:{port}/", 30)
        assert 'id="username"' in page
        session = requests.Session()
        session.post(
            f"http://127.0.0.1:{port}/",
            data={"username": "robotti", "password": "Harjoitus-2026!"},
            timeout=10,
        )
        form = session.get(f"http://127.0.0.1:{port}/raportit/", timeout=10).text
        assert 'value="1006"' in form
        assert 'value="1007"' not in form
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, output
    assert f"listening on http://127.0.0.1:{port}/" in output
