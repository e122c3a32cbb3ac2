"""The robot's own calls over real SIP: a campaign with real calls ("sip" dialler) started
through the campaign action, its respondents' items handled by the real worker, each call
placed through the configured trunk to a real callee on loopback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kuntarobo.core import aapor
from kuntarobo.robots.phone_survey import actions
from kuntarobo.robots.phone_survey.models import Answer, Attempt, Dialler, Respondent
from kuntarobo.robots.phone_survey.telephony.caller import Engine, rms_of_wav
from kuntarobo.runtime.models import ItemStatus, WorkItem
from tests.robots.phone_survey.conftest import Clock, at
from tests.robots.phone_survey.factories import CampaignFactory, RespondentFactory
from tests.runtime.helpers import drain

from .conftest import TEST_QUESTIONNAIRE, Peer

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SPEECH = "The town should keep the library open in the evenings and repair the roads."


@pytest.fixture
def trunk(settings, engine: Engine) -> Callable[[Peer], None]:
    """Point the installation's trunk at a peer (the engine fixture starts the process's one
    SIP engine, which the dialler then shares)."""

    def point_at(peer: Peer) -> None:
        settings.KUNTAROBO_SIP_DOMAIN = f"127.0.0.1:{peer.port}"
        settings.KUNTAROBO_SIP_RING_SECONDS = 4
        settings.KUNTAROBO_SIP_INPUT_SECONDS = 2
        settings.KUNTAROBO_SIP_RECORD_SECONDS = 3

    return point_at


def campaign_of_one(municipality, clock: Clock):
    clock.moment = at(2, 10)  # Monday 10:00, inside the campaign's first window
    campaign = CampaignFactory(
        municipality=municipality,
        dialler=Dialler.SIP,
        questionnaire__municipality=municipality,
        questionnaire__definition=TEST_QUESTIONNAIRE,
    )
    respondent = RespondentFactory(campaign=campaign, phone="+358401234567", language="en")
    return campaign, respondent


def test_a_respondent_who_keys_every_answer_is_complete_with_a_stored_recording(
    municipality, coordinator, clock, callee, prompts, trunk, settings, tmp_path: Path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    campaign, respondent = campaign_of_one(municipality, clock)
    speech = prompts.path_for(SPEECH, "en")
    peer = callee(
        [
            ["wait", 0.6],
            ["dtmf", "1"],
            ["wait", 0.5],
            ["dtmf", "3"],
            ["wait", 0.4],
            ["dtmf", "42#"],
            ["wait", 0.3],
            ["play", str(speech), 6.0],
        ]
    )
    trunk(peer)
    actions.start_campaign(campaign, actor=coordinator)
    drain()
    respondent.refresh_from_db()
    attempt = Attempt.objects.get(respondent=respondent)
    assert attempt.sip_status == 200
    assert attempt.code == aapor.COMPLETE
    assert respondent.final_code == aapor.COMPLETE
    assert respondent.completed_via == "phone"
    answers = {a.step_id: a for a in Answer.objects.filter(respondent=respondent)}
    assert answers["area"].value == "rural"
    assert answers["score"].value == "42"
    assert rms_of_wav(Path(answers["open"].recording.path)) > 500
    item = WorkItem.objects.get(run=campaign.run)
    assert item.status == ItemStatus.DONE


def test_a_busy_number_is_tried_again_later_with_its_sip_outcome_kept(
    municipality, coordinator, clock, sipp: Callable[[int, str], Peer], trunk
):
    campaign, respondent = campaign_of_one(municipality, clock)
    trunk(sipp(486, "Busy Here"))
    actions.start_campaign(campaign, actor=coordinator)
    drain()
    attempt = Attempt.objects.get(respondent=respondent)
    assert attempt.sip_status == 486
    assert attempt.outcome == "486 Busy Here"
    assert attempt.code == aapor.ALWAYS_BUSY
    item = WorkItem.objects.get(run=campaign.run)
    assert item.status == ItemStatus.WAITING
    assert item.wait_until is not None
    assert Respondent.objects.get(pk=respondent.pk).final_code == ""
