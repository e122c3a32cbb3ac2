"""Test set-up shared by every test; the database is chosen in kuntarobo.testing.pytest_plugin."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = config.getoption("--db") == "postgres"
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with --db=postgres")
    for item in items:
        if "postgres_only" in item.keywords and not on_postgres:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Tests make users by the dozen: the production hasher would take most of the run. One
    fixture for the whole suite, so no test pays for it by forgetting to switch it off."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _storage_roots(settings, tmp_path: Path) -> None:
    """Robots' folders are below the test's own directory, never under the real var/."""
    settings.KUNTAROBO_MUNICIPALITY_ROOT = str(tmp_path / "municipalities")
    settings.KUNTAROBO_MUNICIPALITY_ROOTS = {}


@pytest.fixture(autouse=True)
def _allow_flush_of_audit_trail(
    request: pytest.FixtureRequest, _django_db_helper: None
) -> Iterator[None]:
    """Transactional tests end with a flush; the audit table's triggers allow it only under a
    purge permit, exactly as the retention purge does."""
    yield
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and (
        marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    )
    if (
        transactional
        or "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
    ):
        from kuntarobo.audit.retention import purge_all_for_test_flush

        purge_all_for_test_flush()


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Iterator[None]:
    """Code called directly by a test speaks English, as the API and CLI do; pages rendered
    through the test client still get the user's language from LocaleMiddleware."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """The session's one Chromium (Debian's; Playwright never downloads a browser)."""
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium (make system-deps)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(
        locale="fi-FI", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
