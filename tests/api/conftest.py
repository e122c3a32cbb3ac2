"""Fixtures of the API tests."""

from __future__ import annotations

import pytest

from tests.api.helpers import World, build_world


@pytest.fixture
def world(db, tmp_path) -> World:
    return build_world(tmp_path)
