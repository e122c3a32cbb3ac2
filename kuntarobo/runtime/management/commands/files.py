"""`kuntarobo files sweep`: remove stored files that no database row refers to (an upload of a
run that never started, a document whose transaction was lost with its process)."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, no_translations

from kuntarobo.runtime.cli import fail, operator_label
from kuntarobo.runtime.housekeeping import sweep_orphan_files


class Command(BaseCommand):
    help = "Manage the stored files (inputs, documents, print batches)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        verbs = parser.add_subparsers(dest="action", required=True, metavar="{sweep}")
        sweep = verbs.add_parser(
            "sweep",
            help="Remove files no database row refers to.",
            description="Remove the files under the upload folders of MEDIA_ROOT that no row "
            "refers to and that are older than the grace period. The scheduler does this "
            "every KUNTAROBO_HOUSEKEEPING_INTERVAL_SECONDS; the sweep is audited.",
        )
        sweep.add_argument("--dry-run", action="store_true", help="Count, remove nothing.")
        sweep.add_argument(
            "--grace-seconds",
            type=int,
            default=None,
            help="Leave files younger than this (default KUNTAROBO_FILES_GRACE_SECONDS, "
            f"{settings.KUNTAROBO_FILES_GRACE_SECONDS}).",
        )

    @no_translations  # operators' messages in English, like --help
    def handle(self, *args: Any, **options: Any) -> None:
        grace = options["grace_seconds"]
        if grace is not None and grace < 0:
            fail(f"--grace-seconds must be 0 or more, not {grace}")
        result = sweep_orphan_files(
            grace_seconds=grace, dry_run=options["dry_run"], actor=operator_label(), via="cli"
        )
        self.stdout.write(json.dumps({**result.counts(), "dry_run": options["dry_run"]}))
