"""Absence arithmetic: worked examples and properties checked against a day-by-day count."""

from __future__ import annotations

import datetime
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kuntarobo.robots.hr_reports.absences import (
    AbsenceLine,
    absence_days_by_type,
    absence_lines_for_month,
    clip,
    merge_periods,
    merged_spells,
    shift_months,
    sickness_in_window,
    totals,
    totals_by_employee,
    window_start,
)
from kuntarobo.robots.hr_reports.dataset import ABSENCE_TYPES, Absence

DAY = datetime.timedelta(days=1)


def sick(start: date, end: date | None, employee_id: str = "E1", **kwargs) -> Absence:
    values = {"type": "sickness", "paid": True} | kwargs
    return Absence(employee_id=employee_id, start_date=start, end_date=end, **values)


def days_of(start: date, end: date) -> set[date]:
    return {start + i * DAY for i in range((end - start).days + 1)}


# --- strategies ------------------------------------------------------------------------

dates = st.dates(min_value=date(2022, 11, 1), max_value=date(2025, 3, 31))


@st.composite
def absences(draw: st.DrawFn, types: bool = False, near: date | None = None) -> Absence:
    """One absence; with `near`, it starts close to that day so lists overlap and touch."""
    start = draw(dates) if near is None else near + draw(st.integers(0, 90)) * DAY
    long = draw(st.integers(0, 3)) == 0
    end = (
        None
        if draw(st.integers(0, 9)) == 0
        else start + draw(st.integers(0, 120 if long else 12)) * DAY
    )
    kind = draw(st.sampled_from(ABSENCE_TYPES)) if types else "sickness"
    return Absence(
        employee_id="E1", start_date=start, end_date=end, type=kind, paid=draw(st.booleans())
    )


@st.composite
def absence_lists(draw: st.DrawFn, types: bool = False) -> list[Absence]:
    """Several absences of one employee, bunched so that overlaps and adjacent periods occur."""
    near = draw(dates)
    return draw(st.lists(absences(types=types, near=near), max_size=10))


def covered_days(items: list[Absence], today: date, kind: str = "sickness") -> set[date]:
    """The oracle: every calendar day some absence of the kind covers, counted one by one."""
    result: set[date] = set()
    for a in items:
        if a.type == kind:
            end = a.end_date if a.end_date is not None else today
            if a.start_date <= end:
                result |= days_of(a.start_date, end)
    return result


def runs(days: set[date]) -> list[tuple[date, date]]:
    """Maximal runs of consecutive days: the spells the merge must find."""
    result: list[tuple[date, date]] = []
    for day in sorted(days):
        if result and result[-1][1] + DAY == day:
            result[-1] = (result[-1][0], day)
        else:
            result.append((day, day))
    return result


# --- month arithmetic --------------------------------------------------------------------


def test_shifting_31_march_back_one_month_lands_on_the_last_day_of_february():
    assert shift_months(date(2025, 3, 31), -1) == date(2025, 2, 28)
    assert shift_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert shift_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert shift_months(date(2025, 1, 15), -13) == date(2023, 12, 15)


def test_a_twelve_month_window_ending_mid_month_starts_the_day_after_a_year_earlier():
    assert window_start(date(2025, 6, 15), 12) == date(2024, 6, 16)
    assert window_start(date(2025, 3, 31), 1) == date(2025, 3, 1)


def test_a_window_ending_on_a_month_end_is_whole_calendar_months_even_in_leap_years():
    assert window_start(date(2025, 2, 28), 12) == date(2024, 3, 1)
    assert window_start(date(2024, 2, 29), 12) == date(2023, 3, 1)
    assert window_start(date(2025, 4, 30), 1) == date(2025, 4, 1)
    assert window_start(date(2025, 12, 31), 12) == date(2025, 1, 1)


def test_a_window_has_at_least_one_month():
    with pytest.raises(ValueError, match="at least one month"):
        window_start(date(2025, 1, 1), 0)


@given(until=dates, months=st.integers(1, 24))
def test_a_window_is_never_longer_than_its_months_and_never_shorter_than_28_days_each(
    until, months
):
    start = window_start(until, months)
    length = (until - start).days + 1
    assert 28 * months <= length <= 31 * months
    earlier = shift_months(until, -months)
    assert earlier < start <= earlier + 4 * DAY  # 28 Feb: from 1 Feb, not from 29 Jan
    if (until + DAY).day == 1:
        assert start.day == 1


# --- clip --------------------------------------------------------------------------------


def test_clip_gives_the_part_of_an_absence_inside_the_period():
    absence = sick(date(2025, 1, 28), date(2025, 2, 3))
    today = date(2025, 6, 1)
    assert clip(absence, date(2025, 2, 1), date(2025, 2, 28), today=today) == (
        date(2025, 2, 1),
        date(2025, 2, 3),
    )
    assert clip(absence, date(2025, 3, 1), date(2025, 3, 31), today=today) is None


