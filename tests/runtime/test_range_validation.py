"""Every entry point bounds dates, months and numbers: 9999-12-31 overflowed date arithmetic
(OverflowError, a 500) and 0000-01 or 9999-12 were accepted and then failed."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from kuntarobo.accounts.models import Role
from kuntarobo.runtime.declarations import InputError, Parameter, Text
from tests.api.helpers import client_for, error_of
from tests.factories import user_with_role


def parameter(kind: str) -> Parameter:
    return Parameter("x", Text(fi="x"), kind=kind)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("month", "0000-01"),
        ("month", "9999-12"),
        ("month", "1899-12"),
        ("date", "9999-12-31"),
        ("date", "0001-01-01"),
        ("integer", str(10**20)),
        ("integer", "9" * 5000),
        ("decimal", "1e999"),
        ("decimal", "NaN"),
    ],
)
def test_a_parameter_outside_its_range_is_refused_naming_it(kind, value):
    with pytest.raises(InputError) as refused:
        parameter(kind).parse(value)
    assert refused.value.field == "x"
    assert "parameter 'x'" in str(refused.value)


@pytest.mark.parametrize(("kind", "value"), [("month", "2200-12"), ("date", "1900-01-01")])
def test_the_bounds_themselves_are_accepted(kind, value):
    assert parameter(kind).parse(value) == value


@pytest.mark.django_db
@pytest.mark.parametrize("until", ["9999-12-31", "0001-01-01", "0001-01-01T00:00:00"])
def test_the_api_refuses_an_audit_time_outside_the_years_with_a_400(until):
    client = client_for(user_with_role(Role.ADMINISTRATOR))
    response = client.get("/api/v1/audit", {"until": until})
    assert response.status_code == 400
    assert error_of(response)["field"] == "until"


@pytest.mark.django_db
def test_the_audit_page_refuses_a_date_in_the_year_9999_without_a_500():
    client = client_for(user_with_role(Role.ADMINISTRATOR))
    response = client.get(reverse("audit"), {"date_to": "9999-12-31"})
    assert response.status_code in (200, 400)
    assert "2200" in response.content.decode()


@pytest.mark.django_db
def test_the_audit_purge_refuses_the_year_1_with_exit_2():
    with pytest.raises(CommandError) as refused:
        call_command("audit", "purge", "--before", "0001-01-01", "--yes")
    assert refused.value.returncode == 2
    assert "1900-01-01" in str(refused.value)
