"""`kuntarobo portfolio`: the portfolio's tasks on the command line.

    business-case   one JSON object on stdin (euros) → the Ministry of Finance's figures as
                    JSON on stdout; bad input → exit 2 and the field at fault on stderr

The same answer comes without Django from kuntarobo/portfolio/fast_cli.py; this command is
what `kuntarobo help portfolio` shows and what runs when the fast path declines.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kuntarobo.core.business_case import MAX_INPUT_CHARS, answer_text


class Command(BaseCommand):
    help = "The portfolio: business cases by the Ministry of Finance's rules."
    requires_system_checks: list[str] = []  # reads stdin, writes stdout: nothing to check

    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        subcommands.add_parser(
            "business-case",
            help="Evaluate a business case: JSON on standard input, JSON on standard output.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] != "business-case":
            raise CommandError(f"unknown subcommand {options['subcommand']}", returncode=2)
        output, problem, code = answer_text(sys.stdin.read(MAX_INPUT_CHARS + 1))
        self.stdout.write(output, ending="")
        if code:
            self.stderr.write(problem, ending="")
            sys.exit(code)
