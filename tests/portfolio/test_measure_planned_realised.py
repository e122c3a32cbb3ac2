"""A business case's plan beside its realised figures, evaluated by the same method, and the
running costs entered per month."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.portfolio.models import BusinessCase, BusinessCaseYear, RunningCost
from kuntarobo.portfolio.planned_realised import compare
from kuntarobo.portfolio.realised import refresh
from kuntarobo.portfolio.running_costs import set_running_cost
from kuntarobo.runtime.actions import PermissionDeniedError
from kuntarobo.runtime.declarations import InputError
from tests.portfolio.conftest import PortfolioWorld
from tests.portfolio.measure_data import done_items, made_run

TODAY = datetime.date(2026, 12, 6)
UTC = datetime.UTC


def hand_made_case(world: PortfolioWorld, hourly_cost_cents: int | None = 40000) -> BusinessCase:
    """Plan: 1,000 € of development in 2025, then 800 € of benefits and 100 € of running costs a
    year to 2030. Realised: invoice_check (3 minutes an item) did 20 items in March 2025 and 30
    in February 2026; at 400 € an hour an item is worth 20 €; running costs 30 € in January and
    20 € in February 2026."""
    world.idea.robot_slug = "invoice_check"
    world.idea.save()
    case = BusinessCase.objects.create(
        municipality=world.esimerkkila,
        idea=world.idea,
        title="Ostolaskut",
        start_year=2025,
        horizon_year=2030,
        hourly_cost_cents=hourly_cost_cents,
    )
    BusinessCaseYear.objects.create(case=case, year=2025, development_cost_cents=100000)
    for year in range(2026, 2031):
        BusinessCaseYear.objects.create(
            case=case, year=year, gross_benefit_cents=80000, running_cost_cents=10000
        )
    made_run(world.esimerkkila, datetime.datetime(2025, 3, 10, 8, tzinfo=UTC), done_items(20))
    made_run(world.esimerkkila, datetime.datetime(2026, 2, 10, 8, tzinfo=UTC), done_items(30))
    made_run(world.naapurila, datetime.datetime(2026, 2, 10, 8, tzinfo=UTC), done_items(9))
    for month, cents in ((1, 3000), (2, 2000)):
        set_running_cost(
            "test set-up",
            world.esimerkkila,
            "invoice_check",
            datetime.date(2026, month, 1),
            cents,
            via="cli",
        )
    refresh()
    return case


def test_the_plan_and_the_realised_side_are_evaluated_alike_by_hand(pworld) -> None:
    comparison = compare(hand_made_case(pworld), today=TODAY)
    plan, realised = comparison.plan, comparison.realised
    assert plan is not None
    assert realised is not None
    # Plan: net 0, 700, 700, …; cumulative 700 after 2026, 1,400 after 2027: 2 + 300/700.
    assert plan.payback_years == Decimal("2.43")
    assert plan.benefit_ratio_6y == Decimal("3.50")
    # Realised: 2025 20 × 20 € = 400 €; 2026 30 × 20 € − 50 € = 550 €; nothing after.
    assert realised.net_benefit[2025] == Decimal("400.00")
    assert realised.net_benefit[2026] == Decimal("550.00")
    assert realised.net_benefit[2027] == 0
    assert realised.cumulative_net_benefit[2026] == Decimal("-50.00")
    assert realised.payback_years is None
    assert realised.benefit_ratio_6y == Decimal("0.95")
    assert realised.investment == plan.investment == Decimal("1000.00")
    years = {row.year: row for row in comparison.years}
    assert years[2026].hours_saved == Decimal("1.5")
    assert years[2027].realised is None  # not begun
    assert comparison.problems == []


def test_the_realised_side_has_a_row_for_each_month_to_date(pworld) -> None:
    months = compare(hand_made_case(pworld), today=TODAY).months
    assert len(months) == 24  # January 2025 – December 2026
    january, february = months[12], months[13]
    assert (january.month, january.net_benefit) == (datetime.date(2026, 1, 1), Decimal("-30.00"))
    assert (february.items, february.gross_benefit) == (30, Decimal("600.00"))
    assert february.running_cost == Decimal("20.00")


def test_without_an_hourly_cost_the_realised_side_is_not_evaluated(pworld) -> None:
    comparison = compare(hand_made_case(pworld, hourly_cost_cents=None), today=TODAY)
    assert comparison.plan is not None
    assert comparison.realised is None
    assert len(comparison.problems) == 1


def test_the_planned_realised_page_shows_both_sides_and_a_chart_with_its_table(pworld) -> None:
    case = hand_made_case(pworld)
    client = pworld.client_for(Role.VIEWER)
    url = reverse("portfolio:business_case_realised", args=[case.pk])
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<dt>Payback (years)</dt><dd>2.43</dd>" in body
    assert "<dt>Benefit ratio</dt><dd>0.95</dd>" in body
    assert body.count("<svg") == 1
    assert "<caption>Net benefit per year (the chart&#x27;s figures, €)</caption>" in body
    assert "<caption>Realised per month (€)</caption>" in body


def test_a_coordinator_enters_a_running_cost_and_the_audit_trail_keeps_it(pworld) -> None:
    coordinator = pworld.users[Role.COORDINATOR]
    cost = set_running_cost(
        coordinator,
        pworld.esimerkkila,
        "invoice_check",
        datetime.date(2026, 3, 15),
        12050,
        note="palvelin",
        via="web",
    )
    assert cost is not None
    assert (cost.month, cost.cents, cost.entered_by) == (
        datetime.date(2026, 3, 1),
        12050,
        coordinator,
    )
    event = AuditEvent.objects.get(action="portfolio.running_cost_set")
    assert event.details["after_cents"] == 12050
    assert event.details["before_cents"] is None
    set_running_cost(
        coordinator, pworld.esimerkkila, "invoice_check", datetime.date(2026, 3, 1), None, via="web"
    )
    assert not RunningCost.objects.exists()
    assert AuditEvent.objects.filter(action="portfolio.running_cost_removed").count() == 1


def test_a_viewer_may_not_enter_a_running_cost(pworld) -> None:
    with pytest.raises(PermissionDeniedError):
        set_running_cost(
            pworld.users[Role.VIEWER],
            pworld.esimerkkila,
            "invoice_check",
            datetime.date(2026, 3, 1),
            100,
            via="web",
        )
    assert not RunningCost.objects.exists()


def test_a_negative_running_cost_is_refused_naming_the_field(pworld) -> None:
    with pytest.raises(InputError) as refused:
        set_running_cost(
            pworld.users[Role.COORDINATOR],
            pworld.esimerkkila,
            "invoice_check",
            datetime.date(2026, 3, 1),
            -1,
            via="web",
        )
    assert refused.value.field == "cost"
    assert not AuditEvent.objects.filter(action__startswith="portfolio.running_cost").exists()


def test_the_refresh_command_computes_the_roll_up_and_says_how_much(pworld) -> None:
    made_run(pworld.esimerkkila, datetime.datetime(2026, 2, 10, 8, tzinfo=UTC), done_items(2))
    made_run(pworld.esimerkkila, datetime.datetime(2026, 3, 10, 8, tzinfo=UTC), done_items(2))
    out = io.StringIO()
    call_command("portfolio-refresh", stdout=out)
    assert json.loads(out.getvalue())["months"] == 2
    out = io.StringIO()
    call_command("portfolio-refresh", "--all", stdout=out)
    assert json.loads(out.getvalue())["months"] == 2
