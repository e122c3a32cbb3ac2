"""`kuntarobo survey`: the phone survey robot on the command line.

    test-call   place one real SIP call with a questionnaire and print its outcome
                (--to SIP_URI --questionnaire PATH [--json]); exit 0 answered, 1 not
                answered, 2 bad input

The same answer comes without Django from kuntarobo/robots/phone_survey/fast_cli.py (which owns
the sub-commands, SUBCOMMANDS); this command is what `kuntarobo help survey` shows and what
runs when Django starts anyway.
"""

from __future__ import annotations

import sys
from argparse import REMAINDER, ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from kuntarobo.robots.phone_survey import fast_cli


class Command(BaseCommand):
    help = (
        "The phone survey robot: simulate (a whole campaign in simulated time), test-call (one "
        "real SIP call with a questionnaire)."
    )
    requires_system_checks: list[str] = []  # places a call, reads no database

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("subcommand", help=f"one of: {', '.join(sorted(fast_cli.SUBCOMMANDS))}")
        parser.add_argument("args", nargs=REMAINDER, help="the sub-command's options")

    def run_from_argv(self, argv: list[str]) -> None:
        # The sub-commands parse their own options; Django's parser would refuse them.
        if len(argv) > 2 and argv[2] not in ("-h", "--help"):
            sys.exit(fast_cli.answer(argv[1:]))
        super().run_from_argv(argv)

    def handle(self, *args: Any, **options: Any) -> None:
        sys.exit(fast_cli.answer(["survey", options["subcommand"], *options["args"]]))
