"""A simulated campaign played to its end in simulated time by the live rules
(kuntarobo.robots.phone_survey.history)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.core import aapor
from kuntarobo.core.call_windows import blocked_days, is_open, parse_schedule
from kuntarobo.robots.phone_survey import history
from kuntarobo.robots.phone_survey.actions import add_do_not_call
from kuntarobo.robots.phone_survey.models import (
    Attempt,
    CampaignStatus,
    Dialler,
    Respondent,
)
from kuntarobo.sdk import InputError
from kuntarobo.sdk.permissions import PermissionDeniedError
from tests.factories import user_with_role
from tests.robots.phone_survey.factories import CampaignFactory, RespondentFactory

pytestmark = pytest.mark.django_db

AGE_GROUPS = ("18-29", "30-44", "45-64", "65+")


def simulated_campaign(municipality, *, respondents=60, **kwargs):
    campaign = CampaignFactory(
        municipality=municipality, dialler=Dialler.SIMULATED, lines=3, **kwargs
    )
    for index in range(respondents):
        RespondentFactory(campaign=campaign, age_group=AGE_GROUPS[index % 4])
    return campaign


def test_every_respondent_ends_with_a_final_code_and_the_counts_add_up(municipality, coordinator):
    campaign = simulated_campaign(municipality)
    history.play_in_simulated_time(campaign, actor=coordinator)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ENDED
    finals = list(Respondent.objects.filter(campaign=campaign).values_list("final_code", flat=True))
    assert len(finals) == 60
    assert all(finals)
    counts = aapor.Counts.from_final_codes(finals)
    assert (
        sum(getattr(counts, group) for group in ("I", "P", "R", "NC", "O", "UH", "UO", "NE")) == 60
    )
    assert Attempt.objects.filter(respondent__campaign=campaign, ended_at__isnull=True).count() == 0
    assert AuditEvent.objects.filter(action="phone_survey.campaign_simulated").count() == 1


def test_no_attempt_falls_outside_the_windows_or_beyond_the_attempts_allowed(
    municipality, coordinator
):
    campaign = simulated_campaign(municipality, max_attempts=2)
    history.play_in_simulated_time(campaign, actor=coordinator)
    schedule = parse_schedule(campaign.schedule)
    blocked = blocked_days(2099)
    for attempt in Attempt.objects.filter(respondent__campaign=campaign):
        assert is_open(schedule, attempt.started_at), attempt.started_at
        assert attempt.started_at.astimezone(schedule.zone).date() not in blocked
        assert attempt.number <= 2


def test_the_lines_limit_holds_in_simulated_time(municipality, coordinator):
    campaign = simulated_campaign(municipality, respondents=40)
    history.play_in_simulated_time(campaign, actor=coordinator)
    spans = list(
        Attempt.objects.filter(respondent__campaign=campaign).values_list("started_at", "ended_at")
    )
    for start, _end in spans:
        at_once = sum(1 for other_start, other_end in spans if other_start <= start < other_end)
        assert at_once <= campaign.lines


def test_a_number_on_the_do_not_call_list_is_never_called(municipality, coordinator):
    campaign = simulated_campaign(municipality, respondents=10)
    refused = Respondent.objects.filter(campaign=campaign).first()
    add_do_not_call(municipality, refused.phone, source="staff")
    history.play_in_simulated_time(campaign, actor=coordinator)
    refused.refresh_from_db()
    assert refused.attempts.count() == 0
    assert refused.final_code == aapor.NOT_ATTEMPTED


def test_a_complete_interview_keeps_its_answers(municipality, coordinator):
    campaign = simulated_campaign(municipality, respondents=80)
    history.play_in_simulated_time(campaign, actor=coordinator)
    completes = Respondent.objects.filter(campaign=campaign, final_code=aapor.COMPLETE)
    assert completes.exists()
    for respondent in completes:
        assert respondent.disposition == "completed"
        assert respondent.completed_via == "phone"
        assert respondent.answers.exclude(value="").exists()


def test_only_a_draft_with_simulated_calls_can_be_played(municipality, coordinator):
    real = simulated_campaign(municipality, respondents=1)
    real.dialler = Dialler.SIP
    real.save()
    with pytest.raises(InputError, match="simulated"):
        history.play_in_simulated_time(real, actor=coordinator)
    running = simulated_campaign(municipality, respondents=1, status=CampaignStatus.RUNNING)
    with pytest.raises(InputError):
        history.play_in_simulated_time(running, actor=coordinator)
    assert not Attempt.objects.exists()


def test_a_viewer_may_not_play_a_campaign(municipality):
    campaign = simulated_campaign(municipality, respondents=1)
    viewer = user_with_role(Role.VIEWER, municipality)
    with pytest.raises(PermissionDeniedError):
        history.play_in_simulated_time(campaign, actor=viewer)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_the_campaign_page_button_plays_it_and_opens_the_report(client, municipality, coordinator):
    campaign = simulated_campaign(municipality, respondents=5)
    client.force_login(coordinator)
    response = client.post(reverse("phone_survey:campaign_simulate", args=[campaign.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("phone_survey:report", args=[campaign.pk])
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ENDED
