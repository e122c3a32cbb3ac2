"""The programme follow-up pages, forms and actions."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.portfolio.models import (
    Programme,
    ProgrammeAxisOverride,
    ProgrammeCost,
    ProgrammeRisk,
)
from kuntarobo.portfolio.programmes import save_record, set_axis_override
from kuntarobo.runtime.actions import PermissionDeniedError
from kuntarobo.runtime.declarations import InputError
from tests.factories import MunicipalityFactory, user_with_role
from tests.portfolio.conftest import OUTSIDER


@pytest.fixture(autouse=True)
def in_english(settings):
    """The pages in English, so that the checks read the texts as written."""
    settings.LANGUAGE_CODE = "en"


def detail(world) -> str:
    return reverse("portfolio:programme_detail", args=[world.programme.pk])


def add_costs(world) -> None:
    ProgrammeCost.objects.create(
        programme=world.programme,
        kind="purchased_services",
        planned_cents=394_100_00,
        realised_cents=422_359_00,
    )
    ProgrammeCost.objects.create(
        programme=world.programme,
        kind="own_staff",
        planned_cents=130_100_00,
        realised_cents=94_384_00,
    )


def test_the_programme_page_shows_costs_per_kind_with_totals_and_the_difference(pworld):
    add_costs(pworld)
    response = pworld.client_for(Role.VIEWER).get(detail(pworld))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Costs planned and realised by kind" in body
    compact = body.replace("\xa0", " ").replace("&nbsp;", " ")
    for figure in (
        "394,100.00",
        "422,359.00",
        "28,259.00",
        "-35,716.00",
        "524,200.00",
        "516,743.00",
        "-7,457.00",
    ):
        assert figure in compact, figure


def test_each_traffic_light_says_its_colour_in_words_and_why(pworld):
    add_costs(pworld)
    body = pworld.client_for(Role.VIEWER).get(detail(pworld)).content.decode()
    assert "Green: on track" in body  # costs 98.6 %
    assert "Yellow: needs attention" in body  # own staff 72.5 %
    assert "Not assessed" in body  # no milestones
    assert "(98.6 %)" in body
    assert "Set the light" not in body  # a viewer keeps nothing


def test_a_coordinator_adds_a_cost_line_in_euros_and_it_is_kept_in_cents(pworld):
    client = pworld.client_for(Role.COORDINATOR)
    url = reverse("portfolio:programme_record_add", args=[pworld.programme.pk, "costs"])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"kind": "purchased_services", "year": "2021", "planned": "1234,50", "realised": "0"}
    )
    assert response.status_code == 302
    line = ProgrammeCost.objects.get(programme=pworld.programme)
    assert (line.planned_cents, line.realised_cents, line.year) == (123_450, 0, 2021)
    event = AuditEvent.objects.get(action="portfolio.programme_costs_saved")
    assert event.municipality == pworld.esimerkkila


def test_a_bad_form_answers_400_and_writes_nothing(pworld):
    client = pworld.client_for(Role.ADMINISTRATOR)
    url = reverse("portfolio:programme_record_add", args=[pworld.programme.pk, "risks"])
    response = client.post(
        url, {"description": "Riski", "likelihood": "6", "impact": "3", "status": "open"}
    )
    assert response.status_code == 400
    assert not ProgrammeRisk.objects.exists()


def test_a_coordinator_edits_and_deletes_a_milestone(pworld):
    client = pworld.client_for(Role.COORDINATOR)
    milestone = pworld.programme.milestones.create(
        title="Työpajat", planned_on=datetime.date(2021, 5, 1)
    )
    url = reverse(
        "portfolio:programme_record_edit", args=[pworld.programme.pk, "milestones", milestone.pk]
    )
    assert "Työpajat" in client.get(url).content.decode()
    response = client.post(
        url, {"title": "Työpajat", "planned_on": "2021-05-01", "achieved_on": "2021-06-15"}
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.achieved_on == datetime.date(2021, 6, 15)
    body = client.get(detail(pworld)).content.decode()
    assert "The latest milestone, Työpajat, is 45 days late." in body
    delete = reverse(
        "portfolio:programme_record_delete", args=[pworld.programme.pk, "milestones", milestone.pk]
    )
    assert client.post(delete).status_code == 302
    assert not pworld.programme.milestones.exists()


def test_a_record_of_another_programme_or_an_unknown_kind_is_not_found(pworld):
    other = Programme.objects.create(
        name="Toinen",
        lead=pworld.esimerkkila,
        starts_on=datetime.date(2021, 1, 1),
        ends_on=datetime.date(2021, 12, 31),
    )
    foreign = ProgrammeCost.objects.create(programme=other, kind="other", planned_cents=1)
    client = pworld.client_for(Role.COORDINATOR)
    url = reverse(
        "portfolio:programme_record_edit", args=[pworld.programme.pk, "costs", foreign.pk]
    )
    assert client.get(url).status_code == 404
    assert (
        client.get(
            reverse("portfolio:programme_record_add", args=[pworld.programme.pk, "ideas"])
        ).status_code
        == 404
    )


def test_the_override_replaces_the_light_with_a_reason_and_can_be_withdrawn(pworld):
    add_costs(pworld)
    client = pworld.client_for(Role.COORDINATOR)
    url = reverse("portfolio:programme_axis_override", args=[pworld.programme.pk, "costs"])
    assert "Computed by the rule:" in client.get(url).content.decode()
    assert client.post(url, {"light": "red", "reason": ""}).status_code == 400
    assert client.post(url, {"light": "red", "reason": "Laskenta kesken"}).status_code == 302
    body = client.get(detail(pworld)).content.decode()
    assert "Red: off track" in body
    assert "Laskenta kesken" in body
    assert client.post(url, {"light": "", "reason": ""}).status_code == 302
    assert not ProgrammeAxisOverride.objects.exists()
    actions = AuditEvent.objects.filter(action__startswith="portfolio.programme_light")
    assert list(actions.order_by("pk").values_list("action", flat=True)) == [
        "portfolio.programme_light_overridden",
        "portfolio.programme_light_override_withdrawn",
    ]


def test_a_member_municipality_sees_the_programme_but_cannot_keep_it(pworld):
    client = pworld.client_for(OUTSIDER)
    assert "Testiohjelma" in client.get(reverse("portfolio:programme_list")).content.decode()
    assert client.get(detail(pworld)).status_code == 200
    add = reverse("portfolio:programme_record_add", args=[pworld.programme.pk, "costs"])
    assert client.get(add).status_code == 403


def test_a_user_of_no_member_municipality_does_not_find_the_programme(pworld):
    stranger = user_with_role(
        Role.ADMINISTRATOR, MunicipalityFactory(slug="kaukola"), username="kaukainen"
    )
    client = Client()
    client.force_login(stranger)
    assert "Testiohjelma" not in client.get(reverse("portfolio:programme_list")).content.decode()
    assert client.get(detail(pworld)).status_code == 404
    add = reverse("portfolio:programme_record_add", args=[pworld.programme.pk, "costs"])
    assert client.get(add).status_code == 404


def test_the_actions_refuse_bad_input_naming_the_field_and_other_municipalities(pworld):
    coordinator = pworld.users[Role.COORDINATOR]
    with pytest.raises(InputError) as raised:
        save_record(
            coordinator,
            pworld.programme,
            "risks",
            {"description": "R", "likelihood": 0, "impact": 3, "status": "open"},
            via="test",
        )
    assert raised.value.field == "likelihood"
    with pytest.raises(InputError) as raised:
        save_record(
            coordinator,
            pworld.programme,
            "costs",
            {"kind": "other", "planned_cents": -1},
            via="test",
        )
    assert raised.value.field == "planned_cents"
    with pytest.raises(InputError) as raised:
        save_record(
            coordinator, pworld.programme, "costs", {"kind": "other", "colour": "x"}, via="test"
        )
    assert raised.value.field == "colour"
    with pytest.raises(PermissionDeniedError):
        save_record(
            pworld.users[OUTSIDER], pworld.programme, "costs", {"kind": "other"}, via="test"
        )
    with pytest.raises(InputError) as raised:
        set_axis_override(coordinator, pworld.programme, "costs", "red", " ", via="test")
    assert raised.value.field == "reason"
    assert not ProgrammeCost.objects.exists()
    assert not ProgrammeRisk.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="portfolio.programme").exists()


def test_every_kind_of_record_opens_in_its_edit_form_with_its_values(pworld):
    programme = pworld.programme
    records = {
        "costs": ProgrammeCost.objects.create(
            programme=programme, kind="other", planned_cents=123_456, description="Matkat"
        ),
        "outputs": programme.outputs.create(title="Polkudokumentit", status="late"),
        "risks": programme.risks.create(description="Toimittaja viivästyy", likelihood=2, impact=4),
        "milestones": programme.milestones.create(
            title="Loppuraportti", planned_on=datetime.date(2022, 8, 31)
        ),
    }
    expected = {
        "costs": "1234.56",
        "outputs": "Polkudokumentit",
        "risks": "Toimittaja viivästyy",
        "milestones": "2022-08-31",
    }
    client = pworld.client_for(Role.ADMINISTRATOR)
    for kind, obj in records.items():
        url = reverse("portfolio:programme_record_edit", args=[programme.pk, kind, obj.pk])
        response = client.get(url)
        assert response.status_code == 200, kind
        assert expected[kind] in response.content.decode(), kind
    page = client.get(detail(pworld)).content.decode()
    assert "Late: Polkudokumentit." in page
    assert "The worst open risk, Toimittaja viivästyy, scores 8" in page


def test_the_action_checks_the_models_limits_for_every_entry_point(pworld):
    with pytest.raises(InputError) as raised:
        save_record(
            pworld.users[Role.COORDINATOR],
            pworld.programme,
            "outputs",
            {"title": "x" * 201, "status": "planned"},
            via="test",
        )
    assert raised.value.field == "title"
    assert not pworld.programme.outputs.exists()
