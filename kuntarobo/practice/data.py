"""The practice system's invented payroll data: units, persons, employments, payments and
absences of one month, in the imitated payroll system's own terms (Finnish codes).

Deterministic and pure: the same month, sizes and seed give the same rows, so tests and robots
can count on them. Every name is invented. Generated once per month and size (cached), fast
enough for 300 units of 10 employees well under a second.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import random
import zlib
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

EMPLOYMENT_KINDS = ("VAK", "MÄÄR")  # vakinainen, määräaikainen
ABSENCE_CODES = {
    "SA": "Sairausloma",
    "VL": "Vuosiloma",
    "PV": "Perhevapaa",
    "PL": "Palkaton loma",
    "MU": "Muu poissaolo",
}
LANGUAGES = ("suomi", "ruotsi")
HELSINKI = ZoneInfo("Europe/Helsinki")  # the imitated system's clock
PAYDAY = 15  # every payment of a month is paid on its 15th

UNIT_NAMES = (
    "Keskustan päiväkoti",
    "Kirjasto- ja kulttuuripalvelut",
    "Terveysasema",
    "Kotihoito",
    "Tekninen keskus",
    "Nuorisopalvelut",
    "Yhtenäiskoulu",
    "Ruokapalvelut",
    "Liikuntapalvelut",
    "Hallintopalvelut",
)
SWEDISH_UNIT_NAMES = (
    "Svenska daghemmet",
    "Svenska skolan",
    "Hemvården, svenska enheten",
)
TITLES = (
    "Lastentarhanopettaja",
    "Sairaanhoitaja",
    "Lähihoitaja",
    "Kirjastovirkailija",
    "Toimistosihteeri",
    "Kiinteistönhoitaja",
    "Ruokapalvelutyöntekijä",
    "Luokanopettaja",
    "Nuoriso-ohjaaja",
    "Suunnittelija",
)
LAST_NAMES = (
    "Korhonen",
    "Virtanen",
    "Mäkinen",
    "Nieminen",
    "Mäkelä",
    "Hämäläinen",
    "Laine",
    "Heikkinen",
    "Koskinen",
    "Järvinen",
    "Lehtonen",
    "Saarinen",
    "Salminen",
    "Heinonen",
    "Niemi",
    "Lindqvist",
    "Holmström",
    "Ekström",
)
FIRST_NAMES = (
    "Aino",
    "Eino",
    "Helmi",
    "Väinö",
    "Sanna",
    "Mikko",
    "Laura",
    "Juha",
    "Kaisa",
    "Pekka",
    "Emilia",
    "Onni",
)
SWEDISH_FIRST_NAMES = ("Elsa", "Johan", "Maja", "Erik", "Ebba", "Anders")
END_REASONS = {
    "MÄÄR": "Määräaika päättyi",
    "VAK": "Irtisanoutuminen",
}


@dataclass(frozen=True, slots=True)
class UnitRow:
    unit_id: str
    name: str
    supervisor: str
    supervisor_email: str
    language: str  # "suomi" or "ruotsi"


@dataclass(frozen=True, slots=True)
class PersonRow:
    person_number: str
    last_name: str
    first_name: str
    unit_id: str

    @property
    def name(self) -> str:
        return f"{self.last_name} {self.first_name}"


@dataclass(frozen=True, slots=True)
class EmploymentRow:
    employment_number: str
    person_number: str
    unit_id: str
    kind: str  # VAK or MÄÄR
    title: str
    start: datetime.date
    end: datetime.date | None
    end_reason: str
    part_time_percent: int


@dataclass(frozen=True, slots=True)
class PaymentRow:
    person_number: str
    paid_on: datetime.date
    period_start: datetime.date
    period_end: datetime.date
    wage_type: str
    amount_cents: int


@dataclass(frozen=True, slots=True)
class AbsenceRow:
    person_number: str
    start: datetime.date
    end: datetime.date | None  # None: still going on
    code: str  # a key of ABSENCE_CODES
    paid: bool


@dataclass(frozen=True)
class MonthData:
    """Everything the payroll system holds for one month's reports and export: payments of the
    month and the eleven before it, absences of the same twelve months."""

    month: str
    units: tuple[UnitRow, ...]
    persons: tuple[PersonRow, ...]
    employments: tuple[EmploymentRow, ...]
    payments: tuple[PaymentRow, ...]
    absences: tuple[AbsenceRow, ...]
    unit_by_id: dict[str, UnitRow] = field(default_factory=dict, compare=False)
    person_by_number: dict[str, PersonRow] = field(default_factory=dict, compare=False)

    @property
    def first_day(self) -> datetime.date:
        return month_start(self.month)

    @property
    def last_day(self) -> datetime.date:
        return month_end(self.month)


def parse_month(text: str) -> tuple[int, int]:
    """`YYYY-MM` to (year, month); ValueError for anything else."""
    year, dash, month = text.strip().partition("-")
    if not (dash and len(year) == 4 and len(month) == 2 and year.isdigit() and month.isdigit()):
        raise ValueError(text)
    value = (int(year), int(month))
    if not 1 <= value[1] <= 12 or value[0] < 1900:
        raise ValueError(text)
    return value


def month_text(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def shift_month(month: str, months: int) -> str:
    year, number = parse_month(month)
    index = year * 12 + number - 1 + months
    return month_text(index // 12, index % 12 + 1)


def month_start(month: str) -> datetime.date:
    return datetime.date(*parse_month(month), 1)


def month_end(month: str) -> datetime.date:
    year, number = parse_month(month)
    return datetime.date(year, number, calendar.monthrange(year, number)[1])


def current_month(today: datetime.date | None = None) -> str:
    today = today or datetime.datetime.now(HELSINKI).date()
    return month_text(today.year, today.month)


def _days(start: datetime.date, days: int) -> datetime.date:
    return start + datetime.timedelta(days=days - 1)


@functools.lru_cache(maxsize=16)
def generate_month(
    month: str,
    units: int,
    employees_per_unit: int,
    seed: int = 1,
    mail_domain: str = "esimerkkila.fi",
) -> MonthData:
    """The month's data for `units` units of `employees_per_unit` employees each (cached)."""
    first = month_start(month)
    last = month_end(month)
    pay_months = [
        (month_start(m), month_end(m), m.endswith("-06"), zlib.crc32(f"{seed}/{m}".encode()))
        for m in (shift_month(month, -back) for back in range(11, -1, -1))
    ]
    unit_rows: list[UnitRow] = []
    persons: list[PersonRow] = []
    employments: list[EmploymentRow] = []
    payments: list[PaymentRow] = []
    absences: list[AbsenceRow] = []
    for n in range(units):
        unit_id = str(1000 + n)
        unit_random = random.Random(f"{seed}/unit/{unit_id}")  # noqa: S311 (invented data)
        month_random = random.Random(f"{seed}/unit/{unit_id}/{month}")  # noqa: S311
        unit = _unit(n, unit_random, mail_domain)
        swedish = unit.language == "ruotsi"
        unit_rows.append(unit)
        for k in range(employees_per_unit):
            number = str(10001 + n * employees_per_unit + k)
            person_random = unit_random  # drawn in the same order every month
            first_names = SWEDISH_FIRST_NAMES if swedish and k % 2 == 0 else FIRST_NAMES
            persons.append(
                PersonRow(
                    number,
                    person_random.choice(LAST_NAMES),
                    person_random.choice(first_names),
                    unit_id,
                )
            )
            kind = "MÄÄR" if person_random.random() < 0.2 else "VAK"
            part_time = 100 if person_random.random() < 0.85 else person_random.choice((60, 80))
            start = datetime.date(first.year - person_random.randint(1, 15), 1 + k % 12, 1)
            end: datetime.date | None = None
            end_reason = ""
            chance = month_random.random()
            if chance < 0.06:  # started this month (a new fixed-term employment)
                kind = "MÄÄR"
                start = first + datetime.timedelta(days=month_random.randint(0, 9))
            elif chance < 0.11:  # ends this month
                end = last - datetime.timedelta(days=month_random.randint(0, 9))
                end_reason = END_REASONS[kind]
            employments.append(
                EmploymentRow(
                    employment_number=f"{number}-1",
                    person_number=number,
                    unit_id=unit_id,
                    kind=kind,
                    title=TITLES[(n + k) % len(TITLES)],
                    start=start,
                    end=end,
                    end_reason=end_reason,
                    part_time_percent=part_time,
                )
            )
            salary = (2600 + person_random.randint(0, 1800)) * part_time  # cents: euros × %
            employed_from = datetime.date(start.year, start.month, 1)
            bonus = zlib.crc32(number.encode())
            for period_start, period_end, june, month_hash in pay_months:
                if period_start < employed_from:
                    continue
                paid_on = period_start.replace(day=PAYDAY)
                payments.append(
                    PaymentRow(number, paid_on, period_start, period_end, "Kuukausipalkka", salary)
                )
                extra = (bonus ^ month_hash) % 75_000
                if extra % 3 == 0:
                    payments.append(
                        PaymentRow(
                            number,
                            paid_on,
                            period_start,
                            period_end,
                            "Ilta- ja viikonloppulisät",
                            5000 + extra // 3,
                        )
                    )
                if june:
                    payments.append(
                        PaymentRow(
                            number, paid_on, period_start, period_end, "Lomaraha", salary // 2
                        )
                    )
            absences += _absences(number, month, first, last, person_random, month_random)
    return MonthData(
        month=month,
        units=tuple(unit_rows),
        persons=tuple(persons),
        employments=tuple(employments),
        payments=tuple(payments),
        absences=tuple(absences),
        unit_by_id={u.unit_id: u for u in unit_rows},
        person_by_number={p.person_number: p for p in persons},
    )


