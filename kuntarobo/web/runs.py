"""Run figures computed from the items themselves, so they are live while the run is going."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.utils.translation import get_language, ngettext

from kuntarobo.core import localized
from kuntarobo.runtime.impact import REPEATED, REPEATED_ITEMS, manual_minutes_saved
from kuntarobo.runtime.models import ItemStatus, Run, WorkItem
from kuntarobo.runtime.statuses import UNFINISHED_STATUSES, failed_count, run_outcome

UNFINISHED = UNFINISHED_STATUSES


@dataclass
class RunFigures:
    run: Run
    counts: dict[str, int] = field(default_factory=dict)

    # Items done or approved that repeat work already counted (`runtime.impact`).
    repeated: int = 0

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
        return manual_minutes_saved(self.run.robot_slug, {**self.counts, REPEATED: self.repeated})

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
    """Item counts by status for several runs in one query (and one for repeated work)."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        WorkItem.objects.filter(run__in=[run.pk for run in runs])
        .values("run_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["run_id"]][row["status"]] = row["n"]
    repeated = dict(
        WorkItem.objects.filter(REPEATED_ITEMS, run__in=[run.pk for run in runs])
        .values("run_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("run_id", "n")
    )
    return [RunFigures(run, counts[run.pk], repeated.get(run.pk, 0)) for run in runs]


def figures(run: Run) -> RunFigures:
    return counts_for_runs([run])[0]


def input_result(run: Run) -> str:
    """What the run's input came to, in the reader's language: how many new items, how many
    corrections replaced failed items, how many were already known (and of those, done)."""
    new = run.items_created - run.items_corrected
    parts = [
        ngettext("%(count)d new work item", "%(count)d new work items", new) % {"count": new},
        ngettext(
            "%(count)d correction replaced a failed item",
            "%(count)d corrections replaced failed items",
            run.items_corrected,
        )
        % {"count": run.items_corrected},
        ngettext("%(count)d already known", "%(count)d already known", run.items_duplicate)
        % {"count": run.items_duplicate},
    ]
    text = "; ".join(parts)
    if run.items_already_done:
        text += " " + ngettext(
            "(%(count)d of them already done)",
            "(%(count)d of them already done)",
            run.items_already_done,
        ) % {"count": run.items_already_done}
    return text + "."


def run_notices(run: Run) -> list[str]:
    """What the robot told about the run's input (`RunContext.notice`), in the reader's
    language."""
    notices = (run.summary or {}).get("notices") or []
    return [localized.pick(notice, get_language()) for notice in notices]
