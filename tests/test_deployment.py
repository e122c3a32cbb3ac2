"""Deployment rules: a key is required outside the embedded demo, cookies are secure by default,
`check --deploy` has nothing left that we can fix, and var/ is private to the service's user."""

from __future__ import annotations

import http.client
import os
import re
import secrets
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kuntarobo import deployment
from kuntarobo.deployment import DeploymentError
from tests.loopback import free_port

POSTGRES = "postgres://kuntarobo:secret@db.example/kuntarobo"


# --- the rules, directly -------------------------------------------------------------------


def test_a_deployment_without_a_secret_key_is_refused_naming_it():
    refusal = deployment.secret_key_refusal({})
    assert refusal is not None
    assert refusal.startswith("SECRET_KEY is not set")
    assert "KUNTAROBO_DEMO" in refusal


def test_postgresql_without_a_secret_key_is_refused_even_in_the_demo():
    refusal = deployment.secret_key_refusal({"DATABASE_URL": POSTGRES, "KUNTAROBO_DEMO": "1"})
    assert refusal is not None
    assert "PostgreSQL" in refusal


def test_the_embedded_demo_may_run_without_a_key_and_any_key_is_accepted():
    assert deployment.secret_key_refusal({"KUNTAROBO_DEMO": "1"}) is None
    assert deployment.secret_key_refusal({"SECRET_KEY": "x" * 50, "DATABASE_URL": POSTGRES}) is None
    assert deployment.secret_key_refusal({"SECRET_KEY": "  "}) is not None  # blank is no key


def test_a_misspelt_demo_flag_is_an_error_not_a_silent_no():
    with pytest.raises(DeploymentError, match="KUNTAROBO_DEMO"):
        deployment.is_embedded_demo({"KUNTAROBO_DEMO": "sure"})


@pytest.mark.parametrize(
    ("environ", "debug", "secure"),
    [
        ({}, False, True),  # a deployment: only over HTTPS
        ({"KUNTAROBO_DEMO": "1"}, False, False),  # the demo serves plain HTTP on loopback
        ({}, True, False),  # so does DEBUG
        ({"KUNTAROBO_DEMO": "1", "SESSION_COOKIE_SECURE": "true"}, False, True),
        ({"SESSION_COOKIE_SECURE": "false"}, False, False),  # the operator's explicit choice
    ],
)
def test_cookies_are_secure_by_default_outside_the_demo(environ, debug, secure):
    assert deployment.secure_cookies(environ, debug) is secure


def test_the_proxy_ssl_header_is_read_as_header_and_value():
    assert deployment.proxy_ssl_header({}) is None
    assert deployment.proxy_ssl_header({"SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto:https"}) == (
        "HTTP_X_FORWARDED_PROTO",
        "https",
    )
    with pytest.raises(DeploymentError, match="SECURE_PROXY_SSL_HEADER"):
        deployment.proxy_ssl_header({"SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto"})


def test_extra_form_action_sources_must_be_origins():
    name = "KUNTAROBO_CSP_FORM_ACTION_EXTRA"
    environ = {name: "https://login.example.fi, https://idp.example.fi"}
    assert deployment.extra_sources(environ, name) == [
        "https://login.example.fi",
        "https://idp.example.fi",
    ]
    for bad in ("*", "'unsafe-inline'", "https://x.fi; script-src *"):
        with pytest.raises(DeploymentError, match=name):
            deployment.extra_sources({name: bad}, name)


def test_tighten_takes_group_and_world_access_away_and_leaves_private_paths(tmp_path):
    folder, loose, private = tmp_path / "var", tmp_path / "var" / "db", tmp_path / "key"
    folder.mkdir()
    loose.write_text("x")
    private.write_text("x")
    folder.chmod(0o755)
    loose.chmod(0o644)
    private.chmod(0o600)
    changed = deployment.tighten([folder, loose, private, tmp_path / "missing"])
    assert changed == [folder, loose]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(loose.stat().st_mode) == 0o600


# --- real processes --------------------------------------------------------------------------


