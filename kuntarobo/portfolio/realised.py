"""Realised figures of robots from their run data, read from a monthly roll-up (`RobotMonth`).

Why a roll-up: two years of 30 robots are one to two million work items; grouping them on every
page load takes seconds on SQLite. A month's row is computed from its items in one go (never
by adding deltas), so it is exactly what a direct count gave at its `refreshed_at`.

Which items a month holds: those whose run started in that month, Helsinki time (the month
the work arrived). A run's items are created with the run, so the month of an item never
changes; only its status does, and only until it reaches a final status (`FINAL_STATUSES`:
nothing leads out of them).

When a month is computed again (`refresh`):
- the months of runs not seen before (runs with an id above the mark `RollupMark`; the mark
  moves only past runs started over an hour ago, so a run still being written is looked at
  again next time);
- every month with items still open (not final) whose open items' statuses changed since it
  was computed (a review, a retry, a delivery; see `refresh` for why that is exact);
- a settled month (every item final) is never computed again: its figures cannot change, and
  they stay when housekeeping empties old items.
`refresh` runs when a run finishes (a signal, kuntarobo.portfolio.signals, for that run's month
only) and by `kuntarobo portfolio-refresh` (the whole roll-up; run it from cron, e.g. every 15
minutes). Dashboards only read: a page answers in the same time whatever changed, and says
when the roll-up was last brought up to date.

Definitions (shares of all items of the period, superseded ones included):
- items handled: items by status;
- hours saved: `runtime.impact.manual_minutes_saved` (done or approved items, each reference
  once, × the robot's declared `manual_minutes_per_item`) / 60; person-years: hours / hours
  per person-year (1,600 h by default);
- error rate: failed_application share (the robot or a system failed);
- exception rate: failed_business items plus items the robot flagged for a person's attention
  (a non-empty `attention`, whatever their status now), each item once;
- rework rate: superseded items (a corrected input replaced them) plus items a reviewer
  corrected before approving;
- lead time: from an item's creation to its finishing, over done items; the mean is exact, the
  median is the lower bound of its bucket (1 minute under an hour, 5 minutes under a day, 1 hour
  beyond).
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    F,
    Func,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from kuntarobo.accounts.models import Municipality
from kuntarobo.portfolio.models import RobotMonth, RollupMark
from kuntarobo.runtime.impact import REPEATED, REPEATED_ITEMS, manual_minutes_saved
from kuntarobo.runtime.models import Run, WorkItem
from kuntarobo.runtime.statuses import FINAL_STATUSES, ItemStatus

HOURS_PER_PERSON_YEAR = Decimal(1600)
# The line `actions.correct_item` adds to the explanation of an item a reviewer corrected.
CORRECTED_MARK = "Corrected by reviewer:"
# A run started this recently may still be being written: the mark does not pass it.
SAFETY = datetime.timedelta(hours=1)
MARK = "runs"
STATUSES = (
    ItemStatus.DONE,
    ItemStatus.APPROVED,
    ItemStatus.NEEDS_REVIEW,
    ItemStatus.FAILED_BUSINESS,
    ItemStatus.FAILED_APPLICATION,
    ItemStatus.REJECTED,
    ItemStatus.ABANDONED,
    ItemStatus.SUPERSEDED,
)

Key = tuple[int, str, datetime.date]  # municipality id, robot slug, first day of the month


def local_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def month_of(moment: datetime.datetime) -> datetime.date:
    local = moment.astimezone(local_zone())
    return datetime.date(local.year, local.month, 1)


def next_month(month: datetime.date) -> datetime.date:
    return datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The first days of the months touched by start..end, inclusive."""
    month, last, months = start.replace(day=1), end.replace(day=1), []
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def _month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    zone = local_zone()
    start = datetime.datetime(month.year, month.month, 1, tzinfo=zone)
    end_day = next_month(month)
    return start, datetime.datetime(end_day.year, end_day.month, 1, tzinfo=zone)


