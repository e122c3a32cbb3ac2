"""Audit trail export as CSV or JSON Lines, streamed so a year of events needs little memory."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Literal

from kuntarobo.audit.models import AuditEvent
from kuntarobo.core.spreadsheet_safety import escape_cell

FORMATS = ("csv", "jsonl")
COLUMNS = (
    "id",
    "at",
    "actor",
    "municipality",
    "action",
    "object_type",
    "object_id",
    "via",
    "details",
)
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}


def event_row(event: AuditEvent) -> dict[str, str | int]:
    return {
        "id": event.pk,
        "at": event.at.isoformat(),
        "actor": event.actor_label,
        "municipality": event.municipality.slug if event.municipality else "",
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "via": event.via,
        "details": json.dumps(event.details, ensure_ascii=False, sort_keys=True),
    }


def export_events(events: Iterable[AuditEvent], fmt: Literal["csv", "jsonl"]) -> Iterator[str]:
    """Yield the export in chunks; `events` should be a queryset already scoped to the user."""
    if fmt not in FORMATS:
        raise ValueError(f"export format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if hasattr(events, "select_related"):
        events = events.select_related("municipality").iterator(chunk_size=2000)
    if fmt == "jsonl":
        for event in events:
            row = event_row(event)
            row["details"] = json.loads(str(row["details"]))
            yield json.dumps(row, ensure_ascii=False) + "\n"
        return
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for count, event in enumerate(events, start=1):
        # Actor names, object ids and details are typed by people: never formulas in Excel.
        writer.writerow({key: escape_cell(value) for key, value in event_row(event).items()})
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
