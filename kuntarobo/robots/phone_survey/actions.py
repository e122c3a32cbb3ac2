"""The phone survey robot's state changes, one function each, used by its pages, commands and
its own call handling alike; each writes the audit trail in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kuntarobo.core.aapor import Counts
from kuntarobo.robots.phone_survey import notice
from kuntarobo.robots.phone_survey.do_not_call import ROBOT_ACTOR as ROBOT_ACTOR
from kuntarobo.robots.phone_survey.do_not_call import add_do_not_call as add_do_not_call
from kuntarobo.robots.phone_survey.do_not_call import is_on_do_not_call as is_on_do_not_call
from kuntarobo.robots.phone_survey.do_not_call import remove_do_not_call as remove_do_not_call
from kuntarobo.robots.phone_survey.models import (
    Attempt,
    Campaign,
    CampaignStatus,
    Respondent,
)
from kuntarobo.robots.phone_survey.planning import PastAttempt, final_code
from kuntarobo.robots.phone_survey.sms_channel import configured_gateway
from kuntarobo.sdk import InputError, ItemStatus
from kuntarobo.sdk.audit import record
from kuntarobo.sdk.items import resume_items
from kuntarobo.sdk.models import WorkItem
from kuntarobo.sdk.permissions import Permission, require
from kuntarobo.sdk.runs import start_run

ROBOT_SLUG = "phone_survey"
COUNT_GROUPS = ("I", "P", "R", "NC", "O", "UH", "UO", "NE")


def start_campaign(campaign: Campaign, *, actor: Any) -> Campaign:
    """Move a draft campaign to running: start its run (one waiting work item per respondent,
    made by the run's reading task) and keep the run on the campaign. Audited; refused with a
    clear error, changing nothing, when the campaign is not a draft or has no respondents (or
    the actor may not start runs, or the robot is not in use, or it sends an advance notice
    and no SMS gateway is configured). With `sms_notice` the notices are sent once it runs
    (outside the transaction); the robot makes no first call before a number's notice went."""
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if not CampaignStatus(locked.status).can_move_to(CampaignStatus.RUNNING):
            raise InputError(
                _("survey campaign %(campaign)s is %(status)s; only a draft can be started"),
                field="status",
                campaign=locked.name,
                status=CampaignStatus(locked.status).label,
            )
        if not Respondent.objects.filter(campaign=locked).exists():
            raise InputError(
                _("survey campaign %(campaign)s has no respondents to call"),
                field="respondents",
                campaign=locked.name,
            )
        if locked.sms_notice and not sms_configured():
            raise InputError(
                _(
                    "Survey campaign %(campaign)s sends an advance notice by SMS, but no SMS "
                    "gateway is configured (KUNTAROBO_SMS_GATEWAY_URL and "
                    "KUNTAROBO_SMS_GATEWAY_TOKEN). The campaign was not started."
                ),
                field="sms_notice",
                campaign=locked.name,
            )
        started = start_run(
            actor,
            locked.municipality,
            ROBOT_SLUG,
            parameters={"campaign": locked.pk},
            via="web",
            background=True,
        )
        locked.run = started.run
        locked.status = CampaignStatus.RUNNING
        locked.started_at = timezone.now()
        locked.save(update_fields=["run", "status", "started_at"])
        campaign.run, campaign.status = locked.run, locked.status
        campaign.started_at = locked.started_at
        record(
            "phone_survey.campaign_started",
            actor=actor,
            municipality=locked.municipality,
            obj=locked,
            details={"campaign": locked.pk, "run": started.run.pk},
        )
    if locked.sms_notice:
        notice.send_advance_notices(locked, now=timezone.now())
    return locked


def sms_configured() -> bool:
    """Whether an SMS gateway is configured (the notice and the web link need one)."""
    try:
        configured_gateway()
    except InputError:
        return False
    return True


def end_campaign(campaign: Campaign, *, actor: Any) -> Campaign:
    """End a running campaign: every respondent without one gets its final AAPOR code over its
    attempts (never attempted: 3.11), the campaign is ended, and its waiting items are resumed
    so that the robot finishes them at once (an item in a call finishes when the call ends,
    with that call counted). Audited with the counts by AAPOR group."""
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if not CampaignStatus(locked.status).can_move_to(CampaignStatus.ENDED):
            raise InputError(
                _("survey campaign %(campaign)s is %(status)s; only a running one can be ended"),
                field="status",
                campaign=locked.name,
                status=CampaignStatus(locked.status).label,
            )
        require(actor, locked.municipality, Permission.RUN)
        locked.status = CampaignStatus.ENDED
        locked.ended_at = timezone.now()
        locked.save(update_fields=["status", "ended_at"])
        campaign.status, campaign.ended_at = locked.status, locked.ended_at
        open_ones = Respondent.objects.filter(campaign=locked, final_code="")
        codes: dict[int, list[PastAttempt]] = {}
        for respondent_id, at, code in (
            Attempt.objects.filter(respondent__in=open_ones, ended_at__isnull=False)
            .exclude(code="")
            .order_by("started_at", "number")
            .values_list("respondent_id", "started_at", "code")
        ):
            codes.setdefault(respondent_id, []).append(PastAttempt(at, code))
        changed = []
        for respondent in open_ones.only("pk", "final_code", "next_attempt_at"):
            respondent.final_code = final_code(tuple(codes.get(respondent.pk, ())))
            respondent.next_attempt_at = None
            changed.append(respondent)
        Respondent.objects.bulk_update(changed, ["final_code", "next_attempt_at"], batch_size=1000)
        counts = Counts.from_final_codes(
            Respondent.objects.filter(campaign=locked).values_list("final_code", flat=True)
        )
        record(
            "phone_survey.campaign_ended",
            actor=actor,
            municipality=locked.municipality,
            obj=locked,
            details={
                "campaign": locked.pk,
                "counts": {name: getattr(counts, name) for name in COUNT_GROUPS},
            },
        )
    if locked.run_id is not None:
        waiting = list(
            WorkItem.objects.filter(run_id=locked.run_id, status=ItemStatus.WAITING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for start in range(0, len(waiting), 500):
            resume_items(
                ROBOT_ACTOR,
                waiting[start : start + 500],
                note="the survey campaign ended",
                via="system",
            )
    return locked
