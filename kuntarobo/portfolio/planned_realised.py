"""A business case's plan beside what its robot realised: both evaluated by the same Ministry
of Finance method (`kuntarobo.core.business_case.evaluate`).

The realised side of a year:
- gross benefit = the hours the robot saved in the case's municipality that year (run data,
  kuntarobo.portfolio.realised) × the case's hourly cost;
- running costs = the running costs entered for the robot and municipality that year
  (`RunningCost`);
- development costs = as planned (the investment is the plan's).
A year not begun yet has no realised figures (zeros), so the realised payback and ratio count
what has been measured so far; the current year counts its months to date.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from kuntarobo.core.business_case import BusinessCaseResult, YearFigures, evaluate
from kuntarobo.portfolio.business_cases import case_rules, plan_figures
from kuntarobo.portfolio.models import BusinessCase, RunningCost
from kuntarobo.portfolio.realised import (
    HOURS_PER_PERSON_YEAR,
    RealisedFigures,
    realised_figures,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CENT = Decimal("0.01")


def euros(cents: int | Decimal) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RealisedMonth:
    month: datetime.date
    items: int
    hours_saved: Decimal
    gross_benefit: Decimal  # euros
    running_cost: Decimal  # euros
    net_benefit: Decimal


@dataclass(frozen=True)
class YearRow:
    """One year side by side (euros); the realised figures are None for a year not begun."""

    year: int
    planned: YearFigures
    realised: YearFigures | None
    hours_saved: Decimal | None


@dataclass(frozen=True)
class PlannedRealised:
    case: BusinessCase
    robot_slug: str
    plan: BusinessCaseResult | None
    realised: BusinessCaseResult | None
    years: list[YearRow]
    months: list[RealisedMonth]
    figures: RealisedFigures | None
    # Why a side could not be evaluated (translated text), e.g. no investment in the plan.
    problems: list[StrOrPromise]


def compare(
    case: BusinessCase,
    *,
    today: datetime.date | None = None,
    hours_per_person_year: Decimal = HOURS_PER_PERSON_YEAR,
) -> PlannedRealised:
    """The case's plan and its realised side, evaluated alike, per year (and per month for the
    realised side, up to the current month)."""
    today = today or timezone.localdate()
    problems: list[StrOrPromise] = []
    plan_years = plan_figures(case)
    by_year = {figures.year: figures for figures in plan_years}
    span = range(case.start_year, case.horizon_year + 1)
    investment = sum((by_year[y].development_cost for y in span if y in by_year), Decimal(0))
    rules = case_rules(case)
    robot_slug = case.idea.robot_slug if case.idea is not None else ""
    if not robot_slug:
        problems.append(
            pgettext_lazy(
                "measure", "The case's idea names no robot in production: nothing is measured."
            )
        )
    if case.hourly_cost_cents is None:
        problems.append(
            pgettext_lazy(
                "measure", "The case has no hourly cost: the hours saved cannot be valued."
            )
        )
    if investment <= 0:
        problems.append(
            pgettext_lazy(
                "measure", "The plan has no development costs: payback and ratio need them."
            )
        )
    measured_end = min(datetime.date(case.horizon_year, 12, 31), today)
    figures: RealisedFigures | None = None
    months: list[RealisedMonth] = []
    realised_by_year: dict[int, YearFigures] = {}
    hours_by_year: dict[int, Decimal] = {}
    if robot_slug and case.hourly_cost_cents is not None and case.start_year <= today.year:
        hourly = euros(case.hourly_cost_cents)
        figures = realised_figures(
            [case.municipality_id],
            robot_slug,
            datetime.date(case.start_year, 1, 1),
            measured_end,
            hours_per_person_year=hours_per_person_year,
        )
        costs = {
            row["month"]: int(row["cents"])
            for row in RunningCost.objects.filter(
                municipality_id=case.municipality_id,
                robot_slug=robot_slug,
                month__gte=datetime.date(case.start_year, 1, 1),
                month__lte=measured_end,
            )
            .values("month")
            .annotate(cents=Sum("cents"))
        }
        gross_by_year: dict[int, Decimal] = {}
        running_by_year: dict[int, Decimal] = {}
        for month in figures.months:
            gross = (month.hours_saved * hourly).quantize(CENT, rounding=ROUND_HALF_UP)
            running = euros(costs.get(month.month, 0))
            months.append(
                RealisedMonth(
                    month=month.month,
                    items=month.items,
                    hours_saved=month.hours_saved,
                    gross_benefit=gross,
                    running_cost=running,
                    net_benefit=gross - running,
                )
            )
            year = month.month.year
            gross_by_year[year] = gross_by_year.get(year, Decimal(0)) + gross
            running_by_year[year] = running_by_year.get(year, Decimal(0)) + running
            hours_by_year[year] = hours_by_year.get(year, Decimal(0)) + month.hours_saved
        for year in gross_by_year:
            planned = by_year.get(year, YearFigures(year))
            realised_by_year[year] = YearFigures(
                year=year,
                development_cost=planned.development_cost,
                running_cost=running_by_year[year],
                gross_benefit=gross_by_year[year],
            )

    def planned_development(year: int) -> Decimal:
        return by_year[year].development_cost if year in by_year else Decimal(0)

    # Years not begun keep the plan's development costs (the investment is the plan's).
    realised_years = [
        realised_by_year.get(
            year,
            YearFigures(
                year, development_cost=by_year.get(year, YearFigures(year)).development_cost
            ),
        )
        for year in span
    ]
    plan = (
        evaluate(case.start_year, case.horizon_year, plan_years, rules) if investment > 0 else None
    )
    realised = (
        evaluate(case.start_year, case.horizon_year, realised_years, rules)
        if investment > 0 and figures is not None
        else None
    )
    rows = [
        YearRow(
            year=year,
            planned=by_year.get(year, YearFigures(year)),
            realised=realised_by_year.get(year),
            hours_saved=hours_by_year.get(year),
        )
        for year in span
    ]
    return PlannedRealised(
        case=case,
        robot_slug=robot_slug,
        plan=plan,
        realised=realised,
        years=rows,
        months=months,
        figures=figures,
        problems=problems,
    )
