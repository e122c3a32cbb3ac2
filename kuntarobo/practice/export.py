"""The practice system's reports: rows for the results screen and the .xlsx download, in the
imitated payroll system's own sheet and column names (see columns.py for the mapping onto the
HR exchange format)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from kuntarobo.practice.data import (
    ABSENCE_CODES,
    MonthData,
    absence_days_in_month,
)
from kuntarobo.practice.xlsx import Cell, write_workbook

REPORTS = {
    "henkilostoaineisto": "Henkilöstöaineisto (kaikki taulukot)",
    "poissaolot": "Poissaolot",
    "palkat": "Palkkatapahtumat",
    "palvelussuhteet": "Palvelussuhteet",
}
FILE_NAMES = {
    "henkilostoaineisto": "palkka-aineisto",
    "poissaolot": "poissaolot",
    "palkat": "palkkatapahtumat",
    "palvelussuhteet": "palvelussuhteet",
}
# The export's sheets and their columns, as the imitated payroll system names them.
SHEET_COLUMNS: dict[str, tuple[str, ...]] = {
    "Yksiköt": (
        "Yksikkötunnus",
        "Yksikön nimi",
        "Esihenkilö",
        "Esihenkilön sähköposti",
        "Asiointikieli",
    ),
    "Henkilöt": ("Henkilönumero", "Sukunimi", "Etunimi", "Yksikkötunnus"),
    "Palvelussuhteet": (
        "Palvelussuhdenumero",
        "Henkilönumero",
        "Yksikkötunnus",
        "Palvelussuhteen laji",
        "Nimike",
        "Alkamispäivä",
        "Päättymispäivä",
        "Päättymisen syy",
        "Osa-aikaprosentti",
    ),
    "Palkkatapahtumat": (
        "Henkilönumero",
        "Maksupäivä",
        "Ansaintajakso alkaa",
        "Ansaintajakso päättyy",
        "Palkkalaji",
        "Summa (€)",
    ),
    "Poissaolot": (
        "Henkilönumero",
        "Alkamispäivä",
        "Päättymispäivä",
        "Poissaolokoodi",
        "Palkallinen",
    ),
}
REPORT_SHEETS = {
    "henkilostoaineisto": tuple(SHEET_COLUMNS),
    "poissaolot": ("Poissaolot",),
    "palkat": ("Palkkatapahtumat",),
    "palvelussuhteet": ("Palvelussuhteet",),
}
# The results screen's columns per report.
SCREEN_COLUMNS: dict[str, tuple[str, ...]] = {
    "henkilostoaineisto": (
        "Yksikkö",
        "Henkilönumero",
        "Nimi",
        "Palvelussuhde",
        "Palkat kuukaudelta (€)",
        "Poissaolopäivät",
    ),
    "poissaolot": (
        "Yksikkö",
        "Henkilönumero",
        "Nimi",
        "Poissaolo",
        "Alkamispäivä",
        "Päättymispäivä",
        "Päiviä kuukaudella",
    ),
    "palkat": ("Yksikkö", "Henkilönumero", "Nimi", "Maksupäivä", "Palkkalaji", "Summa (€)"),
    "palvelussuhteet": (
        "Yksikkö",
        "Henkilönumero",
        "Nimi",
        "Laji",
        "Nimike",
        "Alkamispäivä",
        "Päättymispäivä",
    ),
}


@dataclass(frozen=True)
class Selection:
    """What the report form asked for: a unit id or "all", a month and a report."""

    unit: str
    report: str

    def includes(self, unit_id: str) -> bool:
        return self.unit == "all" or self.unit == unit_id


def euros(cents: int) -> str:
    """Finnish money text: 3 456,78."""
    whole, fraction = divmod(abs(cents), 100)
    text = f"{whole:,}".replace(",", "\u00a0") + f",{fraction:02d}"
    return f"-{text}" if cents < 0 else text


def finnish_date(value: datetime.date | None) -> str:
    return "" if value is None else f"{value.day}.{value.month}.{value.year}"


def screen_rows(data: MonthData, selection: Selection) -> list[tuple[str, ...]]:
    """The results screen's rows of the chosen report (all of them; the screen pages)."""
    first, last = data.first_day, data.last_day
    person = data.person_by_number
    wanted = {p.person_number for p in data.persons if selection.includes(p.unit_id)}
    if selection.report == "henkilostoaineisto":
        salary: dict[str, int] = defaultdict(int)
        for payment in data.payments:
            if first <= payment.paid_on <= last:
                salary[payment.person_number] += payment.amount_cents
        days: dict[str, int] = defaultdict(int)
        for absence in data.absences:
            days[absence.person_number] += absence_days_in_month(absence, first, last)
        kind = {e.person_number: e.kind for e in data.employments}
        return [
            (
                p.unit_id,
                p.person_number,
                p.name,
                kind.get(p.person_number, ""),
                euros(salary[p.person_number]),
                str(days[p.person_number]),
            )
            for p in data.persons
            if p.person_number in wanted
        ]
    if selection.report == "poissaolot":
        return [
            (
                person[a.person_number].unit_id,
                a.person_number,
                person[a.person_number].name,
                f"{a.code} {ABSENCE_CODES[a.code]}",
                finnish_date(a.start),
                finnish_date(a.end),
                str(absence_days_in_month(a, first, last)),
            )
            for a in data.absences
            if a.person_number in wanted and absence_days_in_month(a, first, last) > 0
        ]
    if selection.report == "palkat":
        return [
            (
                person[p.person_number].unit_id,
                p.person_number,
                person[p.person_number].name,
                finnish_date(p.paid_on),
                p.wage_type,
                euros(p.amount_cents),
            )
            for p in data.payments
            if p.person_number in wanted and first <= p.paid_on <= last
        ]
    return [
        (
            e.unit_id,
            e.person_number,
            person[e.person_number].name,
            e.kind,
            e.title,
            finnish_date(e.start),
            finnish_date(e.end),
        )
        for e in data.employments
        if e.person_number in wanted and e.start <= last and (e.end is None or e.end >= first)
    ]


