"""What of the fee robot's own data the platform's retention purge deletes (`Robot.retention`):
the print batches' PDFs, after KUNTAROBO_RETAIN_PRINT_BATCH_DAYS.

The batches themselves are rows the decisions name and stay; their PDFs are copies of archived
decisions, so they go.
"""

from __future__ import annotations

import datetime

from kuntarobo.robots.ecec_fees.models import PrintBatch
from kuntarobo.sdk import Retention


def purge_print_batches(cutoff: datetime.datetime, dry_run: bool) -> tuple[int, list[str]]:
    """The PDFs of batches made before `cutoff`: how many, and their files to delete."""
    batches = PrintBatch.objects.filter(created_at__lt=cutoff).exclude(file="")
    names = list(batches.values_list("file", flat=True))
    if not dry_run:
        batches.update(file="")
    return len(names), [] if dry_run else names


RETENTION = (Retention("print_batches", "KUNTAROBO_RETAIN_PRINT_BATCH_DAYS", purge_print_batches),)
