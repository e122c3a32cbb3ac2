"""A campaign's respondents: the list (filtered by final code, disposition and age group) and
one respondent's page with every attempt, the answers by step and the recorded open answers.

Least privilege as on the other campaign pages: `view` sees the list with numbers masked;
`view_personal_data` sees numbers in full (each such page view audited with the count shown,
never the numbers) and may play recordings (each playback audited)."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kuntarobo.core.questionnaire import (
    CONSENT,
    Questionnaire,
    QuestionnaireError,
    Step,
    parse_questionnaire,
)
from kuntarobo.core.respondents import mask_phone
from kuntarobo.robots.phone_survey.campaign_forms import NO_FINAL_CODE, RespondentFilterForm
from kuntarobo.robots.phone_survey.campaign_views import campaign_or_404
from kuntarobo.robots.phone_survey.code_labels import (
    channel_label,
    code_label,
    code_with_label,
    disposition_label,
)
from kuntarobo.robots.phone_survey.models import (
    Answer,
    Attempt,
    Campaign,
    DoNotCallEntry,
    Respondent,
)
from kuntarobo.sdk.audit import record
from kuntarobo.sdk.permissions import Permission, has_permission
from kuntarobo.sdk.web import download, file_missing, open_stored, paginate

NUMBERS_PERMISSION = Permission.VIEW_PERSONAL_DATA
PAGE_SIZE = 50


def _respondent(campaign: Campaign, respondent_pk: int) -> Respondent:
    respondent = Respondent.objects.filter(campaign=campaign, pk=respondent_pk).first()
    if respondent is None:
        raise Http404(_("Not found."))
    return respondent


def _distinct(campaign: Campaign, field: str) -> list[str]:
    values = (
        Respondent.objects.filter(campaign=campaign)
        .exclude(**{field: ""})
        .order_by(field)
        .values_list(field, flat=True)
        .distinct()
    )
    return list(values)


@login_required
@require_GET
def respondent_list(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_or_404(request, pk)
    full_numbers = has_permission(request.user, campaign.municipality, NUMBERS_PERMISSION)
    form = RespondentFilterForm(
        request.GET,
        codes=[(code, code_with_label(code)) for code in _distinct(campaign, "final_code")],
        dispositions=[
            (value, disposition_label(value)) for value in _distinct(campaign, "disposition")
        ],
        age_groups=_distinct(campaign, "age_group"),
    )
    respondents = Respondent.objects.filter(campaign=campaign)
    form.is_valid()  # a filter the campaign has no value for is shown as an error, not applied
    chosen = getattr(form, "cleaned_data", {})
    code = chosen.get("final_code", "")
    if code == NO_FINAL_CODE:
        respondents = respondents.filter(final_code="")
    elif code:
        respondents = respondents.filter(final_code=code)
    if chosen.get("disposition"):
        respondents = respondents.filter(disposition=chosen["disposition"])
    if chosen.get("age_group"):
        respondents = respondents.filter(age_group=chosen["age_group"])
    page = paginate(request, respondents.order_by("row", "pk"), PAGE_SIZE)
    rows = [
        {
            "pk": respondent.pk,
            "row": respondent.row,
            "phone": respondent.phone if full_numbers else mask_phone(respondent.phone),
            "age_group": respondent.age_group,
            "gender": respondent.gender,
            "area": respondent.area,
            "language": respondent.get_language_display(),
            "attempts": respondent.attempts_made,
            "final_code": respondent.final_code,
            "final_label": code_label(respondent.final_code) if respondent.final_code else "",
            "disposition": disposition_label(respondent.disposition),
        }
        for respondent in page.object_list
    ]
    if full_numbers and rows:
        record(
            "phone_survey.respondents_viewed",
            actor=request.user,
            municipality=campaign.municipality,
            obj=campaign,
            via="web",
            details={"numbers_shown": len(rows)},
        )
    context = {
        "campaign": campaign,
        "form": form,
        "page": page,
        "rows": rows,
        "full_numbers": full_numbers,
        "count": page.paginator.count,
        "total": Respondent.objects.filter(campaign=campaign).count(),
    }
    return render(request, "phone_survey/campaign_respondents.html", context)


@dataclass(frozen=True)
class AnswerRow:
    step_id: str
    question: str
    answer: str
    answer_pk: int
    has_recording: bool


def _reader_language(questionnaire: Questionnaire | None) -> str:
    language = (get_language() or "fi")[:2]
    if questionnaire is None or language in questionnaire.languages:
        return language
    return questionnaire.languages[0]


def _text(texts: Any, language: str) -> str:
    if not texts:
        return ""
    return str(texts.get(language) or next(iter(texts.values()), ""))


def _parsed(campaign: Campaign) -> Questionnaire | None:
    """The campaign's questionnaire, or None when its stored definition no longer parses (the
    answers are still shown, by step id)."""
    try:
        return parse_questionnaire(campaign.questionnaire.definition)
    except QuestionnaireError:
        return None


def _answer_text(step: Step | None, answer: Answer, language: str) -> str:
    if step is not None:
        for choice in step.choices:
            if choice.value == answer.value:
                return f"{_text(choice.label, language)} ({choice.key})"
    return answer.value


def answer_rows(campaign: Campaign, answers: list[Answer]) -> list[AnswerRow]:
    """The answers in the questionnaire's step order, each with its question in the reader's
    language; an answer to a step the questionnaire no longer has comes last, by its id."""
    questionnaire = _parsed(campaign)
    language = _reader_language(questionnaire)
    steps: dict[str, Step] = {}
    order: dict[str, int] = {CONSENT: -1}
    if questionnaire is not None:
        steps = {step.id: step for step in questionnaire.steps}
        order.update({step.id: index for index, step in enumerate(questionnaire.steps)})
    rows: list[tuple[int, str, AnswerRow]] = []
    for answer in answers:
        step = steps.get(answer.step_id)
        if step is not None:
            question = _text(step.prompt, language)
        elif answer.step_id == CONSENT and questionnaire is not None:
            question = _text(questionnaire.consent_prompt, language)
        else:
            question = answer.step_id
        row = AnswerRow(
            answer.step_id,
            question,
            _answer_text(step, answer, language),
            answer.pk,
            bool(answer.recording),
        )
        rows.append((order.get(answer.step_id, len(order)), answer.step_id, row))
    return [row for _, _, row in sorted(rows, key=lambda item: (item[0], item[1]))]


@login_required
@require_GET
def respondent_detail(request: HttpRequest, pk: int, respondent_pk: int) -> HttpResponse:
    campaign = campaign_or_404(request, pk)
    respondent = _respondent(campaign, respondent_pk)
    full_numbers = has_permission(request.user, campaign.municipality, NUMBERS_PERMISSION)
    attempts = [
        {
            "attempt": attempt,
            "code_label": code_label(attempt.code) if attempt.code else "",
            "channel": channel_label(attempt.channel),
        }
        for attempt in Attempt.objects.filter(respondent=respondent).order_by("number")
    ]
    answers = answer_rows(campaign, list(Answer.objects.filter(respondent=respondent)))
    if full_numbers:
        record(
            "phone_survey.respondent_viewed",
            actor=request.user,
            municipality=campaign.municipality,
            obj=respondent,
            via="web",
            details={"numbers_shown": 1, "campaign": campaign.pk},
        )
    context = {
        "campaign": campaign,
        "respondent": respondent,
        "phone": respondent.phone if full_numbers else mask_phone(respondent.phone),
        "full_numbers": full_numbers,
        "final_label": code_label(respondent.final_code) if respondent.final_code else "",
        "disposition": disposition_label(respondent.disposition),
        "completed_via": channel_label(respondent.completed_via),
        "on_do_not_call": DoNotCallEntry.objects.filter(
            municipality_id=campaign.municipality_id, phone=respondent.phone
        ).exists(),
        "attempts": attempts,
        "answers": answers,
    }
    return render(request, "phone_survey/campaign_respondent.html", context)


@login_required
@require_GET
def answer_recording(
    request: HttpRequest, pk: int, respondent_pk: int, answer_pk: int
) -> HttpResponseBase:
    """An open answer's recording: the person's own voice, so personal data (403 without)."""
    campaign = campaign_or_404(request, pk, NUMBERS_PERMISSION)
    respondent = _respondent(campaign, respondent_pk)
    answer = Answer.objects.filter(respondent=respondent, pk=answer_pk).first()
    if answer is None or not answer.recording:
        raise Http404(_("Not found."))
    handle = open_stored(answer.recording)
    if handle is None:
        return file_missing(request)
    record(
        "phone_survey.recording_played",
        actor=request.user,
        municipality=campaign.municipality,
        obj=answer,
        via="web",
        details={"campaign": campaign.pk, "respondent": respondent.pk, "step": answer.step_id},
    )
    name = PurePosixPath(answer.recording.name).name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return download(request, handle, filename=name, content_type=content_type)
