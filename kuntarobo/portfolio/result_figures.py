"""A robot's figures in a municipality, read from its work items: how many, how much manual time
they stand for (the platform's one definition, `runtime.impact.manual_minutes_saved`), in
person-years, how often a person had to step in, how long an item took, and the volume per
month. The result card and the path document both show these, so they never disagree.

Definitions (docs/portfolio.md, "Path documents and result cards"):
- items: the period's work items, except those replaced by a corrected input (the correction is
  counted instead);
- business exceptions, application errors, waiting for review: the items in that status now;
- rework: items a person rejected, or replaced by a corrected input, of all the period's items
  including the replaced ones."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Max, Min, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from kuntarobo.accounts.models import Municipality
from kuntarobo.portfolio.models import DEFAULT_HOURS_PER_PERSON_YEAR
from kuntarobo.runtime.impact import REPEATED, REPEATED_ITEMS, manual_minutes_saved
from kuntarobo.runtime.models import ItemStatus, WorkItem


def share(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` in per cent with one decimal; None without a whole."""
    if whole <= 0:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RobotFigures:
    robot_slug: str
    counts: dict[str, int]
    hours_per_person_year: int
    minutes_saved: Decimal
    first_day: datetime.date | None
    last_day: datetime.date | None
    average_item_ms: int | None
    longest_item_ms: int | None
    per_month: list[tuple[datetime.date, int]] = field(default_factory=list)

    @property
    def superseded(self) -> int:
        return self.counts.get(ItemStatus.SUPERSEDED, 0)

    @property
    def items(self) -> int:
        return sum(n for status, n in self.counts.items() if status != REPEATED) - self.superseded

    @property
    def completed(self) -> int:
        """Items whose preparation a person no longer does (done, or approved to delivery)."""
        return self.counts.get(ItemStatus.DONE, 0) + self.counts.get(ItemStatus.APPROVED, 0)

    @property
    def hours_saved(self) -> Decimal:
        return (self.minutes_saved / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def person_years(self) -> Decimal:
        return (self.minutes_saved / 60 / self.hours_per_person_year).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )

    @property
    def business_exception_rate(self) -> Decimal | None:
        return share(self.counts.get(ItemStatus.FAILED_BUSINESS, 0), self.items)

    @property
    def error_rate(self) -> Decimal | None:
        return share(self.counts.get(ItemStatus.FAILED_APPLICATION, 0), self.items)

    @property
    def review_rate(self) -> Decimal | None:
        return share(self.counts.get(ItemStatus.NEEDS_REVIEW, 0), self.items)

    @property
    def rework_rate(self) -> Decimal | None:
        rework = self.counts.get(ItemStatus.REJECTED, 0) + self.superseded
        return share(rework, self.items + self.superseded)

    def status_shares(self) -> list[tuple[ItemStatus, int, Decimal | None]]:
        """Each status with items, its count and share of the items, in the table's order."""
        rows: list[tuple[ItemStatus, int, Decimal | None]] = []
        for status in ItemStatus:
            count = self.counts.get(status, 0)
            if count and status != ItemStatus.SUPERSEDED:
                rows.append((status, count, share(count, self.items)))
        return rows


def robot_figures(
    municipality: Municipality,
    robot_slug: str,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    hours_per_person_year: int = DEFAULT_HOURS_PER_PERSON_YEAR,
) -> RobotFigures:
    """The figures of the robot's items created in the period (Helsinki dates, both ends
    included; an open end is unbounded)."""
    items = WorkItem.objects.filter(municipality=municipality, robot_slug=robot_slug)
    if start is not None:
        items = items.filter(created_at__date__gte=start)
    if end is not None:
        items = items.filter(created_at__date__lte=end)
    counts = {
        row["status"]: row["n"] for row in items.order_by().values("status").annotate(n=Count("pk"))
    }
    counts[REPEATED] = items.filter(REPEATED_ITEMS).count()
    stats = items.aggregate(
        first=Min("created_at"),
        last=Max("created_at"),
        average=Avg("duration_ms", filter=Q(duration_ms__isnull=False)),
        longest=Max("duration_ms"),
    )
    months = (
        items.annotate(month=TruncMonth("created_at"))
        .order_by("month")
        .values("month")
        .annotate(n=Count("pk"))
    )
    return RobotFigures(
        robot_slug=robot_slug,
        counts=counts,
        hours_per_person_year=hours_per_person_year,
        minutes_saved=manual_minutes_saved(robot_slug, counts),
        first_day=_local_date(stats["first"]),
        last_day=_local_date(stats["last"]),
        average_item_ms=round(stats["average"]) if stats["average"] is not None else None,
        longest_item_ms=stats["longest"],
        per_month=[(_month(row["month"]), row["n"]) for row in months],
    )


def _local_date(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment is not None else None


def _month(value: datetime.datetime | datetime.date) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = value.date()
    return value.replace(day=1)
