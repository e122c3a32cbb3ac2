"""`kuntarobo practice_system`: Harjoituspalkka, the practice payroll system with invented data
(kuntarobo/practice), for trying out robots that work through another system's screens."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kuntarobo.practice.server import PracticeOptions, PracticeServer, serve


class Command(BaseCommand):
    help = (
        "Run Harjoituspalkka, the practice payroll system with invented data, until stopped "
        "(the robot user is robotti / Harjoitus-2026!)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8026)  # 8025: the mail catcher
        parser.add_argument("--units", type=int, default=PracticeOptions.units)
        parser.add_argument(
            "--employees-per-unit", type=int, default=PracticeOptions.employees_per_unit
        )
        parser.add_argument("--seed", type=int, default=PracticeOptions.seed)
        parser.add_argument("--mail-domain", default=PracticeOptions.mail_domain)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["units"] < 1 or options["employees_per_unit"] < 1:
            raise CommandError("--units and --employees-per-unit must be at least 1")
        practice = PracticeOptions(
            units=options["units"],
            employees_per_unit=options["employees_per_unit"],
            seed=options["seed"],
            mail_domain=options["mail_domain"],
        )

        def ready(server: PracticeServer) -> None:
            self.stderr.write(
                f"practice system (invented data) listening on {server.url} "
                f"- administration at {server.url}yllapito/ (from loopback only)"
            )

        try:
            serve(practice, options["host"], options["port"], ready)
        except (OSError, RuntimeError) as error:  # the port is taken
            raise CommandError(
                f"the practice system cannot listen on {options['host']}:{options['port']}: {error}"
            ) from error
