"""The questionnaire editor: a municipality's questionnaires as YAML or JSON text, checked by
the same parser the calls use, with the error beside the field; a preview of the steps in each
language; and the recorded prompts. A questionnaire in use is saved as a new one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from kuntarobo.core.questionnaire import QuestionnaireError, parse_questionnaire
from kuntarobo.robots.phone_survey import questionnaires
from kuntarobo.robots.phone_survey.models import LANGUAGES, PromptRecording, Questionnaire
from kuntarobo.sdk import InputError
from kuntarobo.sdk.models import Municipality
from kuntarobo.sdk.permissions import Permission, PermissionDeniedError, has_permission
from kuntarobo.sdk.web import (
    download,
    file_missing,
    get_scoped_or_404,
    open_stored,
    require_somewhere,
)


class QuestionnaireForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=gettext_lazy("Municipality"), queryset=Municipality.objects.none()
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    source = forms.CharField(
        label=gettext_lazy("Questionnaire (YAML or JSON)"),
        max_length=questionnaires.MAX_SOURCE_CHARS,
        help_text=gettext_lazy(
            "The format is described in the documentation of the phone survey robot "
            "(“Questionnaire format”). In YAML, write keys in quotes: key: '1'."
        ),
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false", "class": "code"}),
        strip=False,
    )

    def __init__(
        self, user: Any, *args: Any, fixed: Municipality | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        assert isinstance(field, forms.ModelChoiceField)
        if fixed is not None:
            del self.fields["municipality"]
        else:
            field.queryset = Municipality.objects.for_user(user, Permission.CONFIGURE)


class RecordingForm(forms.Form):
    step_id = forms.ChoiceField(label=gettext_lazy("Step"))
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=LANGUAGES)
    file = forms.FileField(
        label=gettext_lazy("Recording (WAV)"),
        help_text=gettext_lazy("A .wav file (PCM), at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".wav,audio/wav"}),
    )

    def __init__(
        self, steps: list[str], languages: tuple[str, ...], *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        step_field = self.fields["step_id"]
        language_field = self.fields["language"]
        assert isinstance(step_field, forms.ChoiceField)
        assert isinstance(language_field, forms.ChoiceField)
        step_field.choices = [(step, step) for step in steps]
        language_field.choices = [(c, n) for c, n in LANGUAGES if c in languages]


def _add_error(form: forms.Form, error: InputError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error))


@login_required
@require_http_methods(["GET", "HEAD"])
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    require_somewhere(request.user, Permission.VIEW)
    rows = list(
        Questionnaire.objects.for_user(request.user, Permission.VIEW).select_related("municipality")
    )
    items = [
        {
            "row": row,
            "steps": len(row.definition.get("steps", [])),
            "locked": questionnaires.is_locked(row),
        }
        for row in rows
    ]
    may_create = Municipality.objects.for_user(request.user, Permission.CONFIGURE).exists()
    return render(
        request,
        "phone_survey/questionnaire_list.html",
        {"items": items, "may_create": may_create},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def questionnaire_create(request: HttpRequest) -> HttpResponse:
    require_somewhere(request.user, Permission.CONFIGURE)
    if request.method == "POST":
        form = QuestionnaireForm(request.user, request.POST)
        if form.is_valid():
            try:
                row = questionnaires.save_questionnaire(
                    request.user,
                    municipality=form.cleaned_data["municipality"],
                    name=form.cleaned_data["name"],
                    source=form.cleaned_data["source"],
                )
            except InputError as error:
                _add_error(form, error)
            except PermissionDeniedError:
                raise PermissionDenied from None
            else:
                messages.success(request, _("The questionnaire was saved."))
                return redirect("phone_survey:questionnaire_detail", pk=row.pk)
    else:
        form = QuestionnaireForm(request.user, initial={"source": questionnaires.demo_source()})
    return render(
        request, "phone_survey/questionnaire_form.html", {"form": form, "questionnaire": None}
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def questionnaire_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_scoped_or_404(
        Questionnaire.objects.select_related("municipality"),
        request.user,
        pk,
        Permission.CONFIGURE,
    )
    locked = questionnaires.is_locked(row)
    if request.method == "POST":
        form = QuestionnaireForm(request.user, request.POST, fixed=row.municipality)
        if form.is_valid():
            try:
                saved = questionnaires.save_questionnaire(
                    request.user,
                    municipality=row.municipality,
                    name=form.cleaned_data["name"],
                    source=form.cleaned_data["source"],
                    questionnaire=row,
                )
            except InputError as error:
                _add_error(form, error)
            except PermissionDeniedError:
                raise PermissionDenied from None
            else:
                if saved.pk != row.pk:
                    messages.success(
                        request,
                        _("The questionnaire is in use, so it was saved as a new questionnaire."),
                    )
                else:
                    messages.success(request, _("The questionnaire was saved."))
                return redirect("phone_survey:questionnaire_detail", pk=saved.pk)
    else:
        form = QuestionnaireForm(
            request.user,
            initial={"name": row.name, "source": row.source},
            fixed=row.municipality,
        )
    return render(
        request,
        "phone_survey/questionnaire_form.html",
        {"form": form, "questionnaire": row, "locked": locked},
    )


def _preview(row: Questionnaire) -> dict[str, Any]:
    try:
        parsed = parse_questionnaire(row.definition)
    except QuestionnaireError:
        return {"error": True}
    recordings = {(r.step_id, r.language): r for r in row.recordings.all()}
    languages = [(code, name) for code, name in LANGUAGES if code in parsed.languages]

    def texts(step_id: str, prompt: Any) -> list[dict[str, Any]]:
        return [
            {
                "code": code,
                "name": name,
                "text": prompt.get(code, ""),
                "recording": recordings.get((step_id, code)),
            }
            for code, name in languages
        ]

    steps: list[dict[str, Any]] = [
        {
            "id": "introduction",
            "type": "introduction",
            "texts": texts("introduction", parsed.introduction),
        },
        {
            "id": "consent",
            "type": "consent",
            "key": parsed.consent_key,
            "texts": texts("consent", parsed.consent_prompt),
        },
    ]
    for step in parsed.steps:
        steps.append(
            {
                "id": step.id,
                "type": step.type,
                "texts": texts(step.id, step.prompt),
                "choices": [
                    {
                        "key": c.key,
                        "value": c.value,
                        "labels": [c.label.get(code, "") for code, _name in languages],
                        "skip": step.skip.get(c.value, ""),
                    }
                    for c in step.choices
                ],
                "minimum": step.minimum,
                "maximum": step.maximum,
                "disposition": step.disposition,
                "max_seconds": step.max_seconds,
            }
        )
    return {
        "parsed": parsed,
        "steps": steps,
        "step_languages": languages,
        "step_ids": [s["id"] for s in steps],
    }


@login_required
@require_http_methods(["GET", "HEAD"])
def questionnaire_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_scoped_or_404(Questionnaire.objects.select_related("municipality"), request.user, pk)
    return _detail(request, row, None)


def _detail(request: HttpRequest, row: Questionnaire, form: RecordingForm | None) -> HttpResponse:
    preview = _preview(row)
    may_configure = has_permission(request.user, row.municipality, Permission.CONFIGURE)
    if form is None and "parsed" in preview:
        form = RecordingForm(preview["step_ids"], preview["parsed"].languages)
    return render(
        request,
        "phone_survey/questionnaire_detail.html",
        {
            "questionnaire": row,
            "locked": questionnaires.is_locked(row),
            "may_configure": may_configure,
            "form": form if may_configure else None,
            **preview,
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_POST
def questionnaire_recording(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_scoped_or_404(
        Questionnaire.objects.select_related("municipality"),
        request.user,
        pk,
        Permission.CONFIGURE,
    )
    preview = _preview(row)
    if "parsed" not in preview:
        raise PermissionDenied
    form = RecordingForm(
        preview["step_ids"], preview["parsed"].languages, request.POST, request.FILES
    )
    if form.is_valid():
        try:
            questionnaires.save_recording(
                request.user,
                row,
                step_id=form.cleaned_data["step_id"],
                language=form.cleaned_data["language"],
                upload=form.cleaned_data["file"],
            )
        except InputError as error:
            _add_error(form, error)
        except PermissionDeniedError:
            raise PermissionDenied from None
        else:
            messages.success(request, _("The recording was saved."))
            return redirect("phone_survey:questionnaire_detail", pk=row.pk)
    return _detail(request, row, form)


@login_required
@require_http_methods(["GET", "HEAD"])
def questionnaire_recording_file(
    request: HttpRequest, pk: int, recording: int
) -> HttpResponse | FileResponse:
    """A recorded prompt, to listen to before the campaign starts."""
    row = get_scoped_or_404(Questionnaire.objects.all(), request.user, pk)
    prompt = PromptRecording.objects.filter(questionnaire=row, pk=recording).first()
    handle = open_stored(prompt.audio) if prompt is not None else None
    if prompt is None or handle is None:
        return file_missing(request)
    return download(
        request,
        handle,
        filename=f"{prompt.step_id}-{prompt.language}.wav",
        content_type="audio/wav",
    )
