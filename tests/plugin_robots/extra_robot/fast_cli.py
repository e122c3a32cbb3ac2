"""`kuntarobo extra-robot greet NAME` answered without starting Django."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def answer(argv: Sequence[str]) -> int | None:
    if len(argv) != 3 or argv[1] != "greet":
        return None
    from extra_robot.greetings import greeting

    sys.stdout.write(greeting(argv[2]) + "\n")
    return 0
