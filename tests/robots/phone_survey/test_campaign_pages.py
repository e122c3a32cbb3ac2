"""The campaign staff pages: who sees what (numbers only with the personal-data permission), who
may change what, settings checked in Finnish, a started campaign not edited, the do-not-call
list through the robot's own actions."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.robots.phone_survey import actions
from kuntarobo.robots.phone_survey.models import Campaign, CampaignStatus, DoNotCallEntry
from tests.factories import PASSWORD, MunicipalityFactory, user_with_role
from tests.robots.phone_survey.campaign_factories import (
    CampaignFactory,
    DoNotCallFactory,
    QuestionnaireFactory,
    RespondentFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("phone_survey:campaign_list")


def client_for(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def world() -> dict[str, Any]:
    home = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")
    other = MunicipalityFactory(slug="naapurila", name_fi="Naapurila")
    users = {role: user_with_role(role, home) for role in Role.values}
    users["outsider"] = user_with_role(Role.ADMINISTRATOR, other)
    campaign = CampaignFactory(municipality=home, name="Strategiakysely 2026")
    RespondentFactory(campaign=campaign, phone="+358401234567")
    RespondentFactory(campaign=campaign, phone="+358401234568", final_code="1.1")
    DoNotCallFactory(municipality=home, phone="+358401234567")
    return {"home": home, "other": other, "users": users, "campaign": campaign}


def form_data(world: dict[str, Any], **changes: Any) -> dict[str, Any]:
    questionnaire = QuestionnaireFactory(municipality=world["home"])
    data: dict[str, Any] = {
        "name": "Asukaskysely",
        "questionnaire": questionnaire.pk,
        "dialler": "simulated",
        "start_date": "2026-12-07",
        "end_date": "2026-12-18",
        "weekdays": ["1", "2", "3", "4", "5"],
        "call_from": "10:00",
        "call_to": "20:00",
        "timezone": "Europe/Helsinki",
        "max_attempts": "3",
        "lines": "5",
        "price_per_minute_cents": "9",
        "target_completes": "",
        "quotas": "",
        "caller_id": "",
        "notice_fi": "",
        "notice_sv": "",
        "notice_en": "",
        "notice_days_before": "3",
        "offer_web": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def create_url(world: dict[str, Any]) -> str:
    return reverse("phone_survey:campaign_create", args=[world["home"].slug])


def test_the_pages_are_mounted_under_the_robots_path_in_the_phone_survey_namespace():
    assert LIST == "/robots/phone_survey/campaigns/"
    assert reverse("phone_survey:do_not_call", args=["x"]) == "/robots/phone_survey/do-not-call/x/"


def test_an_anonymous_visitor_is_sent_to_sign_in_from_every_page(world):
    campaign = world["campaign"]
    urls = [
        LIST,
        create_url(world),
        reverse("phone_survey:campaign_detail", args=[campaign.pk]),
        reverse("phone_survey:campaign_edit", args=[campaign.pk]),
        reverse("phone_survey:respondents_import", args=[campaign.pk]),
        reverse("phone_survey:do_not_call", args=[world["home"].slug]),
    ]
    for url in urls:
        response = Client().get(url)
        assert response.status_code == 302, url
        assert "/login/" in response["Location"]
    for name in ("campaign_start", "campaign_end"):
        response = Client().post(reverse(f"phone_survey:{name}", args=[campaign.pk]))
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def test_another_municipalitys_administrator_gets_not_found_and_sees_no_campaign(world):
    outsider = client_for(world["users"]["outsider"])
    campaign = world["campaign"]
    for name in ("campaign_detail", "campaign_edit", "respondents_import"):
        assert outsider.get(reverse(f"phone_survey:{name}", args=[campaign.pk])).status_code == 404
    for name in ("campaign_start", "campaign_end"):
        assert outsider.post(reverse(f"phone_survey:{name}", args=[campaign.pk])).status_code == 404
    assert outsider.get(create_url(world)).status_code == 404
    assert (
        outsider.get(reverse("phone_survey:do_not_call", args=[world["home"].slug])).status_code
        == 404
    )
    listing = outsider.get(LIST)
    assert listing.status_code == 200
    assert "Strategiakysely 2026" not in listing.content.decode()


def test_a_viewer_sees_campaigns_and_counts_but_may_change_nothing(world):
    viewer = client_for(world["users"][Role.VIEWER])
    campaign = world["campaign"]
    listing = viewer.get(LIST).content.decode()
    assert "Strategiakysely 2026" in listing
    assert create_url(world) not in listing
    page = viewer.get(reverse("phone_survey:campaign_detail", args=[campaign.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert page.context["respondents"] == 2
    assert page.context["finals"] == 1
    assert page.context["on_do_not_call"] == 1
    assert reverse("phone_survey:campaign_edit", args=[campaign.pk]) not in text
    assert reverse("phone_survey:campaign_start", args=[campaign.pk]) not in text
    assert viewer.get(reverse("phone_survey:campaign_edit", args=[campaign.pk])).status_code == 403
    assert viewer.get(create_url(world)).status_code == 403
    assert (
        viewer.get(reverse("phone_survey:respondents_import", args=[campaign.pk])).status_code
        == 403
    )
    assert (
        viewer.post(reverse("phone_survey:campaign_start", args=[campaign.pk])).status_code == 403
    )


def test_a_viewer_without_personal_data_permission_sees_the_do_not_call_list_masked(world):
    url = reverse("phone_survey:do_not_call", args=[world["home"].slug])
    for role in (Role.VIEWER, Role.DEVELOPER):
        text = client_for(world["users"][role]).get(url).content.decode()
        assert "+358401234567" not in text
        assert "*******567" in text  # "+" kept, the last 3 digits shown
        assert "Lisää luetteloon" not in text
    coordinator = client_for(world["users"][Role.COORDINATOR]).get(url).content.decode()
    assert "+358401234567" in coordinator
    assert AuditEvent.objects.filter(action="phone_survey.do_not_call_viewed").count() == 1


def test_a_coordinator_adds_a_number_to_the_do_not_call_list_normalised_and_audited_masked(world):
    coordinator = client_for(world["users"][Role.COORDINATOR])
    url = reverse("phone_survey:do_not_call", args=[world["home"].slug])
    response = coordinator.post(url, {"phone": "050 765 4321"}, follow=True)
    assert response.status_code == 200
    assert DoNotCallEntry.objects.filter(municipality=world["home"], phone="+358507654321").exists()
    event = AuditEvent.objects.get(action="phone_survey.do_not_call_added")
    assert "7654321" not in str(event.details)
    assert "321" in str(event.details)


def test_an_invalid_number_is_refused_in_finnish_and_nothing_is_added(world):
    coordinator = client_for(world["users"][Role.COORDINATOR])
    url = reverse("phone_survey:do_not_call", args=[world["home"].slug])
    response = coordinator.post(url, {"phone": "12"})
    assert response.status_code == 200
    assert "Tämä ei ole kelvollinen puhelinnumero." in response.content.decode()
    assert DoNotCallEntry.objects.count() == 1


def test_a_viewer_may_not_add_or_remove_do_not_call_numbers(world):
    viewer = client_for(world["users"][Role.VIEWER])
    entry = DoNotCallEntry.objects.get()
    url = reverse("phone_survey:do_not_call", args=[world["home"].slug])
    assert viewer.post(url, {"phone": "0507654321"}).status_code == 403
    remove = reverse("phone_survey:do_not_call_remove", args=[world["home"].slug, entry.pk])
    assert viewer.post(remove).status_code == 403
    assert DoNotCallEntry.objects.count() == 1


def test_a_coordinator_removes_a_number_through_the_robots_action(world):
    coordinator = client_for(world["users"][Role.COORDINATOR])
    entry = DoNotCallEntry.objects.get()
    remove = reverse("phone_survey:do_not_call_remove", args=[world["home"].slug, entry.pk])
    assert coordinator.post(remove).status_code == 302
    assert not DoNotCallEntry.objects.exists()
    assert AuditEvent.objects.filter(action="phone_survey.do_not_call_removed").count() == 1


def test_a_coordinator_creates_a_draft_campaign_with_its_schedule_quotas_and_caller_number(world):
    coordinator = client_for(world["users"][Role.COORDINATOR])
    data = form_data(
        world,
        dialler="sip",
        caller_id="02 1234 567",
        quotas="18-29; ; ; 100\n65+; nainen; ; 50",
        notice_fi="Kaupunki soittaa teille.",
        sms_notice="on",
        weekdays=["1", "3"],
    )
    response = coordinator.post(create_url(world), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    campaign = Campaign.objects.get(name="Asukaskysely")
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.municipality == world["home"]
    assert campaign.caller_id == "+35821234567"
    assert campaign.schedule == {
        "start_date": "2026-12-07",
        "end_date": "2026-12-18",
        "weekdays": [1, 3],
        "from": "10:00",
        "to": "20:00",
        "timezone": "Europe/Helsinki",
    }
    assert campaign.quotas == [
        {"age_group": "18-29", "gender": "", "area": "", "target": 100},
        {"age_group": "65+", "gender": "nainen", "area": "", "target": 50},
    ]
    assert campaign.notice_text == {"fi": "Kaupunki soittaa teille."}
    assert campaign.sms_notice
    assert campaign.offer_web
    assert AuditEvent.objects.filter(action="phone_survey.campaign_created").count() == 1


def _errors(response: Any) -> dict[str, list[str]]:
    return {
        name: [str(e) for e in errors] for name, errors in response.context["form"].errors.items()
    }


@pytest.mark.parametrize(
    ("changes", "field", "finnish"),
    [
        ({"dialler": "sip", "caller_id": ""}, "caller_id", "Oikeat puhelut tarvitsevat"),
        ({"caller_id": "+46 70 123 4567"}, "caller_id", "suomalainen numero (+358)"),
        ({"caller_id": "123"}, "caller_id", "Tämä ei ole kelvollinen puhelinnumero."),
        ({"quotas": "18-29; ; ; sata"}, "quotas", "Rivi 1: tavoitteen on oltava kokonaisluku"),
        ({"quotas": "18-29; ; 100"}, "quotas", "Rivi 1: kirjoita ikäryhmä; sukupuoli; alue"),
        ({"quotas": "18-29;;;5\n18-29;;;6"}, "quotas", "Rivi 2: sama ryhmä kuin rivillä 1"),
        ({"quotas": ";;;5"}, "quotas", "Rivi 1: nimeä ainakin yksi"),
        ({"call_from": "20:00", "call_to": "10:00"}, "call_to", "Soittojen on päätyttävä"),
        ({"call_from": "9.00"}, "call_from", "Anna kellonaika muodossa HH:MM"),
        ({"weekdays": []}, "weekdays", "Valitse ainakin yksi viikonpäivä."),
        ({"end_date": "2026-12-01"}, "end_date", "ei voi olla ennen alkupäivää 2026-12-07"),
        ({"end_date": "2028-12-01"}, "end_date", "enintään 366 päivää"),
        ({"timezone": "Europe/Turku"}, "timezone", "ei ole tunnettu aikavyöhyke"),
        ({"max_attempts": "11"}, "max_attempts", "10"),
        ({"sms_notice": "on"}, "notice_fi", "Tekstiviesti-ilmoitus tarvitsee"),
    ],
)
def test_bad_settings_are_shown_beside_their_field_in_finnish(world, changes, field, finnish):
    coordinator = client_for(world["users"][Role.COORDINATOR])
    response = coordinator.post(create_url(world), form_data(world, **changes))
    assert response.status_code == 200
    errors = _errors(response)
    assert field in errors, errors
    assert any(finnish in error for error in errors[field]), errors[field]
    assert not Campaign.objects.filter(name="Asukaskysely").exists()


def test_a_questionnaire_of_another_municipality_cannot_be_chosen(world):
    coordinator = client_for(world["users"][Role.COORDINATOR])
    foreign = QuestionnaireFactory(municipality=world["other"])
    response = coordinator.post(create_url(world), form_data(world, questionnaire=foreign.pk))
    assert "questionnaire" in _errors(response)
    assert not Campaign.objects.filter(name="Asukaskysely").exists()


def test_a_draft_is_edited_and_the_change_audited(world):
    coordinator = client_for(world["users"][Role.COORDINATOR])
    campaign = world["campaign"]
    url = reverse("phone_survey:campaign_edit", args=[campaign.pk])
    form = coordinator.get(url)
    assert form.status_code == 200
    assert form.context["form"].initial["call_from"] == "10:00"
    response = coordinator.post(url, form_data(world, name="Uusi nimi", max_attempts="5"))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.max_attempts) == ("Uusi nimi", 5)
    changed = AuditEvent.objects.get(action="phone_survey.campaign_changed")
    assert "name" in changed.details["fields"]
    assert "max_attempts" in changed.details["fields"]
    assert "call_from" not in changed.details["fields"]


@pytest.mark.parametrize("status", [CampaignStatus.RUNNING, CampaignStatus.ENDED])
def test_a_started_campaign_is_not_edited_and_the_refusal_says_why(world, status):
    coordinator = client_for(world["users"][Role.COORDINATOR])
    campaign = world["campaign"]
    Campaign.objects.filter(pk=campaign.pk).update(status=status)
    url = reverse("phone_survey:campaign_edit", args=[campaign.pk])
    page = coordinator.get(url)
    assert page.status_code == 409
    assert "asetukset ja vastaajat pysyvät sellaisina" in page.content.decode()
    response = coordinator.post(url, form_data(world, name="Muutettu"))
    assert response.status_code == 409
    campaign.refresh_from_db()
    assert campaign.name == "Strategiakysely 2026"
    assert not AuditEvent.objects.filter(action="phone_survey.campaign_changed").exists()


def test_start_and_end_are_offered_by_the_status_moves_to_those_who_may_run(world):
    campaign = world["campaign"]
    start = reverse("phone_survey:campaign_start", args=[campaign.pk])
    end = reverse("phone_survey:campaign_end", args=[campaign.pk])
    detail = reverse("phone_survey:campaign_detail", args=[campaign.pk])
    coordinator = client_for(world["users"][Role.COORDINATOR])
    text = coordinator.get(detail).content.decode()
    assert start in text
    assert end not in text
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.RUNNING)
    text = coordinator.get(detail).content.decode()
    assert end in text
    assert start not in text
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.ENDED)
    text = coordinator.get(detail).content.decode()
    assert end not in text
    assert start not in text


def test_a_start_or_end_against_the_status_is_refused_without_calling_the_action(
    world, monkeypatch
):
    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the action must not be called")

    monkeypatch.setattr(actions, "start_campaign", never)
    monkeypatch.setattr(actions, "end_campaign", never)
    coordinator = client_for(world["users"][Role.COORDINATOR])
    campaign = world["campaign"]
    end = coordinator.post(reverse("phone_survey:campaign_end", args=[campaign.pk]))
    assert end.status_code == 409
    assert "Vain käynnissä oleva kampanja" in end.content.decode()
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.ENDED)
    start = coordinator.post(reverse("phone_survey:campaign_start", args=[campaign.pk]))
    assert start.status_code == 409
    assert "Vain luonnoksena oleva kampanja" in start.content.decode()


def test_a_campaign_without_respondents_is_not_started(world, monkeypatch):
    monkeypatch.setattr(actions, "start_campaign", lambda *a, **k: pytest.fail("called"))
    coordinator = client_for(world["users"][Role.COORDINATOR])
    empty = CampaignFactory(municipality=world["home"])
    response = coordinator.post(reverse("phone_survey:campaign_start", args=[empty.pk]))
    assert response.status_code == 409
    assert "Tuo vastaajat" in response.content.decode()


def test_starting_and_ending_call_the_robots_actions_with_the_signed_in_user(world, monkeypatch):
    """The actions themselves are the robot's (tested there); here only what the page passes."""
    calls: list[tuple[str, int, str]] = []

    def start(campaign: Campaign, *, actor: Any) -> Campaign:
        calls.append(("start", campaign.pk, actor.username))
        return campaign

    def end(campaign: Campaign, *, actor: Any) -> Campaign:
        calls.append(("end", campaign.pk, actor.username))
        return campaign

    monkeypatch.setattr(actions, "start_campaign", start)
    monkeypatch.setattr(actions, "end_campaign", end)
    user = world["users"][Role.COORDINATOR]
    coordinator = client_for(user)
    campaign = world["campaign"]
    assert (
        coordinator.post(reverse("phone_survey:campaign_start", args=[campaign.pk])).status_code
        == 302
    )
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.RUNNING)
    assert (
        coordinator.post(reverse("phone_survey:campaign_end", args=[campaign.pk])).status_code
        == 302
    )
    assert calls == [("start", campaign.pk, user.username), ("end", campaign.pk, user.username)]


