"""The supervisor's workbook of one unit and HR's summary of all units (xlsxwriter; pure).

Labels come from a translation table here (fi, sv, en) because the workbook is written in the
unit's language whatever the platform's language is. Rows are written strictly in order, so
a workbook written to a file uses xlsxwriter's constant_memory mode; one written to bytes is
built in memory (small). Money is written as euros (cents / 100) with a number format, dates
as dates with the format d.m.yyyy, so that supervisors can sum and filter.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from kuntarobo.core.spreadsheet_safety import starts_like_formula
from kuntarobo.robots.hr_reports.dataset import ABSENCE_TYPES
from kuntarobo.robots.hr_reports.reports import AlertRow, SummaryRow, UnitReport

EURO_FORMAT = '#,##0.00\\ "€"'
DATE_FORMAT = "d.m.yyyy"
PERCENT_FORMAT = '0.0\\ "%"'
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

LABELS: dict[str, dict[str, str]] = {
    "fi": {
        "sheet_absences": "Poissaolot",
        "sheet_salaries": "Palkat",
        "sheet_employments": "Palvelussuhteet",
        "sheet_alerts": "Varhainen tuki",
        "sheet_summary": "Yhteenveto",
        "employee_id": "Henkilönumero",
        "name": "Nimi",
        "type": "Laji",
        "paid": "Palkallinen",
        "start": "Alkaa",
        "end": "Päättyy",
        "days_in_month": "Päiviä kuussa",
        "continues": "Jatkuu",
        "yes": "kyllä",
        "no": "ei",
        "open_ended": "avoin",
        "total": "Yhteensä",
        "previous_month": "Edellinen kuukausi",
        "difference": "Muutos",
        "difference_percent": "Muutos %",
        "event": "Tapahtuma",
        "title": "Nimike",
        "employment_type": "Palvelussuhteen laji",
        "end_reason": "Päättymisen syy",
        "part_time": "Osa-aikaprosentti",
        "rule": "Sääntö",
        "level": "Taso",
        "days": "Päivät",
        "spells": "Poissaolokerrat",
        "window_start": "Tarkastelujakso alkaa",
        "window_end": "Tarkastelujakso päättyy",
        "due": "Ilmoitettava viimeistään",
        "explanation": "Peruste",
        "unit_id": "Yksikkö",
        "unit_name": "Yksikön nimi",
        "headcount": "Henkilöstö",
        "salaries_total": "Palkat yhteensä",
        "started": "Alkaneet",
        "ended": "Päättyneet",
        "alerts": "Hälytykset",
        "absence_days": "Poissaolopäivät",
        "unit": "Yksikkö",
        "month": "Kuukausi",
        "none": "Ei rivejä tässä kuussa.",
        "sickness": "sairaus",
        "family_leave": "perhevapaa",
        "annual_leave": "vuosiloma",
        "unpaid": "palkaton vapaa",
        "other": "muu",
        "permanent": "vakinainen",
        "fixed_term": "määräaikainen",
        "started_event": "alkanut",
        "ended_event": "päättynyt",
        "started_and_ended_event": "alkanut ja päättynyt",
        "thirty_day_rule": "30 päivän sääntö",
        "discussion": "varhaisen tuen keskustelu",
        "occupational_health": "yhteys työterveyshuoltoon",
        "time_rate_pay": "aikapalkka",
        "evening_work_compensation": "iltatyölisä",
        "overtime_compensation": "ylityökorvaus",
        "holiday_pay": "lomaraha",
    },
    "sv": {
        "sheet_absences": "Frånvaro",
        "sheet_salaries": "Löner",
        "sheet_employments": "Anställningar",
        "sheet_alerts": "Tidigt stöd",
        "sheet_summary": "Sammandrag",
        "employee_id": "Anställningsnummer",
        "name": "Namn",
        "type": "Slag",
        "paid": "Avlönad",
        "start": "Börjar",
        "end": "Slutar",
        "days_in_month": "Dagar i månaden",
        "continues": "Fortsätter",
        "yes": "ja",
        "no": "nej",
        "open_ended": "öppen",
        "total": "Totalt",
        "previous_month": "Föregående månad",
        "difference": "Förändring",
        "difference_percent": "Förändring %",
        "event": "Händelse",
        "title": "Befattning",
        "employment_type": "Anställningsform",
        "end_reason": "Orsak till att anställningen upphört",
        "part_time": "Deltidsprocent",
        "rule": "Regel",
        "level": "Nivå",
        "days": "Dagar",
        "spells": "Frånvarotillfällen",
        "window_start": "Granskningsperioden börjar",
        "window_end": "Granskningsperioden slutar",
        "due": "Ska meddelas senast",
        "explanation": "Grund",
        "unit_id": "Enhet",
        "unit_name": "Enhetens namn",
        "headcount": "Personal",
        "salaries_total": "Löner totalt",
        "started": "Påbörjade",
        "ended": "Avslutade",
        "alerts": "Larm",
        "absence_days": "Frånvarodagar",
        "unit": "Enhet",
        "month": "Månad",
        "none": "Inga rader denna månad.",
        "sickness": "sjukdom",
        "family_leave": "familjeledighet",
        "annual_leave": "semester",
        "unpaid": "oavlönad ledighet",
        "other": "annan",
        "permanent": "tillsvidare",
        "fixed_term": "visstid",
        "started_event": "påbörjad",
        "ended_event": "avslutad",
        "started_and_ended_event": "påbörjad och avslutad",
        "thirty_day_rule": "30-dagarsregeln",
        "discussion": "samtal om tidigt stöd",
        "occupational_health": "kontakt med företagshälsovården",
        "time_rate_pay": "tidlön",
        "evening_work_compensation": "kvällstillägg",
        "overtime_compensation": "övertidsersättning",
        "holiday_pay": "semesterpenning",
    },
    "en": {
        "sheet_absences": "Absences",
        "sheet_salaries": "Salaries",
        "sheet_employments": "Employments",
        "sheet_alerts": "Early support",
        "sheet_summary": "Summary",
        "employee_id": "Employee number",
        "name": "Name",
        "type": "Type",
        "paid": "Paid",
        "start": "Start",
        "end": "End",
        "days_in_month": "Days in month",
        "continues": "Continues",
        "yes": "yes",
        "no": "no",
        "open_ended": "open",
        "total": "Total",
        "previous_month": "Previous month",
        "difference": "Difference",
        "difference_percent": "Difference %",
        "event": "Event",
        "title": "Title",
        "employment_type": "Employment type",
        "end_reason": "End reason",
        "part_time": "Part-time %",
        "rule": "Rule",
        "level": "Level",
        "days": "Days",
        "spells": "Absence spells",
        "window_start": "Window start",
        "window_end": "Window end",
        "due": "Notify by",
        "explanation": "Reason",
        "unit_id": "Unit",
        "unit_name": "Unit name",
        "headcount": "Headcount",
        "salaries_total": "Salaries total",
        "started": "Started",
        "ended": "Ended",
        "alerts": "Alerts",
        "absence_days": "Absence days",
        "unit": "Unit",
        "month": "Month",
        "none": "No rows this month.",
        "sickness": "sickness",
        "family_leave": "family leave",
        "annual_leave": "annual leave",
        "unpaid": "unpaid leave",
        "other": "other",
        "permanent": "permanent",
        "fixed_term": "fixed-term",
        "started_event": "started",
        "ended_event": "ended",
        "started_and_ended_event": "started and ended",
        "thirty_day_rule": "30-day rule",
        "discussion": "early-support discussion",
        "occupational_health": "contact occupational health",
        "time_rate_pay": "time-rate pay",
        "evening_work_compensation": "evening work compensation",
        "overtime_compensation": "overtime compensation",
        "holiday_pay": "holiday pay",
    },
}


def labels(language: str) -> dict[str, str]:
    return LABELS.get(language, LABELS["fi"])


class _Writer:
    """One workbook's formats and the sheet-writing routine shared by every sheet."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.workbook = workbook
        self._properties: dict[int, dict[str, Any]] = {}
        self._quoted: dict[int | None, Format] = {}
        self.header = self._format({"bold": True, "bottom": 1, "text_wrap": True})
        self.euro = self._format({"num_format": EURO_FORMAT})
        self.euro_bold = self._format({"num_format": EURO_FORMAT, "bold": True})
        self.date = self._format({"num_format": DATE_FORMAT})
        self.percent = self._format({"num_format": PERCENT_FORMAT})
        self.bold = self._format({"bold": True})

    def _format(self, properties: dict[str, Any]) -> Format:
        style = self.workbook.add_format(properties)
        self._properties[id(style)] = properties
        return style

    def _quote_prefixed(self, style: Format | None) -> Format:
        """The same style with Excel's quote prefix: the text stays text when edited."""
        key = None if style is None else id(style)
        if key not in self._quoted:
            properties = {} if key is None else self._properties[key]
            self._quoted[key] = self.workbook.add_format({**properties, "quote_prefix": True})
        return self._quoted[key]

    def sheet(
        self,
        name: str,
        headers: Sequence[str],
        widths: Sequence[int],
        rows: Sequence[Sequence[Any]],
        formats: Sequence[Format | None],
        totals: Sequence[Any] | None = None,
    ) -> Worksheet:
        """Header row (bold, frozen, autofilter), data rows in order, an optional total row."""
        sheet = self.workbook.add_worksheet(name[:31])
        for column, width in enumerate(widths):
            sheet.set_column(column, column, width)
        sheet.freeze_panes(1, 0)
        for column, header in enumerate(headers):  # income types' names come from the data
            self._write(sheet, 0, column, header, self.header)
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                self._write(sheet, number, column, value, formats[column])
        last = max(len(rows), 1)
        sheet.autofilter(0, 0, last, len(headers) - 1)
        if totals is not None:
            row_number = len(rows) + 2
            for column, value in enumerate(totals):
                style = self.euro_bold if formats[column] is self.euro else self.bold
                self._write(sheet, row_number, column, value, style)
        return sheet

    def _write(
        self, sheet: Worksheet, row: int, column: int, value: Any, style: Format | None
    ) -> None:
        if value is None or value == "":
            return
        if style is self.date:
            sheet.write_datetime(row, column, value, style)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            sheet.write_number(row, column, value, style)
        else:
            # Text always as a string cell: xlsxwriter's write() makes "=…" a formula. Names
            # come from payroll data, so one that looks like a formula is marked as text.
            text = str(value)
            if starts_like_formula(text):
                style = self._quote_prefixed(style)
            sheet.write_string(row, column, text, style)


