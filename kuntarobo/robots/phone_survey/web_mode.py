"""The web form of a campaign: the same questionnaire, the same rules. The pure
`kuntarobo.core.questionnaire.Interview` is replayed with the answers given so far, exactly as
a call would feed it keys, so skip logic, flags and the end are decided in one place. Answers
go into the same Respondent (Answer rows, one Attempt with channel "web")."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kuntarobo.core import aapor
from kuntarobo.core.questionnaire import (
    CONFIRM,
    HangUp,
    Interview,
    Play,
    Record,
    Step,
    parse_questionnaire,
)
from kuntarobo.core.questionnaire import Questionnaire as ParsedQuestionnaire
from kuntarobo.robots.phone_survey import do_not_call
from kuntarobo.robots.phone_survey.models import (
    Answer,
    Attempt,
    CampaignStatus,
    Respondent,
)
from kuntarobo.sdk import ItemStatus
from kuntarobo.sdk.audit import record
from kuntarobo.sdk.items import resume_item
from kuntarobo.sdk.models import WorkItem

WEB = "web"
OPEN_OUTCOME = "web_open"
# The final AAPOR code of what the web form ends with.
FINAL_CODES: Mapping[str, str] = {
    "completed": aapor.COMPLETE,
    "ineligible": aapor.NO_ELIGIBLE_RESPONDENT,
    "refused": aapor.REFUSAL,
    "do_not_call": aapor.REFUSAL,
}
MAX_OPEN_ANSWER = 200  # Answer.value's length


@dataclass(frozen=True)
class Position:
    """Where the respondent is: the step to answer now (None when ended), the explanation
    steps shown before it, and the end when the questionnaire has ended."""

    step: Step | None
    explanations: tuple[Step, ...]
    end: HangUp | None
    answered: int
    total: int


def parsed(respondent: Respondent) -> ParsedQuestionnaire:
    return parse_questionnaire(respondent.campaign.questionnaire.definition)


def page_language(questionnaire: ParsedQuestionnaire, wanted: str, fallback: str) -> str:
    """The language the form is shown in: the wanted one if the questionnaire has it."""
    for language in (wanted, fallback, *questionnaire.languages):
        if language in questionnaire.languages:
            return language
    return questionnaire.languages[0]


def _skip(interview: Interview, step_id: str) -> Play | Record | HangUp:
    """No answer: what a call does when the keys never come (re-asks, then moves on)."""
    action = interview.on_timeout()
    while not isinstance(action, HangUp) and action.step_id == step_id:
        action = interview.on_timeout()
    return action


def _feed(interview: Interview, step: Step, value: str | None) -> Play | Record | HangUp:
    """One stored answer as the keys a caller would press."""
    if value is None or value == "":
        return _skip(interview, step.id)
    if step.type in ("single_choice", "language"):
        choice = next((c for c in step.choices if c.value == value), None)
        if choice is None:
            return _skip(interview, step.id)
        return interview.on_digits(choice.key)
    if step.type == "numeric":
        return interview.on_digits(f"{value}{CONFIRM}")
    if step.type == "open_answer":
        return interview.on_recording(1.0)  # the text stands for a recording of it
    return _skip(interview, step.id)


def replay(
    questionnaire: ParsedQuestionnaire, answers: Mapping[str, str | None], language: str
) -> tuple[Interview, Position]:
    """The interview after the consent and the given answers; a language step takes the form's
    own language (the web page's language switch is that question)."""
    interview = Interview(questionnaire, language)
    interview.start()
    action = interview.on_digits(questionnaire.consent_key)
    by_id = {step.id: step for step in questionnaire.steps}
    answered = 0
    while not isinstance(action, HangUp):
        step = by_id[action.step_id]
        if step.type == "language":
            action = _feed(interview, step, language)
            continue
        if step.id not in answers:
            break
        answered += 1
        action = _feed(interview, step, answers[step.id])
        if not isinstance(action, HangUp) and action.step_id == step.id:
            action = _skip(interview, step.id)  # a stored answer the rules refuse
    questions = sum(
        1 for s in questionnaire.steps if s.type not in ("explanation", "flag", "language")
    )
    if isinstance(action, HangUp):
        return interview, Position(None, (), action, answered, questions)
    index = questionnaire.index(action.step_id)
    explanations: list[Step] = []
    for earlier in reversed(questionnaire.steps[:index]):
        if earlier.type != "explanation":
            break
        explanations.insert(0, earlier)
    current = questionnaire.steps[index]
    return interview, Position(current, tuple(explanations), None, answered, questions)


def stored_answers(respondent: Respondent) -> dict[str, str | None]:
    return {a.step_id: a.value for a in respondent.answers.all()}


def position(respondent: Respondent, language: str) -> Position:
    return replay(parsed(respondent), stored_answers(respondent), language)[1]


# The phone dispositions after which the web form stays open (the point: reaching
# those who will not answer a call). Not do_not_call: the stop key means never contact again.
REOPEN_AFTER_PHONE: frozenset[str] = frozenset({"refused", "partial"})


def web_after_phone(respondent: Respondent) -> bool:
    """A respondent whose final code came from a phone call that ended refused or broken off,
    in a campaign that offers the web form, who has not ended a web session yet: the form
    stays open to them, and completing it upgrades the final code to complete."""
    return (
        bool(respondent.final_code)
        and respondent.campaign.offer_web
        and respondent.disposition in REOPEN_AFTER_PHONE
        and not respondent.completed_via
        and not respondent.attempts.filter(channel=WEB, ended_at__isnull=False).exists()
    )


def is_open(respondent: Respondent) -> bool:
    """May the form still take answers? Not in an ended campaign, not for a number on the
    do-not-call list, and not after a final code, except `web_after_phone`."""
    return (
        respondent.campaign.status != CampaignStatus.ENDED
        and (not respondent.final_code or web_after_phone(respondent))
        and not do_not_call.is_on_do_not_call(respondent.campaign.municipality_id, respondent.phone)
    )


def may_answer(respondent: Respondent) -> bool:
    """The form is open and the campaign offers it (else its page only lets one refuse)."""
    return respondent.campaign.offer_web and is_open(respondent)


def _web_attempt(respondent: Respondent, now: datetime.datetime) -> Attempt:
    """The open web session's attempt, or a new one after the phone attempts."""
    attempt = respondent.attempts.filter(channel=WEB, outcome=OPEN_OUTCOME).first()
    if attempt is not None:
        return attempt
    last = respondent.attempts.aggregate(n=Max("number"))["n"] or 0
    return Attempt.objects.create(
        respondent=respondent,
        number=last + 1,
        channel=WEB,
        started_at=now,
        answered_at=now,
        outcome=OPEN_OUTCOME,
        code=aapor.BREAK_OFF,  # interim: begun, not finished
    )


def start(respondent: Respondent, *, now: datetime.datetime | None = None) -> None:
    """The person read the introduction and chose to answer: the web session's attempt."""
    with transaction.atomic():
        row = Respondent.objects.select_for_update().get(pk=respondent.pk)
        if may_answer(row):
            _web_attempt(row, now or timezone.now())


def answer_step(
    respondent: Respondent,
    step_id: str,
    value: str,
    *,
    language: str,
    now: datetime.datetime | None = None,
) -> Position:
    """Store the answer to the current step and return where the form goes next; the end
    (a flag or the last step) finishes the respondent. A step that is not the current one
    (a form sent twice, an old tab) is ignored: the position is returned as it is."""
    now = now or timezone.now()
    with transaction.atomic():
        respondent = Respondent.objects.select_for_update().get(pk=respondent.pk)
        if not may_answer(respondent):
            return position(respondent, language)
        questionnaire = parsed(respondent)
        answers = stored_answers(respondent)
        _interview, where = replay(questionnaire, answers, language)
        if where.step is None or where.step.id != step_id:
            return where
        attempt = _web_attempt(respondent, now)
        Answer.objects.update_or_create(
            respondent=respondent,
            step_id=step_id,
            defaults={"value": value[:MAX_OPEN_ANSWER], "attempt": attempt, "answered_at": now},
        )
        for step in questionnaire.steps:  # the language question, answered by the page
            if step.type == "language" and step.id not in answers:
                Answer.objects.update_or_create(
                    respondent=respondent,
                    step_id=step.id,
                    defaults={"value": language, "attempt": attempt, "answered_at": now},
                )
        answers[step_id] = value
        _interview, where = replay(questionnaire, answers, language)
        if where.end is not None:
            _finish(respondent, attempt, where.end.disposition, now)
        return where


def _finish(
    respondent: Respondent, attempt: Attempt, disposition: str, now: datetime.datetime
) -> None:
    attempt.outcome = f"web_{disposition}"
    attempt.code = FINAL_CODES.get(disposition, aapor.BREAK_OFF)
    attempt.ended_at = now
    attempt.save()
    web_answered(respondent, disposition=disposition)


def web_answered(respondent: Respondent, *, disposition: str = "completed") -> Respondent:
    """The respondent answered on the web: the final disposition and AAPOR code are set and
    `completed_via` is "web", so the robot's rules (which check `final_code`/`disposition`
    before each call) stop calling this number, and its waiting work item is resumed at once
    (after the commit) so the robot finishes it now. Idempotent; audited without personal data.

    An earlier final code stands, with one exception: a respondent who refused or broke off on
    the phone (`web_after_phone`) and completes the form is upgraded to complete (1.1)."""
    if disposition not in FINAL_CODES:
        raise ValueError(f"disposition: {disposition!r} is not one the web form ends with")
    with transaction.atomic():
        row = (
            Respondent.objects.select_for_update().select_related("campaign").get(pk=respondent.pk)
        )
        details: dict[str, object] = {"campaign": row.campaign_id, "disposition": disposition}
        if row.final_code:
            if disposition != "completed" or not _upgradable(row):
                return row
            details["upgraded_from"] = row.final_code
        row.disposition = disposition
        row.final_code = FINAL_CODES[disposition]
        row.completed_via = WEB if disposition != "do_not_call" else ""
        row.next_attempt_at = None
        row.save(update_fields=["disposition", "final_code", "completed_via", "next_attempt_at"])
        record(
            "phone_survey.answered_on_web",
            actor=do_not_call.ROBOT_ACTOR,
            municipality=row.campaign.municipality,
            details=details,
        )
        if row.work_item_id is not None:
            item_id = row.work_item_id
            transaction.on_commit(lambda: resume_waiting(item_id))
    respondent.refresh_from_db()
    return row


def _upgradable(row: Respondent) -> bool:
    """`web_after_phone` while the web session is being ended (its attempt already carries
    the end, so that rule's "no ended web session" is read without it) in an open campaign."""
    return (
        row.campaign.status != CampaignStatus.ENDED
        and row.campaign.offer_web
        and row.disposition in REOPEN_AFTER_PHONE
        and not row.completed_via
        and not do_not_call.is_on_do_not_call(row.campaign.municipality_id, row.phone)
        and not row.attempts.filter(channel=WEB, ended_at__isnull=False)
        .exclude(outcome="web_completed")
        .exists()
    )


def resume_waiting(item_id: int) -> bool:
    """Bring the respondent's work item back to the robot now if it waits (for its next call's
    timer), so it is finished at once; an item not waiting is left alone. Whether it was."""
    if not WorkItem.objects.filter(pk=item_id, status=ItemStatus.WAITING).exists():
        return False
    result = resume_item(
        do_not_call.ROBOT_ACTOR, item_id, note="the respondent answered on the web", via="system"
    )
    return item_id in result.done


def refuse(respondent: Respondent, *, now: datetime.datetime | None = None) -> None:
    """ "Do not contact me again": the number goes on the do-not-call list at once, and the
    respondent ends as a refusal (an open web session with it)."""
    now = now or timezone.now()
    campaign = respondent.campaign
    with transaction.atomic():
        do_not_call.add_do_not_call(campaign.municipality, respondent.phone, source=WEB)
        attempt = respondent.attempts.filter(channel=WEB, outcome=OPEN_OUTCOME).first()
        if attempt is not None:
            _finish(respondent, attempt, "do_not_call", now)
        else:
            web_answered(respondent, disposition="do_not_call")
