"""Permission cases of the impact dashboards, the planned-against-realised page and the running
costs. The world gets run data and assessed ideas in both municipalities, so a page shown to
the other municipality's user has something of theirs to leak."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone

from kuntarobo.accounts.models import Role
from kuntarobo.portfolio.models import Assessment, BusinessCase, BusinessCaseYear, RunningCost
from kuntarobo.portfolio.realised import refresh
from tests.factories import RunFactory, WorkItemFactory
from tests.portfolio.conftest import PortfolioWorld
from tests.portfolio.matrix import Case, only, statuses

MANAGERS = (Role.ADMINISTRATOR, Role.COORDINATOR)


def measured(w: PortfolioWorld) -> PortfolioWorld:
    """Runs, assessments and a business case in the world (once)."""
    if "measured" in w.extra:
        return w
    for idea in (w.idea, w.neighbour_idea):
        Assessment.objects.create(
            idea=idea,
            method_version="1",
            scores={},
            weights={},
            suitability=Decimal(4),
            automation_potential=Decimal(80),
            ease=Decimal(3),
            hours_per_year=Decimal(500),
        )
        run = RunFactory(municipality=idea.municipality)
        for _ in range(3):
            WorkItemFactory(run=run, status="done")
    refresh()
    w.idea.robot_slug = "invoice_check"
    w.idea.save()
    case = BusinessCase.objects.create(
        municipality=w.esimerkkila,
        idea=w.idea,
        title="Ostolaskujen tiliöinti",
        start_year=timezone.localdate().year,
        horizon_year=timezone.localdate().year + 5,
        hourly_cost_cents=4000,
    )
    BusinessCaseYear.objects.create(case=case, year=case.start_year, development_cost_cents=100000)
    w.extra.update({"measured": True, "case": case})
    return w


def cost_data(w: PortfolioWorld) -> dict[str, Any]:
    return {
        "municipality": w.esimerkkila.pk,
        "robot_slug": "invoice_check",
        "month": "2026-03",
        "cost": "120.50",
        "note": "palvelin",
    }


def cost_entered(w: PortfolioWorld) -> bool:
    return RunningCost.objects.filter(
        municipality=w.esimerkkila, month=datetime.date(2026, 3, 1)
    ).exists()


CASES = {
    "portfolio:dashboards": Case("get", lambda w: reverse("portfolio:dashboards"), statuses(200)),
    "portfolio:dashboard_robot": Case(
        "get",
        lambda w: reverse("portfolio:dashboard_robot", args=[measured(w) and "invoice_check"]),
        statuses(200),
    ),
    "portfolio:dashboard_municipality": Case(
        "get",
        lambda w: reverse("portfolio:dashboard_municipality", args=[measured(w).esimerkkila.slug]),
        statuses(200, outsider=404),
    ),
    "portfolio:dashboard_programme": Case(
        "get",
        lambda w: reverse("portfolio:dashboard_programme", args=[measured(w).programme.pk]),
        statuses(200),
    ),
    "portfolio:business_case_realised": Case(
        "get",
        lambda w: reverse("portfolio:business_case_realised", args=[measured(w).extra["case"].pk]),
        statuses(200, outsider=404),
    ),
    "portfolio:running_costs": Case(
        "post",
        lambda w: reverse("portfolio:running_costs"),
        # The outsider's form offers only their own municipality: esimerkkilä's is refused.
        only(MANAGERS, 302, outsider=200),
        data=cost_data,
        changed=cost_entered,
        changers=MANAGERS,
    ),
}
