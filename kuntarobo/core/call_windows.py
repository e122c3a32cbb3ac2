"""Call windows and retry timing of a phone survey: when the robot may call, and when it tries a
number again after a busy line, no answer, a machine, a declined call or a technical failure.

Pure Python (no Django), so the dialler, the dashboard's estimates and the tests share one rule.

No statutory calling hours were found (domain notes, docs/domain/phone-survey.md, checked
2026-12); the defaults here are our own: weekdays 10:00-20:00 Europe/Helsinki, no public holidays
and no eves of holidays. The retry delays are defaults too, no law prescribes them.

Blocked days (block_holidays=True), a documented rule:
- every day in the `holidays` package's Finland calendar; it already lists Midsummer Eve and
  Christmas Eve besides the public holidays;
- the eve of a public holiday that falls on a weekday (Mon-Fri): the day before it. The eves the
  calendar lists itself (Midsummer Eve, Christmas Eve) do not get an eve of their own, so
  18 June and 23 December stay open. A holiday on a Saturday or Sunday (e.g. Independence Day
  on Sunday 6.12.2026) gives no eve, so 5.12.2026 is open.
In 2026 that blocks: 1.1., 5.1., 6.1., 2.4., 3.4., 5.4., 6.4., 30.4., 1.5., 13.5., 14.5., 24.5.,
19.6., 20.6., 31.10., 6.12., 24.12., 25.12., 26.12. and 31.12. (the eve of New Year 2027).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from kuntarobo.core.strict_json import Reader, Wording

# The English texts of the schedule's own problem codes (the others are strict_json's).
WORDING: Final = Wording(
    templates={
        "not_time": "must be a time HH:MM, got {value}",
        "span_too_long": "the schedule may span at most {max} days, got an end {value}",
        "duplicate": "is given twice: {value}",
        "not_after_from": "must be later than from, got {value}",
        "unknown_timezone": "is not a known time zone: {value}",
        "before_start": "must not be before start_date {min}, got {value}",
    }
)

HELSINKI: Final = "Europe/Helsinki"
MAX_SPAN_DAYS: Final = 366
PARTS: Final = ("morning", "afternoon", "evening")
OUTCOMES: Final = frozenset({"busy", "no_answer", "machine", "declined", "technical", "no_input"})


@dataclass(frozen=True)
class CallSchedule:
    """When a campaign may call: dates, ISO weekdays (1 = Monday), local hours and blocked days."""

    start_date: datetime.date
    end_date: datetime.date
    weekdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    from_time: datetime.time = datetime.time(10, 0)
    to_time: datetime.time = datetime.time(20, 0)
    timezone: str = HELSINKI
    block_holidays: bool = True
    blocked_dates: frozenset[datetime.date] = field(default_factory=frozenset)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait after each outcome before the next attempt (defaults, not law)."""

    busy: datetime.timedelta = datetime.timedelta(minutes=15)
    technical: datetime.timedelta = datetime.timedelta(minutes=30)
    no_input: datetime.timedelta = datetime.timedelta(minutes=60)
    # No answer / machine: at least this long, and in a part of the day not tried yet.
    other_part: datetime.timedelta = datetime.timedelta(hours=2)
    # Declined (AAPOR 3.15): at least this long, and never in the part of the last attempt.
    declined: datetime.timedelta = datetime.timedelta(hours=2)


# --- parsing ------------------------------------------------------------------------------


def _time(reader: Reader) -> datetime.time:
    text = reader.text()
    try:
        hours, minutes = text.split(":")
        if len(hours) != 2 or len(minutes) != 2:
            raise ValueError(text)
        return datetime.time(int(hours), int(minutes))
    except ValueError:
        reader.fail("not_time", value=reader.shown())


def parse_schedule(data: object, path: str = "schedule") -> CallSchedule:
    """The CLI contract's schedule {start_date, end_date, weekdays, from, to, timezone}, checked;
    a problem names its field (`schedule.weekdays[2]`)."""
    reader = Reader(data, path, WORDING).object(
        ["start_date", "end_date", "weekdays", "from", "to", "timezone", "blocked_dates"]
    )
    start = reader.field("start_date").date()
    end_reader = reader.field("end_date")
    end = end_reader.date()
    if end < start:
        end_reader.fail("before_start", min=start.isoformat(), value=end.isoformat())
    if (end - start).days + 1 > MAX_SPAN_DAYS:
        end_reader.fail("span_too_long", max=MAX_SPAN_DAYS, value=end.isoformat())
    days: set[int] = set()
    for item in reader.field("weekdays").items(min_items=1, max_items=7):
        day = item.integer(minimum=1, maximum=7)
        if day in days:
            item.fail("duplicate", value=day)
        days.add(day)
    start_time = _time(reader.field("from"))
    to_reader = reader.field("to")
    end_time = _time(to_reader)
    if end_time <= start_time:
        to_reader.fail("not_after_from", value=to_reader.shown())
    zone_reader = reader.field("timezone", HELSINKI)
    zone = zone_reader.text()
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone_reader.fail("unknown_timezone", value=zone_reader.shown())
    blocked = frozenset(item.date() for item in reader.field("blocked_dates", []).items())
    return CallSchedule(start, end, frozenset(days), start_time, end_time, zone, True, blocked)


# --- blocked days and windows -------------------------------------------------------------


