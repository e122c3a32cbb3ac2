"""Impact dashboards per robot, municipality and programme on Helmi's four axes, and a business
case's plan beside its realised figures. Figures come from the monthly roll-up
(kuntarobo.portfolio.realised), so a page reads some hundred rows whatever the volume of runs.

Who sees what: a robot's and a municipality's figures only in the user's own municipalities; a
programme's dashboard to users of its member municipalities, with the programme's aggregate
figures only (never one municipality's figures or items); ideas on the value-against-ease chart
as `visible_to` allows."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, pgettext, pgettext_lazy
from django.utils.translation import gettext as _

from kuntarobo.accounts.models import Municipality, Permission
from kuntarobo.core import charts
from kuntarobo.core.business_case import BusinessCaseResult
from kuntarobo.core.explanation import Line
from kuntarobo.core.satisfaction import STATEMENTS
from kuntarobo.portfolio.models import (
    Assessment,
    BusinessCase,
    Idea,
    Programme,
    RobotMonth,
    RunningCost,
    SurveyPhase,
)
from kuntarobo.portfolio.planned_realised import compare
from kuntarobo.portfolio.realised import Figures, MonthFigures, RealisedFigures, realised_figures
from kuntarobo.portfolio.running_costs import set_running_cost
from kuntarobo.portfolio.satisfaction import (
    StaffResult,
    customer_satisfaction,
    staff_satisfaction,
)
from kuntarobo.portfolio.surveys import STATEMENT_TEXTS
from kuntarobo.runtime.actions import PermissionDeniedError
from kuntarobo.runtime.declarations import InputError, all_robots
from kuntarobo.runtime.models import RobotDeployment
from kuntarobo.web.forms import BaseForm, MonthInput
from kuntarobo.web.scoping import municipality_or_404, require_somewhere
from kuntarobo.web.templatetags.kuntarobo_web import robot_name

LAST_12 = "12m"
YEARS_BACK = 4


# --- the period ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    key: str
    start: datetime.date
    end: datetime.date


def period_choices(today: datetime.date) -> list[tuple[str, str]]:
    return [(LAST_12, pgettext("measure", "Last 12 months"))] + [
        (str(year), str(year)) for year in range(today.year, today.year - YEARS_BACK - 1, -1)
    ]


def period_of(request: HttpRequest, today: datetime.date | None = None) -> Period:
    """The period asked for (`?period=12m` or a year), the last 12 months when none or unknown."""
    today = today or timezone.localdate()
    key = request.GET.get("period", LAST_12)
    if key != LAST_12 and key in dict(period_choices(today)):
        year = int(key)
        return Period(key, datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    first = today.replace(day=1)
    start = datetime.date(first.year - 1 + (first.month == 12), first.month % 12 + 1, 1)
    return Period(LAST_12, start, today)


# --- charts with their tables --------------------------------------------------------------------


@dataclass(frozen=True)
class ChartBlock:
    """A chart and the same figures as a table for screen readers (and anyone)."""

    ident: str
    heading: str
    svg: SafeString
    caption: str
    columns: list[str]  # the first names the rows' header column
    rows: list[tuple[str, list[str]]]


def month_label(month: datetime.date) -> str:
    return f"{month.month}/{month.year}"


def num(value: Decimal | float | int | None, places: int = 1) -> str:
    if value is None:
        return "–"
    return number_format(value, decimal_pos=places, use_l10n=True)


def percent(share: Decimal | None) -> float | None:
    return None if share is None else float(share * 100)


def percent_text(share: Decimal | None) -> str:
    return "–" if share is None else f"{num(share * 100, 1)} %"


def productivity_charts(figures: RealisedFigures, subject: str) -> list[ChartBlock]:
    months = figures.months
    labels = [month_label(m.month) for m in months]
    items = charts.line_chart(
        pgettext("measure", "Items per month: %(subject)s") % {"subject": subject},
        pgettext(
            "measure",
            "Items handled and items whose preparation a person no longer does, per month.",
        ),
        labels,
        [
            charts.Series(pgettext("measure", "Items handled"), [float(m.items) for m in months]),
            charts.Series(
                pgettext("measure", "Items saving manual work"),
                [float(m.saved_items) for m in months],
            ),
        ],
        y_label=pgettext("measure", "items"),
    )
    hours = charts.bar_chart(
        pgettext("measure", "Hours saved per month: %(subject)s") % {"subject": subject},
        pgettext("measure", "Manual work saved per month, in hours."),
        labels,
        [charts.Series(pgettext("measure", "Hours saved"), [float(m.hours_saved) for m in months])],
        y_label=pgettext("measure", "hours"),
    )
    return [
        ChartBlock(
            "items",
            pgettext("measure", "Items per month"),
            mark_safe(items),  # noqa: S308 - charts escape every text they draw
            pgettext("measure", "Items per month (the chart's figures)"),
            [
                pgettext("measure", "Month"),
                pgettext("measure", "Items handled"),
                pgettext("measure", "Items saving manual work"),
            ],
            [(month_label(m.month), [num(m.items, 0), num(m.saved_items, 0)]) for m in months],
        ),
        ChartBlock(
            "hours",
            pgettext("measure", "Hours saved per month"),
            mark_safe(hours),  # noqa: S308 - charts escape every text they draw
            pgettext("measure", "Hours saved per month (the chart's figures)"),
            [
                pgettext("measure", "Month"),
                pgettext("measure", "Hours saved"),
                pgettext("measure", "Person-years"),
            ],
            [(month_label(m.month), [num(m.hours_saved), num(m.person_years, 3)]) for m in months],
        ),
    ]


def quality_charts(figures: RealisedFigures, subject: str) -> list[ChartBlock]:
    months = figures.months
    labels = [month_label(m.month) for m in months]
    rates = charts.line_chart(
        pgettext("measure", "Error, exception and rework rates: %(subject)s")
        % {"subject": subject},
        pgettext("measure", "Shares of the month's items, in per cent."),
        labels,
        [
            charts.Series(
                pgettext("measure", "Error rate"), [percent(m.error_rate) for m in months]
            ),
            charts.Series(
                pgettext("measure", "Exception rate"), [percent(m.exception_rate) for m in months]
            ),
            charts.Series(
                pgettext("measure", "Rework rate"), [percent(m.rework_rate) for m in months]
            ),
        ],
        y_label="%",
    )
    first, latest = quarter(months[:3]), quarter(months[-3:])
    kinds = [
        pgettext("measure", "Error rate"),
        pgettext("measure", "Exception rate"),
        pgettext("measure", "Rework rate"),
    ]
    before_after = charts.bar_chart(
        pgettext("measure", "First and latest three months: %(subject)s") % {"subject": subject},
        pgettext(
            "measure",
            "The rates of the period's first three months beside its latest three, in per cent.",
        ),
        kinds,
        [
            charts.Series(pgettext("measure", "First three months"), [percent(r) for r in first]),
            charts.Series(pgettext("measure", "Latest three months"), [percent(r) for r in latest]),
        ],
        y_label="%",
    )
    return [
        ChartBlock(
            "rates",
            pgettext("measure", "Rates per month"),
            mark_safe(rates),  # noqa: S308 - charts escape every text they draw
            pgettext(
                "measure", "Error, exception and rework rates per month (the chart's figures)"
            ),
            [
                pgettext("measure", "Month"),
                pgettext("measure", "Error rate"),
                pgettext("measure", "Exception rate"),
                pgettext("measure", "Rework rate"),
            ],
            [
                (
                    month_label(m.month),
                    [
                        percent_text(m.error_rate),
                        percent_text(m.exception_rate),
                        percent_text(m.rework_rate),
                    ],
                )
                for m in months
            ],
        ),
        ChartBlock(
            "before-after",
            pgettext("measure", "Before and after"),
            mark_safe(before_after),  # noqa: S308 - charts escape every text they draw
            pgettext("measure", "The first and latest three months (the chart's figures)"),
            [
                pgettext("measure", "Rate"),
                pgettext("measure", "First three months"),
                pgettext("measure", "Latest three months"),
            ],
            [
                (kind, [percent_text(a), percent_text(b)])
                for kind, a, b in zip(kinds, first, latest, strict=True)
            ],
        ),
    ]


def quarter(months: Sequence[MonthFigures]) -> tuple[Decimal | None, ...]:
    """Error, exception and rework rates of some months together."""
    items = sum(m.items for m in months)
    if not items:
        return (None, None, None)
    return tuple(
        Decimal(sum(getattr(m, name) for m in months)) / items
        for name in ("failed_application", "exceptions", "rework")
    )


def latest_assessments(ideas: QuerySet[Idea]) -> list[tuple[Idea, Assessment]]:
    latest = Assessment.objects.filter(idea=OuterRef("pk")).order_by("-assessed_at", "-pk")
    found = ideas.annotate(latest=Subquery(latest.values("pk")[:1])).exclude(latest=None)
    pairs = list(found.select_related("municipality")[:500])
    by_pk = Assessment.objects.in_bulk([idea.latest for idea in pairs])
    return [(idea, by_pk[idea.latest]) for idea in pairs]


def value_ease_chart(ideas: QuerySet[Idea], subject: str) -> ChartBlock | None:
    assessed = latest_assessments(ideas)
    if not assessed:
        return None
    svg = charts.scatter_chart(
        pgettext("measure", "Value against ease: %(subject)s") % {"subject": subject},
        pgettext(
            "measure", "Each assessed idea: hours saved a year against the ease of implementation."
        ),
        [
            charts.Point(idea.title, float(assessment.ease), float(assessment.hours_per_year))
            for idea, assessment in assessed
        ],
        x_label=pgettext("measure", "ease of implementation"),
        y_label=pgettext("measure", "hours saved per year"),
    )
    return ChartBlock(
        "value-ease",
        pgettext("measure", "Value against ease"),
        mark_safe(svg),  # noqa: S308 - charts escape every text they draw
        pgettext("measure", "Assessed ideas (the chart's figures)"),
        [
            pgettext("measure", "Idea"),
            pgettext("measure", "ease of implementation"),
            pgettext("measure", "hours saved per year"),
        ],
        [
            (idea.title, [num(assessment.ease, 2), num(assessment.hours_per_year, 0)])
            for idea, assessment in assessed
        ],
    )


def satisfaction_charts(
    municipality_ids: Sequence[int], robot_slug: str | None, period: Period, subject: str
) -> list[ChartBlock]:
    """Staff satisfaction before and after deployment, and customers' scores per month
    (kuntarobo.portfolio.satisfaction); none when there are no results to show. Staff means
    below the anonymity threshold are None and are not drawn."""
    blocks: list[ChartBlock] = []
    staff = [r for r in staff_satisfaction(municipality_ids, robot_slug) if r.overall is not None]
    if staff:
        keys = list(STATEMENTS)
        labels = [str(n) for n in range(1, len(keys) + 1)] + [pgettext("measure", "All statements")]
        texts = [str(STATEMENT_TEXTS[key]) for key in keys] + [
            pgettext("measure", "All statements")
        ]
        phases = [(str(SurveyPhase(r.phase).label), r) for r in staff]

        def values(result: StaffResult) -> list[Decimal | None]:
            return [result.means.get(key) for key in keys] + [result.overall]

        svg = charts.bar_chart(
            pgettext("measure", "Staff satisfaction before and after: %(subject)s")
            % {"subject": subject},
            pgettext(
                "measure",
                "Mean agreement with each statement of the staff questionnaire, 1–5, before and "
                "after the robot; the statements are numbered as in the table.",
            ),
            labels,
            [
                charts.Series(label, [None if v is None else float(v) for v in values(r)])
                for label, r in phases
            ],
            y_label=pgettext("measure", "mean 1–5"),
        )
        rows = [
            (f"{number}. {text}", [num(values(r)[index], 2) for _label, r in phases])
            for index, (number, text) in enumerate(zip(labels, texts, strict=True))
        ]
        rows.append(
            (pgettext("measure", "Responses"), [num(r.responses, 0) for _label, r in phases])
        )
        blocks.append(
            ChartBlock(
                "staff",
                pgettext("measure", "Staff satisfaction"),
                mark_safe(svg),  # noqa: S308 - charts escape every text they draw
                pgettext("measure", "Staff satisfaction (the chart's figures)"),
                [pgettext("measure", "Statement"), *[label for label, _r in phases]],
                rows,
            )
        )
    customers = customer_satisfaction(municipality_ids, robot_slug, period.start, period.end)
    if any(month.responses for month in customers):
        svg = charts.line_chart(
            pgettext("measure", "Customer satisfaction per month: %(subject)s")
            % {"subject": subject},
            pgettext("measure", "The mean of customers' scores, 1–5, per month."),
            [month_label(m.month) for m in customers],
            [
                charts.Series(
                    pgettext("measure", "Mean score"),
                    [None if m.mean is None else float(m.mean) for m in customers],
                )
            ],
            y_label=pgettext("measure", "mean 1–5"),
        )
        blocks.append(
            ChartBlock(
                "customers",
                pgettext("measure", "Customer satisfaction"),
                mark_safe(svg),  # noqa: S308 - charts escape every text they draw
                pgettext("measure", "Customer satisfaction per month (the chart's figures)"),
                [
                    pgettext("measure", "Month"),
                    pgettext("measure", "Responses"),
                    pgettext("measure", "Mean score"),
                ],
                [(month_label(m.month), [num(m.responses, 0), num(m.mean, 2)]) for m in customers],
            )
        )
    return blocks


def key_figures(totals: Figures) -> list[tuple[str, str]]:
    return [
        (pgettext("measure", "Items handled"), num(totals.items, 0)),
        (pgettext("measure", "Items saving manual work"), num(totals.saved_items, 0)),
        (pgettext("measure", "Hours saved"), num(totals.hours_saved)),
        (pgettext("measure", "Person-years"), num(totals.person_years, 2)),
        (pgettext("measure", "Error rate"), percent_text(totals.error_rate)),
        (pgettext("measure", "Exception rate"), percent_text(totals.exception_rate)),
        (pgettext("measure", "Rework rate"), percent_text(totals.rework_rate)),
        (pgettext("measure", "Lead time, median (hours)"), num(totals.lead_time_median_hours, 2)),
        (pgettext("measure", "Lead time, mean (hours)"), num(totals.lead_time_mean_hours, 2)),
        (pgettext("measure", "Items still open"), num(totals.open_items, 0)),
    ]


def breakdown_cells(totals: Figures) -> list[str]:
    return [
        num(totals.items, 0),
        num(totals.hours_saved),
        num(totals.person_years, 2),
        percent_text(totals.error_rate),
    ]


def dashboard_context(
    request: HttpRequest, figures: RealisedFigures, period: Period, subject: str
) -> dict[str, Any]:
    ids = list(figures.municipality_ids)
    return {
        "satisfaction": satisfaction_charts(ids, figures.robot_slug, period, subject),
        "subject": subject,
        "period": period,
        "period_choices": period_choices(timezone.localdate()),
        "figures": figures,
        "key_figures": key_figures(figures.totals),
        "productivity": productivity_charts(figures, subject),
        "quality": quality_charts(figures, subject),
        "hours_per_person_year": num(figures.hours_per_person_year, 0),
    }


# --- the pages -----------------------------------------------------------------------------------


def own_municipalities(request: HttpRequest) -> QuerySet[Municipality]:
    return Municipality.objects.for_user(request.user, Permission.VIEW)


def programmes_of(request: HttpRequest) -> QuerySet[Programme]:
    own = own_municipalities(request)
    return Programme.objects.filter(municipalities__in=own).distinct()


@login_required
def dashboards(request: HttpRequest) -> HttpResponse:
    municipalities = require_somewhere(request.user, Permission.VIEW)
    slugs = set(
        RobotDeployment.objects.filter(municipality__in=municipalities).values_list(
            "robot_slug", flat=True
        )
    )
    slugs |= set(
        RobotMonth.objects.filter(municipality__in=municipalities).values_list(
            "robot_slug", flat=True
        )
    )
    return render(
        request,
        "portfolio/dashboard_index.html",
        {
            "municipalities": municipalities,
            "robots": sorted((robot_name(slug), slug) for slug in slugs),
            "programmes": programmes_of(request),
            "manages": Municipality.objects.for_user(
                request.user, Permission.MANAGE_PORTFOLIO
            ).exists(),
        },
    )


@login_required
def robot_dashboard(request: HttpRequest, robot: str) -> HttpResponse:
    municipalities = list(require_somewhere(request.user, Permission.VIEW))
    known = {r.slug for r in all_robots()}
    if (
        robot not in known
        and not RobotMonth.objects.filter(
            municipality__in=municipalities, robot_slug=robot
        ).exists()
    ):
        raise Http404(_("Not found."))
    period = period_of(request)
    ids = [m.pk for m in municipalities]
    figures = realised_figures(ids, robot, period.start, period.end)
    name = robot_name(robot)
    per_municipality = [
        (m, breakdown_cells(realised_figures([m.pk], robot, period.start, period.end).totals))
        for m in municipalities
        if len(municipalities) > 1
    ]
    cases = BusinessCase.objects.for_user(request.user).filter(idea__robot_slug=robot)
    context = dashboard_context(request, figures, period, name)
    context.update(
        {"robot": robot, "per_municipality": per_municipality, "cases": cases, "kind": "robot"}
    )
    return render(request, "portfolio/dashboard_robot.html", context)


@login_required
def municipality_dashboard(request: HttpRequest, municipality: str) -> HttpResponse:
    place = municipality_or_404(request.user, municipality)
    period = period_of(request)
    figures = realised_figures([place.pk], None, period.start, period.end)
    subject = place.name_in((get_language() or "fi")[:2])
    context = dashboard_context(request, figures, period, subject)
    ideas = Idea.objects.filter(municipality=place)
    context.update(
        {
            "municipality": place,
            "robots": [
                (slug, robot_name(slug), breakdown_cells(one))
                for slug, one in figures.robots.items()
            ],
            "value_ease": value_ease_chart(ideas, subject),
            "kind": "municipality",
        }
    )
    return render(request, "portfolio/dashboard_municipality.html", context)


@login_required
def programme_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programmes_of(request).filter(pk=pk).first()
    if programme is None:
        raise Http404(_("Not found."))
    period = period_of(request)
    members = list(programme.municipalities.values_list("pk", flat=True))
    figures = realised_figures(members, None, period.start, period.end)
    context = dashboard_context(request, figures, period, programme.name)
    ideas = Idea.objects.visible_to(request.user).filter(municipality__in=members)
    context.update(
        {
            "programme": programme,
            "member_count": len(members),
            "robot_count": len(figures.robots),
            "value_ease": value_ease_chart(ideas, programme.name),
            "kind": "programme",
        }
    )
    return render(request, "portfolio/dashboard_programme.html", context)


# --- planned vs realised -------------------------------------------------------------------------


def translated(lines: Sequence[Line]) -> list[str]:
    return [_(line.text) % dict(line.params) for line in lines]


def result_rows(result: BusinessCaseResult | None) -> list[tuple[str, str]]:
    if result is None:
        return []
    yes, no = _("yes"), _("no")
    return [
        (pgettext("measure", "Investment (€)"), num(result.investment, 2)),
        (pgettext("measure", "Payback (years)"), num(result.payback_years, 2)),
        (pgettext("measure", "Benefit ratio"), num(result.benefit_ratio_6y, 2)),
        (pgettext("measure", "Meets the payback rule"), yes if result.meets_payback_rule else no),
        (pgettext("measure", "Meets the ratio rule"), yes if result.meets_ratio_rule else no),
    ]


@login_required
def business_case_realised(request: HttpRequest, pk: int) -> HttpResponse:
    case = (
        BusinessCase.objects.for_user(request.user)
        .select_related("idea", "municipality")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404(_("Not found."))
    comparison = compare(case)
    plan, realised = comparison.plan, comparison.realised
    years = [row.year for row in comparison.years]
    labels = [str(year) for year in years]

    def net(result: BusinessCaseResult | None) -> list[float | None]:
        return [None if result is None else float(result.net_benefit[y]) for y in years]

    blocks: list[ChartBlock] = []
    if plan is not None:
        chart_series = [charts.Series(pgettext("measure", "Planned"), net(plan))]
        if realised is not None:
            chart_series.append(charts.Series(pgettext("measure", "Realised"), net(realised)))
        blocks.append(
            ChartBlock(
                "net",
                pgettext("measure", "Net benefit per year"),
                mark_safe(  # noqa: S308 - charts escape every text they draw
                    charts.bar_chart(
                        pgettext("measure", "Net benefit per year, planned and realised"),
                        pgettext(
                            "measure", "Gross benefits less running costs per year, in euros."
                        ),
                        labels,
                        [positive(s) for s in chart_series],
                        y_label="€",
                    )
                ),
                pgettext("measure", "Net benefit per year (the chart's figures, €)"),
                [pgettext("measure", "Year"), *[str(s.label) for s in chart_series]],
                [
                    (label, [num(s.values[i], 2) for s in chart_series])
                    for i, label in enumerate(labels)
                ],
            )
        )
    return render(
        request,
        "portfolio/business_case_realised.html",
        {
            "case": case,
            "comparison": comparison,
            "plan_rows": result_rows(plan),
            "realised_rows": result_rows(realised),
            "plan_lines": translated(plan.explanation) if plan else [],
            "realised_lines": translated(realised.explanation) if realised else [],
            "year_rows": year_rows(comparison.years, plan, realised, num),
            "blocks": blocks,
        },
    )


def positive(series: charts.Series) -> charts.Series:
    """Bars start at zero: a negative net year is drawn as none (its table row shows it)."""
    return charts.Series(series.label, [None if v is None or v < 0 else v for v in series.values])


def year_rows(
    rows: Sequence[Any],
    plan: BusinessCaseResult | None,
    realised: BusinessCaseResult | None,
    fmt: Callable[..., str],
) -> list[list[str]]:
    table = []
    for row in rows:
        planned, done = row.planned, row.realised
        table.append(
            [
                str(row.year),
                fmt(planned.development_cost, 2),
                fmt(planned.gross_benefit, 2),
                fmt(planned.running_cost, 2),
                fmt(None if plan is None else plan.cumulative_net_benefit[row.year], 2),
                fmt(row.hours_saved, 1),
                fmt(None if done is None else done.gross_benefit, 2),
                fmt(None if done is None else done.running_cost, 2),
                fmt(
                    None
                    if realised is None or done is None
                    else realised.cumulative_net_benefit[row.year],
                    2,
                ),
            ]
        )
    return table


# --- running costs -------------------------------------------------------------------------------


class RunningCostForm(BaseForm):
    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.none(), label=pgettext_lazy("measure", "Municipality")
    )
    robot_slug = forms.ChoiceField(label=pgettext_lazy("measure", "Robot"))
    month = forms.DateField(
        label=pgettext_lazy("measure", "Month"), widget=MonthInput(), input_formats=["%Y-%m"]
    )
    cost = forms.DecimalField(
        label=pgettext_lazy("measure", "Running cost (€)"),
        min_value=0,
        max_digits=10,
        decimal_places=2,
    )
    note = forms.CharField(label=pgettext_lazy("measure", "Note"), max_length=500, required=False)

    def __init__(self, *args: Any, municipalities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = municipalities
        robot = self.fields["robot_slug"]
        assert isinstance(robot, forms.ChoiceField)
        robot.choices = [(r.slug, r.name.get(get_language())) for r in all_robots()]


@login_required
def running_costs(request: HttpRequest) -> HttpResponse:
    managed = require_somewhere(request.user, Permission.MANAGE_PORTFOLIO)
    form = RunningCostForm(
        request.POST if request.method == "POST" else None, municipalities=managed
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            set_running_cost(
                request.user,
                data["municipality"],
                data["robot_slug"],
                data["month"],
                int(data["cost"] * 100),
                note=data["note"],
                via="web",
            )
        except InputError as error:
            form.add_error(None, str(error))
        except PermissionDeniedError:
            raise Http404(_("Not found.")) from None
        else:
            messages.success(request, pgettext("measure", "The running cost was saved."))
            return redirect("portfolio:running_costs")
    costs = RunningCost.objects.filter(municipality__in=managed).select_related("municipality")
    return render(
        request,
        "portfolio/running_costs.html",
        {"form": form, "costs": costs[:200]},
    )
