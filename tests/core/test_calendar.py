"""The Finnish working-day calendar, checked as properties over a century of dates. Easter comes
from dateutil, independently of the `holidays` package the calendar uses. The years are those of
today's rules: 1973-1991 kept Epiphany and Ascension Day on Saturdays."""

from __future__ import annotations

import datetime

import pytest
from dateutil.easter import easter
from hypothesis import given
from hypothesis import strategies as st

from kuntarobo.core.calendar import (
    CALENDAR_RULES,
    day_matches_rule,
    first_working_day_of_month,
    is_holiday,
    is_working_day,
    last_working_day_of_month,
    next_working_day,
)

days = st.dates(datetime.date(1992, 1, 1), datetime.date(2099, 12, 31))
years = st.integers(1992, 2099)
months = st.tuples(years, st.integers(1, 12))
ONE_DAY = datetime.timedelta(days=1)


def days_of_month(year: int, month: int) -> list[datetime.date]:
    day = datetime.date(year, month, 1)
    result = []
    while day.month == month:
        result.append(day)
        day += ONE_DAY
    return result


def days_off(year: int) -> dict[str, datetime.date]:
    """Every day the Finnish calendar gives off, computed without the `holidays` package."""
    sunday = easter(year)
    midsummer_eve = next(
        datetime.date(year, 6, d) for d in range(19, 26) if datetime.date(year, 6, d).weekday() == 4
    )
    return {
        "New Year's Day": datetime.date(year, 1, 1),
        "Epiphany": datetime.date(year, 1, 6),
        "Good Friday": sunday - 2 * ONE_DAY,
        "Easter Monday": sunday + ONE_DAY,
        "May Day": datetime.date(year, 5, 1),
        "Ascension Day": sunday + 39 * ONE_DAY,
        "Midsummer Eve": midsummer_eve,
        "Independence Day": datetime.date(year, 12, 6),
        "Christmas Eve": datetime.date(year, 12, 24),
        "Christmas Day": datetime.date(year, 12, 25),
        "St Stephen's Day": datetime.date(year, 12, 26),
    }


@given(years)
def test_no_finnish_holiday_is_a_working_day(year):
    for name, day in days_off(year).items():
        assert is_holiday(day), name
        assert not is_working_day(day), name


@given(days)
def test_a_working_day_is_a_weekday_that_is_not_a_holiday(day):
    assert is_working_day(day) == (day.weekday() < 5 and not is_holiday(day))
    if day.weekday() < 5 and day not in days_off(day.year).values():
        # Weekdays off are exactly the listed ones (plus Midsummer Day, All Saints' Day and
        # Pentecost, which always fall on a weekend).
        assert is_working_day(day)


@given(days)
def test_the_next_working_day_is_the_first_working_day_from_the_given_one(day):
    found = next_working_day(day)
    assert found >= day
    assert is_working_day(found)
    assert found - day < datetime.timedelta(days=7)
    between = day
    while between < found:
        assert not is_working_day(between)
        between += ONE_DAY


@given(months)
def test_the_first_and_last_working_days_bound_the_months_working_days(year_month):
    year, month = year_month
    working = [d for d in days_of_month(year, month) if is_working_day(d)]
    assert first_working_day_of_month(year, month) == working[0]
    assert last_working_day_of_month(year, month) == working[-1]


@given(months, st.sampled_from(["first_working_day_of_month", "last_working_day_of_month"]))
def test_a_monthly_rule_keeps_exactly_one_day_of_each_month(year_month, rule):
    kept = [d for d in days_of_month(*year_month) if day_matches_rule(d, rule)]
    assert len(kept) == 1
    assert is_working_day(kept[0])


@given(days)
def test_the_working_days_rule_keeps_working_days_and_any_day_keeps_all(day):
    assert day_matches_rule(day, "working_days") == is_working_day(day)
    assert day_matches_rule(day, "any_day")


def test_an_unknown_calendar_rule_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="every_full_moon") as refused:
        day_matches_rule(datetime.date(2027, 1, 1), "every_full_moon")
    for rule in CALENDAR_RULES:
        assert rule in str(refused.value)