def run_kuntarobo(tmp_path: Path, *args: str, **environ: str) -> subprocess.CompletedProcess[str]:
    """`python -m kuntarobo ARGS` with a clean deployment environment plus `environ`."""
    kept = {"PATH", "HOME", "LANG", "KUNTAROBO_RETRY_BASE_SECONDS"}
    env = {k: v for k, v in os.environ.items() if k in kept}
    env |= {"KUNTAROBO_VAR_DIR": str(tmp_path / "var"), **environ}
    return subprocess.run(
        [sys.executable, "-m", "kuntarobo", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_process_without_a_key_outside_the_demo_does_not_start(tmp_path):
    started = run_kuntarobo(tmp_path, "check")
    assert started.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in started.stderr
    assert not (tmp_path / "var" / "secret_key").exists()  # no per-machine key made


def test_a_postgresql_deployment_without_a_key_does_not_start(tmp_path):
    started = run_kuntarobo(tmp_path, "check", DATABASE_URL=POSTGRES, KUNTAROBO_DEMO="1")
    assert started.returncode != 0
    assert "SECRET_KEY is not set: DATABASE_URL points to PostgreSQL" in started.stderr


def test_production_settings_leave_no_deploy_warning_we_can_fix(tmp_path):
    production = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "robotit.example.fi",
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto:https",
    }
    defaults = run_kuntarobo(tmp_path, "check", "--deploy", **production)
    assert defaults.returncode == 0, defaults.stderr
    # What is left by default is the operator's to decide: HTTPS redirect at the proxy or
    # here, and HSTS for the municipality's other subdomains and the browsers' preload list.
    warned = set(re.findall(r"\((\w+\.[WE]\d+)\)", defaults.stderr))
    assert warned == {"security.W005", "security.W008", "security.W021"}, defaults.stderr
    chosen = run_kuntarobo(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECURE_SSL_REDIRECT="true",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="true",
        **production,
    )
    assert chosen.returncode == 0, chosen.stderr
    assert "no issues" in chosen.stdout


def test_the_form_action_of_the_policy_takes_the_identity_providers_origin(tmp_path):
    shown = run_kuntarobo(
        tmp_path,
        "shell",
        "-c",
        "from django.conf import settings; "
        "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])",
        SECRET_KEY="x" * 50,
        KUNTAROBO_CSP_FORM_ACTION_EXTRA="https://login.example.fi",
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip().splitlines()[-1] == "[\"'self'\", 'https://login.example.fi']"
    refused = run_kuntarobo(
        tmp_path, "check", SECRET_KEY="x" * 50, KUNTAROBO_CSP_FORM_ACTION_EXTRA="*"
    )
    assert refused.returncode != 0
    assert "KUNTAROBO_CSP_FORM_ACTION_EXTRA must list origins" in refused.stderr


def modes_under(folder: Path) -> dict[str, int]:
    found = {".": stat.S_IMODE(folder.stat().st_mode)}
    for path in folder.rglob("*"):
        found[str(path.relative_to(folder))] = stat.S_IMODE(path.lstat().st_mode)
    return found


@pytest.mark.slow
def test_the_demo_without_a_key_migrates_and_loads_with_every_file_private(tmp_path):
    for command in (["migrate", "--verbosity", "0"], ["load_demo"]):
        done = run_kuntarobo(tmp_path, *command, KUNTAROBO_DEMO="1")
        assert done.returncode == 0, done.stderr
    var = tmp_path / "var"
    modes = modes_under(var)
    assert {"secret_key", "kuntarobo.sqlite3"} <= set(modes)
    assert len(modes) > 5  # the demo inbox folders and files too
    wrong = {
        name: oct(mode)
        for name, mode in modes.items()
        if mode != (0o700 if (var / name).is_dir() else 0o600)
    }
    assert wrong == {}, modes


def test_a_var_left_readable_by_an_older_version_is_made_private_on_start(tmp_path):
    var = tmp_path / "var"
    (var / "media" / "documents").mkdir(parents=True)
    for name in ("kuntarobo.sqlite3", "kuntarobo.sqlite3-wal", "secret_key"):
        (var / name).write_text("x" * 60 if name == "secret_key" else "")
        (var / name).chmod(0o644)
    for folder in (var, var / "media"):
        folder.chmod(0o755)
    done = run_kuntarobo(tmp_path, "check", KUNTAROBO_DEMO="1")
    assert done.returncode == 0, done.stderr
    modes = modes_under(var)
    for name in (".", "media"):
        assert modes[name] == 0o700, name
    for name in ("kuntarobo.sqlite3", "kuntarobo.sqlite3-wal", "secret_key"):
        assert modes[name] == 0o600, name


def test_behind_a_tls_proxy_the_web_server_sees_https_and_sends_hsts(tmp_path):
    """`kuntarobo web` (waitress) keeps the header the proxy sets, so Django knows the request
    came over HTTPS: no redirect loop, HSTS sent; a plain request is redirected to HTTPS."""
    port = free_port()
    kept = {"PATH", "HOME", "LANG"}
    env = {k: v for k, v in os.environ.items() if k in kept}
    env |= {
        "KUNTAROBO_VAR_DIR": str(tmp_path / "var"),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto:https",
        "SECURE_SSL_REDIRECT": "true",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "kuntarobo", "web", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        proxied = get(port, "/login/", {"X-Forwarded-Proto": "https"}, deadline=60)
        plain = get(port, "/login/", {}, deadline=10)
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert proxied.status == 200
    assert proxied.getheader("Strict-Transport-Security") == "max-age=31536000"
    assert "Secure" in proxied.getheader("Set-Cookie", "")  # the CSRF cookie
    assert "no-store" in proxied.getheader("Cache-Control")
    assert plain.status == 301
    assert plain.getheader("Location") == f"https://127.0.0.1:{port}/login/"


@pytest.mark.parametrize(
    ("proxy_ssl_header", "proxy_count", "cleared"),
    [
        (None, 0, True),  # no proxy: a client cannot forge its scheme or address
        (("HTTP_X_FORWARDED_PROTO", "https"), 0, False),
        (None, 1, False),  # the sign-in lock reads X-Forwarded-For behind a proxy
    ],
)
def test_the_web_server_keeps_proxy_headers_only_behind_a_configured_proxy(
    settings, monkeypatch, tmp_path, proxy_ssl_header, proxy_count, cleared
):
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path / "static"
    settings.SECURE_PROXY_SSL_HEADER = proxy_ssl_header
    settings.KUNTAROBO_TRUSTED_PROXY_COUNT = proxy_count
    served: dict[str, object] = {}
    monkeypatch.setattr("waitress.serve", lambda app, **options: served.update(options))
    call_command("web", "--port", "8123")
    assert served["clear_untrusted_proxy_headers"] is cleared


def get(port: int, path: str, headers: dict[str, str], deadline: float):
    """The response (read), retrying while the server starts."""
    until = time.monotonic() + deadline
    while True:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            return response
        except OSError:
            if time.monotonic() > until:
                raise
            time.sleep(0.3)
        finally:
            connection.close()