def _open(target: Path | None) -> tuple[xlsxwriter.Workbook, io.BytesIO | None]:
    if target is None:
        buffer = io.BytesIO()
        return xlsxwriter.Workbook(buffer, {"in_memory": True}), buffer
    return xlsxwriter.Workbook(str(target), {"constant_memory": True}), None


def _euros(cents: int | None) -> float | None:
    return None if cents is None else cents / 100


def unit_workbook(
    report: UnitReport,
    target: Path | None = None,
    *,
    reasons: Callable[[AlertRow], str] | None = None,
    legend: Sequence[str] = (),
) -> bytes | None:
    """The supervisor's workbook; returns its bytes when no target file is given.

    `reasons` writes an alert's reasons in the workbook's language (the robot passes the
    translated ones, `texts.alert_reasons`); without it the English explanation is written.
    `legend` explains the level column (a note on its header and lines under the table)."""
    t = labels(report.unit.language)
    workbook, buffer = _open(target)
    w = _Writer(workbook)
    workbook.set_properties(
        {"title": f"{report.unit.unit_name} {report.month_text}", "company": ""}
    )

    w.sheet(
        t["sheet_absences"],
        [
            t[k]
            for k in (
                "employee_id",
                "name",
                "type",
                "paid",
                "start",
                "end",
                "days_in_month",
                "continues",
            )
        ],
        [14, 28, 18, 11, 11, 11, 13, 11],
        [
            (
                r.person.employee_id,
                r.person.name,
                t.get(r.type, r.type),
                t["yes"] if r.paid else t["no"],
                r.start,
                r.end,
                r.days_in_month,
                t["open_ended"] if r.open_ended else t["yes"] if r.continues_after_month else "",
            )
            for r in report.absences
        ],
        [None, None, None, None, w.date, w.date, None, None],
        totals=[t["total"], "", "", "", "", "", report.absence_days_total, ""],
    )
    sheet = workbook.worksheets()[-1]
    row = len(report.absences) + 4
    for absence_type in ABSENCE_TYPES:
        sheet.write_string(row, 2, t.get(absence_type, absence_type))
        sheet.write_number(row, 6, report.absence_days_by_type.get(absence_type, 0))
        row += 1

    income_types = list(report.income_types)
    has_previous = report.previous_total_cents is not None
    extra = [t["previous_month"], t["difference"], t["difference_percent"]] if has_previous else []
    salary_rows = []
    for s in report.salaries:
        values: list[Any] = [s.person.employee_id, s.person.name]
        values += [_euros(s.by_income_type.get(i)) for i in income_types]
        values.append(_euros(s.total_cents))
        if has_previous:
            previous = s.previous_cents or 0
            change = _percent(s.total_cents, previous)
            values += [_euros(previous), _euros(s.total_cents - previous), change]
        salary_rows.append(values)
    totals: list[Any] = [t["total"], ""]
    totals += [_euros(report.salaries_by_income_type[i]) for i in income_types]
    totals.append(_euros(report.salaries_total_cents))
    if has_previous:
        percent = report.difference_percent
        totals += [
            _euros(report.previous_total_cents),
            _euros(report.difference_cents),
            float(percent) if percent is not None else None,
        ]
    money = [w.euro] * (len(income_types) + 1 + (2 if has_previous else 0))
    w.sheet(
        t["sheet_salaries"],
        [t["employee_id"], t["name"], *[t.get(i, i) for i in income_types], t["total"], *extra],
        [14, 28] + [16] * (len(income_types) + 1 + len(extra)),
        salary_rows,
        [None, None, *money, *([w.percent] if has_previous else [])],
        totals=totals,
    )

    w.sheet(
        t["sheet_employments"],
        [
            t[k]
            for k in (
                "employee_id",
                "name",
                "event",
                "title",
                "employment_type",
                "start",
                "end",
                "end_reason",
                "part_time",
            )
        ],
        [14, 28, 18, 24, 18, 11, 11, 24, 12],
        [
            (
                e.person.employee_id,
                e.person.name,
                t[f"{e.event}_event"],
                e.title,
                t.get(e.type, e.type),
                e.start_date,
                e.end_date,
                e.end_reason,
                float(e.part_time_percent),
            )
            for e in report.employments
        ],
        [None, None, None, None, None, w.date, w.date, None, None],
    )

    explain = reasons or (lambda alert: " ".join(alert.explanation))
    alert_sheet = w.sheet(
        t["sheet_alerts"],
        [
            t[k]
            for k in (
                "employee_id",
                "name",
                "rule",
                "level",
                "days",
                "spells",
                "window_start",
                "window_end",
                "due",
                "explanation",
            )
        ],
        [14, 28, 26, 12, 8, 14, 14, 14, 14, 80],
        [
            (
                a.person.employee_id,
                a.person.name,
                t.get(a.rule, a.rule),
                a.level,
                a.days,
                a.spells,
                a.window_start,
                a.window_end,
                a.due,
                explain(a),
            )
            for a in report.alerts
        ],
        [None, None, None, None, None, None, w.date, w.date, w.date, None],
    )
    if legend:
        # What the level means: a note on its header and the same lines under the table.
        alert_sheet.write_comment(0, 3, "\n".join(legend), {"x_scale": 3, "y_scale": 2})
        for offset, line in enumerate(legend):
            w._write(alert_sheet, len(report.alerts) + 3 + offset, 0, line, None)
    workbook.close()
    return buffer.getvalue() if buffer is not None else None


