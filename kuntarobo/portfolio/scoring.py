"""Assessing ideas by the open suitability method, its weights as parameters, and the ranking.
One action per change (`assess_idea`, `set_weights`), called alike by the web, the API and the
CLI; each checks the manage-portfolio permission and writes the audit trail. The method itself
is kuntarobo.core.suitability; an assessment keeps the scores and weights it used, so a later
change of weights never rewrites an earlier result. Assessing does not move the idea's stage."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from kuntarobo.accounts.models import Municipality, Permission
from kuntarobo.audit.trail import actor_label, record
from kuntarobo.core.explanation import Line
from kuntarobo.core.suitability import (
    CRITERIA,
    DEFAULT_WEIGHTS,
    SuitabilityError,
    assess,
    check_weights,
)
from kuntarobo.portfolio.models import Assessment, Idea, ScoringWeights
from kuntarobo.runtime.actions import PermissionDeniedError, require
from kuntarobo.runtime.declarations import InputError

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from kuntarobo.audit.trail import Actor

# The Assessment model's hours column holds at most this; more is a typing error in the idea.
MAX_HOURS: Final = Decimal("9999999999.99")
MAX_NOTE: Final = 5000


def _input_error(error: SuitabilityError) -> InputError:
    """The method's refusal in the reader's language (the msgids are in the catalogue)."""
    return InputError(_(error.message), field=error.field, **error.params)


def stored(weights: Mapping[str, Decimal]) -> dict[str, str]:
    """Weights as JSON: decimal strings in the method's order, exact and readable."""
    return {name: format(weights[name].normalize(), "f") for name in CRITERIA}


def weights_in_force(municipality: Municipality | None) -> tuple[dict[str, Decimal], str]:
    """The weights a new assessment in `municipality` uses and where they come from:
    "municipality", "installation" (the default row without a municipality) or "method"."""
    rows = ScoringWeights.objects.order_by("-changed_at", "-pk")
    if municipality is not None:
        own = rows.filter(municipality=municipality).first()
        if own is not None:
            return check_weights(own.weights), "municipality"
    default = rows.filter(municipality__isnull=True).first()
    if default is not None:
        return check_weights(default.weights), "installation"
    return dict(DEFAULT_WEIGHTS), "method"


def _user(actor: Actor) -> User | None:
    """The signed-in user behind an actor, for the record's "by" column."""
    if actor is None or isinstance(actor, str) or not actor.is_authenticated:
        return None
    return actor


def _may_set_installation_default(actor: Actor) -> bool:
    if actor is None or isinstance(actor, str):
        return True  # the system itself (a command run by the operator)
    return bool(getattr(actor, "is_superuser", False) and actor.is_active)


def set_weights(
    actor: Actor,
    municipality: Municipality | None,
    weights: Mapping[str, Any],
    *,
    via: str,
) -> ScoringWeights | None:
    """New weights for a municipality's new assessments (its portfolio managers), or the
    installation's default (`municipality` None: superusers and the system only). Returns the
    new row, or None when the weights are unchanged (then no event)."""
    if municipality is None:
        if not _may_set_installation_default(actor):
            raise PermissionDeniedError(
                _("Only a superuser may change the installation's default.")
            )
    else:
        require(actor, municipality, Permission.MANAGE_PORTFOLIO)
    try:
        checked = check_weights(weights)
    except SuitabilityError as error:
        raise _input_error(error) from None
    before, source = weights_in_force(municipality)
    own_before = source == "municipality" if municipality is not None else source == "installation"
    if own_before and stored(before) == stored(checked):
        return None
    with transaction.atomic():
        row = ScoringWeights.objects.create(
            municipality=municipality,
            weights=stored(checked),
            changed_by=_user(actor),
            changed_by_label=actor_label(actor),
        )
        record(
            "portfolio.scoring_weights",
            actor=actor,
            municipality=municipality,
            obj=row,
            details={"before": stored(before), "after": stored(checked)},
            via=via,
        )
    return row


