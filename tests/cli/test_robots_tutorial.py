"""docs/robots.md quotes the example robot (tests/plugin_robots/extra_robot): each Python
excerpt of the tutorial must still be the robot's code, so the tutorial cannot drift from it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "docs" / "robots.md"
PACKAGE = ROOT / "tests" / "plugin_robots" / "extra_robot"
NOT_QUOTED = "not from the example"


def tutorial_excerpts() -> list[str]:
    """The Python blocks of the tutorial part (before the reference), except outlines."""
    tutorial = TUTORIAL.read_text(encoding="utf-8").split("\n# Reference\n")[0]
    blocks = re.findall(r"```python\n(.*?)```", tutorial, flags=re.DOTALL)
    return [block for block in blocks if NOT_QUOTED not in block.splitlines()[0]]


def code_lines() -> set[str]:
    return {
        line.strip()
        for source in PACKAGE.rglob("*.py")
        for line in source.read_text(encoding="utf-8").splitlines()
    }


def test_the_tutorial_quotes_the_example_robot_in_several_excerpts():
    assert len(tutorial_excerpts()) >= 8


def test_every_line_the_tutorial_quotes_is_in_the_example_robots_code():
    known = code_lines()
    missing = [
        line.strip()
        for block in tutorial_excerpts()
        for line in block.splitlines()
        if line.strip() and "…" not in line and line.strip() not in known
    ]
    assert missing == []
