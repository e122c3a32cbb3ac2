"""The permission matrix of the business cases' pages (portfolio/business_case_urls.py)."""

from __future__ import annotations

from typing import Any

from kuntarobo.portfolio.business_cases import save_business_case
from kuntarobo.portfolio.models import BusinessCase
from tests.portfolio.conftest import PortfolioWorld
from tests.portfolio.matrix import Case, only, statuses

MANAGERS = ("administrator", "coordinator")


def home_case(world: PortfolioWorld) -> BusinessCase:
    """Esimerkkilä's case, linked to its unshared idea (whose title must stay hidden)."""
    if "case" not in world.extra:
        world.extra["case"] = save_business_case(
            "test",
            world.esimerkkila,
            {
                "title": "Tiliöinnin liiketoimintamalli",
                "idea": world.idea.pk,
                "start_year": 2021,
                "horizon_year": 2026,
                "years": [{"year": 2021, "development_cost": 1000, "gross_benefit": 600}],
            },
            via="test",
        )
    return world.extra["case"]


def form_data(world: PortfolioWorld, title: str, *, municipality: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": title,
        "start_year": "2021",
        "horizon_year": "2026",
        "payback_max_years": "3",
        "benefit_ratio_min": "2",
        "ratio_years": "6",
        "years-TOTAL_FORMS": "1",
        "years-INITIAL_FORMS": "0",
        "years-0-year": "2021",
        "years-0-development_cost": "1000",
        "years-0-gross_benefit": "700",
    }
    if municipality:
        data["municipality"] = str(world.esimerkkila.pk)
    return data


def titled(title: str) -> Any:
    return lambda world: BusinessCase.objects.filter(title=title).exists()


def case_gone(world: PortfolioWorld) -> bool:
    return not BusinessCase.objects.filter(pk=home_case(world).pk).exists()


CALCULATOR = {
    key: value
    for key, value in form_data(None, "", municipality=False).items()  # type: ignore[arg-type]
    if key != "title"
}

CASES = {
    "portfolio:business-cases": Case("get", lambda w: "/portfolio/business-cases/", statuses(200)),
    "portfolio:business-case-new": Case(
        "post",
        lambda w: "/portfolio/business-cases/new/",
        # The outsider manages its own municipality's portfolio, not esimerkkilä's: its form
        # refuses the municipality (400).
        {**only(MANAGERS, 302, outsider=400)},
        data=lambda w: form_data(w, "Uusi tapaus", municipality=True),
        changed=titled("Uusi tapaus"),
        changers=MANAGERS,
    ),
    "portfolio:business-case-calculator": Case(
        "post",
        lambda w: "/portfolio/business-cases/calculator/",
        statuses(200),
        data=lambda w: CALCULATOR,
    ),
    "portfolio:business-case": Case(
        "get",
        lambda w: f"/portfolio/business-cases/{home_case(w).pk}/",
        statuses(200, outsider=404),
    ),
    "portfolio:business-case-edit": Case(
        "post",
        lambda w: f"/portfolio/business-cases/{home_case(w).pk}/edit/",
        only(MANAGERS, 302),
        data=lambda w: form_data(w, "Muutettu tapaus", municipality=False),
        changed=titled("Muutettu tapaus"),
        changers=MANAGERS,
    ),
    "portfolio:business-case-delete": Case(
        "post",
        lambda w: f"/portfolio/business-cases/{home_case(w).pk}/delete/",
        only(MANAGERS, 302),
        changed=case_gone,
        changers=MANAGERS,
    ),
}
