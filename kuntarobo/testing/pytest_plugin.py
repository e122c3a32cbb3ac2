"""Chooses the tests' database before pytest-django loads the settings.

Loaded with `-p kuntarobo.testing.pytest_plugin` (pyproject).

`--db=postgres` uses KUNTAROBO_TEST_DATABASE_URL if set, otherwise a throwaway cluster that this
plugin starts and removes.
"""

from __future__ import annotations

import base64
import os
import secrets
import tempfile
from pathlib import Path

import pytest

_cluster = None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db", choices=["sqlite", "postgres"], default="sqlite", help="database the tests run on"
    )


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> None:
    global _cluster
    os.environ["KUNTAROBO_VAR_DIR"] = tempfile.mkdtemp(prefix="kuntarobo-test-var-")
    os.environ.setdefault("KUNTAROBO_RETRY_BASE_SECONDS", "0")
    # Tests run as a deployment (not the demo), which needs an explicit key; one per session,
    # inherited by the processes tests start.
    os.environ.setdefault("SECRET_KEY", "test-" + secrets.token_urlsafe(40))
    # The vault's key (a Fernet key) in a file of the tests' var/, as the demo makes one.
    if not os.environ.get("KUNTAROBO_VAULT_KEYS") and not os.environ.get(
        "KUNTAROBO_VAULT_KEY_FILE"
    ):
        vault_keys = Path(os.environ["KUNTAROBO_VAR_DIR"]) / "vault_keys"
        vault_keys.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode() + "\n")
        vault_keys.chmod(0o600)
        os.environ["KUNTAROBO_VAULT_KEY_FILE"] = str(vault_keys)
    # Live servers in tests speak plain HTTP on loopback, where HTTP clients (requests) do not
    # send Secure cookies. The secure default itself is tested in tests/test_deployment.py.
    os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
    if early_config.known_args_namespace.db == "postgres":
        url = os.environ.get("KUNTAROBO_TEST_DATABASE_URL", "")
        if not url:
            from kuntarobo.testing.postgres import ThrowawayCluster

            _cluster = ThrowawayCluster()
            url = _cluster.start()
        os.environ["DATABASE_URL"] = url
    else:
        os.environ.pop("DATABASE_URL", None)
    # WhiteNoise warns on every request when STATIC_ROOT is missing.
    (Path(os.environ["KUNTAROBO_VAR_DIR"]) / "static").mkdir(parents=True, exist_ok=True)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _cluster is not None:
        _cluster.stop()
