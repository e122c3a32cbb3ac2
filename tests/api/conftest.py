"""Fixtures of the API tests."""

from __future__ import annotations

import pytest

from tests.api.helpers import World, build_world


@pytest.fixture
def world(db, tmp_path) -> World:
    return build_world(tmp_path)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """The matrix builds six users per test; real hashing would take minutes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