def _unit(n: int, unit_random: random.Random, mail_domain: str) -> UnitRow:
    """Unit number n (from 0); every fifth unit is Swedish-speaking. Draws the supervisor's
    name first from the unit's random stream, so the unit list alone is cheap."""
    swedish = n % 5 == 3
    names = SWEDISH_UNIT_NAMES if swedish else UNIT_NAMES
    index = n // 5 if swedish else n
    name = names[index % len(names)]
    if index >= len(names):
        name = f"{name} {index // len(names) + 1}"
    unit_id = str(1000 + n)
    return UnitRow(
        unit_id=unit_id,
        name=name,
        supervisor=(
            f"{unit_random.choice(LAST_NAMES)} "
            f"{unit_random.choice(SWEDISH_FIRST_NAMES if swedish else FIRST_NAMES)}"
        ),
        supervisor_email=f"esihenkilo.{unit_id}@{mail_domain}",
        language="ruotsi" if swedish else "suomi",
    )


@functools.lru_cache(maxsize=16)
def generate_units(
    units: int, seed: int = 1, mail_domain: str = "esimerkkila.fi"
) -> tuple[UnitRow, ...]:
    """The units alone, as every month has them (the report form's list)."""
    return tuple(
        _unit(n, random.Random(f"{seed}/unit/{1000 + n}"), mail_domain)  # noqa: S311
        for n in range(units)
    )


