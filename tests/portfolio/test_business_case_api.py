"""The business cases in the JSON API: the calculator answers as the command line does, stored
cases are read and replaced within the caller's municipalities, and bad input is a 400 naming
the field with nothing changed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from kuntarobo.accounts.models import Role
from kuntarobo.api.models import ApiToken
from kuntarobo.audit.models import AuditEvent
from kuntarobo.portfolio.business_cases import save_business_case
from kuntarobo.portfolio.models import BusinessCase

CALCULATOR = "/api/v1/portfolio/business-case"

# Development 100 000 in 2021; gross 50 000 − running 10 000 = 40 000 a year 2021–2026:
# payback 2 + 20 000 / 40 000 = 2.50, ratio 240 000 / 100 000 = 2.40.
GOOD: dict[str, Any] = {
    "start_year": 2021,
    "horizon_year": 2026,
    "years": [
        {"year": 2021, "development_cost": 100000, "running_cost": 10000, "gross_benefit": 50000}
    ]
    + [{"year": y, "running_cost": 10000, "gross_benefit": 50000} for y in range(2022, 2027)],
}


def post(client: Client, url: str, body: Any, method: str = "post") -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    return getattr(client, method)(url, data=data, content_type="application/json")


def token_client(user: Any) -> Client:
    _, secret = ApiToken.issue(user, "laskuri")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_the_calculator_answers_with_the_contracts_json_for_a_token_caller(pworld):
    response = post(token_client(pworld.users[Role.VIEWER]), CALCULATOR, GOOD)
    assert response.status_code == 200
    answer = response.json()
    assert answer["payback_years"] == 2.5
    assert answer["benefit_ratio_6y"] == 2.4
    assert answer["cumulative_net_benefit"]["2021"] == -60000
    assert answer["meets_rules"] is True


def test_the_calculator_refuses_an_anonymous_caller(pworld):
    assert post(Client(), CALCULATOR, GOOD).status_code == 401


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            '{"start_year": 2021,\n "years": ]}',
            None,
            "not JSON: Expecting value at line 2 column 11",
        ),
        ("[1, 2]", None, "input: must be an object, got [1, 2]"),
        ({"horizon_year": 2026, "years": GOOD["years"]}, "start_year", "start_year: is required"),
        (
            {**GOOD, "years": [*GOOD["years"], {"year": 2022}]},
            "years[6].year",
            "years[6].year: year 2022 is given twice",
        ),
        (
            {**GOOD, "years": [{"year": 2020, "development_cost": 5}]},
            "years[0].year",
            "years[0].year: year 2020 is before start_year 2021",
        ),
        (
            {**GOOD, "years": [{"year": 2021, "development_cost": 5, "running_cost": -5}]},
            "years[0].running_cost",
            "years[0].running_cost: must not be negative, got -5",
        ),
        (
            {**GOOD, "years": [{"year": 2021, "development_cost": "5"}]},
            "years[0].development_cost",
            "years[0].development_cost: must be a number of euros, got '5'",
        ),
        ({**GOOD, "horizon_year": 2019}, "horizon_year", "horizon_year: horizon_year 2019"),
        ({**GOOD, "extra": 1}, "extra", "extra: unknown key 'extra'"),
        (
            {**GOOD, "years": [{"year": 2021, "gross_benefit": 5}]},
            "years",
            "years: the investment",
        ),
    ],
)
def test_the_calculator_refuses_bad_input_naming_the_field(pworld, body, field, message):
    response = post(pworld.client_for(Role.VIEWER), CALCULATOR, body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == field
    assert error["message"].startswith(message), error


STORED: dict[str, Any] = {
    "title": "Ostolaskujen tiliöinti",
    "hourly_cost": 30,
    "start_year": 2021,
    "horizon_year": 2026,
    "years": [
        {"year": 2021, "development_cost": 6000, "volume": 12000, "minutes_saved": 4},
        {"year": 2022, "running_cost": 1000, "gross_benefit": 24000},
    ],
}


@pytest.fixture
def stored(pworld) -> BusinessCase:
    return save_business_case(
        pworld.users[Role.COORDINATOR], pworld.esimerkkila, STORED, via="test"
    )


def test_a_stored_case_is_read_with_its_result_in_euros(pworld, stored):
    response = pworld.client_for(Role.VIEWER).get(f"/api/v1/portfolio/business-cases/{stored.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["municipality"] == "esimerkkila"
    assert body["years"][0] == {
        "year": 2021,
        "development_cost": 6000,
        "running_cost": 0,
        "volume": 12000,
        "minutes_saved": 4,
    }
    # 12 000 × 4 / 60 × 30 € = 24 000 € in 2021 against 6 000 € of development: payback 0.25.
    assert body["result"]["net_benefit"]["2021"] == 24000
    assert body["result"]["payback_years"] == 0.25


def test_a_case_read_and_put_back_unchanged_keeps_its_figures(pworld, stored):
    client = pworld.client_for(Role.COORDINATOR)
    url = f"/api/v1/portfolio/business-cases/{stored.pk}"
    before = client.get(url).json()
    response = post(client, url, before, method="put")
    assert response.status_code == 200, response.content
    assert response.json() == before


def test_a_put_replaces_the_plan_and_is_audited_with_before_and_after(pworld, stored):
    client = pworld.client_for(Role.COORDINATOR)
    url = f"/api/v1/portfolio/business-cases/{stored.pk}"
    changed = {**STORED, "years": [{"year": 2021, "development_cost": 1000, "gross_benefit": 500}]}
    response = post(client, url, changed, method="put")
    assert response.status_code == 200
    assert response.json()["result"]["payback_years"] is None
    event = AuditEvent.objects.get(action="portfolio.business_case_changed")
    assert event.via == "api"
    assert event.details["before"]["years"][0]["volume"] == 12000
    assert event.details["after"]["years"] == [
        {"year": 2021, "development_cost": 1000, "running_cost": 0, "gross_benefit": 500}
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "  "}, "title"),
        ({"hourly_cost": None}, "hourly_cost"),
        ({"hourly_cost": 12.345}, "hourly_cost"),
        ({"rules": {"payback_max_years": 100}}, "rules.payback_max_years"),
        (
            {"years": [{"year": 2021, "development_cost": 0.001, "gross_benefit": 1}]},
            "years[0].development_cost",
        ),
        ({"years": [{"year": 2021, "development_cost": -1}]}, "years[0].development_cost"),
        ({"start_year": 2022, "horizon_year": 2027}, "years[0].year"),
    ],
)
def test_a_bad_put_is_a_400_naming_the_field_and_changes_nothing(pworld, stored, change, field):
    url = f"/api/v1/portfolio/business-cases/{stored.pk}"
    client = pworld.client_for(Role.COORDINATOR)
    before = client.get(url).json()
    response = post(client, url, {**STORED, **change}, method="put")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["field"] == field
    assert response.json()["error"]["message"].startswith(f"{field}: ")
    assert client.get(url).json() == before
    assert not AuditEvent.objects.filter(action="portfolio.business_case_changed").exists()


def test_another_municipalitys_idea_is_refused_as_unknown(pworld, stored):
    url = f"/api/v1/portfolio/business-cases/{stored.pk}"
    client = pworld.client_for(Role.COORDINATOR)
    foreign = post(client, url, {**STORED, "idea": pworld.neighbour_idea.pk}, method="put")
    assert foreign.status_code == 400
    assert foreign.json()["error"] == {
        "code": "invalid_input",
        "message": f"idea: no idea {pworld.neighbour_idea.pk} in this municipality",
        "field": "idea",
    }
    own = post(client, url, {**STORED, "idea": pworld.idea.pk}, method="put")
    assert own.status_code == 200
    assert own.json()["idea"] == pworld.idea.pk


def test_another_municipalitys_case_is_not_found_for_reading_or_writing(pworld, stored):
    client = pworld.client_for("outsider")
    url = f"/api/v1/portfolio/business-cases/{stored.pk}"
    assert client.get(url).status_code == 404
    assert post(client, url, STORED, method="put").status_code == 404
    assert client.get("/api/v1/portfolio/business-cases").json() == {"results": []}
