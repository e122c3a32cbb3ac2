"""The HR exchange data as plain values: what the import produces and the report rules read.

Pure Python (no Django). Money in integer cents; dates as `datetime.date`; an open-ended
employment or absence has `end_date = None`. Diagnoses are never part of it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

LANGUAGES = ("fi", "sv", "en")
EMPLOYMENT_TYPES = ("permanent", "fixed_term")
ABSENCE_TYPES = ("sickness", "family_leave", "annual_leave", "unpaid", "other")


@dataclass(frozen=True, slots=True)  # a million of them: no dict each
class Unit:
    unit_id: str
    unit_name: str
    supervisor_name: str
    supervisor_email: str  # may be empty or invalid: the robot makes that a business exception
    language: str  # fi, sv or en


@dataclass(frozen=True, slots=True)
class Employee:
    employee_id: str
    last_name: str
    first_name: str
    unit_id: str


@dataclass(frozen=True, slots=True)
class Employment:
    employment_id: str
    employee_id: str
    unit_id: str
    type: str  # permanent or fixed_term
    title: str
    start_date: datetime.date
    end_date: datetime.date | None
    end_reason: str
    part_time_percent: Decimal


@dataclass(frozen=True, slots=True)
class Payment:
    employee_id: str
    payment_date: datetime.date
    period_start: datetime.date
    period_end: datetime.date
    income_type: str
    amount_cents: int


@dataclass(frozen=True, slots=True)
class Absence:
    employee_id: str
    start_date: datetime.date
    end_date: datetime.date | None  # None: still going on
    type: str  # one of ABSENCE_TYPES
    paid: bool


@dataclass(frozen=True)
class Dataset:
    units: tuple[Unit, ...] = ()
    employees: tuple[Employee, ...] = ()
    employments: tuple[Employment, ...] = ()
    payments: tuple[Payment, ...] = ()
    absences: tuple[Absence, ...] = ()


@dataclass(frozen=True)
class RowError:
    """One problem in the export: where (sheet, 1-based row as the spreadsheet shows it,
    column), what (a code the UI translates) and the value found."""

    sheet: str
    row: int
    column: str
    problem: str
    value: str = ""
    detail: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        where = f"{self.sheet}, row {self.row}" + (
            f", column '{self.column}'" if self.column else ""
        )
        value = f" ({self.value!r})" if self.value else ""
        return f"{where}: {self.problem}{value}"


class ExportError(Exception):
    """The export cannot be used; `errors` lists every problem found (nothing is sent)."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problems in the export")
        self.errors = errors
