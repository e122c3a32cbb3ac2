"""Early-support (varhainen tuki) alerts from sickness absence, with an explanation line for
every conclusion.

Two kinds of rule: the 30-day rule of the law (the employer must notify occupational health
care when sickness absence reaches 30 days, here summed over the window), and the
municipality's own thresholds for a supervisor discussion or a contact to occupational
health. The thresholds are local configuration; the defaults are a published example
(5 absences or 20 days in 12 months; 10 absences or 30 days). Pure Python, no Django.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields

from kuntarobo.robots.hr_reports.absences import SicknessFigures, month_bounds, sickness_in_window
from kuntarobo.robots.hr_reports.dataset import Absence, Dataset

THIRTY_DAY_RULE = "thirty_day_rule"
DISCUSSION = "discussion"
OCCUPATIONAL_HEALTH = "occupational_health"
# Higher is more urgent: the 30-day rule is a duty of law, the others local practice.
LEVELS = {DISCUSSION: 1, OCCUPATIONAL_HEALTH: 2, THIRTY_DAY_RULE: 3}


@dataclass(frozen=True)
class Thresholds:
    """A municipality's early-support thresholds (stored as JSON)."""

    window_months: int = 12
    notify_occupational_health_days: int = 30
    discussion_spells: int = 5
    discussion_days: int = 20
    occupational_health_spells: int = 10
    occupational_health_days: int = 30

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{item.name} must be a positive integer, not {value!r}")
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
    explanation for the reader and the audit trail."""

    employee_id: str
    rule: str  # thirty_day_rule, discussion or occupational_health
    level: int  # see LEVELS: higher is more urgent
    days: int
    spells: int
    window_start: datetime.date
    window_end: datetime.date
    explanation: list[str] = field(default_factory=list)


def _reached(figures: SicknessFigures, spells: int, days: int) -> list[str]:
    """Which parts of an 'N spells or M days' threshold the figures reach, in words."""
    parts = []
    if figures.spells >= spells:
        parts.append(f"{figures.spells} spells ≥ {spells}")
    if figures.days >= days:
        parts.append(f"{figures.days} days ≥ {days}")
    return parts


def alerts_for_employee(
    employee_id: str,
    absences: Iterable[Absence],
    *,
    as_of: datetime.date,
    thresholds: Thresholds,
    today: datetime.date,
) -> list[Alert]:
    """The alerts for one employee's sickness in the window ending `as_of`, most urgent first.

    Only the stronger of the discussion and the occupational-health thresholds fires; the
    30-day rule is separate, as it is the law rather than local practice.
    """
    own = [absence for absence in absences if absence.employee_id == employee_id]
    figures = sickness_in_window(
        own, until=as_of, window_months=thresholds.window_months, today=today
    )
    summary = (
        f"Sickness absence {figures.window_start.isoformat()} – "
        f"{figures.window_end.isoformat()} ({thresholds.window_months} months): "
        f"{figures.days} days in {figures.spells} spells, the longest "
        f"{figures.longest_continuous} days (overlapping absences counted once)."
    )

    def alert(rule: str, lines: list[str]) -> Alert:
        return Alert(
            employee_id=employee_id,
            rule=rule,
            level=LEVELS[rule],
            days=figures.days,
            spells=figures.spells,
            window_start=figures.window_start,
            window_end=figures.window_end,
            explanation=[summary, *lines],
        )

    alerts = []
    limit = thresholds.notify_occupational_health_days
    if figures.days >= limit:
        alerts.append(
            alert(
                THIRTY_DAY_RULE,
                [
                    f"30-day rule: sickness absence summed over the window has reached "
                    f"{figures.days} days ≥ {limit}; the employer must notify occupational "
                    "health care.",
                ],
            )
        )
    health = _reached(
        figures, thresholds.occupational_health_spells, thresholds.occupational_health_days
    )
    discussion = _reached(figures, thresholds.discussion_spells, thresholds.discussion_days)
    if health:
        alerts.append(
            alert(
                OCCUPATIONAL_HEALTH,
                [
                    f"Occupational health threshold ({thresholds.occupational_health_spells} "
                    f"spells or {thresholds.occupational_health_days} days) reached: "
                    f"{' and '.join(health)}; contact occupational health.",
                    "The supervisor discussion threshold is also reached; the stronger "
                    "measure is proposed.",
                ],
            )
        )
    elif discussion:
        alerts.append(
            alert(
                DISCUSSION,
                [
                    f"Supervisor discussion threshold ({thresholds.discussion_spells} spells "
                    f"or {thresholds.discussion_days} days) reached: "
                    f"{' and '.join(discussion)}; hold an early-support discussion.",
                ],
            )
        )
    return alerts


def alerts_for_units(
    dataset: Dataset,
    *,
    year: int,
    month: int,
    thresholds: Thresholds,
    today: datetime.date,
) -> dict[str, list[Alert]]:
    """Alerts per unit id as of the month's last day (or today, if that is earlier).

    Every unit of the dataset has a key (an empty list when nothing fires); an employee
    belongs to the unit given in `employees`.
    """
    as_of = min(month_bounds(year, month)[1], today)
    by_employee: dict[str, list[Absence]] = {}
    for absence in dataset.absences:
        by_employee.setdefault(absence.employee_id, []).append(absence)
    result: dict[str, list[Alert]] = {unit.unit_id: [] for unit in dataset.units}
    for employee in sorted(dataset.employees, key=lambda e: e.employee_id):
        own = by_employee.get(employee.employee_id, [])
        if not own:
            continue
        alerts = alerts_for_employee(
            employee.employee_id, own, as_of=as_of, thresholds=thresholds, today=today
        )
        result.setdefault(employee.unit_id, []).extend(alerts)
    return result
