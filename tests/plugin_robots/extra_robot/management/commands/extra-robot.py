# ruff: noqa: N999  (the command's documented name has a hyphen)
"""`kuntarobo extra-robot greet NAME | municipalities`."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from extra_robot.greetings import greeting
from kuntarobo.sdk.models import Municipality


class Command(BaseCommand):
    help = "Greet a name, or list the municipalities, from the extra robot."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        greet = actions.add_parser("greet", help="Greet a name.")
        greet.add_argument("name")
        actions.add_parser("municipalities", help="The municipalities, by identifier.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "greet":
            self.stdout.write(greeting(options["name"]))
        else:
            slugs = Municipality.objects.order_by("slug").values_list("slug", flat=True)
            self.stdout.write(" ".join(slugs) or "(none)")
