"""`kuntarobo ecec-fees`: the fee calculator, a whole run here and now, the national parameter
rows and print batches. A municipality's settings: `kuntarobo settings … ecec_fees`.

    calculate     one JSON object on stdin → one JSON object on stdout (exit 2 on bad input)
    run           --input PATH --date YYYY-MM-DD --municipality SLUG: prints a one-line summary
    parameters    list the dated rows, or add one (--add FILE --valid-from DATE --source TEXT)
    print-batch   gather the letters waiting to be printed into one PDF
    posted        --batch N --date YYYY-MM-DD: the print service posted the batch
"""

from __future__ import annotations

import datetime
import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, no_translations
from django.db.models import Count, Sum

from kuntarobo.robots.ecec_fees import actions as fee_actions
from kuntarobo.robots.ecec_fees import calculator
from kuntarobo.robots.ecec_fees.models import FeeDecision, FeeParameterRow
from kuntarobo.robots.ecec_fees.municipal_settings import SLUG
from kuntarobo.robots.ecec_fees.service import stored_parameters
from kuntarobo.sdk import InputError, ItemStatus
from kuntarobo.sdk.cli import (
    BAD_INPUT,
    acting_user,
    fail,
    input_path,
    run_here_and_now,
    to_json,
)
from kuntarobo.sdk.inputs import MAX_DATE, MIN_DATE
from kuntarobo.sdk.models import Run, WorkItem
from kuntarobo.sdk.permissions import PermissionDeniedError, get_municipality


