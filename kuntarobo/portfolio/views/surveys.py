"""Pages of the satisfaction axes: staff survey rounds (list, create, detail with results,
sending, closing), the municipality's allowed e-mail domains, customer feedback links switched
on per robot and their import; and the public answer pages (no sign-in) behind the links.

Signed-in pages follow the platform's rule: another municipality's round is a 404, a member
without the portfolio permission gets 403. Every change goes through
kuntarobo.portfolio.surveys or kuntarobo.portfolio.feedback."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kuntarobo.accounts.models import Municipality, Permission, has_permission
from kuntarobo.core import satisfaction
from kuntarobo.portfolio import feedback, surveys
from kuntarobo.portfolio.models import (
    CustomerFeedbackLink,
    Idea,
    SurveyLanguage,
    SurveyPhase,
    SurveyRound,
    SurveySettings,
)
from kuntarobo.portfolio.satisfaction import (
    customer_satisfaction,
    staff_result,
    staff_satisfaction,
)
from kuntarobo.runtime.actions import PermissionDeniedError
from kuntarobo.runtime.declarations import InputError, all_robots
from kuntarobo.web.forms import BaseForm
from kuntarobo.web.scoping import require_somewhere

_TOKEN = re.compile(r"[0-9a-f]{16,64}")
LANGUAGES = tuple(SurveyLanguage.values)


def robot_choices(municipalities: QuerySet[Municipality]) -> list[tuple[str, str]]:
    """The bundled robots and the robots the municipalities' ideas became."""
    found = {robot.slug: robot.name.get() for robot in all_robots()}
    for slug in (
        Idea.objects.filter(municipality__in=municipalities)
        .exclude(robot_slug="")
        .values_list("robot_slug", flat=True)
        .distinct()
    ):
        found.setdefault(slug, slug)
    return sorted(found.items(), key=lambda pair: pair[1].lower())


class MunicipalityForm(BaseForm):
    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.none(), label=gettext_lazy("Municipality")
    )

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = municipalities
        if municipalities.count() == 1:
            field.initial = municipalities.first()


class RobotForm(MunicipalityForm):
    robot_slug = forms.ChoiceField(label=gettext_lazy("Robot"))

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, municipalities=municipalities, **kwargs)
        field = self.fields["robot_slug"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = robot_choices(municipalities)


class RoundForm(RobotForm):
    phase = forms.ChoiceField(
        label=gettext_lazy("Phase"), choices=SurveyPhase.choices, widget=forms.RadioSelect
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the survey"),
        choices=SurveyLanguage.choices,
        help_text=gettext_lazy("Each recipient may switch the language on the answer page."),
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False)


class SendForm(BaseForm):
    addresses = forms.CharField(
        label=gettext_lazy("Staff e-mail addresses"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "One address a line (or separated by commas). Each gets a personal link that works "
            "once; the addresses are not stored with the answers."
        ),
    )


class DomainsForm(MunicipalityForm):
    allowed_email_domains = forms.CharField(
        label=gettext_lazy("Allowed e-mail domains"),
        max_length=1000,
        required=False,
        help_text=gettext_lazy(
            "Invitations go only to addresses in these domains, e.g. “esimerkkila.fi, "
            "edu.esimerkkila.fi”. When empty, no invitation is sent."
        ),
    )


class SwitchForm(RobotForm):
    enabled = forms.BooleanField(label=gettext_lazy("In use"), required=False)


class ImportForm(RobotForm):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "Columns date (2026-03-31 or 31.3.2026), score (1–5) and an optional comment, "
            "with a header row; UTF-8, separated by semicolons or commas."
        ),
    )


def _input_error(form: forms.Form, error: InputError) -> None:
    name = error.field if error.field in form.fields else None
    form.add_error(name, str(error))


# --- Signed-in pages ---------------------------------------------------------------------------


