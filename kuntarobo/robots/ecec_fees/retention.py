"""What of the fee robot's own data the platform's retention purge deletes (`Robot.retention`):
the print batches' PDFs (the print channel's batches of fee letters), after
KUNTAROBO_RETAIN_PRINT_BATCH_DAYS.

The batches themselves are rows the decisions name and stay; their PDFs are copies of archived
decisions, so they go.
"""

from __future__ import annotations

import datetime

from kuntarobo.robots.ecec_fees.models import PrintBatch
from kuntarobo.robots.ecec_fees.municipal_settings import SLUG
from kuntarobo.sdk import Retention, channels


def purge_print_batches(cutoff: datetime.datetime, dry_run: bool) -> tuple[int, list[str]]:
    """The PDFs of batches made before `cutoff`: how many, and their files to delete. The fee
    letters' batches of the print channel, and those the robot made itself before it."""
    names: list[str] = []
    for batches in (
        channels.PrintBatch.objects.filter(robot_slug=SLUG, created_at__lt=cutoff).exclude(file=""),
        PrintBatch.objects.filter(created_at__lt=cutoff).exclude(file=""),
    ):
        found = [str(name) for name in batches.values_list("file", flat=True)]
        if not dry_run and found:
            batches.update(file="")
        names += found
    return len(names), [] if dry_run else names


RETENTION = (Retention("print_batches", "KUNTAROBO_RETAIN_PRINT_BATCH_DAYS", purge_print_batches),)
