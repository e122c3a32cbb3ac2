"""The advance notice: the public page, and text messages through a real HTTP SMS gateway on
loopback carrying the notice and the personal link, nothing else."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator

import pytest
from django.urls import reverse

from kuntarobo.audit.models import AuditEvent
from kuntarobo.robots.phone_survey import notice
from kuntarobo.robots.phone_survey.models import CampaignStatus, DoNotCallEntry
from kuntarobo.sdk import InputError
from tests.robots.phone_survey.conftest import TOKEN, Gateway
from tests.robots.phone_survey.web_factories import NOW, make_campaign, make_respondent

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway(settings) -> Iterator[Gateway]:
    server = Gateway()
    settings.KUNTAROBO_SMS_GATEWAY_URL = server.url
    settings.KUNTAROBO_SMS_GATEWAY_TOKEN = TOKEN
    settings.SITE_ROOT = "https://kuntarobo.example.fi"
    yield server
    server.close()


def test_the_notice_goes_by_sms_with_the_personal_link_only(gateway):
    campaign = make_campaign(
        sms_notice=True,
        notice_text={
            "fi": "Esimerkkilä soittaa kyselypuhelun 14.–18.12.",
            "sv": "Exempelby ringer.",
        },
    )
    finnish = make_respondent(campaign, language="fi", age_group="30-49", area="keskusta")
    swedish = make_respondent(campaign, language="sv")
    result = notice.send_advance_notices(campaign, now=NOW)

    assert (result.sent, result.failed, result.skipped) == (2, 0, 0)
    first, second = gateway.requests
    assert first["auth"] == f"Bearer {TOKEN}"
    assert first["path"] == "/send"
    assert first["to"] == finnish.phone
    assert first["text"] == (
        "Esimerkkilä soittaa kyselypuhelun 14.–18.12.\n"
        "Vastaa mieluummin verkossa tai kieltäydy puhelusta: "
        f"https://kuntarobo.example.fi/kysely/{finnish.token}/"
    )
    assert "30-49" not in first["text"]
    assert "keskusta" not in first["text"]
    assert second["text"].startswith("Exempelby ringer.\nSvara hellre på webben")
    assert swedish.token in second["text"]
    finnish.refresh_from_db()
    assert finnish.notified_at == NOW


def test_sending_again_sends_to_no_one_twice(gateway):
    campaign = make_campaign(sms_notice=True)
    make_respondent(campaign)
    notice.send_advance_notices(campaign, now=NOW)
    again = notice.send_advance_notices(campaign, now=NOW)
    assert (again.sent, again.skipped) == (0, 1)
    assert len(gateway.requests) == 1


def test_a_number_the_gateway_refuses_stays_due_and_the_others_are_sent(gateway):
    campaign = make_campaign(sms_notice=True)
    failing = make_respondent(campaign)
    other = make_respondent(campaign)
    gateway.failing.add(failing.phone)
    result = notice.send_advance_notices(campaign, now=NOW)
    assert (result.sent, result.failed) == (1, 1)
    failing.refresh_from_db()
    other.refresh_from_db()
    assert failing.notified_at is None
    assert other.notified_at == NOW
    gateway.failing.clear()
    # Not tried again sooner than NOTICE_RETRY (the robot's turns try it too: never twice at once).
    assert notice.send_advance_notices(campaign, now=NOW).sent == 0
    assert notice.send_advance_notices(campaign, now=NOW + notice.NOTICE_RETRY).sent == 1


def test_refused_numbers_and_those_already_called_get_no_notice(gateway):
    campaign = make_campaign(sms_notice=True)
    refused = make_respondent(campaign)
    DoNotCallEntry.objects.create(
        municipality=campaign.municipality, phone=refused.phone, source="staff"
    )
    make_respondent(campaign, attempts_made=1)
    due = make_respondent(campaign)
    result = notice.send_advance_notices(campaign, now=NOW)
    assert (result.sent, result.skipped) == (1, 2)
    assert [r["to"] for r in gateway.requests] == [due.phone]


def test_the_audit_trail_keeps_counts_and_no_numbers(gateway):
    campaign = make_campaign(sms_notice=True)
    respondent = make_respondent(campaign)
    notice.send_advance_notices(campaign, now=NOW)
    event = AuditEvent.objects.get(action="phone_survey.advance_notices_sent")
    assert event.details == {"sent": 1, "failed": 0, "skipped": 0}
    assert respondent.phone[-7:] not in json.dumps(event.details)


def test_without_a_configured_gateway_nothing_is_sent_and_the_error_says_why(settings):
    settings.KUNTAROBO_SMS_GATEWAY_URL = ""
    campaign = make_campaign(sms_notice=True)
    respondent = make_respondent(campaign)
    with pytest.raises(InputError, match="KUNTAROBO_SMS_GATEWAY_URL"):
        notice.send_advance_notices(campaign, now=NOW)
    respondent.refresh_from_db()
    assert respondent.notified_at is None


def test_an_ended_campaign_sends_no_notices(gateway):
    campaign = make_campaign(sms_notice=True, status=CampaignStatus.ENDED)
    make_respondent(campaign)
    with pytest.raises(InputError):
        notice.send_advance_notices(campaign, now=NOW)
    assert gateway.requests == []


def test_the_web_link_is_offered_by_sms_after_a_refused_call(gateway):
    respondent = make_respondent(language="en")
    ident = notice.offer_web_link(respondent)
    assert ident == "sms-1"
    (sent,) = gateway.requests
    assert sent["to"] == respondent.phone
    assert sent["text"] == (
        "Esimerkkilä: you can answer the survey on the web when it suits you: "
        f"https://kuntarobo.example.fi/kysely/{respondent.token}/"
    )


def test_no_web_link_is_sent_when_the_campaign_does_not_offer_the_form(gateway):
    respondent = make_respondent(campaign=make_campaign(offer_web=False))
    with pytest.raises(InputError, match="does not offer"):
        notice.offer_web_link(respondent)
    assert gateway.requests == []


def test_the_public_notice_page_says_who_calls_when_and_from_which_number(client):
    campaign = make_campaign(
        notice_text={"fi": "Soitamme joulukuussa.", "en": "We call in December."}
    )
    response = client.get(reverse("phone_survey_public:notice", args=[campaign.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Soitamme joulukuussa." in text
    assert "+358291234567" in text
    assert "14.12.2026" in text
    assert "18.12.2026" in text
    assert "Painakaa puhelun aikana 9" in text
    assert '<section lang="en"' in text
    assert "We call in December." in text


def test_the_notice_of_an_ended_campaign_is_gone_and_an_unknown_one_not_found(client):
    ended = make_campaign(status=CampaignStatus.ENDED)
    assert client.get(reverse("phone_survey_public:notice", args=[ended.pk])).status_code == 410
    assert (
        client.get(reverse("phone_survey_public:notice", args=[ended.pk + 99])).status_code == 404
    )


def test_the_notice_is_due_the_given_number_of_days_before_the_first_call_day():
    campaign = make_campaign(notice_days_before=3)
    assert notice.notice_day(campaign) == datetime.date(2026, 12, 11)
