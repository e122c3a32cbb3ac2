"""The "sip" dialler's glue: what it does without a trunk, and how a call record's parts are
named for the robot (the real calls are in telephony/test_robot_calls.py)."""

from __future__ import annotations

import pytest

from kuntarobo.core import aapor
from kuntarobo.robots.phone_survey import actions
from kuntarobo.robots.phone_survey.models import Attempt, Dialler
from kuntarobo.robots.phone_survey.sip_dialler import (
    outcome_text,
    recordings_by_step,
    target_uri,
)
from kuntarobo.runtime.models import ItemStatus, WorkItem
from tests.robots.phone_survey.conftest import at
from tests.robots.phone_survey.factories import CampaignFactory, RespondentFactory
from tests.runtime.helpers import drain


def test_a_number_is_dialled_in_e164_at_the_trunks_domain():
    assert target_uri("+358401234567", "sip.operator.fi") == "sip:+358401234567@sip.operator.fi"


def test_outcomes_read_as_sip_answers():
    assert outcome_text(486, rang_out=False) == "486 Busy Here"
    assert outcome_text(None, rang_out=False) == "no SIP answer"
    assert outcome_text(None, rang_out=True) == "cancelled after ring timeout"
    assert outcome_text(599, rang_out=False) == "599"


def test_recordings_are_found_by_their_step():
    paths = ["/r/open-0123456789ab.wav", "/r/why-not-ffffffffffff.wav", "/r/stray.wav"]
    assert recordings_by_step(paths) == {
        "open": "/r/open-0123456789ab.wav",
        "why-not": "/r/why-not-ffffffffffff.wav",
    }


@pytest.mark.django_db(transaction=True)
def test_without_a_trunk_a_real_call_is_a_technical_failure_tried_again(
    municipality, coordinator, clock, settings
):
    settings.KUNTAROBO_SIP_DOMAIN = ""
    clock.moment = at(2, 10)
    campaign = CampaignFactory(municipality=municipality, dialler=Dialler.SIP)
    RespondentFactory(campaign=campaign)
    actions.start_campaign(campaign, actor=coordinator)
    drain()
    attempt = Attempt.objects.get(respondent__campaign=campaign)
    assert attempt.code == aapor.TECHNICAL
    assert attempt.sip_status is None
    assert WorkItem.objects.get(run=campaign.run).status == ItemStatus.WAITING
