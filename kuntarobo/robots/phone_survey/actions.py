"""The phone survey robot's state changes, one function each, used by its pages, commands and
its own call handling alike; each writes the audit trail in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kuntarobo.core.aapor import Counts
from kuntarobo.core.respondents import mask_phone
from kuntarobo.robots.phone_survey.models import (
    Attempt,
    Campaign,
    CampaignStatus,
    DoNotCallEntry,
    Respondent,
)
from kuntarobo.robots.phone_survey.planning import PastAttempt, final_code
from kuntarobo.sdk import InputError, ItemStatus
from kuntarobo.sdk.audit import record
from kuntarobo.sdk.items import resume_items
from kuntarobo.sdk.models import Municipality, WorkItem
from kuntarobo.sdk.permissions import Permission, require
from kuntarobo.sdk.runs import start_run

ROBOT_SLUG = "phone_survey"
ROBOT_ACTOR = "robot:phone_survey"
COUNT_GROUPS = ("I", "P", "R", "NC", "O", "UH", "UO", "NE")


def add_do_not_call(
    municipality: Municipality, phone_e164: str, *, source: str, actor: Any = ROBOT_ACTOR
) -> bool:
    """Put a number on the municipality's do-not-call list at once (the stop key, the web
    form's refusal, or staff): True if it was not there before. The audit trail keeps only the
    masked number."""
    with transaction.atomic():
        _, created = DoNotCallEntry.objects.get_or_create(
            municipality=municipality, phone=phone_e164, defaults={"source": source}
        )
        if created:
            record(
                "phone_survey.do_not_call_added",
                actor=actor,
                municipality=municipality,
                details={"phone": mask_phone(phone_e164), "source": source},
            )
    return created


def remove_do_not_call(municipality: Municipality, phone_e164: str, *, actor: Any) -> bool:
    """Take a number off the list (staff only, e.g. the person asked to be called after all)."""
    with transaction.atomic():
        deleted, _ = DoNotCallEntry.objects.filter(
            municipality=municipality, phone=phone_e164
        ).delete()
        if deleted:
            record(
                "phone_survey.do_not_call_removed",
                actor=actor,
                municipality=municipality,
                details={"phone": mask_phone(phone_e164)},
            )
    return bool(deleted)


def is_on_do_not_call(municipality_id: int, phone_e164: str) -> bool:
    return DoNotCallEntry.objects.filter(municipality_id=municipality_id, phone=phone_e164).exists()


def start_campaign(campaign: Campaign, *, actor: Any) -> Campaign:
    """Move a draft campaign to running: start its run (one waiting work item per respondent,
    made by the run's reading task) and keep the run on the campaign. Audited; refused with a
    clear error, changing nothing, when the campaign is not a draft or has no respondents (or
    the actor may not start runs, or the robot is not in use)."""
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
    return locked


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
