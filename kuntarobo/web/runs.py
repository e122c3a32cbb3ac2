"""Run figures computed from the items themselves, so they are live while the run is going."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count

from kuntarobo.runtime.impact import manual_minutes_saved
from kuntarobo.runtime.models import ItemStatus, Run, WorkItem
from kuntarobo.runtime.statuses import UNFINISHED_STATUSES, failed_count, run_outcome

UNFINISHED = UNFINISHED_STATUSES


@dataclass
class RunFigures:
    run: Run
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def processed(self) -> int:
        return self.total - sum(self.counts.get(status, 0) for status in UNFINISHED)

    @property
    def percent(self) -> int:
        return round(100 * self.processed / self.total) if self.total else 100

    @property
    def rows(self) -> list[tuple[str, str, int]]:
        """(status, label, count) for each status that has items, in the workflow's order."""
        return [
            (value, str(label), self.counts[value])
            for value, label in ItemStatus.choices
            if self.counts.get(value)
        ]

    @property
    def minutes_saved(self) -> Decimal:
        return manual_minutes_saved(self.run.robot_slug, self.counts, self.run.parameters)

    @property
    def waiting_for_review(self) -> int:
        return self.counts.get(ItemStatus.NEEDS_REVIEW, 0)

    @property
    def failed(self) -> int:
        return failed_count(self.counts)

    @property
    def outcome(self) -> str:
        """The run's status as shown: a finished run with failed items is not a plain success."""
        return run_outcome(self.run.status, self.failed)

    def state_token(self) -> str:
        """Changes whenever what the progress section shows changes (htmx polls compare it)."""
        parts = [self.run.status, *(f"{s}={n}" for s, n in sorted(self.counts.items()) if n)]
        return ";".join(parts)


def counts_for_runs(runs: list[Run]) -> list[RunFigures]:
    """Item counts by status for several runs in one query."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        WorkItem.objects.filter(run__in=[run.pk for run in runs])
        .values("run_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["run_id"]][row["status"]] = row["n"]
    return [RunFigures(run, counts[run.pk]) for run in runs]


def figures(run: Run) -> RunFigures:
    return counts_for_runs([run])[0]
