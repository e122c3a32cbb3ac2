"""`kuntarobo ecec-fees calculate` answered without starting Django (kuntarobo.__main__ calls
`answer` of the app that owns a command): the calculator is pure Python, and Django's start-up
was nine tenths of a new process's half second. Imports nothing of Django."""

from __future__ import annotations

import io
import sys
from collections.abc import Sequence

COMMANDS = (["ecec-fees", "calculate"], ["ecec_fees", "calculate"])


def answer(argv: Sequence[str]) -> int | None:
    """The exit code, or None (with standard input kept) when Django must answer: another
    subcommand or option, or a request that needs the stored parameters of a date."""
    if list(argv) not in COMMANDS:
        return None
    from kuntarobo.robots.ecec_fees import calculator

    text = sys.stdin.read(calculator.MAX_REQUEST_CHARS + 1)
    answered = calculator.answer_without_database(text)
    if answered is None:
        sys.stdin = io.StringIO(text)  # the Django command reads the same request
        return None
    output, ok = answered
    sys.stdout.write(output + "\n")
    return 0 if ok else 2
