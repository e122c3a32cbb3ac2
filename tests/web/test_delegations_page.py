"""The delegations page: a municipality's administrator records and ends who may decide which
robot's decisions; nobody else sees it, and every change is audited as made on the web."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kuntarobo.accounts.models import Delegation, Role
from kuntarobo.audit.models import AuditEvent
from tests.factories import DelegationFactory, MunicipalityFactory, user_with_role

pytestmark = pytest.mark.django_db
PAGE = reverse("delegations")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def grant_form(**changes: str) -> dict[str, str]:
    return {
        "municipality": "",
        "official": "tarkastaja",
        "matter": "ecec_fees",
        "title_fi": "varhaiskasvatuspäällikkö",
        "title_sv": "chef för småbarnspedagogiken",
        "title_en": "",
        "basis": "Sivistyslautakunta 14.1.2026 § 5",
        "valid_from": "2026-01-01",
        "valid_to": "",
        **changes,
    }


def test_an_administrator_records_a_delegation_on_the_page_and_it_is_audited():
    home = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")
    admin = user_with_role(Role.ADMINISTRATOR, home)
    official = user_with_role(Role.REVIEWER, home, username="tarkastaja")
    client = signed_in(admin)
    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="fi")
    assert page.status_code == 200
    assert "Kirjaa delegointi" in page.content.decode()
    response = client.post(PAGE, grant_form(municipality=str(home.pk)))
    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert (delegation.user, delegation.title_sv) == (official, "chef för småbarnspedagogiken")
    event = AuditEvent.objects.get(action="delegation.grant")
    assert event.via == "web"
    listing = client.get(PAGE).content.decode()
    assert "Sivistyslautakunta 14.1.2026 § 5" in listing
    ended = client.post(reverse("delegation_end", args=[delegation.pk]))
    assert ended.status_code == 302
    delegation.refresh_from_db()
    assert delegation.valid_to == timezone.localdate()
    assert AuditEvent.objects.filter(action="delegation.end", via="web").count() == 1


def test_a_bad_delegation_on_the_page_names_the_problem_and_writes_nothing():
    home = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")
    admin = user_with_role(Role.ADMINISTRATOR, home)
    user_with_role(Role.REVIEWER, home, username="tarkastaja")
    response = signed_in(admin).post(
        PAGE,
        grant_form(municipality=str(home.pk), valid_to="2025-12-31"),
        HTTP_ACCEPT_LANGUAGE="fi",
    )
    assert response.status_code == 400
    assert "päättymispäivä on ennen alkamispäivää" in response.content.decode()
    assert not Delegation.objects.exists()


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.REVIEWER, Role.DEVELOPER, Role.VIEWER])
def test_only_an_administrator_sees_the_page_or_its_link(role):
    home = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")
    user = user_with_role(role, home, username="tarkastaja")
    client = signed_in(user)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, grant_form(municipality=str(home.pk))).status_code == 403
    assert PAGE not in client.get(reverse("dashboard")).content.decode()
    assert not Delegation.objects.exists()
    admin_page = signed_in(user_with_role(Role.ADMINISTRATOR, home)).get(reverse("dashboard"))
    assert PAGE in admin_page.content.decode()


def test_another_municipalitys_administrator_can_neither_grant_nor_end_here():
    home = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")
    other = MunicipalityFactory(slug="naapurila", name_fi="Naapurila")
    outsider = signed_in(user_with_role(Role.ADMINISTRATOR, other))
    user_with_role(Role.REVIEWER, home, username="tarkastaja")
    refused = outsider.post(PAGE, grant_form(municipality=str(home.pk)))
    assert refused.status_code == 400  # not one of the municipalities offered
    delegation = DelegationFactory(municipality=home)
    assert outsider.post(reverse("delegation_end", args=[delegation.pk])).status_code == 404
    delegation.refresh_from_db()
    assert delegation.valid_to is None
    assert outsider.get(PAGE).content.decode().count(delegation.basis) == 0
    assert Delegation.objects.count() == 1
    assert delegation.valid_from <= timezone.localdate()
