"""The `kuntarobo` command: the project's manage.py, so every operator task has one entry point."""

import io
import os
import sys

from kuntarobo.deployment import PRIVATE_UMASK

# Commands answered without starting Django when their input allows: the fee calculator is
# pure Python, and Django's start-up was nine tenths of a new process's half second.
_CALCULATOR_COMMANDS = (["ecec-fees", "calculate"], ["ecec_fees", "calculate"])


def _calculate_without_django() -> int | None:
    """The exit code, or None (with standard input kept) when the request needs the database."""
    from kuntarobo.robots.ecec_fees import calculator

    text = sys.stdin.read(calculator.MAX_REQUEST_CHARS + 1)
    answered = calculator.answer_without_database(text)
    if answered is None:
        sys.stdin = io.StringIO(text)  # the Django command reads the same request
        return None
    output, ok = answered
    sys.stdout.write(output + "\n")
    return 0 if ok else 2


def main() -> None:
    os.umask(PRIVATE_UMASK)  # before anything is written: var/ holds personal data
    if sys.argv[1:] in _CALCULATOR_COMMANDS:
        code = _calculate_without_django()
        if code is not None:
            sys.exit(code)
    if sys.argv[1:2] == ["demo"]:
        # The one signal of the embedded demo, read by the settings of this process and of
        # the web, worker and scheduler processes it starts (kuntarobo/deployment.py).
        os.environ.setdefault("KUNTAROBO_DEMO", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kuntarobo.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kuntarobo", *sys.argv[1:]])


if __name__ == "__main__":
    main()
