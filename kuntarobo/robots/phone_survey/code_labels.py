"""The AAPOR outcome codes (kuntarobo.core.aapor) and the interview's dispositions in the
reader's words (fi/sv/en), so every page that shows a code says what it means the same way.

A code the mapping does not know is shown as itself with "unknown code": a page never fails
on a code the robot's rules add later (tests/robots/phone_survey/test_respondent_pages.py
checks that every code of aapor.CODES has its label)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy

from kuntarobo.core import aapor

CODE_LABELS: dict[str, Promise] = {
    aapor.COMPLETE: pgettext_lazy("aapor", "Complete"),
    aapor.PARTIAL: pgettext_lazy("aapor", "Partial"),
    aapor.REFUSAL: pgettext_lazy("aapor", "Refusal"),
    aapor.BREAK_OFF: pgettext_lazy("aapor", "Break-off"),
    aapor.NO_INPUT: pgettext_lazy("aapor", "Answered without input (never available)"),
    aapor.LANGUAGE: pgettext_lazy("aapor", "Language problem"),
    aapor.OTHER_ELIGIBLE: pgettext_lazy("aapor", "Other eligible non-interview"),
    aapor.NOT_ATTEMPTED: pgettext_lazy("aapor", "Not attempted"),
    aapor.ALWAYS_BUSY: pgettext_lazy("aapor", "Always busy"),
    aapor.NO_ANSWER: pgettext_lazy("aapor", "No answer"),
    aapor.ANSWERING_MACHINE: pgettext_lazy("aapor", "Answering machine"),
    aapor.CALL_BLOCKING: pgettext_lazy("aapor", "Call declined or blocked"),
    aapor.TECHNICAL: pgettext_lazy("aapor", "Technical phone problem"),
    aapor.OTHER_UNKNOWN: pgettext_lazy("aapor", "Other unknown eligibility"),
    aapor.NON_WORKING: pgettext_lazy("aapor", "Non-working number"),
    aapor.BUSINESS: pgettext_lazy("aapor", "Business, not a household"),
    aapor.NO_ELIGIBLE_RESPONDENT: pgettext_lazy("aapor", "No eligible respondent"),
    aapor.QUOTA_FILLED: pgettext_lazy("aapor", "Quota filled"),
}

# The outcomes of one interview (kuntarobo.core.questionnaire.Disposition).
DISPOSITION_LABELS: dict[str, Promise] = {
    "completed": pgettext_lazy("disposition", "completed"),
    "partial": pgettext_lazy("disposition", "partial"),
    "refused": pgettext_lazy("disposition", "refused"),
    "ineligible": pgettext_lazy("disposition", "not eligible"),
    "do_not_call": pgettext_lazy("disposition", "asked not to be called"),
    "no_input": pgettext_lazy("disposition", "no input"),
}

# Where an attempt happened or an answer came from (Attempt.channel, Respondent.completed_via).
CHANNEL_LABELS: dict[str, Promise] = {
    "phone": pgettext_lazy("channel", "phone call"),
    "web": pgettext_lazy("channel", "web form"),
}


def code_label(code: str) -> str:
    """The code's meaning in the active language; an unknown code says so."""
    label = CODE_LABELS.get(code)
    if label is None:
        return gettext("unknown code")
    return str(label)


def code_with_label(code: str) -> str:
    """ "3.12 Always busy" — the code itself first, as researchers quote it."""
    if not code:
        return ""
    return f"{code} {code_label(code)}"


def disposition_label(disposition: str) -> str:
    label = DISPOSITION_LABELS.get(disposition)
    return disposition if label is None else str(label)


def channel_label(channel: str) -> str:
    label = CHANNEL_LABELS.get(channel)
    return channel if label is None else str(label)
