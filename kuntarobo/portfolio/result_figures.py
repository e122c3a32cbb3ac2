"""A robot's figures in a municipality for its result card and path document.

The counts, hours, person-years and rates are the realised figures of the platform's monthly
roll-up (`kuntarobo.portfolio.realised`, the same the impact dashboards show; its module
docstring defines them), so a card never disagrees with a dashboard. A period is whole months,
as in the roll-up: the months touched by its first and last day; an item belongs to the month
its run started. Only the handling time of an item (`WorkItem.duration_ms`, the robot's own
working time), which the roll-up does not keep, is read from the items here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Max, Min
from django.utils import timezone

from kuntarobo.accounts.models import Municipality
from kuntarobo.portfolio.models import DEFAULT_HOURS_PER_PERSON_YEAR
from kuntarobo.portfolio.realised import (
    RealisedFigures,
    months_between,
    next_month,
    realised_figures,
    refresh,
)
from kuntarobo.runtime.models import ItemStatus, Run, WorkItem

ONE_DECIMAL = Decimal("0.1")


def percent(rate: Decimal | None) -> Decimal | None:
    """A share 0..1 as per cent with one decimal."""
    if rate is None:
        return None
    return (rate * 100).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RobotFigures:
    robot_slug: str
    start: datetime.date  # the first day of the period's first month
    end: datetime.date  # the last day asked for
    realised: RealisedFigures
    average_item_ms: int | None
    longest_item_ms: int | None

    @property
    def items(self) -> int:
        return self.realised.totals.items

    @property
    def completed(self) -> int:
        """Items whose preparation a person no longer does, each reference once."""
        return self.realised.totals.saved_items

    @property
    def hours_saved(self) -> Decimal:
        return self.realised.totals.hours_saved.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)

    @property
    def hours_per_person_year(self) -> int:
        return int(self.realised.hours_per_person_year)

    @property
    def person_years(self) -> Decimal:
        return self.realised.totals.person_years.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def exception_rate(self) -> Decimal | None:
        return percent(self.realised.totals.exception_rate)

    @property
    def error_rate(self) -> Decimal | None:
        return percent(self.realised.totals.error_rate)

    @property
    def rework_rate(self) -> Decimal | None:
        return percent(self.realised.totals.rework_rate)

    @property
    def per_month(self) -> list[tuple[datetime.date, int]]:
        return [(month.month, month.items) for month in self.realised.months]

    def status_shares(self) -> list[tuple[ItemStatus, int, Decimal | None]]:
        """Each status with items, its count and share of all items, in the table's order."""
        counts = self.realised.totals.counts
        rows: list[tuple[ItemStatus, int, Decimal | None]] = []
        for status in ItemStatus:
            count = counts.get(status, 0)
            if count:
                rows.append((status, count, percent(Decimal(count) / self.items)))
        return rows


def robot_figures(
    municipality: Municipality,
    robot_slug: str,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    hours_per_person_year: int = DEFAULT_HOURS_PER_PERSON_YEAR,
) -> RobotFigures:
    """The figures of the robot's work in the municipality from `start` (default: its first
    run) to `end` (default: today), the roll-up brought up to date for the municipality first."""
    refresh(municipality_ids=[municipality.pk])
    runs = Run.objects.filter(municipality=municipality, robot_slug=robot_slug)
    today = timezone.localdate()
    if start is None:
        first = runs.aggregate(first=Min("created_at"))["first"]
        start = timezone.localdate(first) if first is not None else today
    end = end or today
    start = min(start, end)
    months = months_between(start, end)
    realised = realised_figures(
        [municipality.pk],
        robot_slug,
        start,
        end,
        hours_per_person_year=Decimal(hours_per_person_year),
    )
    first_day, after = months[0], next_month(months[-1])
    in_period = runs.filter(created_at__date__gte=first_day, created_at__date__lt=after)
    durations = WorkItem.objects.filter(
        run__in=in_period.values("pk"), duration_ms__isnull=False
    ).aggregate(average=Avg("duration_ms"), longest=Max("duration_ms"))
    return RobotFigures(
        robot_slug=robot_slug,
        start=first_day,
        end=end,
        realised=realised,
        average_item_ms=round(durations["average"]) if durations["average"] is not None else None,
        longest_item_ms=durations["longest"],
    )
