"""Fixtures for the runtime tests: the test robots, a municipality, draining the queue."""

from __future__ import annotations

import sys
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


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The folder matrix's totals, for the record: attempts, refusals and leaks."""
    tally = getattr(sys.modules.get("tests.runtime.test_folder_matrix"), "TALLY", None)
    if tally is not None and tally.attempts:
        terminalreporter.write_line(
            f"folder matrix: {tally.attempts} attempts, {tally.refusals} refusals, "
            f"{len(tally.leaks)} leaks"
        )
