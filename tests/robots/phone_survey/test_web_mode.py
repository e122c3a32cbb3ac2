"""The personal web form: the same questionnaire and the same rules as the call, the answers in
the same respondent, the refusal honoured at once, and closed links that tell nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kuntarobo.core import aapor
from kuntarobo.robots.phone_survey import web_mode
from kuntarobo.robots.phone_survey.models import (
    Answer,
    Attempt,
    CampaignStatus,
    DoNotCallEntry,
)
from kuntarobo.sdk.audit import record as _record  # noqa: F401 - the audit trail is real
from tests.robots.phone_survey.web_factories import (
    make_campaign,
    make_respondent,
)

pytestmark = pytest.mark.django_db


def url(respondent) -> str:
    return reverse("phone_survey_public:survey", args=[respondent.token])


def answer(client, respondent, step: str, value: str, **extra):
    return client.post(url(respondent), {"step": step, "answer": value}, **extra)


def start(client, respondent):
    response = client.post(url(respondent), {"start": "1"})
    assert response.status_code == 302


def answers_of(respondent) -> dict[str, str]:
    return dict(Answer.objects.filter(respondent=respondent).values_list("step_id", "value"))


def test_the_introduction_comes_first_in_the_persons_own_language(client):
    respondent = make_respondent(language="sv")
    text = client.get(url(respondent)).content.decode()
    assert '<html lang="sv">' in text
    assert "automatiskt enkätsamtal från Exempelstad" in text  # the questionnaire's introduction
    assert "Vem frågar" in text
    assert "Varifrån ditt nummer kommer" in text
    assert "Kontakta mig inte igen" in text
    assert not Attempt.objects.exists()  # reading is not answering


def test_a_person_answers_the_whole_questionnaire_and_is_no_longer_called(client):
    respondent = make_respondent()
    start(client, respondent)
    page = client.get(url(respondent)).content.decode()
    assert "Mikä on ikäryhmänne?" in page  # the language question is the page's own switch
    assert "Kysymys 1 / 5" in page
    answer(client, respondent, "age_group", "30-49")
    answer(client, respondent, "area", "rural")
    assert "asteikolla 0–10" in client.get(url(respondent)).content.decode()
    answer(client, respondent, "satisfaction", "7")
    answer(client, respondent, "target", "transport")
    answer(client, respondent, "open", "Enemmän kevyen liikenteen väyliä.")
    end = client.get(url(respondent)).content.decode()
    assert "Kiitos vastauksistanne!" in end

    respondent.refresh_from_db()
    assert (respondent.disposition, respondent.final_code, respondent.completed_via) == (
        "completed",
        aapor.COMPLETE,
        "web",
    )
    assert answers_of(respondent) == {
        "language": "fi",
        "age_group": "30-49",
        "area": "rural",
        "satisfaction": "7",
        "target": "transport",
        "open": "Enemmän kevyen liikenteen väyliä.",
    }
    attempt = Attempt.objects.get(respondent=respondent)
    assert (attempt.channel, attempt.code, attempt.outcome) == ("web", "1.1", "web_completed")
    assert attempt.ended_at is not None
    assert set(Answer.objects.values_list("attempt", flat=True)) == {attempt.pk}


def test_the_skip_of_the_phone_interview_ends_an_under_aged_person_as_ineligible(client):
    respondent = make_respondent()
    start(client, respondent)
    answer(client, respondent, "age_group", "under_18")
    text = client.get(url(respondent)).content.decode()
    assert "Kysely on täysi-ikäisille." in text
    respondent.refresh_from_db()
    assert (respondent.disposition, respondent.final_code) == ("ineligible", "4.7")
    assert set(answers_of(respondent)) == {"language", "age_group"}


def test_a_missing_choice_is_named_in_an_error_summary_and_nothing_is_stored(client):
    respondent = make_respondent()
    start(client, respondent)
    response = client.post(url(respondent), {"step": "age_group"})
    text = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in text
    assert "Tämä kenttä vaaditaan" in text
    assert "<fieldset" in text
    assert "<legend" in text
    assert not Answer.objects.exists()


def test_a_number_outside_the_questions_range_is_refused(client):
    respondent = make_respondent()
    start(client, respondent)
    answer(client, respondent, "age_group", "18-29")
    answer(client, respondent, "area", "town")
    response = answer(client, respondent, "satisfaction", "11")
    assert 'aria-invalid="true"' in response.content.decode()
    assert "satisfaction" not in answers_of(respondent)


def test_the_language_switch_shows_the_same_question_in_swedish(client):
    respondent = make_respondent(language="fi")
    start(client, respondent)
    client.cookies["django_language"] = "sv"
    text = client.get(url(respondent)).content.decode()
    assert '<html lang="sv">' in text
    assert "Vilken är din åldersgrupp?" in text
    answer(client, respondent, "age_group", "65+")
    assert answers_of(respondent)["language"] == "sv"


def test_an_old_page_sent_again_does_not_change_the_answers(client):
    respondent = make_respondent()
    start(client, respondent)
    answer(client, respondent, "age_group", "50-64")
    answer(client, respondent, "age_group", "under_18")  # the back button and send again
    respondent.refresh_from_db()
    assert answers_of(respondent)["age_group"] == "50-64"
    assert respondent.final_code == ""


def test_do_not_contact_me_again_puts_the_number_on_the_list_at_once(client):
    respondent = make_respondent()
    start(client, respondent)
    answer(client, respondent, "age_group", "18-29")
    response = client.post(reverse("phone_survey_public:refuse", args=[respondent.token]))
    assert response.status_code == 200
    assert "Teihin ei oteta enää yhteyttä" in response.content.decode()
    entry = DoNotCallEntry.objects.get()
    assert (entry.phone, entry.source) == (respondent.phone, "web")
    respondent.refresh_from_db()
    assert (respondent.disposition, respondent.final_code) == ("do_not_call", aapor.REFUSAL)
    assert Attempt.objects.get().code == aapor.REFUSAL
    assert client.get(url(respondent)).status_code == 410


def test_an_unknown_link_is_not_found_and_tells_nothing(client):
    make_respondent()
    response = client.get(reverse("phone_survey_public:survey", args=["x" * 43]))
    assert response.status_code == 404
    text = response.content.decode()
    assert "Esimerkki" not in text
    assert "Strategiakysely" not in text


def test_the_link_of_an_ended_campaign_is_gone(client):
    respondent = make_respondent(campaign=make_campaign(status=CampaignStatus.ENDED))
    response = client.get(url(respondent))
    assert response.status_code == 410
    assert "Kysely on päättynyt" in response.content.decode()
    assert client.post(url(respondent), {"start": "1"}).status_code == 410
    assert not Attempt.objects.exists()


def test_a_person_who_answered_on_the_phone_cannot_answer_again_on_the_web(client):
    respondent = make_respondent(final_code=aapor.COMPLETE, disposition="completed")
    assert client.get(url(respondent)).status_code == 410
    assert client.post(url(respondent), {"start": "1"}).status_code == 410


def test_the_form_posts_need_the_csrf_token():
    respondent = make_respondent()
    client = Client(enforce_csrf_checks=True)
    assert client.post(url(respondent), {"start": "1"}).status_code == 403
    assert not Attempt.objects.exists()


def test_web_answered_marks_the_respondent_once_and_keeps_an_earlier_final_code():
    respondent = make_respondent()
    web_mode.web_answered(respondent)
    assert (respondent.final_code, respondent.completed_via) == ("1.1", "web")
    web_mode.web_answered(respondent, disposition="refused")
    respondent.refresh_from_db()
    assert respondent.disposition == "completed"
    with pytest.raises(ValueError, match="disposition"):
        web_mode.web_answered(make_respondent(), disposition="partial")


def test_the_web_form_follows_the_interview_state_machine_of_the_call():
    """The position after stored answers is what the call's Interview says after the same keys."""
    respondent = make_respondent()
    questionnaire = web_mode.parsed(respondent)
    _interview, where = web_mode.replay(
        questionnaire, {"age_group": "18-29", "area": "", "satisfaction": "99"}, "en"
    )
    # The area left unanswered and an out-of-range number are skipped as the call skips them.
    assert where.step is not None
    assert where.step.id == "target"
    assert where.end is None
    _interview, end = web_mode.replay(questionnaire, {"age_group": "under_18"}, "en")
    assert end.end is not None
    assert end.end.disposition == "ineligible"


