"""The public pages under /kysely/: the personal web form (the same questionnaire as the call,
one step a page, no JavaScript needed) and the campaign's advance notice. No sign-in: the
personal link's token is the key, and a wrong or closed link says so without telling anything
about the survey or the person."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from kuntarobo.core.call_windows import parse_schedule
from kuntarobo.core.questionnaire import Questionnaire as ParsedQuestionnaire
from kuntarobo.core.questionnaire import Step
from kuntarobo.robots.phone_survey import web_mode
from kuntarobo.robots.phone_survey.models import Campaign, CampaignStatus, Respondent

CLOSED_TEXTS: dict[str, Any] = {
    "unknown": _("This survey link is not valid. Check that the whole link was copied."),
    "ended": _("This survey has ended. Thank you for your interest."),
    "closed": _("This survey link is closed: the answers have already been given or refused."),
}


def closed(request: HttpRequest, reason: str, status: int) -> HttpResponse:
    return render(
        request, "phone_survey/web_closed.html", {"text": CLOSED_TEXTS[reason]}, status=status
    )


def _respondent(token: str) -> Respondent | None:
    return (
        Respondent.objects.select_related("campaign__questionnaire", "campaign__municipality")
        .filter(token=token)
        .first()
    )


def chosen_language(request: HttpRequest, questionnaire: ParsedQuestionnaire, own: str) -> str:
    """The language the person chose with the page's language switch, else their own."""
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return web_mode.page_language(questionnaire, cookie, own)


class StepForm(forms.Form):
    """One step of the questionnaire as a form field, labelled with the step's own prompt."""

    def __init__(self, step: Step, language: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        label = step.prompt.get(language, "")
        field: forms.Field
        if step.type == "single_choice":
            field = forms.ChoiceField(
                label=label,
                choices=[(c.value, c.label.get(language, c.value)) for c in step.choices],
                widget=forms.RadioSelect,
            )
        elif step.type == "numeric":
            field = forms.IntegerField(
                label=label,
                min_value=step.minimum,
                max_value=step.maximum,
                help_text=_("A whole number from %(min)s to %(max)s.")
                % {"min": step.minimum, "max": step.maximum},
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
        else:  # open_answer: typed instead of spoken
            field = forms.CharField(
                label=label,
                required=False,
                max_length=web_mode.MAX_OPEN_ANSWER,
                help_text=_("Optional. At most %(max)s characters.")
                % {"max": web_mode.MAX_OPEN_ANSWER},
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        self.fields["answer"] = field


def _schedule_facts(campaign: Campaign) -> dict[str, Any]:
    try:
        schedule = parse_schedule(campaign.schedule)
    except ValueError:
        return {}
    return {
        "start_date": schedule.start_date,
        "end_date": schedule.end_date,
        "from_time": schedule.from_time,
        "to_time": schedule.to_time,
    }


@require_http_methods(["GET", "HEAD", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    respondent = _respondent(token)
    if respondent is None:
        return closed(request, "unknown", 404)
    campaign = respondent.campaign
    if campaign.status == CampaignStatus.ENDED:
        return closed(request, "ended", 410)
    questionnaire = web_mode.parsed(respondent)
    language = chosen_language(request, questionnaire, respondent.language)
    with translation.override(language):
        return _survey(request, respondent, questionnaire, language)


def _survey(
    request: HttpRequest, respondent: Respondent, questionnaire: ParsedQuestionnaire, lang: str
) -> HttpResponse:
    campaign = respondent.campaign
    context: dict[str, Any] = {
        "respondent": respondent,
        "campaign": campaign,
        "municipality_name": campaign.municipality.name_in(lang),
        "introduction": questionnaire.introduction[lang],
        "language": lang,
        "languages": questionnaire.languages,
        **_schedule_facts(campaign),
    }
    if respondent.completed_via == web_mode.WEB and respondent.final_code:
        where = web_mode.position(respondent, lang)
        context["end_text"] = where.end.text if where.end is not None else ""
        return render(request, "phone_survey/web_end.html", context)
    if not web_mode.is_open(respondent):
        return closed(request, "closed", 410)
    started = respondent.attempts.filter(channel=web_mode.WEB).exists()
    if request.method == "POST" and request.POST.get("start"):
        web_mode.start(respondent)
        return redirect(request.path)
    if not started or not campaign.offer_web:
        return render(request, "phone_survey/web_intro.html", context)
    where = web_mode.position(respondent, lang)
    if where.step is None:  # ended by a stored answer (e.g. the questionnaire's last step)
        return redirect(request.path)
    form = StepForm(where.step, lang)
    if request.method == "POST":
        form = StepForm(where.step, lang, request.POST)
        if request.POST.get("step") != where.step.id:
            return redirect(request.path)  # an old page sent again: show the current step
        if form.is_valid():
            value = form.cleaned_data["answer"]
            web_mode.answer_step(
                respondent, where.step.id, "" if value is None else str(value), language=lang
            )
            return redirect(request.path)
    context.update(
        {
            "form": form,
            "step": where.step,
            "explanations": [s.prompt.get(lang, "") for s in where.explanations],
            "number": where.answered + 1,
            "total": where.total,
        }
    )
    return render(request, "phone_survey/web_step.html", context)


@require_POST
def refuse(request: HttpRequest, token: str) -> HttpResponse:
    """ "Do not contact me again": honoured at once, whatever state the survey is in."""
    respondent = _respondent(token)
    if respondent is None:
        return closed(request, "unknown", 404)
    questionnaire = web_mode.parsed(respondent)
    language = chosen_language(request, questionnaire, respondent.language)
    web_mode.refuse(respondent)
    with translation.override(language):
        return render(
            request,
            "phone_survey/web_refused.html",
            {"municipality_name": respondent.campaign.municipality.name_in(language)},
        )


@require_http_methods(["GET", "HEAD"])
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign's advance notice: who calls, when, from which number, how to refuse, and
    that the same questions can be answered on the web with the personal link."""
    campaign = (
        Campaign.objects.select_related("municipality", "questionnaire").filter(pk=pk).first()
    )
    if campaign is None:
        return closed(request, "unknown", 404)
    if campaign.status == CampaignStatus.ENDED:
        return closed(request, "ended", 410)
    language = translation.get_language() or "fi"
    texts = campaign.notice_text if isinstance(campaign.notice_text, dict) else {}
    context = {
        "campaign": campaign,
        "municipality_name": campaign.municipality.name_in(language),
        "notice": texts.get(language) or "",
        "other_notices": [
            (code, name, texts[code])
            for code, name in (("fi", "suomeksi"), ("sv", "på svenska"), ("en", "in English"))
            if code != language and texts.get(code)
        ],
        **_schedule_facts(campaign),
    }
    return render(request, "phone_survey/web_notice.html", context)
