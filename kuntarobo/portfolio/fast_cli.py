"""`kuntarobo portfolio business-case` answered without starting Django (kuntarobo.__main__
calls `answer` of the app that owns a command): the Ministry of Finance method is pure Python,
and Django's start-up would be most of a new process's time. Imports nothing of Django."""

from __future__ import annotations

import sys
from collections.abc import Sequence

COMMANDS = (["portfolio", "business-case"], ["portfolio", "business_case"])


def answer(argv: Sequence[str]) -> int | None:
    """The exit code, or None when Django must answer (another subcommand or an option)."""
    if list(argv) not in COMMANDS:
        return None
    from kuntarobo.core.business_case import MAX_INPUT_CHARS, answer_text

    output, problem, code = answer_text(sys.stdin.read(MAX_INPUT_CHARS + 1))
    sys.stdout.write(output)
    sys.stderr.write(problem)
    return code