def test_an_open_ended_absence_counts_up_to_today_and_not_beyond_the_period():
    absence = sick(date(2025, 3, 10), None)
    march = (date(2025, 3, 1), date(2025, 3, 31))
    assert clip(absence, *march, today=date(2025, 3, 20)) == (date(2025, 3, 10), date(2025, 3, 20))
    assert clip(absence, *march, today=date(2025, 5, 1)) == (date(2025, 3, 10), date(2025, 3, 31))
    assert clip(absence, *march, today=date(2025, 3, 5)) is None


# --- monthly lines -------------------------------------------------------------------------


def test_an_absence_across_the_year_end_appears_in_both_months_with_their_days():
    absence = sick(date(2024, 12, 28), date(2025, 1, 4), paid=False)
    today = date(2025, 3, 1)
    (december,) = absence_lines_for_month([absence], 2024, 12, today=today)
    (january,) = absence_lines_for_month([absence], 2025, 1, today=today)
    assert december == AbsenceLine(
        employee_id="E1",
        type="sickness",
        paid=False,
        start=date(2024, 12, 28),
        end=date(2024, 12, 31),
        days_in_month=4,
        continues_after_month=True,
        open_ended=False,
    )
    assert (january.start, january.end, january.days_in_month) == (
        date(2025, 1, 1),
        date(2025, 1, 4),
        4,
    )
    assert not january.continues_after_month


def test_an_open_ended_absence_continues_after_a_past_month_but_not_the_current_one():
    absence = sick(date(2025, 1, 20), None)
    (past,) = absence_lines_for_month([absence], 2025, 1, today=date(2025, 2, 10))
    (current,) = absence_lines_for_month([absence], 2025, 2, today=date(2025, 2, 10))
    assert past.open_ended
    assert past.continues_after_month
    assert past.days_in_month == 12
    assert current.open_ended
    assert not current.continues_after_month
    assert current.days_in_month == 10


def test_february_of_a_leap_year_has_29_days_of_absence():
    absence = sick(date(2024, 1, 15), date(2024, 3, 15))
    (line,) = absence_lines_for_month([absence], 2024, 2, today=date(2025, 1, 1))
    assert line.days_in_month == 29
    (line,) = absence_lines_for_month(
        [sick(date(2025, 1, 15), date(2025, 3, 15))], 2025, 2, today=date(2025, 6, 1)
    )
    assert line.days_in_month == 28


def test_lines_are_sorted_by_employee_and_start():
    items = [
        sick(date(2025, 5, 20), date(2025, 5, 21), "E2"),
        sick(date(2025, 5, 10), date(2025, 5, 11), "E2"),
        sick(date(2025, 5, 15), date(2025, 5, 15), "E1"),
    ]
    lines = absence_lines_for_month(items, 2025, 5, today=date(2025, 6, 1))
    assert [(line.employee_id, line.start.day) for line in lines] == [
        ("E1", 15),
        ("E2", 10),
        ("E2", 20),
    ]


def test_totals_count_an_overlapping_day_of_one_type_once_per_employee():
    items = [
        sick(date(2025, 5, 1), date(2025, 5, 10)),
        sick(date(2025, 5, 8), date(2025, 5, 12)),
        sick(date(2025, 5, 1), date(2025, 5, 3), type="annual_leave"),
        sick(date(2025, 5, 1), date(2025, 5, 3), "E2"),
    ]
    lines = absence_lines_for_month(items, 2025, 5, today=date(2025, 6, 1))
    assert totals_by_employee(lines) == {
        "E1": {"annual_leave": 3, "sickness": 12},
        "E2": {"sickness": 3},
    }
    assert totals(lines) == {"annual_leave": 3, "sickness": 15}
    assert absence_days_by_type(lines) == totals(lines)
    assert absence_days_by_type(lines, employee_id="E2") == {"sickness": 3}
    assert absence_days_by_type(lines, employee_id="nobody") == {}


# --- spells and the window ---------------------------------------------------------------


def test_overlapping_and_adjacent_periods_merge_into_one_spell_but_a_gap_day_separates():
    items = [
        sick(date(2025, 1, 1), date(2025, 1, 5)),
        sick(date(2025, 1, 6), date(2025, 1, 8)),  # adjacent
        sick(date(2025, 1, 3), date(2025, 1, 4)),  # inside
        sick(date(2025, 1, 10), date(2025, 1, 10)),  # one free day between
        sick(date(2025, 1, 9), date(2025, 1, 9), type="annual_leave"),  # another type
    ]
    assert merged_spells(items, today=date(2025, 2, 1)) == [
        (date(2025, 1, 1), date(2025, 1, 8)),
        (date(2025, 1, 10), date(2025, 1, 10)),
    ]
    assert merged_spells(items, type="annual_leave", today=date(2025, 2, 1)) == [
        (date(2025, 1, 9), date(2025, 1, 9))
    ]


