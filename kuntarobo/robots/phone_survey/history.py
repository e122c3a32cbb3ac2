"""A simulated campaign played to its end in simulated time and kept in the database, so its
dashboard and council report can be read before a single real call (planning, training, the
demo). The same rules as the live robot decide every turn (`planning.decide`), the campaign's
simulated dialler places the calls, and `calling.record_call` / `calling.finish` write them:
only the clock differs. Lines are modelled as in `kuntarobo.core.survey_simulation`: a call
holds a line from its start to its end, and a turn that finds every line busy waits for the
first to free up."""

from __future__ import annotations

import datetime
import heapq
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kuntarobo.core.call_windows import next_open
from kuntarobo.robots.phone_survey import actions, calling, planning
from kuntarobo.robots.phone_survey.dialling import dialler_for
from kuntarobo.robots.phone_survey.models import (
    Attempt,
    Campaign,
    CampaignStatus,
    Dialler,
    Respondent,
)
from kuntarobo.sdk import InputError
from kuntarobo.sdk.audit import record
from kuntarobo.sdk.permissions import Permission, require


def _refuse_unless_playable(campaign: Campaign) -> None:
    if campaign.dialler != Dialler.SIMULATED:
        raise InputError(
            _("only a campaign with simulated calls can be played in simulated time"),
            field="dialler",
        )
    if campaign.status != CampaignStatus.DRAFT:
        raise InputError(
            _("survey campaign %(campaign)s is %(status)s; only a draft can be simulated"),
            field="status",
            campaign=campaign.name,
            status=CampaignStatus(campaign.status).label,
        )
    if not campaign.respondents.exists():
        raise InputError(
            _("survey campaign %(campaign)s has no respondents to call"),
            field="respondents",
            campaign=campaign.name,
        )


def play_in_simulated_time(campaign: Campaign, *, actor: Any) -> Campaign:
    """Run the draft campaign from its schedule's first window to the end in simulated time and
    end it: every respondent gets its attempts, answers and final code. All or nothing (one
    transaction); audited with the counts."""
    require(actor, campaign.municipality, Permission.RUN)
    _refuse_unless_playable(campaign)
    schedule = calling.schedule_of(campaign)
    questionnaire = calling.questionnaire_of(campaign)
    dialler = dialler_for(calling.facts_of(campaign))
    respondents = list(Respondent.objects.filter(campaign=campaign).order_by("row", "pk"))
    start = datetime.datetime.combine(schedule.start_date, datetime.time(), schedule.zone)
    first = next_open(schedule, start) or start
    lines = max(campaign.lines, 1)
    calls = 0
    last_end = first
    with transaction.atomic():
        campaign.status = CampaignStatus.RUNNING
        campaign.started_at = first
        campaign.save(update_fields=["status", "started_at"])
        turns = [(first, index, index) for index in range(len(respondents))]
        heapq.heapify(turns)
        sequence = len(turns)
        line_ends: list[datetime.datetime] = []
        while turns:
            moment, _order, index = heapq.heappop(turns)
            while line_ends and line_ends[0] <= moment:
                heapq.heappop(line_ends)
            if len(line_ends) >= lines:
                # Every line is busy: the turn is taken when the first frees up (cheaper than
                # asking the rules each time; they would say the same).
                heapq.heappush(turns, (line_ends[0], sequence, index))
                sequence += 1
                continue
            respondent = respondents[index]
            decision = planning.decide(
                planning.Situation(
                    now=moment,
                    schedule=schedule,
                    attempts=calling.past_attempts(respondent),
                    max_attempts=campaign.max_attempts,
                    do_not_call=actions.is_on_do_not_call(
                        campaign.municipality_id, respondent.phone
                    ),
                    quota_full=calling.quota_full(campaign, respondent),
                    lines_busy=len(line_ends),
                    lines=lines,
                )
            )
            if isinstance(decision, planning.Finish):
                calling.finish(respondent, decision)
                continue
            if isinstance(decision, planning.WaitUntil):
                until = line_ends[0] if decision.reason == "lines_busy" else decision.until
                heapq.heappush(turns, (until, sequence, index))
                sequence += 1
                continue
            attempt = Attempt.objects.create(
                respondent=respondent,
                number=respondent.attempts.count() + 1,
                channel="phone",
                started_at=moment,
                outcome=calling.CALLING,
                code="",
            )
            result = dialler.call(calling.call_request(respondent, attempt, questionnaire))
            calling.record_call(respondent, attempt, result)
            calls += 1
            last_end = max(last_end, result.ended_at)
            heapq.heappush(line_ends, result.ended_at)
            heapq.heappush(turns, (result.ended_at, sequence, index))
            sequence += 1
        campaign.status = CampaignStatus.ENDED
        campaign.ended_at = last_end
        campaign.save(update_fields=["status", "ended_at"])
        record(
            "phone_survey.campaign_simulated",
            actor=actor,
            municipality=campaign.municipality,
            obj=campaign,
            details={"campaign": campaign.pk, "respondents": len(respondents), "calls": calls},
        )
    return campaign
