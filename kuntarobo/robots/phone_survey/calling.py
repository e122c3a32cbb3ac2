"""The robot's handling of one respondent: gather the facts, let `planning.decide` rule, and do
what it says: finish with a final code, wait (a durable timer), or place one call through the
campaign's dialler and record it.

Transactions: the decision and the reservation of a line are one short transaction holding the
campaign's row (SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions take the
write lock at their start), so at most `Campaign.lines` calls are in progress at once whatever
the number of workers: a call in progress is an Attempt without `ended_at`. The call itself runs
outside any transaction; its result (the attempt, the answers and their recordings, a stop-key
press's do-not-call entry) is written in one transaction, so a rollback leaves neither rows nor
files. A call interrupted by a dead worker is closed as a technical failure (3.16) when the
item comes back; one older than `STALE_CALL` no longer holds a line."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kuntarobo.core import aapor
from kuntarobo.core.call_windows import CallSchedule, parse_schedule, part_of_day
from kuntarobo.core.questionnaire import Questionnaire, parse_questionnaire
from kuntarobo.core.respondents import mask_phone
from kuntarobo.robots.phone_survey import actions, notice, planning
from kuntarobo.robots.phone_survey.dialling import (
    CallRequest,
    CallResult,
    CampaignFacts,
    Dialler,
    DiallerMissingError,
    dialler_for,
)
from kuntarobo.robots.phone_survey.models import (
    Answer,
    Attempt,
    Campaign,
    CampaignStatus,
    Respondent,
)
from kuntarobo.sdk import ApplicationException, BusinessException, Outcome, Wait, message
from kuntarobo.sdk.files import save_file

logger = logging.getLogger(__name__)

# A call in progress longer than this was lost (its worker died): it holds no line any more.
STALE_CALL: Final = datetime.timedelta(hours=1)
CALLING: Final = "calling"  # an attempt's outcome while its call is in progress

# Why a respondent was finished or waits (planning's reasons), in the reader's language.
REASONS: Final[dict[str, Any]] = {
    "campaign_ended": _("the campaign has ended"),
    "final_outcome": _("the last call's outcome is final"),
    "max_attempts": _("the attempts per number are used up"),
    "do_not_call": _("the number is on the do-not-call list"),
    "quota_full": _("the respondent's quota is full"),
    "no_window_left": _("the campaign has no call window left"),
    "window": _("waits for the call window"),
    "retry": _("waits for the next attempt"),
    "lines_busy": _("every line is busy"),
    "notice": _("waits for the advance notice to reach the number"),
}


def now() -> datetime.datetime:
    """The robot's clock (the tests move it; the platform's timers use `wait_until`)."""
    return timezone.now()


def schedule_of(campaign: Campaign) -> CallSchedule:
    return parse_schedule(campaign.schedule)


def questionnaire_of(campaign: Campaign) -> Questionnaire:
    return parse_questionnaire(campaign.questionnaire.definition)


def facts_of(campaign: Campaign) -> CampaignFacts:
    return CampaignFacts(
        campaign_id=campaign.pk,
        dialler=campaign.dialler,
        schedule=schedule_of(campaign),
        seed=campaign.seed,
        simulation=campaign.simulation or {},
    )


def past_attempts(respondent: Respondent) -> tuple[planning.PastAttempt, ...]:
    """The finished attempts (phone and web), oldest first."""
    rows = (
        Attempt.objects.filter(respondent=respondent, ended_at__isnull=False)
        .exclude(code="")
        .order_by("started_at", "number")
        .values_list("started_at", "code")
    )
    return tuple(planning.PastAttempt(at, code) for at, code in rows)


COMPLETES: Final = Q(final_code=aapor.COMPLETE) | Q(attempts__code=aapor.COMPLETE)


def quota_full(campaign: Campaign, respondent: Respondent) -> bool:
    """Whether a bucket the respondent belongs to has reached its target of completes."""
    traits = {
        "age_group": respondent.age_group,
        "gender": respondent.gender,
        "area": respondent.area,
    }
    for quota in planning.matching_quotas(campaign.quotas or [], traits):
        others = Respondent.objects.filter(campaign=campaign)
        for name in planning.QUOTA_TRAITS:
            if quota.get(name):
                others = others.filter(**{name: quota[name]})
        done = others.filter(COMPLETES).values("pk").distinct().count()
        if done >= quota["target"]:
            return True
    return False


def lines_busy(campaign: Campaign, moment: datetime.datetime) -> int:
    return Attempt.objects.filter(
        respondent__campaign=campaign,
        channel="phone",
        ended_at__isnull=True,
        started_at__gt=moment - STALE_CALL,
    ).count()


def close_interrupted(respondent: Respondent) -> int:
    """An attempt left in progress by a worker that died: a technical failure (3.16)."""
    return Attempt.objects.filter(
        respondent=respondent, channel="phone", ended_at__isnull=True
    ).update(ended_at=now(), outcome="interrupted", code=aapor.TECHNICAL)


@dataclass(frozen=True)
class Reserved:
    """A line taken for the attempt `attempt` (its row is in progress)."""

    attempt: Attempt
    schedule: CallSchedule


def _situation(
    campaign: Campaign, respondent: Respondent, moment: datetime.datetime, *, lines: bool
) -> planning.Situation:
    return planning.Situation(
        now=moment,
        schedule=schedule_of(campaign),
        attempts=past_attempts(respondent),
        max_attempts=campaign.max_attempts,
        do_not_call=actions.is_on_do_not_call(campaign.municipality_id, respondent.phone),
        quota_full=quota_full(campaign, respondent),
        lines_busy=lines_busy(campaign, moment) if lines else 0,
        lines=max(campaign.lines, 1),
        campaign_ended=campaign.status == CampaignStatus.ENDED,
        notice_pending=notice.notice_pending(respondent),
    )


def output_of(respondent: Respondent) -> dict[str, Any]:
    return {
        "final_code": respondent.final_code,
        "disposition": respondent.disposition,
        "attempts": respondent.attempts_made,
    }


def finish(respondent: Respondent, decision: planning.Finish) -> Outcome:
    """Give the respondent its final code: no attempt follows."""
    with transaction.atomic():
        Respondent.objects.filter(pk=respondent.pk).update(
            final_code=decision.final_code, next_attempt_at=None
        )
    respondent.final_code = decision.final_code
    respondent.next_attempt_at = None
    return Outcome(
        output=output_of(respondent),
        explanation=[
            message(
                _("final AAPOR code %(code)s: %(reason)s"),
                code=decision.final_code,
                reason=REASONS[decision.reason],
            )
        ],
    )


def wait(respondent: Respondent, decision: planning.WaitUntil) -> Wait:
    Respondent.objects.filter(pk=respondent.pk).update(next_attempt_at=decision.until)
    return Wait(
        str(REASONS[decision.reason]),
        until=decision.until,
        output=output_of(respondent),
    )


def attempt_code(result: CallResult) -> str:
    """The attempt's interim code: a person's interview by its disposition, the rest by the
    SIP outcome (`aapor.interim_code`)."""
    if result.answered and not result.machine and result.disposition:
        try:
            return aapor.DISPOSITION_CODE[result.disposition]
        except KeyError:
            raise ValueError(f"unknown disposition {result.disposition!r}") from None
    return aapor.interim_code(
        result.sip_status,
        answered=result.answered,
        machine=result.machine,
        got_input=result.got_input,
        cancelled_after_ring_timeout=result.rang_out,
    )


def _answer_text(value: Any) -> str:
    return "" if value is None else str(value)[:200]


def record_call(respondent: Respondent, attempt: Attempt, result: CallResult) -> str:
    """Write one call's result in one transaction: the attempt, its answers and recordings, and
    at once the number on the do-not-call list when the stop key was pressed. Its code."""
    code = attempt_code(result)
    campaign = respondent.campaign
    schedule = schedule_of(campaign)
    with transaction.atomic():
        attempt.started_at = result.started_at
        attempt.answered_at = result.answered_at
        attempt.ended_at = result.ended_at
        attempt.sip_status = result.sip_status
        attempt.outcome = result.outcome[:40]
        attempt.code = code
        attempt.seconds = result.billed_seconds
        attempt.save()
        steps = set(result.answers) | set(result.recordings)
        for step_id in sorted(steps):
            answer, _created = Answer.objects.get_or_create(
                respondent=respondent,
                step_id=step_id[:64],
                defaults={"answered_at": result.ended_at, "attempt": attempt},
            )
            answer.value = _answer_text(result.answers.get(step_id))
            answer.attempt = attempt
            answer.answered_at = result.ended_at
            path = result.recordings.get(step_id)
            if path:
                with Path(path).open("rb") as audio:
                    name = f"{campaign.pk}-{respondent.pk}-{step_id}{Path(path).suffix or '.wav'}"
                    save_file(answer.recording, name, File(audio))
            answer.save()
        part = part_of_day(schedule, result.started_at)
        tried = list(respondent.parts_tried or [])
        if part not in tried:
            tried.append(part)
        respondent.parts_tried = tried
        respondent.attempts_made = Attempt.objects.filter(
            respondent=respondent, channel="phone", ended_at__isnull=False
        ).count()
        # The web form may have ended this respondent during the call: its end stands.
        current = Respondent.objects.select_for_update().get(pk=respondent.pk)
        respondent.final_code = current.final_code
        if current.final_code:
            respondent.disposition = current.disposition
            respondent.completed_via = current.completed_via
        elif result.disposition:
            respondent.disposition = result.disposition
            if result.disposition == "completed":
                respondent.completed_via = "phone"
        respondent.save(
            update_fields=["parts_tried", "attempts_made", "disposition", "completed_via"]
        )
        if result.disposition == "do_not_call":
            actions.add_do_not_call(campaign.municipality, respondent.phone, source="stop_key")
    return code


def call_request(
    respondent: Respondent, attempt: Attempt, questionnaire: Questionnaire
) -> CallRequest:
    """What the dialler is asked for one attempt (its start is the attempt's)."""
    campaign = respondent.campaign
    return CallRequest(
        phone=respondent.phone,
        language=respondent.language,
        questionnaire=questionnaire,
        caller_id=campaign.caller_id,
        campaign_id=campaign.pk,
        respondent_id=respondent.pk,
        attempt=attempt.number,
        age_group=respondent.age_group,
        at=attempt.started_at,
    )


def _failed_call(attempt: Attempt, error: Exception) -> CallResult:
    """A dialler that raised: the attempt is a technical failure (3.16), no SIP answer."""
    logger.warning("phone survey attempt %s failed: %s", attempt.pk, type(error).__name__)
    return CallResult(
        sip_status=None,
        outcome=f"error: {type(error).__name__}"[:40],
        started_at=attempt.started_at,
        ended_at=now(),
    )


def _after_finish(respondent: Respondent, outcome: Outcome) -> Outcome:
    """A call that ended refused or broken off: the personal web link by SMS, once a person,
    outside the line's transaction; it never fails the item (`notice.offer_web_after_call`)."""
    if respondent.disposition in notice.WEB_LINK_AFTER:
        notice.offer_web_after_call(respondent, now=now())
    return outcome


def handle(respondent_id: int, campaign_id: int, work_item_id: int) -> Outcome | Wait:
    """One respondent's turn (see the module doc)."""
    respondent = (
        Respondent.objects.select_related("campaign__questionnaire", "campaign__municipality")
        .filter(pk=respondent_id, campaign_id=campaign_id)
        .first()
    )
    if respondent is None:
        raise BusinessException(
            message(
                _("respondent %(respondent)s of campaign %(campaign)s no longer exists"),
                respondent=respondent_id,
                campaign=campaign_id,
            )
        )
    if respondent.work_item_id != work_item_id:
        Respondent.objects.filter(pk=respondent.pk).update(work_item_id=work_item_id)
    if respondent.final_code:
        return Outcome(output=output_of(respondent))
    close_interrupted(respondent)
    # A questionnaire that cannot be read fails the item before a line is taken.
    questionnaire = questionnaire_of(respondent.campaign)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        respondent.campaign = campaign
        moment = now()
        decision = planning.decide(_situation(campaign, respondent, moment, lines=True))
        if isinstance(decision, planning.CallNow):
            try:
                dialler: Dialler = dialler_for(facts_of(campaign))
            except DiallerMissingError as error:  # rolls back: no line taken, no attempt
                raise ApplicationException(str(error)) from error
            number = (
                max(
                    Attempt.objects.filter(respondent=respondent).values_list("number", flat=True),
                    default=0,
                )
                + 1
            )
            attempt = Attempt.objects.create(
                respondent=respondent,
                number=number,
                channel="phone",
                started_at=moment,
                outcome=CALLING,
                code="",
            )
    if isinstance(decision, planning.Finish):
        return _after_finish(respondent, finish(respondent, decision))
    if isinstance(decision, planning.WaitUntil):
        if decision.reason == "notice":  # outside the transaction: an HTTP request
            notice.resend_notice(respondent, now=moment)
        raise wait(respondent, decision)
    try:
        result = dialler.call(call_request(respondent, attempt, questionnaire))
    except Exception as error:  # any failure of the call is the attempt's technical failure
        result = _failed_call(attempt, error)
    code = record_call(respondent, attempt, result)
    logger.info(
        "phone survey: campaign %s called %s: %s (%s)",
        campaign.pk,
        mask_phone(respondent.phone),
        result.outcome,
        code,
    )
    campaign.refresh_from_db(fields=["status"])
    after = planning.decide(_situation(campaign, respondent, now(), lines=False))
    respondent.refresh_from_db()
    if isinstance(after, planning.Finish):
        return _after_finish(respondent, finish(respondent, after))
    if isinstance(after, planning.WaitUntil):
        raise wait(respondent, after)
    # The next attempt is due at once (a zero retry delay): the timer brings the item back.
    raise wait(respondent, planning.WaitUntil(now(), "retry"))
