"""A municipality's questionnaires as text (YAML or JSON): read with `safe_load` only, checked
by the pure `kuntarobo.core.questionnaire.parse_questionnaire`, and stored with the audit trail.
A questionnaire that a started campaign uses is never changed (its answers refer to its steps):
it is copied instead. Errors name the field ("steps[3].choices[1].key") in the user's
language."""

from __future__ import annotations

import io
import json
import wave
from collections.abc import Mapping
from typing import Any

import yaml
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kuntarobo.core.questionnaire import DEMO_QUESTIONNAIRE, QuestionnaireError, parse_questionnaire
from kuntarobo.core.questionnaire import Questionnaire as ParsedQuestionnaire
from kuntarobo.robots.phone_survey.models import (
    CampaignStatus,
    PromptRecording,
)
from kuntarobo.robots.phone_survey.models import (
    Questionnaire as QuestionnaireRow,
)
from kuntarobo.sdk import InputError, message
from kuntarobo.sdk.audit import record
from kuntarobo.sdk.files import save_file
from kuntarobo.sdk.inputs import InputLimits, LimitExceeded, input_limits, limit_input_error
from kuntarobo.sdk.models import Municipality
from kuntarobo.sdk.permissions import Permission, require

MAX_SOURCE_CHARS = 200_000
MAX_PROMPT_BYTES = 20 * 1024 * 1024  # a recorded prompt: minutes of 16-bit mono WAV at most

# The core's codes (its own and strict_json's) in the user's language; the path is shown before.
ERROR_TEXTS: Mapping[str, Any] = {
    "not_object": _("must be a mapping of keys and values, got %(value)s"),
    "unknown_key": _("unknown key %(key)s"),
    "missing": _("is required"),
    "empty_text": _("is required"),
    "not_integer": _("must be a whole number, got %(value)s"),
    "below_minimum": _("must be at least %(min)s, got %(value)s"),
    "above_maximum": _("must be at most %(max)s, got %(value)s"),
    "not_text": _("must be a text, got %(value)s"),
    "too_long": _("is longer than %(max)s characters"),
    "not_list": _("must be a list, got %(value)s"),
    "too_few": _("has too few items"),
    "too_many": _("has too many items"),
    "bad_key": _("must be one key from 0 to 9 (in YAML in quotes: '1')"),
    "stop_key": _("is the stop key, which is reserved for refusing"),
    "duplicate": _("is used twice or is a reserved name"),
    "language": _("is not one of the questionnaire's languages"),
    "unknown_type": _(
        "unknown step type: use single_choice, numeric, explanation, open_answer, flag or language"
    ),
    "unknown_value": _("is not the value of one of the step's choices"),
    "min_max": _("the minimum is above the maximum"),
    "bad_disposition": _("must be completed, ineligible or refused"),
    "missing_step": _("skips to a step that does not exist"),
    "backward_skip": _("may only skip forward to a later step"),
}
PATH_ERROR = _("%(path)s: %(problem)s")
UNKNOWN_ERROR = _("%(path)s: %(problem)s (%(detail)s)")
SYNTAX_ERROR = _(
    "The text is not valid YAML or JSON (line %(line)s, column %(column)s): %(detail)s"
)
NO_ALIASES = _(
    "YAML anchors and aliases (&name, *name) are not allowed: write each part out (line %(line)s)."
)
NOT_A_QUESTIONNAIRE = _("The text must be a questionnaire: a mapping starting with id:")


def error_text(error: QuestionnaireError) -> Any:
    """The core's refusal in the reader's language, the path first."""
    path = error.path or "-"
    template = ERROR_TEXTS.get(error.code)
    if template is None:
        return message(UNKNOWN_ERROR, path=path, problem=_("is not valid"), detail=error.message)
    params = dict(error.params)
    try:
        template % params
    except (KeyError, TypeError, ValueError):
        return message(UNKNOWN_ERROR, path=path, problem=_("is not valid"), detail=error.message)
    return message(PATH_ERROR, path=path, problem=message(template, **params))