def assess_idea(
    actor: Actor,
    idea: Idea,
    scores: Mapping[str, int],
    *,
    note: str = "",
    via: str,
) -> Assessment:
    """Score the idea by the method with the weights in force for its municipality, from its
    own volume, minutes and rework share; the idea's portfolio managers only."""
    require(actor, idea.municipality, Permission.MANAGE_PORTFOLIO)
    if len(note) > MAX_NOTE:
        raise InputError(
            _("The note is too long (at most %(max)s characters)."), field="note", max=MAX_NOTE
        )
    weights, source = weights_in_force(idea.municipality)
    try:
        result = assess(
            scores,
            volume_per_year=idea.volume_per_year,
            minutes_per_case=idea.manual_minutes_per_case,
            rework_share_percent=idea.rework_share_percent,
            weights=weights,
        )
    except SuitabilityError as error:
        raise _input_error(error) from None
    if result.hours_per_year > MAX_HOURS:
        raise InputError(
            _("The idea's volume and minutes give more hours than any process has."),
            field="volume_per_year",
        )
    with transaction.atomic():
        assessment = Assessment.objects.create(
            idea=idea,
            method_version=result.method_version,
            scores=dict(result.scores),
            weights=stored(result.weights),
            suitability=result.suitability,
            automation_potential=result.automation_potential,
            ease=result.ease,
            hours_per_year=result.hours_per_year,
            reasoning=[
                {"text": line.text, "params": dict(line.params)} for line in result.reasoning
            ],
            note=note,
            assessed_by=_user(actor),
        )
        record(
            "portfolio.assessed",
            actor=actor,
            municipality=idea.municipality,
            obj=idea,
            details={
                "assessment": assessment.pk,
                "scores": dict(result.scores),
                "weights": stored(result.weights),
                "weights_from": source,
                "suitability": str(result.suitability),
                "automation_potential": str(result.automation_potential),
                "ease": str(result.ease),
                "hours_per_year": str(result.hours_per_year),
                "method_version": result.method_version,
            },
            via=via,
        )
    return assessment


def reasoning_of(assessment: Assessment) -> tuple[Line, ...]:
    """The stored reasoning as lines again (text msgid and its parameters)."""
    lines: list[Line] = []
    for entry in assessment.reasoning or []:
        if isinstance(entry, dict) and isinstance(entry.get("text"), str):
            params = entry.get("params") or {}
            lines.append(Line(entry["text"], {str(k): str(v) for k, v in params.items()}))
    return tuple(lines)


def latest_assessment(idea: Idea) -> Assessment | None:
    return idea.assessments.order_by("-assessed_at", "-pk").first()


def rank_key(assessment: Assessment) -> tuple[Decimal, Decimal, Decimal]:
    """Value × ease first (many hours that are easy to reach), then suitability, then hours."""
    return (
        assessment.hours_per_year * assessment.ease,
        assessment.suitability,
        assessment.hours_per_year,
    )


def ranking(ideas: QuerySet[Idea] | Iterable[Idea]) -> list[tuple[Idea, Assessment]]:
    """The assessed ones of `ideas` with their latest assessment, best first by `rank_key`
    (ties by title); ideas never assessed are left out."""
    if isinstance(ideas, QuerySet):
        ideas = ideas.prefetch_related(
            Prefetch(
                "assessments",
                queryset=Assessment.objects.order_by("-assessed_at", "-pk"),
                to_attr="ordered_assessments",
            )
        ).select_related("municipality")
    ranked: list[tuple[Idea, Assessment]] = []
    for idea in ideas:
        ordered = getattr(idea, "ordered_assessments", None)
        if ordered is None:  # a plain iterable of ideas: ask each
            ordered = list(idea.assessments.order_by("-assessed_at", "-pk")[:1])
        latest = ordered[0] if ordered else None
        if latest is not None:
            ranked.append((idea, latest))
    ranked.sort(key=lambda pair: pair[0].title.casefold())
    ranked.sort(key=lambda pair: rank_key(pair[1]), reverse=True)
    return ranked
