"""Fixtures for the runtime tests: the test robots, a municipality, draining the queue."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kuntarobo.testing import robots as test_robots
from tests.factories import MunicipalityFactory


@pytest.fixture(autouse=True)
def _test_robots() -> Iterator[None]:
    """The test robots exist only while a runtime test runs; other areas see the real ones."""
    test_robots.register_all()
    test_robots.ScriptedRobot.status_hook = None
    test_robots.ScriptedRobot.handle_hook = None
    yield
    test_robots.ScriptedRobot.status_hook = None
    test_robots.ScriptedRobot.handle_hook = None
    test_robots.unregister_all()


@pytest.fixture
def municipality():
    return MunicipalityFactory(slug="esimerkkila")