@pytest.mark.parametrize(
    ("language", "heading", "error"),
    [
        ("fi", "Kyselykampanjat", "Valitse ainakin yksi viikonpäivä."),
        ("sv", "Enkätkampanjer", "Välj minst en veckodag."),
        ("en", "Survey campaigns", "Choose at least one weekday."),
    ],
)
def test_the_pages_and_their_errors_are_in_the_readers_language(world, language, heading, error):
    coordinator = client_for(world["users"][Role.COORDINATOR])
    coordinator.cookies["django_language"] = language
    assert heading in coordinator.get(LIST).content.decode()
    response = coordinator.post(create_url(world), form_data(world, weekdays=[]))
    assert error in response.content.decode()


def test_the_list_can_be_narrowed_to_one_municipality(world):
    from kuntarobo.accounts.models import Membership

    neighbour = CampaignFactory(municipality=world["other"], name="Naapurin kysely")
    user = world["users"][Role.VIEWER]
    Membership.objects.create(user=user, municipality=world["other"], role=Role.VIEWER)
    viewer = client_for(user)
    both = viewer.get(LIST).content.decode()
    assert "Naapurin kysely" in both
    assert "Strategiakysely 2026" in both
    only = viewer.get(LIST, {"municipality": "naapurila"}).content.decode()
    assert neighbour.name in only
    assert "Strategiakysely 2026" not in only


def test_a_draft_with_an_sms_notice_says_by_which_day_to_start_it(world):
    campaign = world["campaign"]
    campaign.sms_notice = True
    campaign.notice_days_before = 3
    campaign.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="fi")
    client.force_login(world["users"][Role.COORDINATOR])
    html = client.get(reverse("phone_survey:campaign_detail", args=[campaign.pk])).content
    assert "Käynnistä kampanja viimeistään" in html.decode()
    campaign.sms_notice = False
    campaign.save()
    html = client.get(reverse("phone_survey:campaign_detail", args=[campaign.pk])).content
    assert "Käynnistä kampanja viimeistään" not in html.decode()
