"""What goes in one unit's monthly report: absences, salaries paid, employments started or ended,
and early-support alerts, with the sums a supervisor reads first.

Pure Python (no Django). A work item carries only the unit's slice of the export (see
`unit_payload`), so the report is rebuilt from plain JSON data in `handle`, on any worker.
Money in integer cents; persons sorted by last name, then first name.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from kuntarobo.core import formatting
from kuntarobo.robots.hr_reports.absences import absence_lines_for_month, totals
from kuntarobo.robots.hr_reports.dataset import (
    ABSENCE_TYPES,
    Absence,
    Dataset,
    Employee,
    Employment,
    Payment,
    Unit,
)

PAYLOAD_VERSION = 1


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of a calendar month."""
    first = datetime.date(year, month, 1)
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return first, following - datetime.timedelta(days=1)


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def parse_month(text: str) -> tuple[int, int]:
    """`YYYY-MM` to (year, month); ValueError for anything else."""
    year, _, month = text.partition("-")
    value = (int(year), int(month))
    if not (len(year) == 4 and len(month) == 2 and 1 <= value[1] <= 12):
        raise ValueError(text)
    return value


# --- the report -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    employee_id: str
    last_name: str
    first_name: str

    @property
    def name(self) -> str:
        return f"{self.last_name} {self.first_name}".strip()


@dataclass(frozen=True)
class AbsenceRow:
    person: Person
    type: str
    paid: bool
    start: datetime.date  # within the month
    end: datetime.date  # within the month
    days_in_month: int
    continues_after_month: bool
    open_ended: bool


@dataclass(frozen=True)
class SalaryRow:
    person: Person
    by_income_type: dict[str, int]
    total_cents: int
    previous_cents: int | None  # None when the export has no payments of the previous month


@dataclass(frozen=True)
class EmploymentRow:
    person: Person
    event: str  # started, ended, started_and_ended
    title: str
    type: str
    start_date: datetime.date
    end_date: datetime.date | None
    end_reason: str
    part_time_percent: Decimal


@dataclass(frozen=True)
class AlertRow:
    person: Person
    rule: str
    level: int  # higher is more urgent
    days: int
    spells: int
    window_start: datetime.date
    window_end: datetime.date
    explanation: tuple[str, ...]
    # The same reasons as data ({"code": …, figures}) for the report's language.
    reasons: tuple[dict[str, Any], ...] = ()
    due: datetime.date | None = None  # notify occupational health by this date at the latest


