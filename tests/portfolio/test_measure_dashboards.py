"""The impact dashboards: charts with their tables, the period, and no other municipality's
figures."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from kuntarobo.accounts.models import Role
from kuntarobo.core.satisfaction import STATEMENTS
from kuntarobo.portfolio.models import (
    Assessment,
    CustomerFeedback,
    FeedbackSource,
    SurveyResponse,
    SurveyRound,
)
from kuntarobo.portfolio.realised import refresh
from kuntarobo.portfolio.views.dashboards import month_label
from tests.portfolio.conftest import OUTSIDER, PortfolioWorld
from tests.portfolio.measure_data import done_items, made_run


def this_month() -> datetime.datetime:
    today = timezone.localdate()
    return datetime.datetime(today.year, today.month, 1, 9, tzinfo=datetime.UTC)


@pytest.fixture
def measured(pworld: PortfolioWorld) -> PortfolioWorld:
    """Esimerkkilä's robot handled 3 items this month, Naapurila's 7 (each saving 3 minutes)."""
    made_run(pworld.esimerkkila, this_month(), done_items(3))
    made_run(pworld.naapurila, this_month(), done_items(7))
    refresh()
    return pworld


def page(world: PortfolioWorld, role: str, name: str, *args: Any, **query: str) -> str:
    url = reverse(f"portfolio:{name}", args=args)
    response = world.client_for(role).get(url, query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def key_figure(body: str, label: str) -> str:
    found = re.search(rf"<dt>{re.escape(label)}</dt><dd>([^<]*)</dd>", body)
    assert found, label
    return found.group(1)


def test_the_robot_dashboard_draws_each_chart_with_its_data_table(measured) -> None:
    body = page(measured, Role.VIEWER, "dashboard_robot", "invoice_check")
    assert body.count("<svg") == 4  # items, hours, rates, first against latest months
    assert body.count("<figure") == 4
    assert body.count("<caption>") == 4
    assert 'scope="row"' in body
    assert 'scope="col"' in body
    assert 'role="img"' in body
    assert "Productivity and cost-efficiency" in body
    assert "Quality and reliability" in body
    assert key_figure(body, "Items handled") == "3"


def test_another_municipalitys_figures_are_not_counted_in_a_users_dashboards(measured) -> None:
    robot = page(measured, Role.VIEWER, "dashboard_robot", "invoice_check")
    place = page(measured, Role.VIEWER, "dashboard_municipality", "esimerkkila")
    theirs = page(measured, OUTSIDER, "dashboard_robot", "invoice_check")
    assert key_figure(robot, "Items handled") == "3"
    assert key_figure(place, "Items handled") == "3"
    assert key_figure(theirs, "Items handled") == "7"


def test_another_municipalitys_dashboard_is_not_found(measured) -> None:
    url = reverse("portfolio:dashboard_municipality", args=["naapurila"])
    assert measured.client_for(Role.ADMINISTRATOR).get(url).status_code == 404


def test_the_programme_dashboard_shows_the_programmes_figures_together_only(measured) -> None:
    body = page(measured, Role.VIEWER, "dashboard_programme", measured.programme.pk)
    assert key_figure(body, "Items handled") == "10"
    assert "Naapurila" not in body
    assert "Esimerkkilä" not in body


def test_a_year_shows_its_twelve_months(measured) -> None:
    year = str(timezone.localdate().year)
    body = page(measured, Role.VIEWER, "dashboard_robot", "invoice_check", period=year)
    table = body.split("Items per month (the chart&#x27;s figures)")[1].split("</table>")[0]
    assert table.count('<th scope="row">') == 12
    assert f'<option value="{year}" selected>' in body


def test_the_value_against_ease_chart_lists_the_assessed_ideas(measured) -> None:
    Assessment.objects.create(
        idea=measured.idea,
        method_version="1",
        scores={},
        weights={},
        suitability=Decimal(4),
        automation_potential=Decimal(70),
        ease=Decimal("3.5"),
        hours_per_year=Decimal(800),
    )
    body = page(measured, Role.VIEWER, "dashboard_municipality", "esimerkkila")
    table = body.split("Assessed ideas (the chart&#x27;s figures)")[1].split("</table>")[0]
    assert '<th scope="row">Esimerkin salainen idea</th>' in table
    assert "3.50" in table
    assert "800" in table


def test_the_satisfaction_section_waits_for_survey_results(measured) -> None:
    body = page(measured, Role.VIEWER, "dashboard_robot", "invoice_check")
    assert "Staff and customer satisfaction" in body
    assert "No survey results yet." in body


def surveyed(world: PortfolioWorld) -> None:
    """Three staff answers before and three after in Esimerkkilä (fewer are never shown), and
    two customers' scores this month; Naapurila's staff answered too."""
    for municipality, phases in (
        (world.esimerkkila, {"before": 2, "after": 4}),
        (world.naapurila, {"before": 5}),
    ):
        for phase, score in phases.items():
            survey = SurveyRound.objects.create(
                municipality=municipality, robot_slug="invoice_check", phase=phase
            )
            for _ in range(3):
                SurveyResponse.objects.create(
                    round=survey,
                    phase=phase,
                    scores=dict.fromkeys(STATEMENTS, score),
                    answered_on=timezone.localdate(),
                )
    for score in (3, 4):
        CustomerFeedback.objects.create(
            municipality=world.esimerkkila,
            robot_slug="invoice_check",
            given_on=timezone.localdate(),
            score=score,
            source=FeedbackSource.values[0],
        )


def test_staff_and_customer_satisfaction_are_charted_with_their_tables(measured) -> None:
    surveyed(measured)
    body = page(measured, Role.VIEWER, "dashboard_robot", "invoice_check")
    staff = body.split("Staff satisfaction (the chart&#x27;s figures)")[1].split("</table>")[0]
    row = staff.split("All statements</th>")[1].split("</tr>")[0]
    # Esimerkkilä's own answers only: 2.00 before, 4.00 after (Naapurila's 5s not counted).
    assert re.findall(r'<td class="num">([^<]*)</td>', row) == ["2.00", "4.00"]
    customers = body.split("Customer satisfaction per month (the chart&#x27;s figures)")[1]
    assert (
        f'<th scope="row">{month_label(timezone.localdate())}</th><td class="num">2</td>'
        '<td class="num">3.50</td>' in customers.split("</table>")[0]
    )
    assert "No survey results yet." not in body
    assert body.count("<svg") == 6


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("fi", "Tuottavuus ja kustannustehokkuus"),
        ("sv", "Produktivitet och kostnadseffektivitet"),
        ("en", "Productivity and cost-efficiency"),
    ],
)
def test_the_dashboards_speak_finnish_swedish_and_english(measured, language, heading) -> None:
    url = reverse("portfolio:dashboard_municipality", args=["esimerkkila"])
    client = measured.client_for(Role.VIEWER)
    body = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert heading in body
