"""Permission-matrix cases of the suitability method's pages (kuntarobo.portfolio.scoring_urls)."""

from __future__ import annotations

from django.urls import reverse

from kuntarobo.accounts.models import Role
from kuntarobo.portfolio.models import Assessment, ScoringWeights
from kuntarobo.portfolio.scoring import assess_idea
from tests.portfolio.conftest import OUTSIDER, PortfolioWorld
from tests.portfolio.matrix import Case, only, statuses

MANAGERS = (Role.ADMINISTRATOR, Role.COORDINATOR)
SCORES = {
    "rule_based": "5",
    "digital_input": "4",
    "stability": "4",
    "standardisation": "3",
    "exception_rate": "4",
    "documentation": "2",
}


def with_assessments(world: PortfolioWorld) -> PortfolioWorld:
    """Both municipalities' secret ideas assessed, so a ranking that leaked one would show it."""
    if not Assessment.objects.exists():
        numbers = {name: int(value) for name, value in SCORES.items()}
        assess_idea("test", world.idea, numbers, via="test")
        assess_idea("test", world.neighbour_idea, numbers, via="test")
    return world


def weights_changed(world: PortfolioWorld) -> bool:
    return ScoringWeights.objects.filter(municipality=world.esimerkkila).exists()


CASES = {
    "portfolio:idea_assess": Case(
        "post",
        lambda w: reverse("portfolio:idea_assess", args=[w.idea.pk]),
        {**only(MANAGERS, 302)},
        data=lambda w: {**SCORES, "note": "Työpajassa arvioitu"},
        changed=lambda w: Assessment.objects.filter(idea=w.idea).exists(),
        changers=MANAGERS,
    ),
    "portfolio:ranking": Case(
        "get", lambda w: reverse("portfolio:ranking") if with_assessments(w) else "", statuses(200)
    ),
    "portfolio:scoring_weights": Case(
        "post",
        lambda w: reverse("portfolio:scoring_weights"),
        {**only(MANAGERS, 302), OUTSIDER: 400},
        data=lambda w: {
            "scope": w.esimerkkila.slug,
            **{name: "2" if name == "rule_based" else "1" for name in SCORES},
        },
        changed=weights_changed,
        changers=MANAGERS,
    ),
    "portfolio:scoring_method": Case(
        "get", lambda w: reverse("portfolio:scoring_method"), statuses(200)
    ),
}
