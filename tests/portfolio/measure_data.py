"""Hand-made runs for the measure tests: a run started at a given moment whose items have the
given fields, each finished `lead` minutes later (30 by default) unless still being worked on."""

from __future__ import annotations

import datetime
from typing import Any

from kuntarobo.runtime.models import Run, WorkItem
from kuntarobo.runtime.statuses import ItemStatus
from tests.factories import RunFactory, WorkItemFactory


def made_run(
    municipality: Any,
    when: datetime.datetime,
    items: list[dict[str, Any]],
    robot: str = "invoice_check",
) -> Run:
    run = RunFactory(municipality=municipality, robot_slug=robot)
    Run.objects.filter(pk=run.pk).update(created_at=when)
    for fields in items:
        fields = dict(fields)
        lead = fields.pop("lead", 30)
        status = fields.setdefault("status", ItemStatus.DONE)
        unfinished = status in (ItemStatus.NEW, ItemStatus.IN_PROGRESS, ItemStatus.WAITING)
        item = WorkItemFactory(run=run, **fields)
        WorkItem.objects.filter(pk=item.pk).update(
            created_at=when,
            finished_at=None if unfinished else when + datetime.timedelta(minutes=lead),
        )
    run.refresh_from_db()
    return run


def done_items(count: int) -> list[dict[str, Any]]:
    return [{"status": ItemStatus.DONE} for _ in range(count)]