def _is_calendar_eve(day: datetime.date) -> bool:
    """Christmas Eve or Midsummer Eve (the Friday 19-25 June), which the calendar lists itself;
    told by date, not by name, so the calendar's language does not matter."""
    if (day.month, day.day) == (12, 24):
        return True
    return day.month == 6 and 19 <= day.day <= 25 and day.weekday() == 4


@lru_cache(maxsize=64)
def _blocked_in_year(year: int) -> frozenset[datetime.date]:
    """The days of `year` blocked by the documented rule (module docstring)."""
    calendar = holidays.country_holidays("FI", years=[year, year + 1])
    blocked: set[datetime.date] = set(calendar.keys())
    for day in calendar:
        if day.weekday() < 5 and not _is_calendar_eve(day):
            blocked.add(day - datetime.timedelta(days=1))
    return frozenset(day for day in blocked if day.year == year)


def is_blocked_day(day: datetime.date) -> bool:
    """Whether `day` is a Finnish public holiday, a calendar eve or the eve of a weekday holiday."""
    return day in _blocked_in_year(day.year)


def blocked_days(year: int) -> list[datetime.date]:
    return sorted(_blocked_in_year(year))


def _is_call_day(schedule: CallSchedule, day: datetime.date) -> bool:
    return (
        schedule.start_date <= day <= schedule.end_date
        and day.isoweekday() in schedule.weekdays
        and day not in schedule.blocked_dates
        and not (schedule.block_holidays and is_blocked_day(day))
    )


def _window(
    schedule: CallSchedule, day: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    zone = schedule.zone
    return (
        datetime.datetime.combine(day, schedule.from_time, zone),
        datetime.datetime.combine(day, schedule.to_time, zone),
    )


def _windows_from(
    schedule: CallSchedule, day: datetime.date
) -> Iterator[tuple[datetime.datetime, datetime.datetime]]:
    day = max(day, schedule.start_date)
    while day <= schedule.end_date:
        if _is_call_day(schedule, day):
            yield _window(schedule, day)
        day += datetime.timedelta(days=1)


def windows(schedule: CallSchedule) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """Every call window (aware, local wall-clock hours on each day, so DST-correct)."""
    return list(_windows_from(schedule, schedule.start_date))


def _local_day(schedule: CallSchedule, moment: datetime.datetime) -> datetime.date:
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    return moment.astimezone(schedule.zone).date()


def is_open(schedule: CallSchedule, moment: datetime.datetime) -> bool:
    """Whether the robot may call at `moment` (window start included, end excluded)."""
    day = _local_day(schedule, moment)
    if not _is_call_day(schedule, day):
        return False
    start, end = _window(schedule, day)
    return start <= moment < end


def _parts(
    schedule: CallSchedule, day: datetime.date
) -> list[tuple[str, datetime.datetime, datetime.datetime]]:
    """The window of `day` split in three equal parts: morning, afternoon, evening."""
    start, end = _window(schedule, day)
    third = (end - start) / 3
    return [(name, start + third * i, start + third * (i + 1)) for i, name in enumerate(PARTS)]


def part_of_day(schedule: CallSchedule, moment: datetime.datetime) -> str:
    """The part of the day of `moment`; before the window counts as morning, after as evening."""
    for name, _start, end in _parts(schedule, _local_day(schedule, moment)):
        if moment < end:
            return name
    return PARTS[-1]


def _earliest(
    schedule: CallSchedule, moment: datetime.datetime, allowed: frozenset[str]
) -> datetime.datetime | None:
    """The first moment at or after `moment` inside a window and in an allowed part of the day."""
    for start, end in _windows_from(schedule, _local_day(schedule, moment)):
        if end <= moment:
            continue
        for name, part_start, part_end in _parts(schedule, start.date()):
            if name in allowed and part_end > moment:
                return max(part_start, moment)
    return None


def next_open(schedule: CallSchedule, moment: datetime.datetime) -> datetime.datetime | None:
    """The first moment at or after `moment` inside a window; None when no window is left."""
    return _earliest(schedule, moment, frozenset(PARTS))


def next_attempt_at(
    schedule: CallSchedule,
    policy: RetryPolicy,
    last_attempt_at: datetime.datetime,
    outcome: str,
    parts_tried: set[str],
    *,
    not_before: datetime.datetime | None = None,
) -> datetime.datetime | None:
    """When to call again after `outcome`; None when the campaign has no fitting window left.

    busy, technical, no_input: the first open moment after the delay. no_answer, machine: at
    least `other_part` later, in a part of the day not in `parts_tried` nor the last attempt's
    (any other part once all are tried). declined: at least `declined` later, never in the part
    of the day of the last attempt. `not_before`: a robot that comes back late (a worker was
    down) asks for the first fitting moment from now on, with the same part-of-day rule."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    last_part = part_of_day(schedule, last_attempt_at)
    others = frozenset(PARTS) - {last_part}

    def after(delay: datetime.timedelta) -> datetime.datetime:
        earliest = last_attempt_at + delay
        return earliest if not_before is None else max(earliest, not_before)

    if outcome == "busy":
        return next_open(schedule, after(policy.busy))
    if outcome == "technical":
        return next_open(schedule, after(policy.technical))
    if outcome == "no_input":
        return next_open(schedule, after(policy.no_input))
    if outcome == "declined":
        return _earliest(schedule, after(policy.declined), others)
    untried = others - parts_tried
    return _earliest(schedule, after(policy.other_part), untried or others)