def test_without_the_web_offer_the_link_only_lets_the_person_refuse(client):
    respondent = make_respondent(campaign=make_campaign(offer_web=False))
    text = client.get(url(respondent)).content.decode()
    assert "Aloita vastaaminen" not in text
    assert "Älkää ottako minuun enää yhteyttä" in text
    client.post(url(respondent), {"start": "1"})
    assert not Attempt.objects.exists()
    client.post(reverse("phone_survey_public:refuse", args=[respondent.token]))
    assert DoNotCallEntry.objects.filter(phone=respondent.phone).exists()


def test_every_audit_event_of_the_editor_the_form_and_the_notices_has_words_in_fi_and_sv():
    import re
    from pathlib import Path

    from kuntarobo.robots.phone_survey import notice, questionnaires
    from kuntarobo.robots.phone_survey.web_audit import WEB_AUDIT_ACTIONS

    codes = set()
    for module in (notice, questionnaires, web_mode):
        source = Path(module.__file__).read_text(encoding="utf-8")
        codes |= set(re.findall(r'"(phone_survey\.[a-z_]+)"', source))
    assert len(codes) >= 6
    for code in codes:
        assert WEB_AUDIT_ACTIONS[code].get("fi"), code
        assert WEB_AUDIT_ACTIONS[code].get("sv"), code
