"""Assessing an idea and changing the method's weights: the permission, the audit trail, and
that weights apply to new assessments only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.portfolio.models import Assessment, Idea, ScoringWeights, Stage
from kuntarobo.portfolio.scoring import (
    assess_idea,
    ranking,
    reasoning_of,
    set_weights,
    weights_in_force,
)
from kuntarobo.runtime.actions import PermissionDeniedError
from kuntarobo.runtime.declarations import InputError
from tests.factories import UserFactory
from tests.portfolio.conftest import OUTSIDER

SCORES = {
    "rule_based": 5,
    "digital_input": 4,
    "stability": 4,
    "standardisation": 3,
    "exception_rate": 4,
    "documentation": 2,
}
HEAVY_RULES = {name: Decimal(3) if name == "rule_based" else Decimal(1) for name in SCORES}


def test_a_coordinator_assesses_an_idea_from_its_own_figures_and_the_trail_records_it(pworld):
    coordinator = pworld.users[Role.COORDINATOR]
    assessment = assess_idea(coordinator, pworld.idea, SCORES, note="Työpaja 2.3.", via="web")
    # The fixture's idea: 12000 cases × 4 min × 1.05 / 60 = 840 h; see test_suitability_method.
    assert assessment.suitability == Decimal("3.67")
    assert assessment.automation_potential == Decimal("58.41")
    assert assessment.ease == Decimal("3.25")
    assert assessment.hours_per_year == Decimal("490.64")
    assert assessment.scores == SCORES
    assert assessment.weights == dict.fromkeys(SCORES, "1")
    assert assessment.method_version == "1"
    assert assessment.assessed_by == coordinator
    assert assessment.note == "Työpaja 2.3."
    assert assessment.reasoning[0] == {
        "text": "Rule-based: score %(score)s of 5, weight %(weight)s, "
        "contribution %(contribution)s to the suitability.",
        "params": {"score": "5", "weight": "1", "contribution": "0.83"},
    }
    assert len(reasoning_of(assessment)) == 10
    event = AuditEvent.objects.get(action="portfolio.assessed")
    assert event.actor == coordinator
    assert event.municipality == pworld.esimerkkila
    assert event.object_id == str(pworld.idea.pk)
    assert event.via == "web"
    assert event.details["suitability"] == "3.67"
    assert event.details["weights_from"] == "method"


def test_assessing_does_not_move_the_idea_to_another_stage(pworld):
    assess_idea(pworld.users[Role.ADMINISTRATOR], pworld.idea, SCORES, via="web")
    pworld.idea.refresh_from_db()
    assert pworld.idea.stage == Stage.IDEA


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.DEVELOPER, Role.VIEWER, OUTSIDER])
def test_only_the_ideas_portfolio_managers_may_assess_it(pworld, role):
    with pytest.raises(PermissionDeniedError):
        assess_idea(pworld.users[role], pworld.idea, SCORES, via="web")
    assert not Assessment.objects.exists()
    assert not AuditEvent.objects.filter(action="portfolio.assessed").exists()


def test_an_administrator_of_another_municipality_cannot_assess_its_idea(pworld):
    with pytest.raises(PermissionDeniedError):
        assess_idea(pworld.users[OUTSIDER], pworld.idea, SCORES, via="api")
    assess_idea(pworld.users[OUTSIDER], pworld.neighbour_idea, SCORES, via="api")
    assert Assessment.objects.get().idea == pworld.neighbour_idea


def test_a_bad_score_is_refused_naming_the_criterion_and_nothing_is_written(pworld):
    with pytest.raises(InputError) as caught:
        assess_idea("test", pworld.idea, {**SCORES, "stability": 7}, via="cli")
    assert caught.value.field == "stability"
    assert "7" in str(caught.value)
    assert not Assessment.objects.exists()
    assert not AuditEvent.objects.exists()


def test_changed_weights_apply_to_new_assessments_and_old_ones_keep_theirs(pworld):
    coordinator = pworld.users[Role.COORDINATOR]
    first = assess_idea(coordinator, pworld.idea, SCORES, via="web")
    row = set_weights(coordinator, pworld.esimerkkila, HEAVY_RULES, via="web")
    assert row is not None
    assert row.changed_by == coordinator
    second = assess_idea(coordinator, pworld.idea, SCORES, via="web")
    first.refresh_from_db()
    assert first.weights == dict.fromkeys(SCORES, "1")
    assert first.suitability == Decimal("3.67")
    assert second.weights["rule_based"] == "3"
    assert second.suitability == Decimal("4.00")  # (3 × 5 + 17) / 8
    # The neighbour has no weights of its own: the method's default still.
    assert weights_in_force(pworld.naapurila) == (
        dict.fromkeys(SCORES, Decimal(1)),
        "method",
    )


def test_a_weights_change_is_audited_with_before_and_after_and_an_unchanged_one_is_not(pworld):
    admin = pworld.users[Role.ADMINISTRATOR]
    set_weights(admin, pworld.esimerkkila, HEAVY_RULES, via="web")
    event = AuditEvent.objects.get(action="portfolio.scoring_weights")
    assert event.municipality == pworld.esimerkkila
    assert event.details["before"] == dict.fromkeys(SCORES, "1")
    assert event.details["after"]["rule_based"] == "3"
    assert set_weights(admin, pworld.esimerkkila, HEAVY_RULES, via="web") is None
    assert AuditEvent.objects.filter(action="portfolio.scoring_weights").count() == 1
    assert ScoringWeights.objects.count() == 1


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.DEVELOPER, Role.VIEWER, OUTSIDER])
def test_only_portfolio_managers_change_their_municipalitys_weights(pworld, role):
    with pytest.raises(PermissionDeniedError):
        set_weights(pworld.users[role], pworld.esimerkkila, HEAVY_RULES, via="web")
    assert not ScoringWeights.objects.exists()


def test_the_installation_default_is_for_superusers_and_applies_where_none_are_set(pworld):
    with pytest.raises(PermissionDeniedError):
        set_weights(pworld.users[Role.ADMINISTRATOR], None, HEAVY_RULES, via="web")
    superuser = UserFactory(is_superuser=True)
    set_weights(superuser, None, HEAVY_RULES, via="web")
    weights, source = weights_in_force(pworld.naapurila)
    assert source == "installation"
    assert weights["rule_based"] == Decimal(3)
    set_weights(
        pworld.users[Role.COORDINATOR], pworld.esimerkkila, dict.fromkeys(SCORES, 2), via="web"
    )
    assert weights_in_force(pworld.esimerkkila)[1] == "municipality"


@pytest.mark.parametrize(
    ("weights", "field"),
    [
        ({**HEAVY_RULES, "stability": Decimal(-1)}, "weights.stability"),
        (dict.fromkeys(SCORES, 0), "weights"),
    ],
)
def test_negative_or_all_zero_weights_are_refused_naming_the_field(pworld, weights, field):
    with pytest.raises(InputError) as caught:
        set_weights(pworld.users[Role.COORDINATOR], pworld.esimerkkila, weights, via="web")
    assert caught.value.field == field
    assert not ScoringWeights.objects.exists()


def test_the_ranking_puts_value_times_ease_first_and_leaves_unassessed_ideas_out(pworld):
    def idea(title: str, volume: int) -> Idea:
        return Idea.objects.create(
            municipality=pworld.esimerkkila,
            department="Talous",
            title=title,
            volume_per_year=volume,
            manual_minutes_per_case=Decimal(6),
        )

    easy_small = idea("Pieni ja helppo", 1000)
    hard_big = idea("Iso ja vaikea", 10000)
    idea("Arvioimaton", 50000)
    assess_idea("test", easy_small, dict.fromkeys(SCORES, 5), via="test")  # 100 h × 5 = 500
    hard = {**dict.fromkeys(SCORES, 2), "rule_based": 5, "exception_rate": 5}
    # (5 + 5 + 2 × 4) / 6 = 3; potential 50 %; 1000 h × 50 % = 500 h × ease 2 = 1000
    assess_idea("test", hard_big, hard, via="test")
    ranked = ranking(Idea.objects.filter(municipality=pworld.esimerkkila))
    assert [idea.title for idea, _ in ranked] == ["Iso ja vaikea", "Pieni ja helppo"]
    assert ranked[0][1].hours_per_year == Decimal(500)