@login_required
def survey_rounds(request: HttpRequest) -> HttpResponse:
    visible = require_somewhere(request.user, Permission.VIEW)
    managed = Municipality.objects.for_user(request.user, Permission.MANAGE_PORTFOLIO)
    rounds = (
        SurveyRound.objects.for_user(request.user)
        .select_related("municipality")
        .annotate(
            invited=Count("invitations", distinct=True),
            answered=Count("responses", distinct=True),
        )
    )
    domains_form = None
    if managed.exists():
        first = managed.first()
        row = SurveySettings.objects.filter(municipality=first).first()
        domains_form = DomainsForm(
            municipalities=managed,
            initial={
                "municipality": first,
                "allowed_email_domains": row.allowed_email_domains if row else "",
            },
        )
    settings_rows = SurveySettings.objects.filter(municipality__in=managed).select_related(
        "municipality"
    )
    context = {
        "rounds": rounds,
        "can_manage": managed.exists(),
        "domains_form": domains_form,
        "settings_rows": settings_rows,
        "municipalities": visible,
    }
    return render(request, "portfolio/surveys/rounds.html", context)


@login_required
def survey_round_create(request: HttpRequest) -> HttpResponse:
    managed = require_somewhere(request.user, Permission.MANAGE_PORTFOLIO)
    form = RoundForm(request.POST if request.method == "POST" else None, municipalities=managed)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = surveys.create_round(
                request.user,
                data["municipality"],
                robot_slug=data["robot_slug"],
                phase=data["phase"],
                language=data["language"],
                title=data["title"],
                via="web",
            )
        except PermissionDeniedError:
            raise PermissionDenied from None
        except InputError as error:
            _input_error(form, error)
        else:
            messages.success(request, _("Survey round created. Send it to the staff below."))
            return redirect("portfolio:survey_round", survey.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "portfolio/surveys/round_form.html", {"form": form}, status=status)


def _round_or_404(request: HttpRequest, pk: int, permission: str = Permission.VIEW) -> SurveyRound:
    """Another municipality's round is a 404; a member without `permission` gets 403."""
    survey = (
        SurveyRound.objects.for_user(request.user)
        .select_related("municipality")
        .filter(pk=pk)
        .first()
    )
    if survey is None:
        raise Http404(_("Not found."))
    if permission != Permission.VIEW and not has_permission(
        request.user, survey.municipality, permission
    ):
        raise PermissionDenied
    return survey


def _round_page(
    request: HttpRequest, survey: SurveyRound, send_form: SendForm | None = None, status: int = 200
) -> HttpResponse:
    can_manage = has_permission(request.user, survey.municipality, Permission.MANAGE_PORTFOLIO)
    scores = list(survey.responses.values_list("scores", flat=True))
    result = staff_result(survey.phase, [s for s in scores if isinstance(s, dict)])
    comparison = {
        row.phase: row for row in staff_satisfaction([survey.municipality_id], survey.robot_slug)
    }
    statements = [
        {
            "key": key,
            "text": surveys.STATEMENT_TEXTS[key],
            "mean": result.means[key],
            "before": comparison["before"].means[key] if "before" in comparison else None,
            "after": comparison["after"].means[key] if "after" in comparison else None,
        }
        for key in satisfaction.STATEMENTS
    ]
    shown = result.responses >= surveys.MIN_RESPONSES
    comments = (
        list(survey.responses.exclude(comment="").values_list("comment", flat=True))
        if can_manage and shown
        else []
    )
    context = {
        "survey": survey,
        "can_manage": can_manage,
        "invited": survey.invitations.count(),
        "result": result,
        "shown": shown,
        "min_responses": surveys.MIN_RESPONSES,
        "statements": statements,
        "before": comparison.get("before"),
        "after": comparison.get("after"),
        "comments": comments,
        "send_form": send_form if send_form is not None else SendForm(),
    }
    return render(request, "portfolio/surveys/round_detail.html", context, status=status)


