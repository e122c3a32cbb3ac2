"""Early-support (varhainen tuki) alerts from sickness absence, with an explanation line for
every conclusion, and the same conclusions as structured reasons that the report writes in
its own language.

Two kinds of rule:

- the 30-day rule of the law: työterveyshuoltolaki 1383/2001 10 a § obliges the employer to
  notify occupational health care *at the latest when the absence has continued a month*. A
  continuous spell has continued a month when it covers a whole calendar month from its first
  day (1.–28.2. is a month; 15.1.–14.2. is one), or 30 days if that comes first; spells are
  also summed over a window (30 days, the figure of the domain guidance; many employers sum
  over 12 months). The limit can be lowered but never raised above 30 days.
  An ongoing spell is evaluated at every run: one that will have continued a month before the
  next monthly run is alerted now, with the date by which occupational health must be told.
- the municipality's own thresholds for a supervisor discussion or a contact to occupational
  health, each over its own window (e.g. "3 spells in 4 months"). The defaults are a
  published example (5 absences or 20 days in 12 months; 10 absences or 30 days).

Pure Python, no Django.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from kuntarobo.robots.hr_reports.absences import (
    ONE_DAY,
    SicknessFigures,
    merge_periods,
    month_bounds,
    shift_months,
    sickness_in_window,
    window_start,
)
from kuntarobo.robots.hr_reports.dataset import Absence, Dataset

THIRTY_DAY_RULE = "thirty_day_rule"
DISCUSSION = "discussion"
OCCUPATIONAL_HEALTH = "occupational_health"
# Higher is more urgent: the 30-day rule is a duty of law, the others local practice.
LEVELS = {DISCUSSION: 1, OCCUPATIONAL_HEALTH: 2, THIRTY_DAY_RULE: 3}
# työterveyshuoltolaki 1383/2001 10 a §: "viimeistään, kun poissaolo on jatkunut kuukauden";
# summed over spells, a month is counted as 30 days. A municipality may notify earlier only.
LEGAL_LIMIT_DAYS = 30
# The margin after the same day next month that still counts as "before the next monthly run"
# (the run is on the first working day of the month, which may be a few days later).
NEXT_RUN_MARGIN = datetime.timedelta(days=7)
OPEN_END = datetime.date(9999, 12, 30)  # no end given (one day short of the last date)


@dataclass(frozen=True)
class Thresholds:
    """A municipality's early-support thresholds (stored as JSON). `window_months` is the
    window over which the 30-day rule sums spells; each local rule has its own window."""

    window_months: int = 12
    notify_occupational_health_days: int = LEGAL_LIMIT_DAYS
    discussion_spells: int = 5
    discussion_days: int = 20
    occupational_health_spells: int = 10
    occupational_health_days: int = 30
    discussion_window_months: int = 12
    occupational_health_window_months: int = 12

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{item.name} must be a positive integer, not {value!r}")
        if self.notify_occupational_health_days > LEGAL_LIMIT_DAYS:
            raise ValueError(
                f"notify_occupational_health_days must not be above the legal limit of "
                f"{LEGAL_LIMIT_DAYS} days (työterveyshuoltolaki 1383/2001 10 a §)"
            )
        if self.occupational_health_spells < self.discussion_spells:
            raise ValueError("occupational_health_spells must not be below discussion_spells")
        if self.occupational_health_days < self.discussion_days:
            raise ValueError("occupational_health_days must not be below discussion_days")

    @classmethod
    def from_json(cls, data: object) -> Thresholds:
        """Read stored thresholds; missing keys take the defaults, unknown keys are refused."""
        if not isinstance(data, dict):
            raise ValueError("thresholds must be a JSON object")
        known = {item.name for item in fields(cls)}
        unknown = sorted(str(key) for key in data if key not in known)
        if unknown:
            raise ValueError(f"unknown thresholds: {', '.join(unknown)}")
        return cls(**{str(key): value for key, value in data.items()})

    def to_json(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class Alert:
    """One early-support conclusion for one employee; figures for the report, the
    explanation (English) for the audit trail, the reasons as data for the report's language.

    `key` tells one occurrence of the rule from another across runs: the first day of the spell
    for a continuous month, otherwise the rule's window ("window"). `due` is the date by which
    occupational health must be told when the month is reached only after this run."""

    employee_id: str
    rule: str  # thirty_day_rule, discussion or occupational_health
    level: int  # see LEVELS: higher is more urgent
    days: int
    spells: int
    window_start: datetime.date
    window_end: datetime.date
    explanation: list[str] = field(default_factory=list)
    reasons: list[dict[str, Any]] = field(default_factory=list)
    key: str = "window"
    due: datetime.date | None = None


def _reached(figures: SicknessFigures, spells: int, days: int) -> list[str]:
    """Which parts of an 'N spells or M days' threshold the figures reach, in words."""
    parts = []
    if figures.spells >= spells:
        parts.append(f"{figures.spells} spells ≥ {spells}")
    if figures.days >= days:
        parts.append(f"{figures.days} days ≥ {days}")
    return parts


def month_completed_on(start: datetime.date) -> datetime.date:
    """The day on which a spell that began on `start` has continued one calendar month: the
    day before the same day of the next month (1.2. → 28.2.; 15.1. → 14.2.; 31.1. → 27.2.,
    February having no 31st)."""
    return shift_months(start, 1) - ONE_DAY


def _open_spells(absences: Iterable[Absence]) -> list[tuple[datetime.date, datetime.date]]:
    """Sickness spells with their known ends (OPEN_END while no end is given), merged."""
    periods = [
        (a.start_date, a.end_date if a.end_date is not None else OPEN_END)
        for a in absences
        if a.type == "sickness" and (a.end_date is None or a.start_date <= a.end_date)
    ]
    return merge_periods(periods)


def _summary(figures: SicknessFigures, months: int) -> tuple[str, dict[str, Any]]:
    text = (
        f"Sickness absence {figures.window_start.isoformat()} – "
        f"{figures.window_end.isoformat()} ({months} months): "
        f"{figures.days} days in {figures.spells} spells, the longest "
        f"{figures.longest_continuous} days (overlapping absences counted once)."
    )
    reason = {
        "code": "window",
        "start": figures.window_start.isoformat(),
        "end": figures.window_end.isoformat(),
        "months": months,
        "days": figures.days,
        "spells": figures.spells,
        "longest": figures.longest_continuous,
    }
    return text, reason


def thirty_day_alert(
    employee_id: str,
    own: list[Absence],
    *,
    as_of: datetime.date,
    horizon: datetime.date,
    thresholds: Thresholds,
    today: datetime.date,
) -> Alert | None:
    """The 30-day rule as of `as_of`: reached, or (for a spell still going on) reached by
    `horizon`, the time of the next run. None when neither."""
    limit = thresholds.notify_occupational_health_days
    months = thresholds.window_months
    figures = sickness_in_window(own, until=as_of, window_months=months, today=today)
    first_day = window_start(as_of, months)
    reached: list[tuple[datetime.date, str, dict[str, Any], str]] = []
    due: list[tuple[datetime.date, str, dict[str, Any], str]] = []
    for start, end in _open_spells(own):
        if start > horizon:
            continue
        on = min(month_completed_on(start), start + (limit - 1) * ONE_DAY)
        if on > end or on < first_day:
            continue  # ended before a month, or reached before the window (an earlier report)
        key = f"spell:{start.isoformat()}"
        if on <= min(as_of, today):
            line = (
                f"30-day rule: the spell from {start.isoformat()} has continued a month "
                f"(a calendar month or {limit} days) on {on.isoformat()}; the employer must "
                "notify occupational health care."
            )
            reached.append(
                (
                    on,
                    line,
                    {
                        "code": "month_reached",
                        "start": start.isoformat(),
                        "on": on.isoformat(),
                        "limit": limit,
                    },
                    key,
                )
            )
        elif on <= horizon:
            line = (
                f"30-day rule: the spell from {start.isoformat()} is still going on and will "
                f"have continued a month on {on.isoformat()}; notify occupational health care "
                f"by {on.isoformat()} at the latest."
            )
            due.append(
                (
                    on,
                    line,
                    {
                        "code": "month_due",
                        "start": start.isoformat(),
                        "on": on.isoformat(),
                        "limit": limit,
                    },
                    key,
                )
            )
    if figures.days >= limit:
        line = (
            f"30-day rule: sickness absence summed over the window has reached "
            f"{figures.days} days ≥ {limit}; the employer must notify occupational health care."
        )
        reached.append(
            (as_of, line, {"code": "sum_reached", "days": figures.days, "limit": limit}, "window")
        )
    elif not reached and not due:
        going_on = [end for start, end in _open_spells(own) if start <= as_of < end]
        if going_on:
            on = as_of + (limit - figures.days) * ONE_DAY
            if on <= min(horizon, max(going_on)):
                line = (
                    f"30-day rule: sickness absence summed over the window is {figures.days} "
                    f"days and a spell is still going on: {limit} days are reached on "
                    f"{on.isoformat()}; notify occupational health care by then at the latest."
                )
                due.append(
                    (
                        on,
                        line,
                        {
                            "code": "sum_due",
                            "days": figures.days,
                            "limit": limit,
                            "on": on.isoformat(),
                        },
                        "window",
                    )
                )
    chosen = reached or due
    if not chosen:
        return None
    chosen.sort(key=lambda found: found[0])
    summary, summary_reason = _summary(figures, months)
    return Alert(
        employee_id=employee_id,
        rule=THIRTY_DAY_RULE,
        level=LEVELS[THIRTY_DAY_RULE],
        days=figures.days,
        spells=figures.spells,
        window_start=figures.window_start,
        window_end=figures.window_end,
        explanation=[summary, *(found[1] for found in chosen)],
        reasons=[summary_reason, *(found[2] for found in chosen)],
        key=chosen[0][3],
        due=None if reached else chosen[0][0],
    )


def alerts_for_employee(
    employee_id: str,
    absences: Iterable[Absence],
    *,
    as_of: datetime.date,
    thresholds: Thresholds,
    today: datetime.date,
    thirty_day_as_of: datetime.date | None = None,
    horizon: datetime.date | None = None,
) -> list[Alert]:
    """The alerts for one employee's sickness in the windows ending `as_of`, most urgent
    first: at most one per rule.

    The 30-day rule is evaluated as of `thirty_day_as_of` (default `as_of`), looking ahead to
    `horizon` for a spell still going on. Of the local thresholds only the stronger of the
    discussion and the occupational-health thresholds fires.
    """
    own = [absence for absence in absences if absence.employee_id == employee_id]
    alerts = []
    rule_as_of = thirty_day_as_of or as_of
    thirty = thirty_day_alert(
        employee_id,
        own,
        as_of=rule_as_of,
        horizon=max(horizon or rule_as_of, rule_as_of),
        thresholds=thresholds,
        today=today,
    )
    if thirty is not None:
        alerts.append(thirty)

    def local(rule: str, months: int, spells: int, days: int) -> tuple[SicknessFigures, list[str]]:
        figures = sickness_in_window(own, until=as_of, window_months=months, today=today)
        return figures, _reached(figures, spells, days)

    health_figures, health = local(
        OCCUPATIONAL_HEALTH,
        thresholds.occupational_health_window_months,
        thresholds.occupational_health_spells,
        thresholds.occupational_health_days,
    )
    discussion_figures, discussion = local(
        DISCUSSION,
        thresholds.discussion_window_months,
        thresholds.discussion_spells,
        thresholds.discussion_days,
    )

    def alert(
        rule: str, figures: SicknessFigures, months: int, lines: list[str], reasons: list[Any]
    ) -> Alert:
        summary, summary_reason = _summary(figures, months)
        return Alert(
            employee_id=employee_id,
            rule=rule,
            level=LEVELS[rule],
            days=figures.days,
            spells=figures.spells,
            window_start=figures.window_start,
            window_end=figures.window_end,
            explanation=[summary, *lines],
            reasons=[summary_reason, *reasons],
        )

    if health:
        lines = [
            f"Occupational health threshold ({thresholds.occupational_health_spells} "
            f"spells or {thresholds.occupational_health_days} days) reached: "
            f"{' and '.join(health)}; contact occupational health.",
        ]
        reasons: list[Any] = [
            {
                "code": "health_reached",
                "spells": health_figures.spells,
                "days": health_figures.days,
                "spells_limit": thresholds.occupational_health_spells,
                "days_limit": thresholds.occupational_health_days,
            }
        ]
        if discussion:
            lines.append(
                "The supervisor discussion threshold is also reached; the stronger "
                "measure is proposed."
            )
            reasons.append({"code": "also_discussion"})
        alerts.append(
            alert(
                OCCUPATIONAL_HEALTH,
                health_figures,
                thresholds.occupational_health_window_months,
                lines,
                reasons,
            )
        )
    elif discussion:
        alerts.append(
            alert(
                DISCUSSION,
                discussion_figures,
                thresholds.discussion_window_months,
                [
                    f"Supervisor discussion threshold ({thresholds.discussion_spells} spells "
                    f"or {thresholds.discussion_days} days) reached: "
                    f"{' and '.join(discussion)}; hold an early-support discussion.",
                ],
                [
                    {
                        "code": "discussion_reached",
                        "spells": discussion_figures.spells,
                        "days": discussion_figures.days,
                        "spells_limit": thresholds.discussion_spells,
                        "days_limit": thresholds.discussion_days,
                    }
                ],
            )
        )
    return alerts


def evaluation_dates(
    year: int, month: int, today: datetime.date
) -> tuple[datetime.date, datetime.date, datetime.date]:
    """(as_of, thirty_day_as_of, horizon) of a report of `year`-`month` made `today`.

    The local thresholds are read as of the month's last day (or today, if that is earlier).
    The 30-day rule is read as of today when the month is the current or the previous one (the
    monthly run), looking ahead to the next monthly run, so that an ongoing spell is never
    alerted a month late; for an older month it is read as of the month's end, without looking
    ahead."""
    month_end = month_bounds(year, month)[1]
    as_of = min(month_end, today)
    previous = shift_months(today.replace(day=1), -1)
    if (year, month) >= (previous.year, previous.month):
        return as_of, today, shift_months(today, 1) + NEXT_RUN_MARGIN
    return as_of, as_of, as_of


def alerts_for_units(
    dataset: Dataset,
    *,
    year: int,
    month: int,
    thresholds: Thresholds,
    today: datetime.date,
) -> dict[str, list[Alert]]:
    """Alerts per unit id (see `evaluation_dates` for the dates they are read as of).

    Every unit of the dataset has a key (an empty list when nothing fires); an employee
    belongs to the unit given in `employees`.
    """
    as_of, thirty_day_as_of, horizon = evaluation_dates(year, month, today)
    by_employee: dict[str, list[Absence]] = {}
    for absence in dataset.absences:
        by_employee.setdefault(absence.employee_id, []).append(absence)
    result: dict[str, list[Alert]] = {unit.unit_id: [] for unit in dataset.units}
    for employee in sorted(dataset.employees, key=lambda e: e.employee_id):
        own = by_employee.get(employee.employee_id, [])
        if not own:
            continue
        alerts = alerts_for_employee(
            employee.employee_id,
            own,
            as_of=as_of,
            thresholds=thresholds,
            today=today,
            thirty_day_as_of=thirty_day_as_of,
            horizon=horizon,
        )
        result.setdefault(employee.unit_id, []).extend(alerts)
    return result


def previous_month_text(month: str) -> str:
    """ "2026-03" → "2026-02"; "2026-01" → "2025-12"."""
    year, number = (int(part) for part in month.split("-"))
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"


def split_reported(
    alerts: Iterable[Alert],
    reported: dict[tuple[str, str, str], tuple[str, str]],
    month: str,
) -> tuple[list[Alert], list[tuple[Alert, str]]]:
    """The alerts that are new this month, and those already reported with the month they
    first were: one alert per employee and rule, not one per run.

    `reported` maps (employee, rule, key) to (first month, last month) of a delivered report.
    A continuous month (key "spell:…") is reported once for its spell. A window rule reported
    last month and still reached is the same alert; after a month without it, it is new. A
    report of the same month again (a resend) shows its alerts again."""
    previous = previous_month_text(month)
    new: list[Alert] = []
    earlier: list[tuple[Alert, str]] = []
    for alert in alerts:
        found = reported.get((alert.employee_id, alert.rule, alert.key))
        if found is not None:
            first, last = found
            if first < month and (alert.key.startswith("spell:") or last >= previous):
                earlier.append((alert, first))
                continue
        new.append(alert)
    return new, earlier