@dataclass(frozen=True)
class UnitReport:
    unit: Unit
    year: int
    month: int
    headcount: int
    absences: tuple[AbsenceRow, ...]
    absence_days_by_type: dict[str, int]
    salaries: tuple[SalaryRow, ...]
    income_types: tuple[str, ...]
    salaries_by_income_type: dict[str, int]
    salaries_total_cents: int
    previous_total_cents: int | None
    employments: tuple[EmploymentRow, ...]
    alerts: tuple[AlertRow, ...]

    @property
    def absence_days_total(self) -> int:
        return sum(self.absence_days_by_type.values())

    @property
    def difference_cents(self) -> int | None:
        if self.previous_total_cents is None:
            return None
        return self.salaries_total_cents - self.previous_total_cents

    @property
    def difference_percent(self) -> Decimal | None:
        return percent_change(self.salaries_total_cents, self.previous_total_cents)

    @property
    def started_count(self) -> int:
        return sum(1 for e in self.employments if e.event in ("started", "started_and_ended"))

    @property
    def ended_count(self) -> int:
        return sum(1 for e in self.employments if e.event in ("ended", "started_and_ended"))

    @property
    def month_text(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def percent_change(current: int, previous: int | None) -> Decimal | None:
    """Change from the previous month in per cent, one decimal; None without a base."""
    if previous is None or previous == 0:
        return None
    change = Decimal(current - previous) * 100 / Decimal(previous)
    return change.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _sort_key(person: Person) -> tuple[str, str, str]:
    return (person.last_name.casefold(), person.first_name.casefold(), person.employee_id)


def build_report(
    unit: Unit,
    data: Dataset,
    *,
    year: int,
    month: int,
    alerts: Sequence[Mapping[str, Any]] = (),
    previous_month_in_export: bool,
    today: datetime.date,
) -> UnitReport:
    """The report of `unit` for the month from the unit's data (employees of other units are
    ignored). `alerts` are the early-support alerts as plain data (see `alert_to_data`)."""
    people = {
        e.employee_id: Person(e.employee_id, e.last_name, e.first_name)
        for e in data.employees
        if e.unit_id == unit.unit_id
    }
    first, last = month_bounds(year, month)
    previous_first, previous_last = month_bounds(*previous_month(year, month))

    def person(employee_id: str) -> Person:
        return people.get(employee_id) or Person(employee_id, employee_id, "")

    absences: list[AbsenceRow] = []
    unit_absences = [a for a in data.absences if a.employee_id in people]
    lines = absence_lines_for_month(unit_absences, year, month, today=today)
    # Overlapping records of one person and type count a day once in the sums.
    days_by_type = {**dict.fromkeys(ABSENCE_TYPES, 0), **totals(lines)}
    for line in lines:
        absences.append(
            AbsenceRow(
                person=person(line.employee_id),
                type=line.type,
                paid=line.paid,
                start=line.start,
                end=line.end,
                days_in_month=line.days_in_month,
                continues_after_month=line.continues_after_month,
                open_ended=line.open_ended,
            )
        )
    absences.sort(key=lambda r: (*_sort_key(r.person), r.start))

    current: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    previous: dict[str, int] = defaultdict(int)
    for payment in data.payments:
        if payment.employee_id not in people:
            continue
        if first <= payment.payment_date <= last:
            current[payment.employee_id][payment.income_type] += payment.amount_cents
        elif previous_first <= payment.payment_date <= previous_last:
            previous[payment.employee_id] += payment.amount_cents
    by_income_type: dict[str, int] = defaultdict(int)
    salaries = []
    for employee_id in set(current) | (set(previous) if previous_month_in_export else set()):
        amounts = dict(sorted(current.get(employee_id, {}).items()))
        for income_type, cents in amounts.items():
            by_income_type[income_type] += cents
        salaries.append(
            SalaryRow(
                person=person(employee_id),
                by_income_type=amounts,
                total_cents=sum(amounts.values()),
                previous_cents=previous.get(employee_id, 0) if previous_month_in_export else None,
            )
        )
    salaries.sort(key=lambda r: _sort_key(r.person))

    employments = []
    active: set[str] = set()
    for employment in data.employments:
        if employment.unit_id != unit.unit_id:
            continue
        if employment.start_date <= last and (
            employment.end_date is None or employment.end_date >= first
        ):
            active.add(employment.employee_id)
        started = first <= employment.start_date <= last
        ended = employment.end_date is not None and first <= employment.end_date <= last
        if not (started or ended):
            continue
        event = "started_and_ended" if started and ended else "started" if started else "ended"
        employments.append(
            EmploymentRow(
                person=person(employment.employee_id),
                event=event,
                title=employment.title,
                type=employment.type,
                start_date=employment.start_date,
                end_date=employment.end_date,
                end_reason=employment.end_reason,
                part_time_percent=employment.part_time_percent,
            )
        )
    employments.sort(key=lambda r: (*_sort_key(r.person), r.start_date))

    alert_rows = [
        AlertRow(
            person=person(str(a["employee_id"])),
            rule=str(a["rule"]),
            level=int(a.get("level") or 0),
            days=int(a.get("days") or 0),
            spells=int(a.get("spells") or 0),
            window_start=datetime.date.fromisoformat(str(a["window_start"])),
            window_end=datetime.date.fromisoformat(str(a["window_end"])),
            explanation=tuple(str(line) for line in a.get("explanation") or ()),
            reasons=tuple(dict(r) for r in a.get("reasons") or () if isinstance(r, dict)),
            due=_date(a.get("due")),
        )
        for a in alerts
    ]
    alert_rows.sort(key=lambda r: (*_sort_key(r.person), -r.level, r.rule))  # most urgent first

    has_previous = previous_month_in_export
    return UnitReport(
        unit=unit,
        year=year,
        month=month,
        headcount=len(active),
        absences=tuple(absences),
        absence_days_by_type=days_by_type,
        salaries=tuple(salaries),
        income_types=tuple(sorted(by_income_type)),
        salaries_by_income_type=dict(sorted(by_income_type.items())),
        salaries_total_cents=sum(by_income_type.values()),
        previous_total_cents=sum(previous.values()) if has_previous else None,
        employments=tuple(employments),
        alerts=tuple(alert_rows),
    )


def format_cents(cents: int) -> str:
    """Finnish euros, "1 234,56 €" (non-breaking thousands), as the shared format writes them."""
    return formatting.format_euros(cents, "fi")


# --- the payload: one unit's slice of the export as JSON data -----------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def alert_to_data(alert: Any) -> dict[str, Any]:
    """An early-support alert (any dataclass with the Alert fields) as JSON data."""
    return dict(_plain(alert))


@dataclass
class UnitSlices:
    """The export indexed by unit once, so that slicing 300 units stays linear."""

    employees: dict[str, list[Employee]]
    employments: dict[str, list[Employment]]
    payments: dict[str, list[Payment]]
    absences: dict[str, list[Absence]]
    previous_month_in_export: bool


def slice_by_unit(data: Dataset, *, year: int, month: int) -> UnitSlices:
    """Group what each unit's report needs: its people, their employments touching the month,
    payments of the month and the previous month, and absences overlapping the month."""
    first, last = month_bounds(year, month)
    previous_first, _ = month_bounds(*previous_month(year, month))
    unit_of = {e.employee_id: e.unit_id for e in data.employees}
    slices = UnitSlices(
        defaultdict(list),
        defaultdict(list),
        defaultdict(list),
        defaultdict(list),
        previous_month_in_export=False,
    )
    for employee in data.employees:
        slices.employees[employee.unit_id].append(employee)
    for employment in data.employments:
        if employment.start_date <= last and (
            employment.end_date is None or employment.end_date >= first
        ):
            slices.employments[employment.unit_id].append(employment)
    for payment in data.payments:
        if previous_first <= payment.payment_date <= last:
            if payment.payment_date < first:
                slices.previous_month_in_export = True
            unit_id = unit_of.get(payment.employee_id)
            if unit_id is not None:
                slices.payments[unit_id].append(payment)
    for absence in data.absences:
        if absence.start_date <= last and (absence.end_date is None or absence.end_date >= first):
            unit_id = unit_of.get(absence.employee_id)
            if unit_id is not None:
                slices.absences[unit_id].append(absence)
    return slices


def unit_payload(
    unit: Unit,
    slices: UnitSlices,
    *,
    year: int,
    month: int,
    alerts: Iterable[Any] = (),
) -> dict[str, Any]:
    """Everything `build_report` needs for one unit, as JSON data (no other unit's people)."""
    unit_id = unit.unit_id
    return {
        "version": PAYLOAD_VERSION,
        "month": f"{year:04d}-{month:02d}",
        "unit": _plain(unit),
        "previous_month_in_export": slices.previous_month_in_export,
        "employees": [_plain(e) for e in slices.employees.get(unit_id, [])],
        "employments": [_plain(e) for e in slices.employments.get(unit_id, [])],
        "payments": [_plain(p) for p in slices.payments.get(unit_id, [])],
        "absences": [_plain(a) for a in slices.absences.get(unit_id, [])],
        "alerts": [alert_to_data(a) for a in alerts],
    }


def _date(text: Any) -> datetime.date | None:
    return datetime.date.fromisoformat(str(text)) if text else None


def _required_date(text: Any) -> datetime.date:
    return datetime.date.fromisoformat(str(text))


def report_from_payload(payload: Mapping[str, Any], *, today: datetime.date) -> UnitReport:
    """Rebuild the unit's data from its payload and make the report."""
    year, month = parse_month(str(payload["month"]))
    unit = Unit(**payload["unit"])
    data = Dataset(
        units=(unit,),
        employees=tuple(Employee(**e) for e in payload["employees"]),
        employments=tuple(
            Employment(
                employment_id=e["employment_id"],
                employee_id=e["employee_id"],
                unit_id=e["unit_id"],
                type=e["type"],
                title=e["title"],
                start_date=_required_date(e["start_date"]),
                end_date=_date(e["end_date"]),
                end_reason=e["end_reason"],
                part_time_percent=Decimal(str(e["part_time_percent"])),
            )
            for e in payload["employments"]
        ),
        payments=tuple(
            Payment(
                employee_id=p["employee_id"],
                payment_date=_required_date(p["payment_date"]),
                period_start=_required_date(p["period_start"]),
                period_end=_required_date(p["period_end"]),
                income_type=p["income_type"],
                amount_cents=int(p["amount_cents"]),
            )
            for p in payload["payments"]
        ),
        absences=tuple(
            Absence(
                employee_id=a["employee_id"],
                start_date=_required_date(a["start_date"]),
                end_date=_date(a["end_date"]),
                type=a["type"],
                paid=bool(a["paid"]),
            )
            for a in payload["absences"]
        ),
    )
    return build_report(
        unit,
        data,
        year=year,
        month=month,
        alerts=payload.get("alerts") or (),
        previous_month_in_export=bool(payload.get("previous_month_in_export")),
        today=today,
    )


# --- the HR summary of all units ----------------------------------------------------------------


@dataclass(frozen=True)
class SummaryRow:
    unit_id: str
    unit_name: str
    headcount: int
    absence_days_by_type: dict[str, int]
    salaries_total_cents: int
    started: int
    ended: int
    alerts: int


def summary_row(report: UnitReport) -> SummaryRow:
    return SummaryRow(
        unit_id=report.unit.unit_id,
        unit_name=report.unit.unit_name,
        headcount=report.headcount,
        absence_days_by_type=dict(report.absence_days_by_type),
        salaries_total_cents=report.salaries_total_cents,
        started=report.started_count,
        ended=report.ended_count,
        alerts=len(report.alerts),
    )
