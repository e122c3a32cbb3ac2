"""Template helpers of the suitability method, for pages that show an idea's assessment
(`portfolio/_idea_assessment.html` is included by the idea's page with only `idea` given)."""

from __future__ import annotations

from typing import Any

from django import template

from kuntarobo.accounts.models import Permission, has_permission
from kuntarobo.portfolio.models import Assessment, Idea
from kuntarobo.portfolio.scoring import latest_assessment, reasoning_of
from kuntarobo.portfolio.scoring_texts import CRITERION_LABELS, localized_number, translated_line

register = template.Library()


@register.simple_tag
def latest_assessment_of(idea: Idea) -> Assessment | None:
    return latest_assessment(idea)


@register.simple_tag(takes_context=True)
def may_assess(context: template.Context, idea: Idea) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(
        user is not None and has_permission(user, idea.municipality, Permission.MANAGE_PORTFOLIO)
    )


@register.simple_tag(takes_context=True)
def is_own_idea(context: template.Context, idea: Idea) -> bool:
    """Whether the reader belongs to the idea's municipality: only then the assessment's note
    and assessor are shown (a shared idea's reader elsewhere sees the figures and reasoning)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user is not None and has_permission(user, idea.municipality, Permission.VIEW))


@register.filter
def reasoning_texts(assessment: Assessment | None) -> list[str]:
    """The assessment's reasoning, one translated line each."""
    if assessment is None:
        return []
    return [translated_line(line) for line in reasoning_of(assessment)]


@register.filter
def criterion_label(name: str) -> str:
    label = CRITERION_LABELS.get(name)
    return str(label) if label is not None else name


@register.filter
def score_rows(assessment: Assessment | None) -> list[tuple[str, Any, Any]]:
    """(criterion's label, score, weight) in the method's order."""
    if assessment is None:
        return []
    scores = assessment.scores or {}
    weights = assessment.weights or {}
    return [
        (str(label), scores.get(name, ""), localized_number(weights.get(name, "")))
        for name, label in CRITERION_LABELS.items()
    ]


@register.filter
def decimal_text(value: Any) -> str:
    """A Decimal or a decimal string with the reader's decimal mark, without trailing zeros."""
    return "" if value is None else localized_number(value)
