"""`POST /api/v1/ecec-fees/calculate`: the fee calculator for other systems. Any authenticated
caller may use it; it stores nothing; bad input is answered 400 naming the field."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from kuntarobo.accounts.models import Role
from kuntarobo.api.models import ApiToken
from kuntarobo.audit.models import AuditEvent
from kuntarobo.robots.ecec_fees.models import FeeDecision, FeeParameterRow
from kuntarobo.runtime.models import WorkItem
from tests.api.helpers import error_of
from tests.factories import user_with_role
from tests.robots.ecec_fees.test_cli import EXAMPLE_FAMILY, EXAMPLE_REQUEST, changed, without

pytestmark = pytest.mark.django_db

URL = "/api/v1/ecec-fees/calculate"


@pytest.fixture
def client_with_token() -> Client:
    _, secret = ApiToken.issue(user_with_role(Role.VIEWER), "e-service")
    return Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {secret}"})


def post(client: Client, body: object, content_type: str = "application/json"):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data, content_type=content_type)


def stored() -> tuple[int, int, int, int]:
    return (
        AuditEvent.objects.count(),
        WorkItem.objects.count(),
        FeeDecision.objects.count(),
        FeeParameterRow.objects.count(),
    )


def test_a_token_caller_gets_the_fees_of_the_issues_example_and_nothing_is_stored(
    client_with_token,
):
    before = stored()
    response = post(client_with_token, EXAMPLE_REQUEST)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert [c["final_fee"] for c in answer["children"]] == [2960, 0]
    assert answer["children"][0]["base_fee"] == 3700
    assert answer["children"][1]["minimum_fee_applied"] is True
    assert answer["total_fee"] == 2960
    assert answer["language"] == "en"
    assert stored() == before


def test_a_date_request_uses_the_stored_parameters_and_may_ask_for_finnish(client_with_token):
    response = post(
        client_with_token, {"date": "2025-01-15", "family": EXAMPLE_FAMILY, "language": "fi"}
    )
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["total_fee"] == 2960
    assert answer["parameters"]["valid_from"] == "2024-08-01"
    assert answer["language"] == "fi"
    assert any("29,60 €" in line for line in answer["explanation"])


def test_a_logged_in_user_may_calculate_with_the_csrf_token():
    client = Client()
    client.force_login(user_with_role(Role.REVIEWER))
    assert post(client, EXAMPLE_REQUEST).status_code == 200


def test_a_session_caller_without_the_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_with_role(Role.REVIEWER))
    response = post(client, EXAMPLE_REQUEST)
    assert response.status_code == 403
    assert error_of(response)["code"] == "csrf_failed"


def test_an_anonymous_caller_is_refused_with_401():
    response = post(Client(), EXAMPLE_REQUEST)
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


def test_an_unknown_token_is_refused_with_401():
    client = Client(headers={"Authorization": "Bearer not-a-token"})
    response = post(client, EXAMPLE_REQUEST)
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_token"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (without(EXAMPLE_REQUEST, "family"), "family"),
        (changed(EXAMPLE_REQUEST, ("family", "size"), 1), "family.size"),
        (
            changed(EXAMPLE_REQUEST, ("family", "incomes", 0, "amount"), -1),
            "family.incomes[0].amount",
        ),
        (
            changed(EXAMPLE_REQUEST, ("family", "incomes", 0, "amount"), 3500.0),
            "family.incomes[0].amount",
        ),
        ({**EXAMPLE_REQUEST, "famliy": {}}, "famliy"),
        ({"date": "15.1.2025", "family": EXAMPLE_FAMILY}, "date"),
        ({**EXAMPLE_REQUEST, "date": "2025-01-15"}, "date"),
        ({"date": "2026-09-01", "family": EXAMPLE_FAMILY}, "date"),
        (
            {
                "date": "2018-07-31",
                "family": {
                    "size": 2,
                    "incomes": [{"amount": 300000}],
                    "children": [{"id": "a", "birth_date": "2016-01-01"}],
                },
            },
            "date",
        ),
        ({**EXAMPLE_REQUEST, "language": "de"}, "language"),
        (
            changed(EXAMPLE_REQUEST, ("parameters", "sibling_percentages"), [90, 40]),
            "parameters.sibling_percentages[0]",
        ),
        ([EXAMPLE_REQUEST], ""),
    ],
    ids=[
        "missing family",
        "family of one",
        "negative income",
        "income as a float",
        "unknown key",
        "date not ISO",
        "parameters and date",
        "thresholds not yet entered",
        "before the first row",
        "unknown language",
        "youngest not 100 %",
        "not an object",
    ],
)
def test_bad_input_is_answered_400_naming_the_field(client_with_token, body, field):
    response = post(client_with_token, body)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_input"
    assert error["field"] == field
    assert error["message"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (json.dumps(EXAMPLE_REQUEST), "text/plain"),
        (json.dumps(EXAMPLE_REQUEST), "application/x-www-form-urlencoded"),
        ("{not json", "application/json"),
        (b"\xff\xfe", "application/json"),
        ("[" * 100_000 + "]" * 100_000, "application/json"),
        ('{"family": ' + "1" * 5000 + "}", "application/json"),
        (json.dumps({**EXAMPLE_REQUEST, "padding": "x" * 1_500_000}), "application/json"),
        (json.dumps({**EXAMPLE_REQUEST, "padding": "x" * 3_000_000}), "application/json"),
    ],
    ids=[
        "text/plain",
        "form",
        "not JSON",
        "not UTF-8",
        "nested too deep",
        "integer of 5000 digits",
        "over 1 MB",
        "3 MB",
    ],
)
def test_a_body_that_is_not_json_is_answered_400(client_with_token, body, content_type):
    response = post(client_with_token, body, content_type)
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_json"


def test_get_is_answered_405(client_with_token):
    response = client_with_token.get(URL)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert error_of(response)["code"] == "method_not_allowed"


def test_an_answer_computed_with_the_demos_example_figures_says_so(client_with_token):
    official = FeeParameterRow.objects.get(valid_from="2024-08-01")
    # What the demo does to the row from 1.8.2026 while its thresholds are not entered.
    FeeParameterRow.objects.filter(valid_from="2026-08-01").update(
        income_thresholds=official.income_thresholds,
        threshold_increase_per_further_child=official.threshold_increase_per_further_child,
        example_figures=True,
    )
    marked = post(client_with_token, {"date": "2026-09-01", "family": EXAMPLE_FAMILY})
    assert marked.status_code == 200, marked.content
    assert marked.json()["example_figures"] is True
    official_answer = post(client_with_token, {"date": "2025-01-15", "family": EXAMPLE_FAMILY})
    assert official_answer.json()["example_figures"] is False
    assert post(client_with_token, EXAMPLE_REQUEST).json()["example_figures"] is False
