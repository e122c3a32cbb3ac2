"""`kuntarobo retention purge`: delete the personal data kept past its retention period (run
inputs, item documents, print batches, work items' data); fee decisions and the audit trail are
not touched."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, no_translations

from kuntarobo.runtime.cli import operator_label
from kuntarobo.runtime.housekeeping import purge_expired, retention_periods


class Command(BaseCommand):
    help = "Apply the retention periods (KUNTAROBO_RETAIN_*_DAYS)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        verbs = parser.add_subparsers(dest="action", required=True, metavar="{purge,show}")
        purge = verbs.add_parser(
            "purge",
            help="Delete what has been kept its retention period.",
            description="Delete input files of ended runs, documents and the input/output "
            "data of work items in a final status, and print batch PDFs, once kept the days "
            "the KUNTAROBO_RETAIN_*_DAYS settings give. The scheduler does this every "
            "KUNTAROBO_HOUSEKEEPING_INTERVAL_SECONDS; the purge is audited.",
        )
        purge.add_argument("--dry-run", action="store_true", help="Count, delete nothing.")
        verbs.add_parser("show", help="Print the retention periods in force (days; null keeps).")

    @no_translations  # operators' messages in English, like --help
    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "show":
            self.stdout.write(json.dumps(retention_periods()))
            return
        result = purge_expired(dry_run=options["dry_run"], actor=operator_label(), via="cli")
        self.stdout.write(
            json.dumps({**result.counts(), "days": result.periods, "dry_run": options["dry_run"]})
        )
