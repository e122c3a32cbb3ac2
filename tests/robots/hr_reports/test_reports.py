"""What goes in a unit's report: sums computed by hand from a small export."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

from django.utils import translation

from kuntarobo.robots.hr_reports.dataset import (
    Absence,
    Dataset,
    Employee,
    Employment,
    Payment,
    Unit,
)
from kuntarobo.robots.hr_reports.reports import (
    build_report,
    percent_change,
    report_from_payload,
    slice_by_unit,
    unit_payload,
)
from kuntarobo.robots.hr_reports.robot import explanation_lines

D = datetime.date
TODAY = D(2026, 2, 15)
UNIT = Unit("U1", "Kirjasto", "Sanna Esihenkilö", "sanna@example.fi", "fi")
OTHER = Unit("U2", "Bibliotek", "Sven Chef", "sven@example.fi", "sv")


def pay(employee: str, day: datetime.date, income: str, cents: int) -> Payment:
    return Payment(employee, day, day.replace(day=1), day, income, cents)


def employment(employee: str, unit: str, start, end=None, reason="") -> Employment:
    return Employment(
        f"{employee}-1",
        employee,
        unit,
        "permanent",
        "Kirjastovirkailija",
        start,
        end,
        reason,
        Decimal("80.0"),
    )


def dataset() -> Dataset:
    return Dataset(
        units=(UNIT, OTHER),
        employees=(
            Employee("E3", "Virtanen", "Aino", "U1"),
            Employee("E1", "Aalto", "Pekka", "U1"),
            Employee("E2", "Aalto", "Anna", "U1"),
            Employee("E9", "Berg", "Erik", "U2"),
        ),
        employments=(
            employment("E1", "U1", D(2020, 1, 1)),
            employment("E2", "U1", D(2026, 1, 10)),  # started in the month
            employment("E3", "U1", D(2019, 5, 1), D(2026, 1, 31), "resigned"),  # ended
            employment("E9", "U2", D(2026, 1, 5)),  # other unit
        ),
        payments=(
            pay("E1", D(2026, 1, 15), "time_rate_pay", 300_000),
            pay("E1", D(2026, 1, 15), "evening_work_compensation", 12_345),
            pay("E2", D(2026, 1, 31), "time_rate_pay", 150_050),
            pay("E3", D(2026, 1, 15), "time_rate_pay", 250_000),
            pay("E1", D(2025, 12, 15), "time_rate_pay", 290_000),
            pay("E3", D(2025, 12, 15), "time_rate_pay", 250_000),
            pay("E1", D(2026, 2, 15), "time_rate_pay", 999_999),  # next month: not counted
            pay("E9", D(2026, 1, 15), "time_rate_pay", 777_777),  # other unit
        ),
        absences=(
            # 28 Dec – 3 Jan: 3 days in January, started before the month
            Absence("E1", D(2025, 12, 28), D(2026, 1, 3), "sickness", True),
            # 30 Jan – 5 Feb: 2 days in January, continues after
            Absence("E3", D(2026, 1, 30), D(2026, 2, 5), "sickness", True),
            # 10–14 Jan annual leave: 5 days
            Absence("E2", D(2026, 1, 10), D(2026, 1, 14), "annual_leave", True),
            # overlapping sick notes of E1, 20–25 and 24–26 Jan: 7 distinct days
            Absence("E1", D(2026, 1, 20), D(2026, 1, 25), "sickness", True),
            Absence("E1", D(2026, 1, 24), D(2026, 1, 26), "sickness", True),
            Absence("E9", D(2026, 1, 1), D(2026, 1, 31), "sickness", True),  # other unit
        ),
    )


def test_absence_days_are_summed_per_type_within_the_month_and_overlaps_count_once():
    report = build_report(
        UNIT, dataset(), year=2026, month=1, previous_month_in_export=True, today=TODAY
    )
    assert report.absence_days_by_type["sickness"] == 3 + 2 + 7
    assert report.absence_days_by_type["annual_leave"] == 5
    assert report.absence_days_total == 17
    first = report.absences[0]
    assert (first.person.last_name, first.person.first_name) == ("Aalto", "Anna")
    virtanen = next(r for r in report.absences if r.person.employee_id == "E3")
    assert (virtanen.start, virtanen.end, virtanen.days_in_month) == (
        D(2026, 1, 30),
        D(2026, 1, 31),
        2,
    )
    assert virtanen.continues_after_month


def test_salaries_are_summed_by_income_type_and_compared_with_the_previous_month():
    report = build_report(
        UNIT, dataset(), year=2026, month=1, previous_month_in_export=True, today=TODAY
    )
    assert [s.person.name for s in report.salaries] == [
        "Aalto Anna",
        "Aalto Pekka",
        "Virtanen Aino",
    ]
    pekka = report.salaries[1]
    assert pekka.by_income_type == {"evening_work_compensation": 12_345, "time_rate_pay": 300_000}
    assert pekka.total_cents == 312_345
    assert pekka.previous_cents == 290_000
    assert report.salaries_total_cents == 312_345 + 150_050 + 250_000
    assert report.previous_total_cents == 540_000
    assert report.difference_cents == 712_395 - 540_000
    assert report.difference_percent == Decimal("31.9")


def test_without_payments_of_the_previous_month_there_is_no_comparison():
    report = build_report(
        UNIT, dataset(), year=2026, month=1, previous_month_in_export=False, today=TODAY
    )
    assert report.previous_total_cents is None
    assert report.difference_percent is None
    assert all(s.previous_cents is None for s in report.salaries)
    assert percent_change(100, 0) is None


def test_employments_started_or_ended_in_the_month_are_listed_and_counted():
    report = build_report(
        UNIT, dataset(), year=2026, month=1, previous_month_in_export=True, today=TODAY
    )
    assert [(e.person.employee_id, e.event) for e in report.employments] == [
        ("E2", "started"),
        ("E3", "ended"),
    ]
    assert report.employments[1].end_reason == "resigned"
    assert (report.started_count, report.ended_count, report.headcount) == (1, 1, 3)


def test_a_payload_holds_only_the_units_people_and_rebuilds_the_same_report():
    data = dataset()
    slices = slice_by_unit(data, year=2026, month=1)
    assert slices.previous_month_in_export
    alert = {
        "employee_id": "E1",
        "rule": "discussion",
        "level": 1,
        "days": 22,
        "spells": 5,
        "window_start": "2025-02-01",
        "window_end": "2026-01-31",
        "explanation": ["22 days in 12 months ≥ 20"],
    }
    payload = json.loads(json.dumps(unit_payload(UNIT, slices, year=2026, month=1, alerts=[alert])))
    assert "E9" not in json.dumps(payload)
    assert all(p["payment_date"] < "2026-02-01" for p in payload["payments"])
    rebuilt = report_from_payload(payload, today=TODAY)
    direct = build_report(
        UNIT, data, year=2026, month=1, alerts=[alert], previous_month_in_export=True, today=TODAY
    )
    assert rebuilt == direct
    assert rebuilt.alerts[0].person.name == "Aalto Pekka"
    with translation.override("en"):
        lines = [str(line) for line in explanation_lines(rebuilt)]
    assert any("17 days" in line for line in lines)
    assert any("+31.9 %" in line for line in lines)