@login_required
def survey_round(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _round_or_404(request, pk)
    return _round_page(request, survey)


@login_required
@require_POST
def survey_round_send(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _round_or_404(request, pk, Permission.MANAGE_PORTFOLIO)
    form = SendForm(request.POST)
    if form.is_valid():
        try:
            sending = surveys.send_invitations(
                request.user, survey, form.cleaned_data["addresses"], via="web"
            )
        except PermissionDeniedError:
            raise PermissionDenied from None
        except InputError as error:
            _input_error(form, error)
        else:
            messages.success(
                request,
                _("Invitations sent: %(sent)d. Already invited earlier: %(already)d.")
                % {"sent": sending.sent, "already": sending.already},
            )
            if sending.failed:
                messages.error(
                    request,
                    _("The mail server did not take these; send them again later: %(list)s")
                    % {"list": ", ".join(sending.failed)},
                )
            return redirect("portfolio:survey_round", survey.pk)
    return _round_page(request, survey, form, status=400)


@login_required
@require_POST
def survey_round_close(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _round_or_404(request, pk, Permission.MANAGE_PORTFOLIO)
    if surveys.close_round(request.user, survey, via="web"):
        messages.success(request, _("The round is closed: its links take no more answers."))
    return redirect("portfolio:survey_round", survey.pk)


@login_required
@require_POST
def survey_settings(request: HttpRequest) -> HttpResponse:
    managed = require_somewhere(request.user, Permission.MANAGE_PORTFOLIO)
    form = DomainsForm(request.POST, municipalities=managed)
    if form.is_valid():
        try:
            surveys.set_allowed_domains(
                request.user,
                form.cleaned_data["municipality"],
                form.cleaned_data["allowed_email_domains"],
                via="web",
            )
        except InputError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Allowed e-mail domains saved."))
        return redirect("portfolio:survey_rounds")
    return render(
        request,
        "portfolio/surveys/rounds.html",
        {"rounds": [], "can_manage": True, "domains_form": form, "settings_rows": []},
        status=400,
    )


@login_required
def customer_feedback(request: HttpRequest) -> HttpResponse:
    managed = require_somewhere(request.user, Permission.MANAGE_PORTFOLIO)
    links = {
        (link.municipality_id, link.robot_slug): link
        for link in CustomerFeedbackLink.objects.filter(municipality__in=managed)
    }
    today = timezone.localdate()
    start = (today.replace(day=1) - datetime.timedelta(days=335)).replace(day=1)
    rows = []
    for municipality in managed:
        for slug, name in robot_choices(managed):
            link = links.get((municipality.pk, slug))
            months = customer_satisfaction([municipality.pk], slug, start, today)
            rows.append(
                {
                    "municipality": municipality,
                    "slug": slug,
                    "name": name,
                    "link": link,
                    "url": feedback.link_url(link) if link and link.enabled else "",
                    "months": [m for m in months if m.responses],
                }
            )
    return render(
        request,
        "portfolio/surveys/feedback.html",
        {"rows": rows, "start": start, "today": today},
    )


@login_required
@require_POST
def customer_feedback_switch(request: HttpRequest) -> HttpResponse:
    managed = require_somewhere(request.user, Permission.MANAGE_PORTFOLIO)
    form = SwitchForm(request.POST, municipalities=managed)
    if not form.is_valid():
        raise Http404(_("Not found."))
    data = form.cleaned_data
    try:
        feedback.set_customer_feedback(
            request.user,
            data["municipality"],
            data["robot_slug"],
            enabled=data["enabled"],
            via="web",
        )
    except InputError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Customer feedback is on.") if data["enabled"] else _("Customer feedback is off."),
        )
    return redirect("portfolio:customer_feedback")


@login_required
def customer_feedback_import(request: HttpRequest) -> HttpResponse:
    managed = require_somewhere(request.user, Permission.MANAGE_PORTFOLIO)
    posted = request.method == "POST"
    form = ImportForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        municipalities=managed,
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            count = feedback.import_feedback(
                request.user, data["municipality"], data["robot_slug"], data["file"], via="web"
            )
        except InputError as error:
            _input_error(form, error)
        else:
            messages.success(request, _("Imported %(count)d answers.") % {"count": count})
            return redirect("portfolio:customer_feedback")
    status = 400 if posted else 200
    return render(request, "portfolio/surveys/feedback_import.html", {"form": form}, status=status)


# --- Public pages (no sign-in) -----------------------------------------------------------------


def _public_language(request: HttpRequest, default: str | None) -> str:
    """?lang= first, then a language the visitor chose with the switch (its cookie), then the
    round's language, then what the browser asks for."""
    asked = request.GET.get("lang", "")
    if asked in LANGUAGES:
        return asked
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) in LANGUAGES or default is None:
        return (get_language() or "fi")[:2]
    return default


def _refused(request: HttpRequest, reason: str, language: str) -> HttpResponse:
    status = 404 if reason == "unknown" else 410
    with translation.override(language):
        return render(
            request,
            "portfolio/surveys/link_refused.html",
            {"reason": reason, "language_next": request.path},
            status=status,
        )


class AnswerForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Comment (optional)"),
        required=False,
        max_length=satisfaction.MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Do not write names or other personal data."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        statements: dict[str, forms.Field] = {
            key: forms.TypedChoiceField(
                label=surveys.STATEMENT_TEXTS[key],
                choices=[(n, f"{n} – {surveys.SCALE_TEXTS[n]}") for n in satisfaction.SCALE],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": gettext_lazy("Choose one of the options.")},
            )
            for key in satisfaction.STATEMENTS
        }
        self.fields = {**statements, "comment": self.fields["comment"]}


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def staff_survey(request: HttpRequest, token: str) -> HttpResponse:
    if not _TOKEN.fullmatch(token):
        return _refused(request, "unknown", _public_language(request, None))
    try:
        invitation = surveys.invitation_for(token)
    except surveys.SurveyLinkRefused as refused:
        default = refused.survey.language if refused.survey else None
        return _refused(request, refused.reason, _public_language(request, default))
    survey = invitation.round
    language = _public_language(request, survey.language)
    with translation.override(language):
        form = AnswerForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                surveys.answer(
                    token,
                    {key: data[key] for key in satisfaction.STATEMENTS},
                    data["comment"],
                )
            except surveys.SurveyLinkRefused as refused:
                return _refused(request, refused.reason, language)
            except InputError as error:
                _input_error(form, error)
            else:
                return render(
                    request,
                    "portfolio/surveys/answer_thanks.html",
                    {"survey": survey, "language_next": request.path},
                )
        context = {
            "survey": survey,
            "municipality_name": survey.municipality.name_in(language),
            "robot_name": surveys.robot_name(survey.robot_slug, language),
            "form": form,
            "language_next": request.path,
        }
        status = 400 if request.method == "POST" else 200
        return render(request, "portfolio/surveys/answer.html", context, status=status)


