"""`kuntarobo hr-reports run --input PATH --month YYYY-MM --municipality SLUG`: a whole month
in this process, e.g. from a municipality's own job scheduler, without waiting for a worker.
The municipality's column mapping and alert thresholds are the platform's settings of the robot
(`kuntarobo settings … hr_reports`).

The run is started as any other (same checks, same audit trail), and then its items are done
here one after another, through the same code a worker runs. Prints one line of JSON.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, no_translations

from kuntarobo.robots.hr_reports.robot import SUMMARY_PREFIX, HrReportsRobot
from kuntarobo.sdk import ItemStatus
from kuntarobo.sdk.cli import acting_user, input_path, run_here_and_now, to_json
from kuntarobo.sdk.models import WorkItem

ROBOT = HrReportsRobot.slug


def run_summary(run_id: int, duplicates: int) -> dict[str, Any]:
    """Figures of the units' reports; the HR summary item counts as an e-mail when sent."""
    items = list(
        WorkItem.objects.filter(run_id=run_id).values_list("reference", "status", "output")
    )
    units = [(s, o) for ref, s, o in items if not ref.startswith(SUMMARY_PREFIX)]
    summaries = [(s, o) for ref, s, o in items if ref.startswith(SUMMARY_PREFIX)]
    done = [output for status, output in units if status == ItemStatus.DONE]
    summary_sent = sum(1 for s, o in summaries if s == ItemStatus.DONE and o.get("recipient"))
    unit_duplicates = duplicates - (0 if summaries else 1)  # every run produces one summary
    return {
        "units": len(units) + unit_duplicates,
        "emails_sent": len(done) + summary_sent,
        "alerts": sum(int(output.get("alerts") or 0) for output in done),
        "errors": sum(1 for status, _ in [*units, *summaries] if status != ItemStatus.DONE),
        "run": run_id,
        "skipped": unit_duplicates,
    }


class Command(BaseCommand):
    help = "Run the HR reports robot for one month here and now."

    def add_arguments(self, parser: ArgumentParser) -> None:
        # The municipal settings (column mapping, thresholds): `kuntarobo settings … hr_reports`.
        actions_ = parser.add_subparsers(dest="action", required=True, metavar="{run}")
        run = actions_.add_parser(
            "run",
            help="Read the export and e-mail every unit's report; prints one line of JSON.",
            description="Read the export, make and e-mail each unit's report in this process. "
            "Prints one line of JSON: units, emails_sent, alerts, errors, run, skipped. Bad "
            "input exits with code 2 and sends nothing.",
        )
        run.add_argument("--input", required=True, help="The export: .xlsx, .zip or .csv.")
        run.add_argument("--month", required=True, help="The month to report, YYYY-MM.")
        run.add_argument("--municipality", required=True, help="The municipality's identifier.")
        run.add_argument(
            "--user", default=None, help="Username whose roles are checked (default: system)."
        )
        run.add_argument(
            "--resend", action="store_true", help="Send reports already sent once more."
        )

    @no_translations  # operators' messages in English, like --help
    def handle(self, *args: Any, **options: Any) -> None:
        user = acting_user(options["user"]) if options["user"] else "command line"
        path = input_path(options["input"])
        started = run_here_and_now(
            user,
            options["municipality"],
            ROBOT,
            {"month": options["month"], "resend": options["resend"]},
            path,
        )
        self.stdout.write(to_json(run_summary(started.run.pk, started.duplicates)))