def _absences(
    number: str,
    month: str,
    first: datetime.date,
    last: datetime.date,
    person_random: random.Random,
    month_random: random.Random,
) -> list[AbsenceRow]:
    """A person's absences in the twelve months up to the month: most have a few, about one in
    twelve has repeated short sickness (an early-support discussion is due) and a few one long
    sickness still going on (the 30-day notice to occupational health)."""
    rows: list[AbsenceRow] = []
    profile = person_random.random()
    if profile < 0.08:  # repeated short sick leaves: six spells in a year
        for back in (10, 8, 6, 4, 2, 0):
            start = month_start(shift_month(month, -back)) + datetime.timedelta(
                days=person_random.randint(2, 20)
            )
            rows.append(AbsenceRow(number, start, _days(start, 3), "SA", True))
    elif profile < 0.11:  # one long sick leave, still going on
        start = first - datetime.timedelta(days=20)
        rows.append(AbsenceRow(number, start, None, "SA", True))
    else:  # at most one absence of each kind, never overlapping
        choice = month_random.random()
        if choice < 0.03:
            rows.append(AbsenceRow(number, first, _days(first, 90), "PV", False))
            return rows
        if choice < 0.05:
            start = first + datetime.timedelta(days=month_random.randint(20, 24))
            rows.append(AbsenceRow(number, start, _days(start, 3), "PL", False))
        elif choice < 0.06:
            rows.append(AbsenceRow(number, last, last, "MU", True))
        if month_random.random() < 0.25:
            start = first + datetime.timedelta(days=month_random.randint(0, 6))
            end = _days(start, month_random.randint(1, 3))
            rows.append(AbsenceRow(number, start, end, "SA", True))
        if month_random.random() < 0.15:
            start = first + datetime.timedelta(days=month_random.randint(10, 12))
            rows.append(AbsenceRow(number, start, _days(start, 7), "VL", True))
    rows.sort(key=lambda a: a.start)
    return rows


def absence_days_in_month(absence: AbsenceRow, first: datetime.date, last: datetime.date) -> int:
    """Calendar days of the absence within the month (an open one runs to the month's end)."""
    start = max(absence.start, first)
    end = min(absence.end or last, last)
    return max(0, (end - start).days + 1)
