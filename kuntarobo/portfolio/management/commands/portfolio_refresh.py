"""`kuntarobo portfolio-refresh`: bring the monthly roll-up of run data up to date (the months
of new runs and the months with items still open; kuntarobo.portfolio.realised). Run it from
cron, e.g. every 15 minutes; `--all` computes every month again from the items."""

from __future__ import annotations

import json
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, no_translations

from kuntarobo.portfolio.models import RobotMonth, RollupMark
from kuntarobo.portfolio.realised import refresh


class Command(BaseCommand):
    help = "Bring the monthly roll-up of run data (the dashboards' figures) up to date."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--all",
            action="store_true",
            help="Forget the roll-up and compute every month again from the work items "
            "(months whose items housekeeping emptied lose their figures).",
        )

    @no_translations  # operators' messages in English, like --help
    def handle(self, *args: Any, **options: Any) -> None:
        began = time.perf_counter()
        if options["all"]:
            RobotMonth.objects.all().delete()
            RollupMark.objects.all().delete()
        result = refresh()
        self.stdout.write(
            json.dumps(
                {
                    "months": result.months,
                    "last_run_id": result.last_run_id,
                    "seconds": round(time.perf_counter() - began, 3),
                }
            )
        )