def parse_date(value: str, option: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        day = None
    if day is None or not MIN_DATE <= day <= MAX_DATE:
        fail(
            f"{option} {value!r:.100}: not a date of the form YYYY-MM-DD"
            f" from {MIN_DATE.isoformat()} to {MAX_DATE.isoformat()}"
        )
    return day


def read_json_file(path_text: str, option: str) -> Any:
    path = Path(path_text).expanduser()
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        fail(f"{option} {path}: {error.strerror}")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        fail(f"{option} {path}: not JSON ({error})")


def run_summary(run_id: int, duplicates: int) -> dict[str, Any]:
    items = WorkItem.objects.filter(run_id=run_id)
    by_status = dict(items.values_list("status").annotate(n=Count("id")))
    decisions = FeeDecision.objects.filter(work_item__run_id=run_id)
    run = Run.objects.only("summary").get(pk=run_id)
    unchanged = int(((run.summary or {}).get("skipped") or {}).get("unchanged", 0))
    return {
        "run": run_id,
        "families": items.count() + duplicates + unchanged,
        "unchanged": unchanged,
        "decisions": decisions.count(),
        "needs_review": by_status.get(ItemStatus.NEEDS_REVIEW, 0),
        "attention": items.filter(status=ItemStatus.NEEDS_REVIEW).exclude(attention=[]).count(),
        "to_person": by_status.get(ItemStatus.FAILED_BUSINESS, 0),
        "errors": by_status.get(ItemStatus.FAILED_APPLICATION, 0)
        + by_status.get(ItemStatus.NEW, 0),
        "skipped": duplicates,
        "total_fee_cents": decisions.aggregate(total=Sum("total_fee"))["total"] or 0,
    }


class Command(BaseCommand):
    help = "ECEC client fee decisions: calculator, runs, parameters, print batches."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{calculate,run,parameters,print-batch,posted}"
        )
        calculate = sub.add_parser(
            "calculate",
            help="Compute fees: one JSON object on stdin, one on stdout.",
            description="Reads one JSON object ({parameters, family} or {date, family}) from "
            "standard input and writes the fees, in cents, with explanation lines. Invalid input "
            'exits with code 2 and writes {"error": {"field": ..., "message": ...}}. With '
            "--lines, reads one request per line and writes one answer per line, in order, so "
            "that many families pay the program's start-up once; the exit code is 2 if any line "
            "was invalid.",
        )
        calculate.add_argument(
            "--lines", action="store_true", help="JSON Lines in, JSON Lines out."
        )
        run = sub.add_parser(
            "run",
            help="Compute every family's fees and draft the decisions here and now.",
            description="Reads the family data (JSON Lines), makes one work item per family "
            "and decision period, computes the fees and drafts the decisions in this process. "
            "The drafts then wait for an official's approval. Prints one line of JSON.",
        )
        run.add_argument("--input", required=True, help="Family data, JSON Lines.")
        run.add_argument("--date", required=True, help="Start of the decisions, YYYY-MM-DD.")
        run.add_argument("--municipality", required=True)
        run.add_argument("--user", default=None, help="Username whose roles are checked.")
        parameters = sub.add_parser(
            "parameters",
            help="List the act's parameter rows, or add one (superusers).",
            description="Without --add, prints every dated row. With --add FILE (the "
            "'parameters' object of the calculator), --valid-from and --source, adds a row; "
            "the row before it ends the day before.",
        )
        parameters.add_argument("--add", metavar="FILE")
        parameters.add_argument("--valid-from")
        parameters.add_argument("--source", default="")
        parameters.add_argument("--user", help="A superuser's username.")
        batch = sub.add_parser(
            "print-batch",
            help="Put the sent letters not yet printed into one PDF.",
        )
        batch.add_argument("--municipality", required=True)
        batch.add_argument("--user", required=True)
        posted = sub.add_parser(
            "posted",
            help="Mark a print batch posted on a date: its decisions are then notified.",
            description="The print service posted the batch: each letter is posted on --date "
            "and each decision deemed received on the seventh day after (434/2003, 59 §).",
        )
        posted.add_argument("--municipality", required=True)
        posted.add_argument("--batch", required=True)
        posted.add_argument("--date", required=True, help="YYYY-MM-DD")
        posted.add_argument("--user", required=True)

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "calculate":
            self.calculate(options["lines"])
        elif action == "run":
            self.run(options)
        elif action == "parameters":
            self.parameters(options)
        elif action == "posted":
            self.posted(options)
        else:
            self.print_batch(options)

    def calculate(self, lines: bool) -> None:
        # `kuntarobo ecec-fees calculate` without --lines is answered without Django when the
        # request brings its own parameters (kuntarobo.__main__); here when it needs the database.
        if not lines:
            answer, ok = calculator.answer_text(
                sys.stdin.read(calculator.MAX_REQUEST_CHARS + 1), stored_parameters
            )
            self.stdout.write(calculator.answer_json(answer))
            if not ok:
                sys.exit(BAD_INPUT)
            return
        failed = False
        for line in sys.stdin:
            if not line.strip():
                continue
            answer, ok = calculator.answer_text(line, stored_parameters)
            failed = failed or not ok
            self.stdout.write(calculator.answer_json(answer))
            self.stdout.flush()
        if failed:
            sys.exit(BAD_INPUT)

    def run(self, options: dict[str, Any]) -> None:
        user = acting_user(options["user"]) if options["user"] else "command line"
        path = input_path(options["input"])
        period_start = parse_date(options["date"], "--date")
        started = run_here_and_now(
            user,
            options["municipality"],
            SLUG,
            {"period_start": period_start.isoformat()},
            path,
        )
        self.stdout.write(to_json(run_summary(started.run.pk, started.duplicates)))

    def parameters(self, options: dict[str, Any]) -> None:
        if options["add"]:
            if not options["valid_from"]:
                fail("--valid-from is required with --add")
            if not options["user"]:
                fail(
                    "--user is required with --add (a superuser or a user granted "
                    "ecec_fees.manage_fee_parameters)"
                )
            user = acting_user(options["user"])
            data = read_json_file(options["add"], "--add")
            try:
                # Read here first, so the message names the field at fault.
                calculator.parse_parameters(data)
            except calculator.CalculatorInputError as error:
                fail(f"--add {options['add']}: {error.field}: {error.message}")
            try:
                fee_actions.add_parameter_row(
                    user,
                    data,
                    valid_from=parse_date(options["valid_from"], "--valid-from"),
                    source=options["source"],
                )
            except (InputError, PermissionDeniedError) as error:
                fail(str(error))
        rows = [
            {
                "valid_from": row.valid_from,
                "valid_to": row.valid_to,
                "complete": row.complete,
                "missing": row.missing_fields,
                "example_figures": row.example_figures,
                "parameters": calculator.parameters_to_json(row.as_parameters())
                if row.complete
                else None,
                "max_fee": row.max_fee,
                "min_fee": row.min_fee,
                "source": row.source,
            }
            for row in FeeParameterRow.objects.order_by("valid_from")
        ]
        self.stdout.write(to_json(rows))

    def print_batch(self, options: dict[str, Any]) -> None:
        user = acting_user(options["user"])
        try:
            municipality = get_municipality(options["municipality"])
            batch = fee_actions.make_print_batch(user, municipality)
        except (InputError, PermissionDeniedError) as error:
            fail(str(error))
        if batch is None:
            self.stdout.write(to_json({"batch": None, "letters": 0, "pages": 0, "file": None}))
            return
        self.stdout.write(
            to_json(
                {
                    "batch": batch.pk,
                    "letters": batch.letters,
                    "pages": batch.pages,
                    "file": batch.file.path,
                }
            )
        )

    def posted(self, options: dict[str, Any]) -> None:
        user = acting_user(options["user"])
        raw = options["batch"]
        if not raw.isdigit():
            fail(f"--batch must be the print batch's number, not {raw!r}")
        try:
            posted_on = datetime.date.fromisoformat(options["date"])
        except ValueError:
            fail(f"--date must be a date as YYYY-MM-DD, not {options['date']!r}")
        try:
            municipality = get_municipality(options["municipality"])
            batch = fee_actions.mark_posted(user, municipality, int(raw), posted_on, via="cli")
        except (InputError, PermissionDeniedError) as error:
            fail(str(error))
        self.stdout.write(
            to_json({"batch": batch.pk, "posted_on": posted_on, "letters": batch.letters})
        )
