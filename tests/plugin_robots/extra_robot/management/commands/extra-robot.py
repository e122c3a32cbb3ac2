# ruff: noqa: N999  (the command's documented name has a hyphen)
"""`kuntarobo extra-robot greet NAME | municipalities | run --municipality M --names A,B`."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from extra_robot.greetings import greeting
from extra_robot.robot import SLUG
from kuntarobo.sdk.channels import Delivery, DeliveryStatus
from kuntarobo.sdk.cli import acting_user, run_here_and_now, to_json
from kuntarobo.sdk.models import Municipality, Run


class Command(BaseCommand):
    help = "Greet a name, list the municipalities, or run the extra robot here and now."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        greet = actions.add_parser("greet", help="Greet a name.")
        greet.add_argument("name")
        actions.add_parser("municipalities", help="The municipalities, by identifier.")
        run = actions.add_parser("run", help="Greet names in a municipality and e-mail notices.")
        run.add_argument("--municipality", required=True)
        run.add_argument("--names", required=True, help="comma-separated")
        run.add_argument("--user", help="whose roles allow it (default: the command line)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "greet":
            self.stdout.write(greeting(options["name"]))
        elif options["action"] == "municipalities":
            slugs = Municipality.objects.order_by("slug").values_list("slug", flat=True)
            self.stdout.write(" ".join(slugs) or "(none)")
        else:
            self.run(options)

    def run(self, options: dict[str, Any]) -> None:
        # Bad input (an unknown user or municipality, an empty name) exits with code 2 and a
        # message on stderr, nothing written: start_run and acting_user call sdk.cli.fail.
        user = acting_user(options["user"]) if options["user"] else "command line"
        # Here and now, not by a worker: the run's items are done in this process.
        started = run_here_and_now(
            user, options["municipality"], SLUG, {"names": options["names"]}, None
        )
        run = Run.objects.get(pk=started.run.pk)
        sent = Delivery.objects.filter(item__run=run, status=DeliveryStatus.SENT).count()
        self.stdout.write(
            to_json({"run": run.pk, "status": run.status, "items": run.summary, "notices": sent})
        )