class FeedbackForm(forms.Form):
    score = forms.TypedChoiceField(
        label=gettext_lazy("How satisfied were you with how your matter was handled?"),
        choices=[],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose one of the options.")},
    )
    comment = AnswerForm.base_fields["comment"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        field = self.fields["score"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(n, f"{n} – {CUSTOMER_SCALE[n]}") for n in satisfaction.SCALE]


CUSTOMER_SCALE = {
    1: gettext_lazy("Very dissatisfied"),
    2: gettext_lazy("Dissatisfied"),
    3: gettext_lazy("Neither satisfied nor dissatisfied"),
    4: gettext_lazy("Satisfied"),
    5: gettext_lazy("Very satisfied"),
}


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def customer(request: HttpRequest, token: str) -> HttpResponse:
    language = _public_language(request, None)
    if not _TOKEN.fullmatch(token):
        return _refused(request, "unknown", language)
    try:
        link = feedback.link_for(token)
    except feedback.FeedbackLinkRefused as refused:
        return _refused(request, refused.reason, language)
    with translation.override(language):
        form = FeedbackForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                feedback.give_feedback(
                    token, form.cleaned_data["score"], form.cleaned_data["comment"]
                )
            except feedback.FeedbackLinkRefused as refused:
                return _refused(request, refused.reason, language)
            except InputError as error:
                _input_error(form, error)
            else:
                target = reverse("feedback:customer_thanks", args=[token])
                return redirect(f"{target}?lang={language}")
        context = {
            "municipality_name": link.municipality.name_in(language),
            "robot_name": surveys.robot_name(link.robot_slug, language),
            "form": form,
            "language_next": request.path,
        }
        status = 400 if request.method == "POST" else 200
        return render(request, "portfolio/surveys/customer.html", context, status=status)


@never_cache
def customer_thanks(request: HttpRequest, token: str) -> HttpResponse:
    language = _public_language(request, None)
    if not _TOKEN.fullmatch(token):
        return _refused(request, "unknown", language)
    try:
        link = feedback.link_for(token)
    except feedback.FeedbackLinkRefused as refused:
        return _refused(request, refused.reason, language)
    with translation.override(language):
        return render(
            request,
            "portfolio/surveys/customer_thanks.html",
            {
                "municipality_name": link.municipality.name_in(language),
                "language_next": request.path,
            },
        )
