"""A campaign's respondents list and one respondent's page: another municipality gets 404,
numbers are masked without the personal-data permission (and their full view audited with a
count only), recordings play only with that permission, and codes and questions are in the
reader's language."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.core import aapor
from kuntarobo.robots.phone_survey import code_labels
from kuntarobo.robots.phone_survey.campaign_audit import CAMPAIGN_AUDIT_ACTIONS
from kuntarobo.robots.phone_survey.models import Answer, Attempt
from tests.factories import PASSWORD, MunicipalityFactory, user_with_role
from tests.robots.phone_survey.campaign_factories import (
    CampaignFactory,
    DoNotCallFactory,
    RespondentFactory,
)

pytestmark = pytest.mark.django_db

PACKAGE = Path(code_labels.__file__).parent
WAV = b"RIFF$\x00\x00\x00WAVEfmt " + bytes(28)


def client_for(user: Any, language: str = "fi") -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def world() -> dict[str, Any]:
    home = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")
    other = MunicipalityFactory(slug="naapurila", name_fi="Naapurila")
    users = {role: user_with_role(role, home) for role in Role.values}
    users["outsider"] = user_with_role(Role.ADMINISTRATOR, other)
    campaign = CampaignFactory(municipality=home, name="Strategiakysely 2026")
    answered = RespondentFactory(
        campaign=campaign,
        phone="+358401234567",
        age_group="30-49",
        final_code="1.1",
        disposition="completed",
        attempts_made=2,
    )
    busy = RespondentFactory(
        campaign=campaign, phone="+358401234568", age_group="65+", attempts_made=1
    )
    RespondentFactory(campaign=campaign, phone="+358401234569", age_group="65+", final_code="4.3")
    started = timezone.make_aware(datetime.datetime(2026, 12, 7, 10, 5))
    Attempt.objects.create(
        respondent=answered,
        number=1,
        started_at=started,
        ended_at=started + datetime.timedelta(seconds=30),
        sip_status=486,
        outcome="busy",
        code=aapor.ALWAYS_BUSY,
    )
    second = Attempt.objects.create(
        respondent=answered,
        number=2,
        started_at=started + datetime.timedelta(hours=3),
        answered_at=started + datetime.timedelta(hours=3, seconds=8),
        ended_at=started + datetime.timedelta(hours=3, minutes=4),
        sip_status=200,
        outcome="completed",
        code=aapor.COMPLETE,
        seconds=232,
    )
    Attempt.objects.create(
        respondent=busy,
        number=1,
        started_at=started,
        sip_status=603,
        outcome="declined",
        code="3.15",
    )
    for step, value in (("target", "jobs"), ("age_group", "30-49"), ("satisfaction", "8")):
        Answer.objects.create(
            respondent=answered, step_id=step, value=value, attempt=second, answered_at=started
        )
    voice = Answer(respondent=answered, step_id="open", attempt=second, answered_at=started)
    voice.recording.save("vastaus.wav", ContentFile(WAV), save=True)
    return {
        "home": home,
        "users": users,
        "campaign": campaign,
        "answered": answered,
        "busy": busy,
        "voice": voice,
    }


def list_url(world: dict[str, Any]) -> str:
    return reverse("phone_survey:respondent_list", args=[world["campaign"].pk])


def detail_url(world: dict[str, Any], name: str = "answered") -> str:
    return reverse("phone_survey:respondent_detail", args=[world["campaign"].pk, world[name].pk])


def recording_url(world: dict[str, Any]) -> str:
    return reverse(
        "phone_survey:answer_recording",
        args=[world["campaign"].pk, world["answered"].pk, world["voice"].pk],
    )


def test_every_aapor_code_has_a_label_in_finnish_swedish_and_english():
    assert set(code_labels.CODE_LABELS) == set(aapor.CODES)
    for language in ("fi", "sv", "en"):
        with translation.override(language):
            labels = [code_labels.code_label(code) for code in aapor.CODES]
        assert len(set(labels)) == len(labels), language
    with translation.override("fi"):
        assert code_labels.code_with_label("3.12") == "3.12 Aina varattu"
        assert code_labels.code_label("9.99") == "tuntematon koodi"
    with translation.override("sv"):
        assert code_labels.code_label("4.3") == "Nummer ur bruk"
    with translation.override("en"):
        assert code_labels.code_label("1.1") == "Complete"


def test_the_campaign_page_links_to_its_respondents(world):
    campaign = world["campaign"]
    text = (
        client_for(world["users"][Role.VIEWER])
        .get(reverse("phone_survey:campaign_detail", args=[campaign.pk]))
        .content.decode()
    )
    assert list_url(world) in text


def test_another_municipalitys_administrator_gets_not_found_on_every_respondent_page(world):
    outsider = client_for(world["users"]["outsider"])
    for url in (list_url(world), detail_url(world), recording_url(world)):
        assert outsider.get(url).status_code == 404, url
    assert not AuditEvent.objects.filter(action__startswith="phone_survey.re").exists()


def test_a_respondent_of_another_campaign_is_not_found_under_this_one(world):
    elsewhere = RespondentFactory(campaign=CampaignFactory(municipality=world["home"]))
    url = reverse("phone_survey:respondent_detail", args=[world["campaign"].pk, elsewhere.pk])
    assert client_for(world["users"][Role.ADMINISTRATOR]).get(url).status_code == 404


def test_a_viewer_sees_the_numbers_masked_and_no_view_is_audited(world):
    for url in (list_url(world), detail_url(world)):
        response = client_for(world["users"][Role.VIEWER]).get(url)
        assert response.status_code == 200
        text = response.content.decode()
        assert "+358401234567" not in text
        assert "*******567" in text
    assert (
        "*******568"
        in client_for(world["users"][Role.VIEWER]).get(list_url(world)).content.decode()
    )
    assert not AuditEvent.objects.filter(action__startswith="phone_survey.respondent").exists()


def test_those_who_may_see_personal_data_see_full_numbers_and_the_view_is_audited_by_count(world):
    text = client_for(world["users"][Role.REVIEWER]).get(list_url(world)).content.decode()
    for phone in ("+358401234567", "+358401234568", "+358401234569"):
        assert phone in text
    event = AuditEvent.objects.get(action="phone_survey.respondents_viewed")
    assert event.details == {"numbers_shown": 3}
    assert "+358" not in str(event.details)
    client_for(world["users"][Role.COORDINATOR]).get(detail_url(world))
    single = AuditEvent.objects.get(action="phone_survey.respondent_viewed")
    assert single.details["numbers_shown"] == 1
    assert "1234567" not in str(single.details)


def test_the_list_is_filtered_by_final_code_disposition_and_age_group(world):
    client = client_for(world["users"][Role.VIEWER])

    def shown(**query: str) -> set[str]:
        text = client.get(list_url(world), query).content.decode()
        return {tail for tail in ("567", "568", "569") if f"*******{tail}" in text}

    assert shown() == {"567", "568", "569"}
    assert shown(final_code="1.1") == {"567"}
    assert shown(final_code="none") == {"568"}
    assert shown(final_code="4.3") == {"569"}
    assert shown(disposition="completed") == {"567"}
    assert shown(age_group="65+") == {"568", "569"}
    assert shown(age_group="65+", final_code="4.3") == {"569"}
    # The filter offers only what the campaign has, with each code's meaning.
    text = client.get(list_url(world)).content.decode()
    assert "1.1 Valmis haastattelu" in text
    assert "4.3 Numero ei ole käytössä" in text
    assert '<option value="2.11"' not in text


def test_an_unknown_filter_value_is_shown_as_an_error_and_not_applied(world):
    text = (
        client_for(world["users"][Role.VIEWER])
        .get(list_url(world), {"final_code": "9.99"})
        .content.decode()
    )
    assert "Valitse oikea vaihtoehto" in text
    assert "*******568" in text
    assert "*******569" in text


def test_the_list_is_paginated_with_the_filters_kept(world):
    for n in range(60):
        RespondentFactory(campaign=world["campaign"], age_group="18-29", row=100 + n)
    client = client_for(world["users"][Role.VIEWER])
    first = client.get(list_url(world), {"age_group": "18-29"}).content.decode()
    assert "Sivu 1 / 2" in first
    assert "age_group=18-29&amp;page=2" in first
    second = client.get(list_url(world), {"age_group": "18-29", "page": "2"}).content.decode()
    assert "Rivi 150" in second
    assert "Rivi 159" in second
    assert "Rivi 149" not in second
    assert "*******568" not in second


def test_a_respondents_page_shows_every_attempt_with_its_code_in_words(world):
    text = client_for(world["users"][Role.VIEWER]).get(detail_url(world)).content.decode()
    assert "486" in text
    assert "busy" in text
    assert "3.12 Aina varattu" in text
    assert "200" in text
    assert "1.1 Valmis haastattelu" in text
    assert "232" in text
    assert "<td>puhelu</td>" in text  # the channel in words
    busy = client_for(world["users"][Role.VIEWER], "sv").get(detail_url(world, "busy"))
    assert "3.15 Samtalet avvisat eller blockerat" in busy.content.decode()


def test_a_respondents_page_says_whether_the_number_is_on_the_do_not_call_list(world):
    client = client_for(world["users"][Role.VIEWER])
    fact = "Soittokieltoluettelossa (ei soiteta koskaan)</dt><dd>{}</dd>"
    assert fact.format("ei") in client.get(detail_url(world, "busy")).content.decode()
    DoNotCallFactory(municipality=world["home"], phone=world["busy"].phone)
    assert fact.format("kyllä") in client.get(detail_url(world, "busy")).content.decode()


def test_answers_are_in_the_questionnaires_order_with_questions_in_the_readers_language(world):
    fi = client_for(world["users"][Role.VIEWER]).get(detail_url(world)).content.decode()
    age = fi.index("Mikä on ikäryhmänne?")
    satisfaction = fi.index("Kuinka tyytyväinen olette")
    target = fi.index("Mikä on tärkein kehityskohde?")
    assert age < satisfaction < target
    assert "työpaikat (2)" in fi  # the choice's label and key, not its stored value
    en = client_for(world["users"][Role.VIEWER], "en").get(detail_url(world)).content.decode()
    assert "What is the most important thing to develop?" in en
    assert "jobs (2)" in en
    sv = client_for(world["users"][Role.VIEWER], "sv").get(detail_url(world)).content.decode()
    assert "Vilket är det viktigaste att utveckla?" in sv


def test_a_recording_plays_only_with_the_personal_data_permission_and_is_audited(world):
    for role in (Role.VIEWER, Role.DEVELOPER):
        client = client_for(world["users"][role])
        assert client.get(recording_url(world)).status_code == 403
        page = client.get(detail_url(world)).content.decode()
        assert "<audio" not in page
        assert recording_url(world) not in page
    assert not AuditEvent.objects.filter(action="phone_survey.recording_played").exists()

    reviewer = client_for(world["users"][Role.REVIEWER])
    page = reviewer.get(detail_url(world)).content.decode()
    assert f'<audio controls preload="none" src="{recording_url(world)}"' in page
    response = reviewer.get(recording_url(world))
    assert response.status_code == 200
    assert response["Content-Type"] in ("audio/wav", "audio/x-wav")
    assert b"".join(response.streaming_content) == WAV
    event = AuditEvent.objects.get(action="phone_survey.recording_played")
    assert event.details["step"] == "open"
    assert "+358" not in str(event.details)


def test_a_recording_missing_from_the_file_store_is_a_clear_not_found(world):
    world["voice"].recording.storage.delete(world["voice"].recording.name)
    response = client_for(world["users"][Role.REVIEWER]).get(recording_url(world))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="phone_survey.recording_played").exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(world):
    for url in (list_url(world), detail_url(world), recording_url(world)):
        response = Client().get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def test_every_audit_event_of_the_campaign_pages_has_words_in_finnish_swedish_and_english():
    """The events the pages and the do-not-call actions write (their code is found in the
    source), each with its three languages for the robot's `audit_actions`."""
    source = "".join(
        (PACKAGE / name).read_text(encoding="utf-8")
        for name in ("campaign_views.py", "campaign_respondents.py", "campaign_import.py")
    )
    written = set(re.findall(r'"(phone_survey\.[a-z_]+)"', source))
    assert written >= {"phone_survey.respondents_viewed", "phone_survey.recording_played"}
    assert written <= set(CAMPAIGN_AUDIT_ACTIONS)
    for code, text in CAMPAIGN_AUDIT_ACTIONS.items():
        assert text.fi, code
        assert text.sv, code
        assert text.en, code
        assert len({text.fi, text.sv, text.en}) == 3, code