def _sheet_rows(data: MonthData, selection: Selection) -> dict[str, list[list[Cell]]]:
    """The export's sheets as rows (without the header) for the selected unit(s)."""
    wanted = {p.person_number for p in data.persons if selection.includes(p.unit_id)}
    rows: dict[str, Callable[[], list[list[Cell]]]] = {
        "Yksiköt": lambda: [
            [u.unit_id, u.name, u.supervisor, u.supervisor_email, u.language]
            for u in data.units
            if selection.includes(u.unit_id)
        ],
        "Henkilöt": lambda: [
            [p.person_number, p.last_name, p.first_name, p.unit_id]
            for p in data.persons
            if p.person_number in wanted
        ],
        "Palvelussuhteet": lambda: [
            [
                e.employment_number,
                e.person_number,
                e.unit_id,
                e.kind,
                e.title,
                e.start,
                e.end,
                e.end_reason,
                e.part_time_percent,
            ]
            for e in data.employments
            if e.person_number in wanted
        ],
        "Palkkatapahtumat": lambda: [
            [
                p.person_number,
                p.paid_on,
                p.period_start,
                p.period_end,
                p.wage_type,
                p.amount_cents / 100,
            ]
            for p in data.payments
            if p.person_number in wanted
        ],
        "Poissaolot": lambda: [
            [a.person_number, a.start, a.end, a.code, "K" if a.paid else "E"]
            for a in data.absences
            if a.person_number in wanted
        ],
    }
    return {sheet: rows[sheet]() for sheet in REPORT_SHEETS[selection.report]}


def workbook(data: MonthData, selection: Selection) -> bytes:
    """The report as an .xlsx: the selected sheets with their header rows."""
    return write_workbook(
        (sheet, SHEET_COLUMNS[sheet], rows) for sheet, rows in _sheet_rows(data, selection).items()
    )


def file_name(month: str, selection: Selection) -> str:
    """e.g. palkka-aineisto-2026-11.xlsx, or palkka-aineisto-2026-11-1003.xlsx for one unit."""
    unit = "" if selection.unit == "all" else f"-{selection.unit}"
    return f"{FILE_NAMES[selection.report]}-{month}{unit}.xlsx"