def load_source(source: str) -> Any:
    """The text as data: JSON when it starts like JSON, else YAML (safe_load: plain data only).
    A syntax error is an InputError naming the line and column."""
    text = source.strip()
    if len(source) > MAX_SOURCE_CHARS:
        raise InputError(
            _("The questionnaire is longer than %(max)s characters."),
            field="source",
            max=MAX_SOURCE_CHARS,
        )
    if text.startswith(("{", "[")):
        try:
            return json.loads(source)
        except json.JSONDecodeError as error:
            raise InputError(
                SYNTAX_ERROR,
                field="source",
                line=error.lineno,
                column=error.colno,
                detail=error.msg,
            ) from None
    try:
        # An alias repeats a part without writing it out: a small text could expand into a
        # huge one when it is stored, so the editor accepts only plain, written-out YAML.
        for event in yaml.parse(source, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                mark = event.start_mark
                line = mark.line + 1 if mark is not None else "?"
                raise InputError(NO_ALIASES, field="source", line=line)
        return yaml.safe_load(source)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        raise InputError(
            SYNTAX_ERROR,
            field="source",
            line=(mark.line + 1) if mark is not None else "?",
            column=(mark.column + 1) if mark is not None else "?",
            detail=problem,
        ) from None


def demo_source() -> str:
    """The demo questionnaire (kuntarobo.core.questionnaire) as the YAML a user starts from."""
    return yaml.safe_dump(dict(DEMO_QUESTIONNAIRE), allow_unicode=True, sort_keys=False, width=100)


def parse_source(source: str) -> tuple[dict[str, Any], ParsedQuestionnaire]:
    """(the definition as JSON data, the checked questionnaire), or an InputError on `source`."""
    data = load_source(source)
    if not isinstance(data, dict):
        raise InputError(NOT_A_QUESTIONNAIRE, field="source")
    try:
        parsed = parse_questionnaire(data)
    except QuestionnaireError as error:
        raise InputError(error_text(error), field="source") from None
    # The checks admit only texts, whole numbers, lists and mappings: JSON as it is.
    return json.loads(json.dumps(data)), parsed


def is_locked(questionnaire: QuestionnaireRow) -> bool:
    """True when a campaign past its draft uses it: its answers refer to its steps."""
    return questionnaire.campaigns.exclude(status=CampaignStatus.DRAFT).exists()


def save_questionnaire(
    actor: Any,
    *,
    municipality: Municipality,
    name: str,
    source: str,
    questionnaire: QuestionnaireRow | None = None,
) -> QuestionnaireRow:
    """Create, change, or, when the questionnaire is locked, copy ("save as new"). Returns the
    row written; bad input raises InputError and writes nothing."""
    require(actor, municipality, Permission.CONFIGURE)
    name = name.strip()
    if not name:
        raise InputError(_("The name is required."), field="name")
    definition, _parsed = parse_source(source)
    with transaction.atomic():
        copied_from = None
        if questionnaire is not None and is_locked(questionnaire):
            copied_from, questionnaire = questionnaire, None
        if questionnaire is None:
            row = QuestionnaireRow.objects.create(
                municipality=municipality, name=name, source=source, definition=definition
            )
            action = (
                "phone_survey.questionnaire_copied"
                if copied_from
                else ("phone_survey.questionnaire_created")
            )
        else:
            row = questionnaire
            row.name, row.source, row.definition = name, source, definition
            row.save()
            action = "phone_survey.questionnaire_changed"
        details: dict[str, Any] = {"name": name, "steps": len(definition.get("steps", []))}
        if copied_from is not None:
            details["copied_from"] = copied_from.pk
        record(action, actor=actor, municipality=municipality, obj=row, details=details)
    return row


def prompt_limits() -> InputLimits:
    """The installation's limit, or the recording limit if that is smaller."""
    limits = input_limits()
    return InputLimits(total_bytes=min(limits.total_bytes, MAX_PROMPT_BYTES))


def check_wav(upload: UploadedFile) -> bytes:
    """The upload's bytes if it is a WAV file within the size limit; else an InputError."""
    name = upload.name or "prompt.wav"
    limits = prompt_limits()
    size = upload.size or 0
    if size > limits.total_bytes:
        raise limit_input_error(LimitExceeded("total_bytes", limits.total_bytes, name), name)
    content: bytes = upload.read(limits.total_bytes + 1)
    if len(content) > limits.total_bytes:
        raise limit_input_error(LimitExceeded("total_bytes", limits.total_bytes, name), name)
    try:
        with wave.open(io.BytesIO(content), "rb") as audio:
            frames = audio.getnframes()
            rate = audio.getframerate()
    except (wave.Error, EOFError):
        raise InputError(
            _("%(file)s is not a WAV recording (PCM .wav)."), field="file", file=name
        ) from None
    if frames == 0 or rate == 0:
        raise InputError(_("%(file)s has no sound in it."), field="file", file=name)
    return content


def save_recording(
    actor: Any,
    questionnaire: QuestionnaireRow,
    *,
    step_id: str,
    language: str,
    upload: UploadedFile,
) -> PromptRecording:
    """Store a recorded prompt for one step and language (replacing an earlier one). The file
    is removed again if anything after it fails: no orphan files."""
    require(actor, questionnaire.municipality, Permission.CONFIGURE)
    parsed = parse_questionnaire(questionnaire.definition)
    steps = {"introduction", "consent", *(step.id for step in parsed.steps)}
    if step_id not in steps:
        raise InputError(_("Unknown step %(step)s."), field="step_id", step=step_id)
    if language not in parsed.languages:
        raise InputError(
            _("The questionnaire has no language %(language)s."),
            field="language",
            language=language,
        )
    content = check_wav(upload)
    with transaction.atomic():
        old = PromptRecording.objects.filter(
            questionnaire=questionnaire, step_id=step_id, language=language
        ).first()
        old_name = old.audio.name if old is not None else ""
        row = old or PromptRecording(
            questionnaire=questionnaire, step_id=step_id, language=language
        )
        save_file(row.audio, f"{questionnaire.pk}-{step_id}-{language}.wav", ContentFile(content))
        row.save()
        record(
            "phone_survey.prompt_recorded",
            actor=actor,
            municipality=questionnaire.municipality,
            obj=questionnaire,
            details={"step": step_id, "language": language, "bytes": len(content)},
        )
        if old_name and old_name != row.audio.name:
            storage, stale = row.audio.storage, old_name
            transaction.on_commit(lambda: storage.delete(stale))
    return row