def test_spells_of_several_employees_are_refused():
    items = [sick(date(2025, 1, 1), None, "E1"), sick(date(2025, 1, 1), None, "E2")]
    with pytest.raises(ValueError, match="more than one employee"):
        merged_spells(items, today=date(2025, 2, 1))


def test_a_spell_spanning_the_window_start_counts_once_with_its_days_inside_the_window():
    items = [
        sick(date(2024, 4, 20), date(2024, 5, 10)),  # window starts 1 May 2024
        sick(date(2025, 4, 1), date(2025, 4, 2)),
        sick(date(2024, 3, 1), date(2024, 3, 5)),  # before the window
    ]
    figures = sickness_in_window(
        items, until=date(2025, 4, 30), window_months=12, today=date(2025, 5, 5)
    )
    assert figures.window_start == date(2024, 5, 1)
    assert figures.window_end == date(2025, 4, 30)
    assert figures.days == 12
    assert figures.spells == 2
    assert figures.longest_continuous == 10
    assert figures.window_days == 365


def test_an_open_ended_sickness_counts_to_today_inside_the_window():
    items = [sick(date(2025, 4, 20), None)]
    figures = sickness_in_window(
        items, until=date(2025, 4, 30), window_months=12, today=date(2025, 4, 25)
    )
    assert (figures.days, figures.spells, figures.longest_continuous) == (6, 1, 6)
    later = sickness_in_window(
        items, until=date(2025, 4, 30), window_months=12, today=date(2025, 8, 1)
    )
    assert later.days == 11


def test_other_absence_types_are_not_sickness():
    items = [sick(date(2025, 1, 1), date(2025, 1, 31), type="family_leave")]
    figures = sickness_in_window(
        items, until=date(2025, 3, 31), window_months=12, today=date(2025, 4, 1)
    )
    assert (figures.days, figures.spells, figures.longest_continuous) == (0, 0, 0)


# --- properties --------------------------------------------------------------------------


@settings(max_examples=300)
@given(
    items=absence_lists(),
    until=dates,
    months=st.integers(1, 18),
    today=dates,
)
def test_sickness_days_are_the_distinct_days_inside_the_window(items, until, months, today):
    figures = sickness_in_window(items, until=until, window_months=months, today=today)
    window = days_of(figures.window_start, until)
    inside = covered_days(items, today) & window
    assert figures.days == len(inside)  # never double-counted
    assert figures.days <= len(window) == figures.window_days
    touching = [
        r
        for r in runs(covered_days(items, today))
        if r[1] >= figures.window_start and r[0] <= until
    ]
    assert figures.spells == len(touching)
    longest = max((len(days_of(*r) & window) for r in touching), default=0)
    assert figures.longest_continuous == longest


@settings(max_examples=300)
@given(items=absence_lists(), today=dates)
def test_merging_finds_the_runs_of_days_and_is_idempotent(items, today):
    spells = merged_spells(items, today=today)
    assert spells == runs(covered_days(items, today))
    assert merge_periods(spells) == spells
    as_absences = [sick(start, end) for start, end in spells]
    assert merged_spells(as_absences, today=today) == spells


@settings(max_examples=300)
@given(absence=absences(types=True), year=st.integers(2023, 2024), today=dates)
def test_a_years_monthly_days_add_up_to_the_days_of_the_years_clip(absence, year, today):
    monthly = sum(
        line.days_in_month
        for month in range(1, 13)
        for line in absence_lines_for_month([absence], year, month, today=today)
    )
    part = clip(absence, date(year, 1, 1), date(year, 12, 31), today=today)
    expected = 0 if part is None else (part[1] - part[0]).days + 1
    assert monthly == expected


@settings(max_examples=200)
@given(
    items=absence_lists(types=True),
    year=st.integers(2023, 2024),
    month=st.integers(1, 12),
    today=dates,
)
def test_monthly_totals_are_the_distinct_days_of_each_type_in_the_month(items, year, month, today):
    lines = absence_lines_for_month(items, year, month, today=today)
    first = date(year, month, 1)
    last = date(year + month // 12, month % 12 + 1, 1) - DAY
    for kind, days in totals(lines).items():
        assert days == len(covered_days(items, today, kind) & days_of(first, last))
    for line in lines:
        assert first <= line.start <= line.end <= last
        assert line.days_in_month == (line.end - line.start).days + 1
