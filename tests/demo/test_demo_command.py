"""`kuntarobo demo` (what `make demo` runs) as a new user meets it: real web server, worker and
scheduler processes on the embedded SQLite database, started from nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.demo_process import Demo, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def var_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


@pytest.fixture
def demo(var_dir: Path) -> Iterator[Demo]:
    running = Demo(var_dir)
    yield running
    running.kill()


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
        users_after_first = db.execute("SELECT count(*) FROM auth_user").fetchone()[0]
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
    assert users == users_after_first  # no demo user (staff or HR supervisor) made twice


def test_the_demos_email_goes_to_its_mail_catcher_and_the_administrator_reads_it(demo, var_dir):
    import re
    import subprocess
    import sys

    import requests

    wait_for(f"{demo.url}/login/", 180)
    # A platform process of the demo (its settings, nothing set by hand) sends through SMTP.
    sent = subprocess.run(
        [sys.executable, "-m", "kuntarobo", "sendtestemail", "esihenkilo@esimerkkila.fi"],
        env={**demo.env, "KUNTAROBO_DEMO": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert sent.returncode == 0, sent.stderr
    caught = list((var_dir / "caught-mail").glob("*.eml"))
    assert len(caught) == 1

    session = requests.Session()
    login = session.get(f"{demo.url}/login/", timeout=10).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login)[1]
    session.post(
        f"{demo.url}/login/",
        data={
            "csrfmiddlewaretoken": token,
            "username": "paakayttaja",
            "password": "kuntarobo-demo",
        },
        timeout=10,
    )
    page = session.get(f"{demo.url}/demo-mail/", timeout=10)
    assert page.status_code == 200
    assert "Test email from" in page.text  # the subject of Django's sendtestemail
    assert "esihenkilo@esimerkkila.fi" in page.text
    session.post(f"{demo.url}/logout/", data={"csrfmiddlewaretoken": token}, timeout=10)

    viewer = requests.Session()
    login = viewer.get(f"{demo.url}/login/", timeout=10).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login)[1]
    viewer.post(
        f"{demo.url}/login/",
        data={"csrfmiddlewaretoken": token, "username": "katselija", "password": "kuntarobo-demo"},
        timeout=10,
    )
    assert viewer.get(f"{demo.url}/demo-mail/", timeout=10).status_code == 403
    code, output = demo.stop()
    assert code == 0, output
    assert "demo-mail/" in output
