"""Comparing respondents with the population and post-stratification weights."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuntarobo.core.survey_weights import (
    SurveyWeightsError,
    cells_without_respondents,
    compare,
    explain_comparison,
    explain_weights,
    post_stratification_weights,
)


def test_young_people_under_represented_like_in_uusikaupunki():
    # 53 of 1000 respondents = 5.3 %; 1500 of 10000 inhabitants = 15 %: 5.3 - 15 = -9.7 points.
    shares = compare(
        {"18-29": 53, "65+": 540, "30-64": 407}, {"18-29": 1500, "30-64": 6000, "65+": 2500}
    )
    young = shares[0]
    assert young.category == "18-29"
    assert young.respondents_share == Decimal("0.053")
    assert young.population_share == Decimal("0.15")
    assert young.difference_points == Decimal("-9.7")
    # 540/1000 = 54 % against 2500/10000 = 25 %: +29 points.
    assert shares[2].difference_points == Decimal("29")
    assert [s.category for s in shares] == ["18-29", "30-64", "65+"]  # the population's order


def test_a_category_only_the_respondents_have_comes_last_with_population_zero():
    shares = compare({"a": 1, "unknown": 1}, {"a": 10})
    assert [(s.category, s.population) for s in shares] == [("a", 10), ("unknown", 0)]
    assert shares[1].difference_points == Decimal(50)  # 1/2 = 50 % against 0 %


def test_the_comparison_is_explained_in_percent_with_one_decimal():
    (line,) = explain_comparison(compare({"young": 53, "old": 947}, {"young": 15, "old": 85})[:1])
    assert line.english() == (
        "young: 5.3 % of respondents, 15.0 % of the population (-9.7 percentage points)."
    )


def test_the_weight_of_the_young_is_about_2_83():
    # 0.15 / 0.053 = 2.8301886...; the old: 0.85 / 0.947 = 0.8975712...
    weights = post_stratification_weights(
        {("young",): 53, ("old",): 947}, {("young",): 15, ("old",): 85}
    )
    assert round(weights[("young",)], 2) == Decimal("2.83")
    assert round(weights[("old",)], 4) == Decimal("0.8976")


def test_two_dimensional_cells_are_weighted_cell_by_cell():
    sample = {("18-29", "f"): 10, ("18-29", "m"): 10, ("65+", "f"): 40, ("65+", "m"): 40}
    population = {("18-29", "f"): 25, ("18-29", "m"): 25, ("65+", "f"): 25, ("65+", "m"): 25}
    weights = post_stratification_weights(sample, population)
    # 0.25 / (10/100) = 2.5 and 0.25 / (40/100) = 0.625
    assert weights[("18-29", "f")] == Decimal("2.5")
    assert weights[("65+", "m")] == Decimal("0.625")


def test_a_cell_without_respondents_is_reported_not_divided_by_zero():
    sample = {("young",): 0, ("old",): 100}
    population = {("young",): 20, ("old",): 80}
    weights = post_stratification_weights(sample, population)
    assert weights == {("old",): Decimal("0.8")}  # 0.8 / 1.0
    assert cells_without_respondents(sample, population) == [("young",)]
    lines = [line.english() for line in explain_weights(sample, population)]
    assert lines == [
        "old: population 80.0 % / respondents 100.0 % = weight 0.80.",
        "young: no respondents, so this 20.0 % of the population cannot be weighted; "
        "merge it with a neighbouring cell or call more people.",
    ]


def test_respondents_outside_the_population_weigh_nothing():
    weights = post_stratification_weights({("a",): 5, ("elsewhere",): 5}, {("a",): 10})
    assert weights[("elsewhere",)] == 0
    assert weights[("a",)] == 2  # 1.0 / 0.5


@pytest.mark.parametrize(
    ("sample", "population", "field"),
    [
        ({"a": 0}, {"a": 1}, "respondents_counts"),
        ({"a": 1}, {}, "population_counts"),
        ({"a": -1, "b": 3}, {"a": 1}, "respondents_counts[a]"),
    ],
)
def test_counts_that_cannot_be_compared_name_the_field(sample, population, field):
    with pytest.raises(SurveyWeightsError) as error:
        compare(sample, population)
    assert error.value.field == field


cells = st.tuples(st.sampled_from(["18-29", "30-64", "65+"]), st.sampled_from(["f", "m"]))


@given(
    st.dictionaries(cells, st.integers(1, 10_000), min_size=1),
    st.dictionaries(cells, st.integers(0, 1_000_000), min_size=1),
)
def test_weighted_sample_shares_equal_population_shares_in_cells_with_respondents(
    sample, population
):
    if sum(population.values()) == 0:
        return
    weights = post_stratification_weights(sample, population)
    sample_total = sum(sample.values())
    population_total = sum(population.values())
    for cell, weight in weights.items():
        weighted_share = sample[cell] * weight / sample_total
        population_share = Decimal(population.get(cell, 0)) / population_total
        assert abs(weighted_share - population_share) < Decimal("1e-20")
