"""The parts of the phone survey robot wired together: the personal web link by SMS after a
refused or broken-off call, the web form open to those people with the upgrade to complete,
a web answer finishing the waiting work item at once, and the advance notice sent when the
campaign starts and before anyone's first call. Through the real worker, a real HTTP SMS
gateway on loopback and the real web form."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kuntarobo.audit.models import AuditEvent
from kuntarobo.core import aapor
from kuntarobo.core.call_windows import parse_schedule
from kuntarobo.robots.phone_survey import actions, calling, notice, planning, web_mode
from kuntarobo.robots.phone_survey.models import (
    Answer,
    Attempt,
    Campaign,
    CampaignStatus,
    DoNotCallEntry,
    Respondent,
)
from kuntarobo.runtime import actions as runtime_actions
from kuntarobo.runtime.declarations import InputError
from kuntarobo.runtime.models import ItemStatus, Run, WorkItem
from tests.robots.phone_survey.conftest import at, interview, run_to_the_end, unanswered
from tests.robots.phone_survey.factories import SCHEDULE, CampaignFactory, RespondentFactory
from tests.runtime.helpers import drain

pytestmark = pytest.mark.django_db(transaction=True)

WEB_STEPS = (
    ("age_group", "30-49"),
    ("area", "rural"),
    ("satisfaction", "7"),
    ("target", "transport"),
    ("open", "Enemmän kevyen liikenteen väyliä."),
)


def url(respondent: Respondent) -> str:
    return reverse("phone_survey_public:survey", args=[respondent.token])


def answer_on_the_web(client: Client, respondent: Respondent, steps=WEB_STEPS) -> None:
    """The person opens the link, starts and answers the given steps as the pages ask them."""
    assert client.get(url(respondent)).status_code == 200
    assert client.post(url(respondent), {"start": "1"}).status_code == 302
    for step, value in steps:
        response = client.post(url(respondent), {"step": step, "answer": value})
        assert response.status_code == 302, (step, response.status_code)


def item_of(respondent: Respondent) -> WorkItem:
    respondent.refresh_from_db()
    return WorkItem.objects.get(pk=respondent.work_item_id)


def campaign_of(municipality, **kwargs) -> Campaign:
    return CampaignFactory(municipality=municipality, dialler="scripted", **kwargs)


def phone_run(municipality, coordinator, clock, scripted, outcomes, **kwargs):
    """A campaign whose respondents the scripted dialler answers with `outcomes` (one
    respondent each), run to its end; the respondents."""
    campaign = campaign_of(municipality, **kwargs)
    people = []
    for outcome in outcomes:
        person = RespondentFactory(campaign=campaign)
        scripted.script[person.phone] = outcome
        people.append(person)
    actions.start_campaign(campaign, actor=coordinator)
    run_to_the_end(clock)
    for person in people:
        person.refresh_from_db()
    return people


# a. Reaching the young: the web link by SMS after a refused or broken-off call.


def test_a_refused_or_broken_off_call_offers_the_personal_web_link_by_sms_once(
    municipality, coordinator, clock, scripted, sms_gateway
):
    refused, broke_off, stopped, completed = phone_run(
        municipality,
        coordinator,
        clock,
        scripted,
        [
            interview("refused"),
            interview("partial", {"age_group": "18-29"}),
            interview("do_not_call"),
            interview("completed"),
        ],
    )
    assert [r.final_code for r in (refused, broke_off, stopped, completed)] == [
        aapor.REFUSAL,
        aapor.PARTIAL,
        aapor.REFUSAL,
        aapor.COMPLETE,
    ]
    sent = {request["to"]: request for request in sms_gateway.requests}
    assert set(sent) == {refused.phone, broke_off.phone}  # never the stop key's number
    assert len(sms_gateway.requests) == 2
    assert refused.token in sent[refused.phone]["text"]
    assert sent[refused.phone]["text"].startswith("Uusikaupunki:")
    assert sent[refused.phone]["reference"] == f"weblink-{refused.campaign_id}-{refused.pk}"
    assert refused.web_link_sent_at is not None
    assert stopped.web_link_sent_at is None
    assert AuditEvent.objects.filter(action="phone_survey.web_link_sent").count() == 2
    for person in (refused, broke_off, stopped, completed):
        assert item_of(person).status == ItemStatus.DONE

    # Once a person: the link is not sent again whatever comes back to the robot.
    assert not notice.offer_web_after_call(refused, now=clock.moment)
    calling.handle(refused.pk, refused.campaign_id, refused.work_item_id)
    assert len(sms_gateway.requests) == 2


def test_no_web_link_is_sent_when_the_campaign_does_not_offer_the_web_form(
    municipality, coordinator, clock, scripted, sms_gateway
):
    (refused,) = phone_run(
        municipality, coordinator, clock, scripted, [interview("refused")], offer_web=False
    )
    assert refused.final_code == aapor.REFUSAL
    assert sms_gateway.requests == []


def test_without_a_gateway_no_link_is_sent_nothing_fails_and_the_log_says_so_once(
    municipality, coordinator, clock, scripted, settings, caplog, monkeypatch
):
    settings.KUNTAROBO_SMS_GATEWAY_URL = ""
    settings.KUNTAROBO_SMS_GATEWAY_TOKEN = ""
    monkeypatch.setattr(notice, "_no_gateway_logged", False)
    with caplog.at_level(logging.WARNING, logger="kuntarobo.robots.phone_survey.notice"):
        people = phone_run(
            municipality,
            coordinator,
            clock,
            scripted,
            [interview("refused"), interview("partial"), interview("refused")],
        )
    for person in people:
        assert item_of(person).status == ItemStatus.DONE
        assert person.web_link_sent_at is None
    said = [r for r in caplog.records if "no SMS gateway is configured" in r.getMessage()]
    assert len(said) == 1


def test_a_gateway_failure_is_logged_with_the_number_masked_and_the_item_still_finishes(
    municipality, coordinator, clock, scripted, sms_gateway, caplog
):
    campaign = campaign_of(municipality)
    person = RespondentFactory(campaign=campaign)
    scripted.script[person.phone] = interview("refused")
    sms_gateway.failing.add(person.phone)
    actions.start_campaign(campaign, actor=coordinator)
    with caplog.at_level(logging.WARNING):
        run_to_the_end(clock)
    person.refresh_from_db()
    assert item_of(person).status == ItemStatus.DONE
    assert person.final_code == aapor.REFUSAL
    assert person.web_link_sent_at is None  # not sent: the record says so
    assert len(sms_gateway.requests) == 1
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "web link to" in logged
    assert person.phone not in logged
    assert person.phone[-3:] in logged  # masked, not gone


# b. The web form stays open to them; completing it upgrades the final code.


def test_completing_the_web_form_after_refusing_the_call_makes_the_respondent_complete(
    municipality, coordinator, clock, scripted, sms_gateway
):
    (person,) = phone_run(municipality, coordinator, clock, scripted, [interview("refused")])
    assert (person.final_code, person.disposition) == (aapor.REFUSAL, "refused")
    client = Client()
    answer_on_the_web(client, person)
    assert "Kiitos vastauksistanne!" in client.get(url(person)).content.decode()

    person.refresh_from_db()
    assert (person.final_code, person.disposition, person.completed_via) == (
        aapor.COMPLETE,
        "completed",
        "web",
    )
    web = Attempt.objects.get(respondent=person, channel="web")
    assert (web.code, web.outcome) == (aapor.COMPLETE, "web_completed")
    phone = Attempt.objects.get(respondent=person, channel="phone")
    assert phone.code == aapor.REFUSAL  # the call's own record stays as it was
    event = AuditEvent.objects.get(action="phone_survey.answered_on_web")
    assert event.details == {
        "campaign": person.campaign_id,
        "disposition": "completed",
        "upgraded_from": aapor.REFUSAL,
    }
    # Now it is a complete like any other: closed on the web, counted in the quotas.
    assert client.get(url(person)).status_code == 200  # the thank-you page
    assert client.post(url(person), {"start": "1"}).status_code == 200
    assert Attempt.objects.filter(respondent=person, channel="web").count() == 1
    assert not web_mode.is_open(person)
    assert Respondent.objects.filter(calling.COMPLETES, pk=person.pk).exists()


def test_the_web_form_continues_a_broken_off_call_keeping_its_phone_answers(
    municipality, coordinator, clock, scripted, sms_gateway
):
    (person,) = phone_run(
        municipality,
        coordinator,
        clock,
        scripted,
        [interview("partial", {"language": "fi", "age_group": "65+"})],
    )
    assert person.final_code == aapor.PARTIAL
    client = Client()
    assert client.post(url(person), {"start": "1"}).status_code == 302
    page = client.get(url(person)).content.decode()
    assert "Mikä on ikäryhmänne?" not in page  # answered on the phone: not asked again
    for step, value in WEB_STEPS[1:]:
        assert client.post(url(person), {"step": step, "answer": value}).status_code == 302
    person.refresh_from_db()
    assert (person.final_code, person.completed_via) == (aapor.COMPLETE, "web")
    rows = {
        a.step_id: (a.value, a.attempt.channel) for a in Answer.objects.filter(respondent=person)
    }
    assert rows["age_group"] == ("65+", "phone")
    assert rows["area"] == ("rural", "web")
    assert rows["open"] == ("Enemmän kevyen liikenteen väyliä.", "web")
    assert len(rows) == 6  # one row a step, the same respondent


def test_an_earlier_final_code_still_stands_in_every_other_case(
    municipality, coordinator, clock, scripted, sms_gateway
):
    refused_then_ineligible, refused_then_stop, stopped, completed = phone_run(
        municipality,
        coordinator,
        clock,
        scripted,
        [
            interview("refused"),
            interview("refused"),
            interview("do_not_call"),
            interview("completed"),
        ],
    )
    client = Client()
    # A web session ending otherwise than complete keeps the call's code and closes the form.
    answer_on_the_web(client, refused_then_ineligible, [("age_group", "under_18")])
    refused_then_ineligible.refresh_from_db()
    assert refused_then_ineligible.final_code == aapor.REFUSAL
    assert client.get(url(refused_then_ineligible)).status_code == 410
    web_mode.web_answered(refused_then_ineligible)  # not even when told directly
    refused_then_ineligible.refresh_from_db()
    assert refused_then_ineligible.final_code == aapor.REFUSAL

    # "Do not contact me again" on the web: the list, the code stays, the form is closed.
    client.post(reverse("phone_survey_public:refuse", args=[refused_then_stop.token]))
    assert DoNotCallEntry.objects.filter(phone=refused_then_stop.phone).exists()
    refused_then_stop.refresh_from_db()
    assert refused_then_stop.final_code == aapor.REFUSAL
    assert client.get(url(refused_then_stop)).status_code == 410

    # The stop key on the phone, and a phone complete: closed, never overwritten.
    for person in (stopped, completed):
        assert client.get(url(person)).status_code == 410
        before = person.final_code
        web_mode.web_answered(person)
        person.refresh_from_db()
        assert (person.final_code, person.completed_via) == (before, person.completed_via)
    assert completed.completed_via == "phone"


def test_the_form_closes_to_those_who_refused_the_call_when_the_campaign_ends(
    municipality, coordinator, clock, scripted, sms_gateway
):
    (person,) = phone_run(municipality, coordinator, clock, scripted, [interview("refused")])
    assert web_mode.is_open(person)
    actions.end_campaign(person.campaign, actor=coordinator)
    person.refresh_from_db()
    assert not web_mode.is_open(person)
    assert Client().get(url(person)).status_code == 410
    web_mode.web_answered(person)
    person.refresh_from_db()
    assert person.final_code == aapor.REFUSAL


# c. A web answer finishes the waiting work item at once.


@pytest.mark.parametrize("how", ["answered", "refused"])
def test_a_web_answer_finishes_the_waiting_item_at_once_not_at_its_timer(
    municipality, coordinator, clock, scripted, how
):
    campaign = campaign_of(municipality)
    person = RespondentFactory(campaign=campaign)
    scripted.script[person.phone] = unanswered(486, "486 Busy Here")
    actions.start_campaign(campaign, actor=coordinator)
    drain("test-drain")
    clock.moment = at(2, 10)
    runtime_actions.resume_due_items(now=clock.moment)
    drain("test-drain")
    item = item_of(person)
    assert item.status == ItemStatus.WAITING
    assert item.wait_until is not None
    assert item.wait_until > clock.moment
    assert len(scripted.calls) == 1

    if how == "answered":
        web_mode.web_answered(person)
        expected = aapor.COMPLETE
    else:
        web_mode.refuse(person)
        expected = aapor.REFUSAL
    drain("test-drain")  # the clock is not moved: no timer is due
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE
    assert item.output["final_code"] == expected
    assert len(scripted.calls) == 1
    assert not web_mode.resume_waiting(item.pk)  # not waiting: nothing happens


# d. The advance notice: sent when the campaign starts, before anyone's first call.


def test_a_campaign_with_an_sms_notice_does_not_start_without_a_gateway(
    municipality, coordinator, settings
):
    settings.KUNTAROBO_SMS_GATEWAY_URL = ""
    settings.KUNTAROBO_SMS_GATEWAY_TOKEN = ""
    campaign = campaign_of(municipality, sms_notice=True)
    RespondentFactory(campaign=campaign)
    with translation.override("fi"), pytest.raises(InputError) as refused:
        actions.start_campaign(campaign, actor=coordinator)
    with translation.override("fi"):
        assert "tekstiviestipalvelua ei ole määritetty" in str(refused.value.message)
    campaign.refresh_from_db()
    assert (campaign.status, campaign.run_id) == (CampaignStatus.DRAFT, None)
    assert not Run.objects.exists()
    assert not AuditEvent.objects.filter(action="phone_survey.campaign_started").exists()


def test_starting_the_campaign_sends_the_notices_and_the_first_calls_come_after_them(
    municipality, coordinator, clock, scripted, sms_gateway
):
    campaign = campaign_of(municipality, sms_notice=True)
    people = [RespondentFactory(campaign=campaign) for _ in range(3)]
    for person in people:
        scripted.script[person.phone] = interview("completed")
    actions.start_campaign(campaign, actor=coordinator)
    assert sorted(r["to"] for r in sms_gateway.requests) == sorted(p.phone for p in people)
    assert all(r["reference"].startswith("notice-") for r in sms_gateway.requests)
    assert Respondent.objects.filter(campaign=campaign, notified_at__isnull=True).count() == 0
    run_to_the_end(clock)
    assert len(scripted.calls) == 3
    assert len(sms_gateway.requests) == 3  # no notice twice


def test_a_failed_notice_is_sent_again_at_the_robots_turn_before_the_first_call(
    municipality, coordinator, clock, scripted, sms_gateway
):
    campaign = campaign_of(municipality, sms_notice=True)
    late, other = RespondentFactory(campaign=campaign), RespondentFactory(campaign=campaign)
    for person in (late, other):
        scripted.script[person.phone] = interview("completed")
    sms_gateway.failing.add(late.phone)
    actions.start_campaign(campaign, actor=coordinator)
    late.refresh_from_db()
    assert late.notified_at is None
    assert late.notice_tries == 1

    drain("test-drain")  # the robot's first turn: tries again, fails again, waits
    late.refresh_from_db()
    assert (late.notified_at, late.notice_tries) == (None, 2)
    assert item_of(late).status == ItemStatus.WAITING
    sms_gateway.failing.clear()
    run_to_the_end(clock)

    late.refresh_from_db()
    assert late.notified_at is not None
    assert [r["to"] for r in sms_gateway.requests].count(late.phone) == 3
    call = next(c for c in scripted.calls if c.phone == late.phone)
    assert call.at is not None
    assert call.at >= late.notified_at
    assert late.final_code == aapor.COMPLETE


def test_a_number_the_notice_never_reaches_is_called_after_the_last_try(
    municipality, coordinator, clock, scripted, sms_gateway
):
    campaign = campaign_of(municipality, sms_notice=True)
    person = RespondentFactory(campaign=campaign)
    scripted.script[person.phone] = interview("completed")
    sms_gateway.failing.add(person.phone)
    actions.start_campaign(campaign, actor=coordinator)
    run_to_the_end(clock)
    person.refresh_from_db()
    assert person.notified_at is None
    assert person.notice_tries == notice.MAX_NOTICE_TRIES
    assert len(sms_gateway.requests) == notice.MAX_NOTICE_TRIES
    assert len(scripted.calls) == 1
    assert person.final_code == aapor.COMPLETE


def test_the_robot_waits_for_the_notice_only_before_the_first_call():
    schedule = parse_schedule(SCHEDULE)
    now = at(3, 12)
    waiting = planning.decide(planning.Situation(now=now, schedule=schedule, notice_pending=True))
    assert waiting == planning.WaitUntil(now + planning.NOTICE_WAIT, "notice")
    assert planning.decide(planning.Situation(now=now, schedule=schedule)) == planning.CallNow()
    called = planning.Situation(
        now=now,
        schedule=schedule,
        notice_pending=True,
        attempts=(planning.PastAttempt(at(2, 12), aapor.NO_ANSWER),),
    )
    assert not (
        isinstance(planning.decide(called), planning.WaitUntil)
        and planning.decide(called).reason == "notice"
    )
    ended = planning.Situation(now=now, schedule=schedule, notice_pending=True, campaign_ended=True)
    assert isinstance(planning.decide(ended), planning.Finish)


def test_the_campaign_page_can_say_the_day_to_start_by(municipality):
    campaign = campaign_of(municipality, sms_notice=True, notice_days_before=4)
    with translation.override("fi"):
        text = notice.start_by_text(campaign)
    assert text is not None
    assert "26.2.2099" in text
    assert "4" in text
    assert notice.notice_day(campaign) == datetime.date(2099, 2, 26)
    campaign.sms_notice = False
    assert notice.start_by_text(campaign) is None
