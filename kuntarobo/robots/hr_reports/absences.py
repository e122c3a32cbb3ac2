"""Absence arithmetic for the HR reports: calendar days with inclusive ends.

The monthly report shows each absence's part inside the month; the early-support rules sum
sickness over a window of months. Exports often hold overlapping records (a sick note
extended by a second one), so sums merge them first: a calendar day is counted once.
An open-ended absence (`end_date is None`) is still going on: it counts up to `today`.
Pure Python, no Django.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from kuntarobo.robots.hr_reports.dataset import Absence

ONE_DAY = datetime.timedelta(days=1)


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    """The first and the last day of a calendar month."""
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, 1), datetime.date(year, month, last)


def shift_months(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month `months` later (or earlier, if negative), clamped to the
    length of the target month: 31 March minus one month is 28 or 29 February."""
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return datetime.date(year, month0 + 1, min(day.day, last))


def window_start(until: datetime.date, window_months: int) -> datetime.date:
    """The first day of the `window_months` calendar months that end at `until` (inclusive).

    `until` minus the months plus one day, clamped for month lengths. When `until` is the last
    day of its month the window is whole calendar months (28 Feb 2025 → from 1 Mar 2024, not
    from 29 Feb 2024), so a month-end window never gains a day from a longer month.
    """
    if window_months < 1:
        raise ValueError("a window has at least one month")
    if until == month_bounds(until.year, until.month)[1]:
        return shift_months(until.replace(day=1), -(window_months - 1))
    return shift_months(until, -window_months) + ONE_DAY


def days_between(start: datetime.date, end: datetime.date) -> int:
    """Calendar days from start to end, both included."""
    return (end - start).days + 1


def effective_end(absence: Absence, *, today: datetime.date) -> datetime.date:
    """The last day the absence counts: its end date, or `today` while it is still going."""
    return absence.end_date if absence.end_date is not None else today


def clip(
    absence: Absence, start: datetime.date, end: datetime.date, *, today: datetime.date
) -> tuple[datetime.date, datetime.date] | None:
    """The part of the absence inside [start, end], or None when nothing of it is there.

    An open-ended absence counts up to `today`, never beyond `end`; one that has not started
    by `today` counts nothing yet.
    """
    first = max(absence.start_date, start)
    last = min(effective_end(absence, today=today), end)
    if first > last:
        return None
    return first, last


@dataclass(frozen=True)
class AbsenceLine:
    """One absence as the monthly report shows it: the days inside the month."""

    employee_id: str
    type: str
    paid: bool
    start: datetime.date  # clipped to the month
    end: datetime.date  # clipped to the month (and to today while open-ended)
    days_in_month: int
    continues_after_month: bool  # known to go on past the month's last day
    open_ended: bool  # no end date in the export: still going on


def absence_lines_for_month(
    absences: Iterable[Absence], year: int, month: int, *, today: datetime.date
) -> list[AbsenceLine]:
    """The month's absence lines, sorted by employee and start.

    `continues_after_month` is true when the absence ends after the month, or is still going
    on and today is already past the month (during the month itself the end is not known).
    """
    first, last = month_bounds(year, month)
    lines = []
    for absence in absences:
        part = clip(absence, first, last, today=today)
        if part is None:
            continue
        continues = today > last if absence.end_date is None else absence.end_date > last
        lines.append(
            AbsenceLine(
                employee_id=absence.employee_id,
                type=absence.type,
                paid=absence.paid,
                start=part[0],
                end=part[1],
                days_in_month=days_between(*part),
                continues_after_month=continues,
                open_ended=absence.end_date is None,
            )
        )
    lines.sort(key=lambda line: (line.employee_id, line.start, line.end, line.type))
    return lines


def merge_periods(
    periods: Iterable[tuple[datetime.date, datetime.date]],
) -> list[tuple[datetime.date, datetime.date]]:
    """Overlapping or adjacent periods (end + 1 day == next start) merged, sorted by start."""
    merged: list[tuple[datetime.date, datetime.date]] = []
    for start, end in sorted(periods):
        if merged and start <= merged[-1][1] + ONE_DAY:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _distinct_days(periods: Iterable[tuple[datetime.date, datetime.date]]) -> int:
    return sum(days_between(start, end) for start, end in merge_periods(periods))


def totals_by_employee(lines: Iterable[AbsenceLine]) -> dict[str, dict[str, int]]:
    """Days per employee and absence type; overlapping lines of one type count a day once."""
    periods: dict[str, dict[str, list[tuple[datetime.date, datetime.date]]]] = {}
    for line in lines:
        periods.setdefault(line.employee_id, {}).setdefault(line.type, []).append(
            (line.start, line.end)
        )
    return {
        employee_id: {kind: _distinct_days(spans) for kind, spans in sorted(by_type.items())}
        for employee_id, by_type in sorted(periods.items())
    }


def totals(lines: Iterable[AbsenceLine]) -> dict[str, int]:
    """Days per absence type over all employees (each employee's days counted once)."""
    result: dict[str, int] = {}
    for by_type in totals_by_employee(lines).values():
        for kind, days in by_type.items():
            result[kind] = result.get(kind, 0) + days
    return dict(sorted(result.items()))


def absence_days_by_type(
    lines: Iterable[AbsenceLine], *, employee_id: str | None = None
) -> dict[str, int]:
    """Days per absence type for one employee, or for everyone when `employee_id` is None."""
    if employee_id is None:
        return totals(lines)
    return totals_by_employee(line for line in lines if line.employee_id == employee_id).get(
        employee_id, {}
    )


def _one_employee(absences: Iterable[Absence]) -> list[Absence]:
    """The absences as a list, refusing a mix of employees: sums across people are wrong."""
    items = list(absences)
    if len({a.employee_id for a in items}) > 1:
        raise ValueError("absences of more than one employee")
    return items


def merged_spells(
    absences: Iterable[Absence], *, type: str = "sickness", today: datetime.date
) -> list[tuple[datetime.date, datetime.date]]:
    """One employee's absences of `type` merged into spells: overlapping or adjacent periods
    are one spell. An open-ended absence runs to `today`; one starting later is left out."""
    periods = []
    for absence in _one_employee(absences):
        if absence.type != type:
            continue
        end = effective_end(absence, today=today)
        if absence.start_date <= end:
            periods.append((absence.start_date, end))
    return merge_periods(periods)


@dataclass(frozen=True)
class SicknessFigures:
    """Sickness absence of one employee inside a window: what the early-support rules read."""

    days: int  # distinct calendar days inside the window
    spells: int  # merged spells touching the window (one spanning its start counts)
    window_start: datetime.date
    window_end: datetime.date
    longest_continuous: int  # the longest spell's days inside the window

    @property
    def window_days(self) -> int:
        return days_between(self.window_start, self.window_end)


def sickness_in_window(
    absences_of_one_employee: Iterable[Absence],
    *,
    until: datetime.date,
    window_months: int,
    today: datetime.date,
) -> SicknessFigures:
    """Sickness days and spells in the `window_months` calendar months ending at `until`.

    Spells are merged before counting, so overlapping records count a day once and a sick
    note extended by another is one spell. A spell that began before the window counts as a
    spell, with only its days inside the window.
    """
    start = window_start(until, window_months)
    inside = []
    for spell_start, spell_end in merged_spells(absences_of_one_employee, today=today):
        first, last = max(spell_start, start), min(spell_end, until)
        if first <= last:
            inside.append(days_between(first, last))
    return SicknessFigures(
        days=sum(inside),
        spells=len(inside),
        window_start=start,
        window_end=until,
        longest_continuous=max(inside, default=0),
    )
