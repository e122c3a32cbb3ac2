"""The suitability method's words in the reader's language: each criterion's name, what its
scores 1 and 5 mean, and the reasoning lines of an assessment translated with the reader's
decimal mark. One place, so the assess form, the method page and an idea's page agree."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.utils.translation import get_language, gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from kuntarobo.core.formatting import LANGUAGES, format_decimal

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from kuntarobo.core.explanation import Line


@dataclass(frozen=True)
class CriterionText:
    name: str
    label: StrOrPromise
    question: StrOrPromise
    low: StrOrPromise  # what a 1 means
    high: StrOrPromise  # what a 5 means


CRITERION_TEXTS: tuple[CriterionText, ...] = (
    CriterionText(
        "rule_based",
        pgettext_lazy("scoring", "Rule-based"),
        _("Can the work be done by following written rules, without judgement?"),
        _("1: every case needs a person's judgement"),
        _("5: every decision follows explicit rules"),
    ),
    CriterionText(
        "digital_input",
        pgettext_lazy("scoring", "Digital and structured input"),
        _("Does the input arrive in digital and structured form (fields, files, systems)?"),
        _("1: paper, scanned images or free text"),
        _("5: structured data in a system or a file"),
    ),
    CriterionText(
        "stability",
        pgettext_lazy("scoring", "Stable process and systems"),
        _("How seldom do the process, its rules and its systems change?"),
        _("1: the process or its systems change several times a year"),
        _("5: unchanged for years, no system change in sight"),
    ),
    CriterionText(
        "standardisation",
        pgettext_lazy("scoring", "Standardisation (few variants)"),
        _("Are the cases alike, or does the work branch into many variants?"),
        _("1: many variants, each handled differently"),
        _("5: one standard way for every case"),
    ),
    CriterionText(
        "exception_rate",
        pgettext_lazy("scoring", "Few exceptions"),
        _("How seldom does a case fall outside the rules and need a person?"),
        _("1: exceptions in most cases"),
        _("5: exceptions are rare"),
    ),
    CriterionText(
        "documentation",
        pgettext_lazy("scoring", "Documentation"),
        _("Is the process described: steps, rules, systems and exceptions?"),
        _("1: the process lives only in people's heads"),
        _("5: an up-to-date description of the steps, rules and exceptions exists"),
    ),
)
CRITERION_LABELS: dict[str, StrOrPromise] = {text.name: text.label for text in CRITERION_TEXTS}

WEIGHT_SOURCES: dict[str, StrOrPromise] = {
    "municipality": _("the municipality's own weights"),
    "installation": _("the installation's default weights"),
    "method": _("the method's default weights (all equal)"),
}


def reader_language() -> str:
    language = (get_language() or "fi")[:2]
    return language if language in LANGUAGES else "en"


def localized_number(value: object, language: str | None = None) -> str:
    """A figure kept as a plain decimal string ("3.25") with the reader's decimal mark."""
    language = language or reader_language()
    value = str(value)
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError):
        return value
    if not number.is_finite():
        return value
    return format_decimal(number, language)


def translated_line(line: Line) -> str:
    """A reasoning line in the reader's language; its figures with the reader's decimal mark.
    An unknown msgid (a later method version's line) is shown as it is."""
    language = reader_language()
    params = {key: localized_number(value, language) for key, value in line.params.items()}
    text = gettext(line.text)
    try:
        return text % params if params else text.replace("%%", "%")
    except (KeyError, ValueError, TypeError):
        return line.english()


# The method's own texts (kuntarobo.core.suitability has no gettext): listed here so that
# makemessages keeps them in the catalogue; a test checks that none is missing.
METHOD_MSGIDS: tuple[str, ...] = (
    gettext_noop(
        "Rule-based: score %(score)s of 5, weight %(weight)s, contribution "
        "%(contribution)s to the suitability."
    ),
    gettext_noop(
        "Digital and structured input: score %(score)s of 5, weight %(weight)s, "
        "contribution %(contribution)s to the suitability."
    ),
    gettext_noop(
        "Stable process and systems: score %(score)s of 5, weight %(weight)s, "
        "contribution %(contribution)s to the suitability."
    ),
    gettext_noop(
        "Standardisation (few variants): score %(score)s of 5, weight %(weight)s, "
        "contribution %(contribution)s to the suitability."
    ),
    gettext_noop(
        "Few exceptions: score %(score)s of 5, weight %(weight)s, contribution "
        "%(contribution)s to the suitability."
    ),
    gettext_noop(
        "Documentation: score %(score)s of 5, weight %(weight)s, contribution "
        "%(contribution)s to the suitability."
    ),
    gettext_noop(
        "Suitability: the weighted mean of the scores is %(suitability)s of 5 (the sum of"
        " the contributions)."
    ),
    gettext_noop(
        "Automation potential: (%(suitability)s − 1) / 4 × 100 = %(base)s %%, times the "
        "exception factor %(factor)s (exceptions scored %(exception)s) = %(potential)s "
        "%%."
    ),
    gettext_noop(
        "Ease of implementation: the mean of digital input (%(digital_input)s), stability"
        " (%(stability)s), standardisation (%(standardisation)s) and documentation "
        "(%(documentation)s) is %(ease)s of 5."
    ),
    gettext_noop(
        "Hours a year: %(volume)s cases × %(minutes)s min × (1 + %(rework)s %% rework) / "
        "60 × %(potential)s %% = %(hours)s h."
    ),
    gettext_noop(
        "Hours a year not estimated: the idea has no yearly volume or no manual minutes "
        "per case; its value is counted as 0 until they are entered."
    ),
    gettext_noop("The score of this criterion is missing."),
    gettext_noop("%(name)s is not a criterion of the method."),
    gettext_noop("A score must be a whole number from 1 to 5, got %(value)s."),
    gettext_noop("A weight must be a number from 0 to 100, got %(value)s."),
    gettext_noop("The weight of this criterion is missing."),
    gettext_noop("At least one weight must be more than 0."),
    gettext_noop("Must not be negative, got %(value)s."),
    gettext_noop("Must be a percentage from 0 to 100, got %(value)s."),
)
