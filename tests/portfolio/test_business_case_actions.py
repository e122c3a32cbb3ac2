"""The stored business case's actions: only a portfolio manager of the case's municipality
changes it, every change is in the audit trail with the case before and after, bad input
changes nothing, and the planned side is the core method on the stored cents as euros."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.core.business_case import YearFigures
from kuntarobo.portfolio.business_cases import (
    delete_business_case,
    evaluate_case,
    plan_figures,
    save_business_case,
)
from kuntarobo.portfolio.models import BusinessCase, BusinessCaseYear
from kuntarobo.runtime.actions import PermissionDeniedError
from kuntarobo.runtime.declarations import InputError

PLAN: dict[str, Any] = {
    "title": "Ostolaskujen tiliöinti",
    "hourly_cost": Decimal("37.40"),
    "start_year": 2021,
    "horizon_year": 2026,
    "years": [
        {"year": 2021, "development_cost": Decimal("10000.50"), "running_cost": 500},
        # 1 000 × 2.5 / 60 × 37.40 € = 1 558.333… → 1 558.33 €.
        {"year": 2022, "running_cost": 500, "volume": 1000, "minutes_saved": Decimal("2.5")},
        {"year": 2023, "running_cost": 500, "gross_benefit": 9000.25},
    ],
}


def with_hourly(value: object) -> dict[str, Any]:
    return {**PLAN, "hourly_cost": value}


@pytest.fixture
def coordinator(pworld) -> Any:
    return pworld.users[Role.COORDINATOR]


def test_a_case_is_stored_in_cents_and_its_plan_read_back_in_euros(pworld, coordinator):
    case = save_business_case(coordinator, pworld.esimerkkila, with_hourly(37.40), via="web")
    rows = {row.year: row for row in BusinessCaseYear.objects.filter(case=case)}
    assert rows[2021].development_cost_cents == 1000050
    assert rows[2022].gross_benefit_cents == 155833
    assert (rows[2022].volume, rows[2022].minutes_saved) == (1000, Decimal("2.50"))
    assert case.hourly_cost_cents == 3740
    assert case.created_by == coordinator
    assert plan_figures(case) == [
        YearFigures(2021, Decimal("10000.50"), Decimal(500), Decimal(0)),
        YearFigures(2022, Decimal(0), Decimal(500), Decimal("1558.33")),
        YearFigures(2023, Decimal(0), Decimal(500), Decimal("9000.25")),
    ]
    result = evaluate_case(case)
    # Net: −500, 1 058.33, 8 500.25 → cumulative 9 058.58 − 500 = …; cumulative net benefits
    # −500 + 1 058.33 + 8 500.25 = 9 058.58 < 10 000.50: no payback by 2026.
    assert result.payback_years is None
    assert result.cumulative_net_benefit[2026] == Decimal("9058.58") - Decimal("10000.50")


def test_creating_and_changing_a_case_is_audited_with_before_and_after(pworld, coordinator):
    case = save_business_case(coordinator, pworld.esimerkkila, with_hourly(30), via="web")
    created = AuditEvent.objects.get(action="portfolio.business_case_created")
    assert created.details["before"] is None
    assert created.details["after"]["hourly_cost"] == 30
    assert (created.object_id, created.via) == (str(case.pk), "web")
    save_business_case(
        coordinator, pworld.esimerkkila, {**PLAN, "title": "Uusi"}, case=case, via="cli"
    )
    changed = AuditEvent.objects.get(action="portfolio.business_case_changed")
    assert (changed.details["before"]["title"], changed.details["after"]["title"]) == (
        "Ostolaskujen tiliöinti",
        "Uusi",
    )
    assert changed.details["before"]["hourly_cost"] == 30
    assert changed.details["after"]["hourly_cost"] == 37.4


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.DEVELOPER, Role.VIEWER, "outsider"])
def test_only_a_portfolio_manager_of_the_municipality_saves_or_deletes_a_case(pworld, role):
    user = pworld.users[role]
    with pytest.raises(PermissionDeniedError):
        save_business_case(user, pworld.esimerkkila, PLAN, via="web")
    case = save_business_case(pworld.users[Role.ADMINISTRATOR], pworld.esimerkkila, PLAN, via="web")
    with pytest.raises(PermissionDeniedError):
        save_business_case(user, pworld.esimerkkila, {**PLAN, "title": "X"}, case=case, via="web")
    with pytest.raises(PermissionDeniedError):
        delete_business_case(user, case, via="web")
    assert BusinessCase.objects.get().title == PLAN["title"]


def test_bad_input_changes_nothing_and_names_the_field(pworld, coordinator):
    case = save_business_case(coordinator, pworld.esimerkkila, PLAN, via="web")
    events = AuditEvent.objects.count()
    bad_years = [*PLAN["years"], {"year": 2024, "running_cost": -1}]
    with pytest.raises(InputError) as caught:
        save_business_case(
            coordinator,
            pworld.esimerkkila,
            {**PLAN, "years": bad_years, "title": "X"},
            case=case,
            via="web",
        )
    assert caught.value.field == "years[3].running_cost"
    assert str(caught.value) == "must not be negative, got -1"
    case.refresh_from_db()
    assert case.title == PLAN["title"]
    assert case.years.count() == 3
    assert AuditEvent.objects.count() == events


def test_a_derived_benefit_needs_the_cases_hourly_cost(pworld, coordinator):
    with pytest.raises(InputError) as caught:
        save_business_case(coordinator, pworld.esimerkkila, with_hourly(None), via="web")
    assert caught.value.field == "hourly_cost"
    assert not BusinessCase.objects.exists()


def test_a_case_links_only_to_an_idea_of_its_own_municipality(pworld, coordinator):
    with pytest.raises(InputError) as caught:
        save_business_case(
            coordinator, pworld.esimerkkila, {**PLAN, "idea": pworld.neighbour_idea.pk}, via="web"
        )
    assert caught.value.field == "idea"
    assert not BusinessCase.objects.exists()
    case = save_business_case(
        coordinator, pworld.esimerkkila, {**PLAN, "idea": pworld.idea.pk}, via="web"
    )
    assert case.idea == pworld.idea


def test_deleting_a_case_removes_its_years_and_keeps_it_in_the_audit_trail(pworld, coordinator):
    case = save_business_case(coordinator, pworld.esimerkkila, PLAN, via="web")
    case_id = case.pk
    delete_business_case(coordinator, case, via="web")
    assert not BusinessCase.objects.exists()
    assert not BusinessCaseYear.objects.exists()
    event = AuditEvent.objects.get(action="portfolio.business_case_deleted")
    assert event.object_id == str(case_id)
    assert event.details["before"]["title"] == PLAN["title"]
