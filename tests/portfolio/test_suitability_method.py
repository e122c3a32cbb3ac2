"""The open suitability method on hand-computed cases, its bad input naming the field, and its
bounds for any scores and weights (Hypothesis)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kuntarobo.core.suitability import (
    CRITERIA,
    DEFAULT_WEIGHTS,
    METHOD_VERSION,
    SuitabilityError,
    assess,
)

# A purchase-invoice idea: rules clear, input mostly digital, a few variants, thin documentation.
SCORES = {
    "rule_based": 5,
    "digital_input": 4,
    "stability": 4,
    "standardisation": 3,
    "exception_rate": 4,
    "documentation": 2,
}


def figures(**overrides):
    arguments = {
        "volume_per_year": 12000,
        "minutes_per_case": Decimal(4),
        "rework_share_percent": Decimal(5),
    }
    arguments.update(overrides)
    return arguments


def test_equal_weights_give_the_hand_computed_suitability_potential_ease_and_hours():
    result = assess(SCORES, **figures())
    # (5 + 4 + 4 + 3 + 4 + 2) / 6 = 3.666… → 3.67
    assert result.suitability == Decimal("3.67")
    # (3.67 − 1) / 4 × 100 = 66.75; factor 0.5 + 0.5 × 3/4 = 0.875; 66.75 × 0.875 = 58.40625
    assert result.automation_potential == Decimal("58.41")
    # (4 + 4 + 3 + 2) / 4
    assert result.ease == Decimal("3.25")
    # 12000 × 4 × 1.05 / 60 = 840 h; × 58.41 % = 490.644
    assert result.hours_per_year == Decimal("490.64")
    assert result.value == result.hours_per_year
    assert result.method_version == METHOD_VERSION == "1"
    assert dict(result.weights) == dict(DEFAULT_WEIGHTS)


def test_a_heavier_weight_moves_the_mean_towards_that_criterion():
    weights = {**DEFAULT_WEIGHTS, "rule_based": Decimal(3)}
    result = assess(SCORES, **figures(), weights=weights)
    # (3 × 5 + 4 + 4 + 3 + 4 + 2) / 8 = 32 / 8
    assert result.suitability == Decimal("4.00")
    # 75 × 0.875 = 65.625 → 65.63 (half up)
    assert result.automation_potential == Decimal("65.63")
    # ease ignores the weights
    assert result.ease == Decimal("3.25")
    # 840 h × 65.63 % = 551.292 (docs/scoring-method.md)
    assert result.hours_per_year == Decimal("551.29")
    first = result.reasoning[0]
    assert first.text.startswith("Rule-based")
    assert first.params == {"score": "5", "weight": "3", "contribution": "1.88"}


def test_a_zero_weight_leaves_the_criterion_out_of_the_mean():
    weights = {**DEFAULT_WEIGHTS, "documentation": Decimal(0)}
    result = assess(SCORES, **figures(), weights=weights)
    assert result.suitability == Decimal("4.00")  # (5 + 4 + 4 + 3 + 4) / 5
    assert result.reasoning[5].params["contribution"] == "0"


def test_many_exceptions_halve_the_potential():
    scores = dict.fromkeys(CRITERIA, 5) | {"exception_rate": 1}
    result = assess(scores, **figures())
    # (5 × 5 + 1) / 6 = 4.333… → 4.33; (4.33 − 1) / 4 × 100 = 83.25; × 0.5
    assert result.suitability == Decimal("4.33")
    assert result.automation_potential == Decimal("41.63")


def test_the_best_and_the_worst_scores_reach_the_ends_of_the_scales():
    best = assess(dict.fromkeys(CRITERIA, 5), **figures(rework_share_percent=None))
    assert (best.suitability, best.automation_potential, best.ease) == (5, 100, 5)
    assert best.hours_per_year == Decimal(800)  # 12000 × 4 / 60, all of it
    worst = assess(dict.fromkeys(CRITERIA, 1), **figures())
    assert (worst.suitability, worst.automation_potential, worst.ease) == (1, 0, 1)
    assert worst.hours_per_year == 0


def test_without_volume_or_minutes_the_hours_are_zero_and_the_reasoning_says_why():
    result = assess(SCORES, **figures(volume_per_year=None))
    assert result.hours_per_year == 0
    assert result.reasoning[-1].text.startswith("Hours a year not estimated")
    assert assess(SCORES, **figures(minutes_per_case=None)).hours_per_year == 0


def test_the_reasoning_has_a_line_per_criterion_and_for_suitability_potential_ease_and_hours():
    lines = assess(SCORES, **figures()).reasoning
    assert len(lines) == len(CRITERIA) + 4
    assert [line.params["score"] for line in lines[:6]] == ["5", "4", "4", "3", "4", "2"]
    assert lines[2].english() == (
        "Stable process and systems: score 4 of 5, weight 1, contribution 0.67 to the suitability."
    )
    assert lines[7].english() == (
        "Automation potential: (3.67 − 1) / 4 × 100 = 66.75 %, times the exception factor 0.875"
        " (exceptions scored 4) = 58.41 %."
    )
    assert lines[9].english() == (
        "Hours a year: 12000 cases × 4 min × (1 + 5 % rework) / 60 × 58.41 % = 490.64 h."
    )


@pytest.mark.parametrize(
    ("scores", "field"),
    [
        ({k: v for k, v in SCORES.items() if k != "stability"}, "stability"),
        (SCORES | {"speed": 3}, "speed"),
        (SCORES | {"rule_based": 0}, "rule_based"),
        (SCORES | {"documentation": 6}, "documentation"),
        (SCORES | {"digital_input": True}, "digital_input"),
        (SCORES | {"exception_rate": "3"}, "exception_rate"),
    ],
)
def test_a_missing_unknown_or_out_of_range_score_is_refused_naming_the_criterion(scores, field):
    with pytest.raises(SuitabilityError) as caught:
        assess(scores, **figures())
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("weights", "field"),
    [
        ({**DEFAULT_WEIGHTS, "stability": Decimal(-1)}, "weights.stability"),
        ({**DEFAULT_WEIGHTS, "stability": Decimal(101)}, "weights.stability"),
        ({**DEFAULT_WEIGHTS, "stability": Decimal("NaN")}, "weights.stability"),
        ({**DEFAULT_WEIGHTS, "size": Decimal(1)}, "weights.size"),
        ({k: v for k, v in DEFAULT_WEIGHTS.items() if k != "rule_based"}, "weights.rule_based"),
        (dict.fromkeys(CRITERIA, Decimal(0)), "weights"),
    ],
)
def test_a_negative_missing_unknown_or_all_zero_weight_is_refused_naming_it(weights, field):
    with pytest.raises(SuitabilityError) as caught:
        assess(SCORES, **figures(), weights=weights)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"volume_per_year": -1}, "volume_per_year"),
        ({"minutes_per_case": Decimal("-0.5")}, "minutes_per_case"),
        ({"rework_share_percent": Decimal(101)}, "rework_share_percent"),
        ({"rework_share_percent": Decimal(-1)}, "rework_share_percent"),
    ],
)
def test_negative_figures_are_refused_naming_the_field(overrides, field):
    with pytest.raises(SuitabilityError) as caught:
        assess(SCORES, **figures(**overrides))
    assert caught.value.field == field


score = st.integers(min_value=1, max_value=5)
weight = st.decimals(min_value=0, max_value=100, places=2)


# No deadline: a busy machine must not fail a test of arithmetic.
@settings(deadline=None)
@given(
    scores=st.fixed_dictionaries(dict.fromkeys(CRITERIA, score)),
    weights=st.fixed_dictionaries(dict.fromkeys(CRITERIA, weight)).filter(
        lambda w: any(w.values())
    ),
    volume=st.one_of(st.none(), st.integers(min_value=0, max_value=10_000_000)),
    minutes=st.one_of(st.none(), st.decimals(min_value=0, max_value=10_000, places=2)),
    rework=st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2)),
)
def test_any_scores_and_weights_keep_suitability_in_1_to_5_and_potential_in_0_to_100(
    scores, weights, volume, minutes, rework
):
    result = assess(
        scores,
        volume_per_year=volume,
        minutes_per_case=minutes,
        rework_share_percent=rework,
        weights=weights,
    )
    assert 1 <= result.suitability <= 5
    assert 0 <= result.automation_potential <= 100
    assert 1 <= result.ease <= 5
    assert result.hours_per_year >= 0
    assert min(scores.values()) - Decimal("0.005") <= result.suitability
    assert result.suitability <= max(scores.values()) + Decimal("0.005")


def test_every_text_of_the_method_is_listed_for_the_message_catalogue():
    from kuntarobo.core import suitability
    from kuntarobo.portfolio.scoring_texts import METHOD_MSGIDS

    texts = {
        value
        for name, value in vars(suitability).items()
        if name.isupper()
        and isinstance(value, str)
        and name not in ("METHOD_VERSION", "ROUND_HALF_UP")
    } | set(suitability.CRITERION_LINES.values())
    assert texts <= set(METHOD_MSGIDS)