def lead_bucket(seconds: float) -> int:
    """A lead time's bucket (its lower bound in seconds): fine for short ones, coarse for long.
    The database computes the same (`lead_bucket_sql`)."""
    whole = max(int(seconds), 0)
    width = 60 if whole < 3600 else 300 if whole < 86400 else 3600
    return whole - whole % width


class LeadSeconds(Func):
    """Whole seconds from an item's creation to its finishing, computed by the database (a
    month's lead times are summed and bucketed there, not converted row by row in Python)."""

    output_field = BigIntegerField()
    template = "CAST(ROUND(EXTRACT(EPOCH FROM (%(expressions)s))) AS BIGINT)"
    arg_joiner = " - "

    def __init__(self) -> None:
        super().__init__(F("finished_at"), F("created_at"))

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, Any]:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(ROUND((julianday(%(expressions)s)) * 86400) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


def lead_bucket_sql() -> Case:
    """`lead_bucket` in SQL, over the `lead` annotation (integer division on both databases)."""
    lead = F("lead")
    return Case(
        When(lead__lt=0, then=Value(0)),
        When(lead__lt=3600, then=lead / 60 * 60),
        When(lead__lt=86400, then=lead / 300 * 300),
        default=lead / 3600 * 3600,
        output_field=BigIntegerField(),
    )


# --- computing the roll-up ----------------------------------------------------------------------


def month_runs(key: Key) -> QuerySet[Run]:
    """The runs of the robot in the municipality started in the month: their items are the
    key's."""
    municipality_id, robot_slug, month = key
    start, end = _month_bounds(month)
    return Run.objects.filter(
        municipality_id=municipality_id,
        robot_slug=robot_slug,
        created_at__gte=start,
        created_at__lt=end,
    )


def compute_month(key: Key, now: datetime.datetime | None = None) -> RobotMonth | None:
    """The figures of one key from its work items (None: no items), unsaved."""
    municipality_id, robot_slug, month = key
    runs = month_runs(key)
    last_run_id = runs.aggregate(last=Max("pk"))["last"] or 0
    items = WorkItem.objects.filter(run__in=runs.values("pk"))
    counts: dict[str, int] = {}
    total = open_items = 0
    for row in items.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
        total += row["n"]
        if row["status"] not in FINAL_STATUSES:
            open_items += row["n"]
    if not total:
        return None
    flagged = ~Q(attention=[]) & ~Q(status=ItemStatus.FAILED_BUSINESS)
    marks = items.aggregate(
        repeated=Count("id", filter=REPEATED_ITEMS),
        attention=Count("id", filter=flagged),
        corrected=Count("id", filter=Q(explanation__icontains=CORRECTED_MARK)),
    )
    counts[REPEATED] = marks["repeated"]
    attention, corrected = marks["attention"], marks["corrected"]
    buckets: dict[str, int] = {}
    lead_count = lead_seconds = 0
    done = items.filter(status=ItemStatus.DONE, finished_at__isnull=False)
    for row in (
        done.annotate(lead=LeadSeconds())
        .annotate(bucket=lead_bucket_sql())
        .values("bucket")
        .annotate(n=Count("id"), seconds=Sum("lead"))
        .order_by("bucket")
    ):
        buckets[str(row["bucket"])] = row["n"]
        lead_count += row["n"]
        lead_seconds += row["seconds"]
    return RobotMonth(
        municipality_id=municipality_id,
        robot_slug=robot_slug,
        month=month,
        counts=counts,
        items=total,
        open_items=open_items,
        attention_items=attention,
        corrected_items=corrected,
        lead_count=lead_count,
        lead_seconds=lead_seconds,
        lead_buckets=buckets,
        last_run_id=last_run_id,
        refreshed_at=now or timezone.now(),
    )


def store(keys: Iterable[Key], now: datetime.datetime | None = None) -> int:
    """Compute the keys again and keep the result (a key without items loses its row). Two
    refreshes at once (a worker's signal, cron) may both write a key: the row is updated in
    place, and one written from older figures differs from the items' open statuses or misses
    a newer run, so the next refresh computes it again."""
    now = now or timezone.now()
    done = 0
    for key in sorted(set(keys)):
        row = compute_month(key, now)
        municipality_id, robot_slug, month = key
        same: dict[str, Any] = {
            "municipality_id": municipality_id,
            "robot_slug": robot_slug,
            "month": month,
        }
        if row is None:
            RobotMonth.objects.filter(**same).delete()
        else:
            values = {
                field.attname: getattr(row, field.attname)
                for field in RobotMonth._meta.concrete_fields
                if not field.primary_key and field.attname not in same
            }
            RobotMonth.objects.update_or_create(**same, defaults=values)
        done += 1
    return done


@dataclass(frozen=True)
class RefreshResult:
    months: int  # keys computed again
    last_run_id: int


OPEN_STATUSES = tuple(status for status in ItemStatus.values if status not in FINAL_STATUSES)


def open_signature(counts: dict[str, int]) -> dict[str, int]:
    """The statuses of a month's open items: what any change to them changes (see `refresh`)."""
    return {status: n for status in OPEN_STATUSES if (n := int(counts.get(status, 0)))}


def open_now(municipality_ids: Collection[int]) -> dict[Key, dict[str, int]]:
    """The statuses of the open items of each key as they are now: a query over the open
    items only (the index on municipality and status), however many items are final."""
    found: dict[Key, Counter[str]] = {}
    rows = (
        WorkItem.objects.filter(
            municipality_id__in=list(municipality_ids), status__in=OPEN_STATUSES
        )
        .values("municipality_id", "robot_slug", "run__created_at", "status")
        .annotate(n=Count("id"))
    )
    for row in rows:
        key = (row["municipality_id"], row["robot_slug"], month_of(row["run__created_at"]))
        found.setdefault(key, Counter())[row["status"]] += row["n"]
    return {key: dict(counter) for key, counter in found.items()}


def refresh(
    *,
    municipality_ids: Collection[int] | None = None,
    now: datetime.datetime | None = None,
) -> RefreshResult:
    """Bring the roll-up up to date (see the module's docstring). Limited to municipalities
    (e.g. after loading a municipality's data), it looks at their runs and months only,
    computes a month of new runs only when a run is newer than the month's figures, and leaves
    the mark where it was: the whole refresh looks at every run past the mark again, so a run
    committed late is never missed.

    A month is computed again when it has runs not seen before, or when the statuses of its
    open items differ from those it was computed with. That is exact: an item's month never
    changes, a final status is never left, and every change of an open item that a figure
    counts (its status; a reviewer's correction comes with approval) changes the statuses of
    the month's open items: the item leaves them, or moves among them."""
    now = now or timezone.now()
    mark, _created = RollupMark.objects.get_or_create(name=MARK)
    ids = (
        list(Municipality.objects.values_list("pk", flat=True))
        if municipality_ids is None
        else list(municipality_ids)
    )
    keys: set[Key] = set()
    last_run_id = mark.last_run_id
    settled_before, advancing = now - SAFETY, True
    new_runs = Run.objects.filter(pk__gt=mark.last_run_id, municipality_id__in=ids)
    newest: dict[Key, int] = {}
    for pk, municipality_id, robot_slug, created in new_runs.values_list(
        "pk", "municipality_id", "robot_slug", "created_at"
    ).order_by("pk"):
        newest[(municipality_id, robot_slug, month_of(created))] = pk
        # The mark passes runs in order while they are old enough; a recent one stops it.
        advancing = advancing and created < settled_before
        if advancing:
            last_run_id = pk
    if municipality_ids is None:
        keys.update(newest)
    elif newest:
        seen = {
            (m, r, month): last
            for m, r, month, last in RobotMonth.objects.filter(
                municipality_id__in=ids, month__in={key[2] for key in newest}
            ).values_list("municipality_id", "robot_slug", "month", "last_run_id")
        }
        keys.update(key for key, pk in newest.items() if pk > seen.get(key, 0))
    current = open_now(ids)
    stored = RobotMonth.objects.filter(municipality_id__in=ids, open_items__gt=0)
    for municipality_id, robot_slug, month, counts in stored.values_list(
        "municipality_id", "robot_slug", "month", "counts"
    ):
        key = (municipality_id, robot_slug, month)
        if current.pop(key, {}) != open_signature(counts):
            keys.add(key)
    keys.update(current)  # open items of a month not computed yet
    count = store(keys, now)
    if municipality_ids is None:
        RollupMark.objects.filter(name=MARK).update(last_run_id=last_run_id, refreshed_at=now)
    return RefreshResult(months=count, last_run_id=last_run_id)


def refresh_run_month(run: Run) -> None:
    """A finished run's month computed again (its other months wait for the next refresh)."""
    store([(run.municipality_id, run.robot_slug, month_of(run.created_at))])


# --- reading the roll-up ------------------------------------------------------------------------


@dataclass
class _Sum:
    counts: Counter[str] = field(default_factory=Counter)
    items: int = 0
    open_items: int = 0
    attention: int = 0
    corrected: int = 0
    minutes: Decimal = Decimal(0)
    lead_count: int = 0
    lead_seconds: int = 0
    buckets: Counter[int] = field(default_factory=Counter)
    refreshed_at: datetime.datetime | None = None

    def add(self, row: RobotMonth) -> None:
        self.counts.update({str(k): int(v) for k, v in row.counts.items()})
        self.items += row.items
        self.open_items += row.open_items
        self.attention += row.attention_items
        self.corrected += row.corrected_items
        self.minutes += manual_minutes_saved(row.robot_slug, row.counts)
        self.lead_count += row.lead_count
        self.lead_seconds += row.lead_seconds
        self.buckets.update({int(k): int(v) for k, v in row.lead_buckets.items()})
        if self.refreshed_at is None or row.refreshed_at < self.refreshed_at:
            self.refreshed_at = row.refreshed_at

    def merge(self, other: _Sum) -> None:
        self.counts.update(other.counts)
        self.items += other.items
        self.open_items += other.open_items
        self.attention += other.attention
        self.corrected += other.corrected
        self.minutes += other.minutes
        self.lead_count += other.lead_count
        self.lead_seconds += other.lead_seconds
        self.buckets.update(other.buckets)
        if other.refreshed_at is not None and (
            self.refreshed_at is None or other.refreshed_at < self.refreshed_at
        ):
            self.refreshed_at = other.refreshed_at

    def median_seconds(self) -> int | None:
        if not self.lead_count:
            return None
        middle, seen = (self.lead_count + 1) // 2, 0
        for bucket in sorted(self.buckets):
            seen += self.buckets[bucket]
            if seen >= middle:
                return bucket
        return None  # pragma: no cover - the buckets add up to lead_count

    def figures(self, hours_per_person_year: Decimal) -> Figures:
        def share(n: int) -> Decimal | None:
            return None if not self.items else Decimal(n) / Decimal(self.items)

        counts = {status: self.counts.get(status, 0) for status in ItemStatus.values}
        exceptions = counts[ItemStatus.FAILED_BUSINESS] + self.attention
        hours = self.minutes / 60
        median = self.median_seconds()
        return Figures(
            items=self.items,
            counts=counts,
            saved_items=counts[ItemStatus.DONE]
            + counts[ItemStatus.APPROVED]
            - self.counts.get(REPEATED, 0),
            open_items=self.open_items,
            hours_saved=hours,
            person_years=hours / hours_per_person_year,
            failed_application=counts[ItemStatus.FAILED_APPLICATION],
            exceptions=exceptions,
            rework=counts[ItemStatus.SUPERSEDED] + self.corrected,
            error_rate=share(counts[ItemStatus.FAILED_APPLICATION]),
            exception_rate=share(exceptions),
            rework_rate=share(counts[ItemStatus.SUPERSEDED] + self.corrected),
            lead_time_mean_hours=None
            if not self.lead_count
            else Decimal(self.lead_seconds) / self.lead_count / 3600,
            lead_time_median_hours=None if median is None else Decimal(median) / 3600,
            refreshed_at=self.refreshed_at,
        )


@dataclass(frozen=True)
class Figures:
    """Realised figures of a span of time; rates are shares 0..1 (None without items)."""

    items: int
    counts: dict[str, int]  # by status, every status present
    saved_items: int
    open_items: int
    hours_saved: Decimal
    person_years: Decimal
    failed_application: int
    exceptions: int
    rework: int
    error_rate: Decimal | None
    exception_rate: Decimal | None
    rework_rate: Decimal | None
    lead_time_mean_hours: Decimal | None
    lead_time_median_hours: Decimal | None
    refreshed_at: datetime.datetime | None  # the oldest computation the figures rest on


@dataclass(frozen=True)
class MonthFigures(Figures):
    month: datetime.date


@dataclass(frozen=True)
class YearFigures(Figures):
    year: int


@dataclass(frozen=True)
class RealisedFigures:
    municipality_ids: tuple[int, ...]
    robot_slug: str | None
    start: datetime.date
    end: datetime.date
    hours_per_person_year: Decimal
    totals: Figures
    months: list[MonthFigures]  # every month of the period, empty ones included
    years: list[YearFigures]
    robots: dict[str, Figures]  # totals by robot
    # When the whole roll-up was last brought up to date (`kuntarobo portfolio-refresh`); a
    # settled month never changes, so this is the time the figures are exact at.
    up_to_date_at: datetime.datetime | None


def realised_figures(
    municipality_ids: Collection[int],
    robot_slug: str | None,
    start: datetime.date,
    end: datetime.date,
    *,
    hours_per_person_year: Decimal = HOURS_PER_PERSON_YEAR,
) -> RealisedFigures:
    """The figures of a robot (None: every robot) in the municipalities over the months touched
    by start..end, from the roll-up as last refreshed. The caller checks the user may see
    these municipalities' figures."""
    months = months_between(start, end)
    rows = RobotMonth.objects.filter(
        municipality_id__in=list(municipality_ids), month__gte=months[0], month__lte=months[-1]
    )
    if robot_slug is not None:
        rows = rows.filter(robot_slug=robot_slug)
    by_month: dict[datetime.date, _Sum] = {month: _Sum() for month in months}
    by_robot: dict[str, _Sum] = {}
    for row in rows.only(
        "robot_slug",
        "month",
        "counts",
        "items",
        "open_items",
        "attention_items",
        "corrected_items",
        "lead_count",
        "lead_seconds",
        "lead_buckets",
        "refreshed_at",
    ):
        by_month[row.month].add(row)
        by_robot.setdefault(row.robot_slug, _Sum()).add(row)
    total, by_year = _Sum(), dict[int, _Sum]()
    for month, figures in by_month.items():
        total.merge(figures)
        by_year.setdefault(month.year, _Sum()).merge(figures)
    per_year = hours_per_person_year
    return RealisedFigures(
        municipality_ids=tuple(sorted(municipality_ids)),
        robot_slug=robot_slug,
        start=start,
        end=end,
        hours_per_person_year=per_year,
        totals=total.figures(per_year),
        months=[
            MonthFigures(**vars(figures.figures(per_year)), month=month)
            for month, figures in by_month.items()
        ],
        years=[
            YearFigures(**vars(figures.figures(per_year)), year=year)
            for year, figures in by_year.items()
        ],
        robots={slug: figures.figures(per_year) for slug, figures in sorted(by_robot.items())},
        up_to_date_at=RollupMark.objects.filter(name=MARK)
        .values_list("refreshed_at", flat=True)
        .first(),
    )
