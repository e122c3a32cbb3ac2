"""The Finnish working-day calendar: public holidays, Midsummer Eve and Christmas Eve are days off.

Pure Python so schedules, deadlines and robots' rules agree on one calendar.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import holidays

HELSINKI = "Europe/Helsinki"


@lru_cache(maxsize=64)
def _finnish_holidays(year: int) -> frozenset[datetime.date]:
    days = set(holidays.country_holidays("FI", years=year).keys())
    # Midsummer Eve (Friday between 19 and 25 June) and Christmas Eve are de facto days off.
    for day in range(19, 26):
        candidate = datetime.date(year, 6, day)
        if candidate.weekday() == 4:
            days.add(candidate)
    days.add(datetime.date(year, 12, 24))
    return frozenset(days)


def is_holiday(day: datetime.date) -> bool:
    return day in _finnish_holidays(day.year)


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def next_working_day(day: datetime.date) -> datetime.date:
    """The day itself if it is a working day, otherwise the next one (deadline rule)."""
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def first_working_day_of_month(year: int, month: int) -> datetime.date:
    return next_working_day(datetime.date(year, month, 1))


def last_working_day_of_month(year: int, month: int) -> datetime.date:
    if month == 12:
        day = datetime.date(year, 12, 31)
    else:
        day = datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)
    while not is_working_day(day):
        day -= datetime.timedelta(days=1)
    return day


CALENDAR_RULES = (
    "any_day",
    "working_days",
    "first_working_day_of_month",
    "last_working_day_of_month",
)


def day_matches_rule(day: datetime.date, rule: str) -> bool:
    """Whether a cron fire on `day` is kept under a schedule's calendar rule."""
    if rule == "any_day":
        return True
    if rule == "working_days":
        return is_working_day(day)
    if rule == "first_working_day_of_month":
        return day == first_working_day_of_month(day.year, day.month)
    if rule == "last_working_day_of_month":
        return day == last_working_day_of_month(day.year, day.month)
    raise ValueError(f"unknown calendar rule {rule!r}; expected one of {', '.join(CALENDAR_RULES)}")