def _percent(current: int, previous: int) -> float | None:
    if previous == 0:
        return None
    return round((current - previous) * 100 / previous, 1)


def summary_workbook(
    rows: Sequence[SummaryRow], month: str, language: str = "fi", target: Path | None = None
) -> bytes | None:
    """HR's overview of all units: headcount, absence days by type, salaries, employments,
    alerts; one row per unit and a total row."""
    t = labels(language)
    workbook, buffer = _open(target)
    w = _Writer(workbook)
    ordered = sorted(rows, key=lambda r: r.unit_id)
    headers = [
        t["unit_id"],
        t["unit_name"],
        t["headcount"],
        *[f"{t['absence_days']}: {t[a]}" for a in ABSENCE_TYPES],
        t["salaries_total"],
        t["started"],
        t["ended"],
        t["alerts"],
    ]
    body = [
        [
            r.unit_id,
            r.unit_name,
            r.headcount,
            *[r.absence_days_by_type.get(a, 0) for a in ABSENCE_TYPES],
            _euros(r.salaries_total_cents),
            r.started,
            r.ended,
            r.alerts,
        ]
        for r in ordered
    ]
    totals = [
        f"{t['total']} {month}",
        "",
        sum(r.headcount for r in ordered),
        *[sum(r.absence_days_by_type.get(a, 0) for r in ordered) for a in ABSENCE_TYPES],
        _euros(sum(r.salaries_total_cents for r in ordered)),
        sum(r.started for r in ordered),
        sum(r.ended for r in ordered),
        sum(r.alerts for r in ordered),
    ]
    formats: list[Format | None] = [None] * len(headers)
    formats[3 + len(ABSENCE_TYPES)] = w.euro
    w.sheet(
        t["sheet_summary"],
        headers,
        [12, 30, 12, *[16] * len(ABSENCE_TYPES), 16, 10, 10, 10],
        body,
        formats,
        totals=totals,
    )
    workbook.close()
    return buffer.getvalue() if buffer is not None else None
