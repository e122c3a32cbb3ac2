"""The arithmetic of a phone survey campaign's report, checked against figures worked out by
hand (kuntarobo.core.survey_report)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kuntarobo.core import aapor, survey_report
from kuntarobo.core.questionnaire import Choice, Step


def test_the_estimate_adds_the_open_numbers_attempts_left_at_the_observed_pace():
    # 8 numbers tried, 2 completes: p = 1/4. Open: 4 never tried (3 left each) and 2 with
    # 1 of 3 left: 14 attempts = 14/3 numbers' worth; 2 + 1/4 × 14/3 = 2 + 7/6 = 3.1666…
    estimate = survey_report.estimate_final_completes(
        completes=2,
        attempted_numbers=8,
        attempts_left=[3, 3, 3, 3, 1, 1],
        max_attempts=3,
        target=4,
    )
    assert estimate.expected_more == Decimal("1.2")
    assert estimate.final == Decimal("3.2")
    assert estimate.target_met is False
    assert [line.english() for line in estimate.lines][-1] == (
        "The target of 4 completes will not be met at this pace."
    )
    assert "2 + 0.250 × 4.7 = 3.2" in estimate.lines[2].english()


def test_the_target_is_met_when_the_estimate_reaches_it():
    estimate = survey_report.estimate_final_completes(
        completes=3, attempted_numbers=4, attempts_left=[2, 2], max_attempts=2, target=4
    )
    # 3 + 3/4 × 2 = 4.5
    assert estimate.final == Decimal("4.5")
    assert estimate.target_met is True


def test_with_no_number_tried_there_is_no_estimate_and_no_verdict():
    estimate = survey_report.estimate_final_completes(
        completes=0, attempted_numbers=0, attempts_left=[3, 3], max_attempts=3, target=10
    )
    assert estimate.final is None
    assert estimate.target_met is None


def test_an_ended_campaigns_estimate_is_its_completes():
    estimate = survey_report.estimate_final_completes(
        completes=5, attempted_numbers=9, attempts_left=[], max_attempts=3, target=None
    )
    assert estimate.final == Decimal("5.0")
    assert estimate.target_met is None


def test_attempts_left_beyond_those_allowed_are_refused():
    with pytest.raises(survey_report.SurveyReportError, match=r"attempts_left\[0\]"):
        survey_report.estimate_final_completes(
            completes=0, attempted_numbers=1, attempts_left=[4], max_attempts=3, target=None
        )


def test_the_cost_is_billed_seconds_times_the_minute_price_rounded_up_once():
    # 90 + 45.5 + 30 = 165.5 s = 2.758… min; × 12 c = 33.1 c -> 34 c (up, as the simulation);
    # per complete 34 / 3 = 11.33 -> 11
    result = survey_report.cost([Decimal("90"), Decimal("45.5"), Decimal("30")], 12, 3)
    assert result.minutes == Decimal("2.8")
    assert result.cents == 34
    assert result.per_complete_cents == 11
    assert result.lines[0].english() == (
        "Billed time 165.5 s = 2.8 min; × 12 cents a minute = 34 cents."
    )


def test_a_cost_of_a_whole_number_of_cents_is_not_rounded_up():
    assert survey_report.cost([Decimal("120")], 15, 1).cents == 30
    # per complete half up: 45 / 2 = 22.5 -> 23
    assert survey_report.cost([Decimal("180")], 15, 2).per_complete_cents == 23


def test_without_completes_there_is_no_cost_per_complete():
    result = survey_report.cost([Decimal("60")], 10, 0)
    assert result.cents == 10
    assert result.per_complete_cents is None


def test_a_running_numbers_code_comes_from_its_attempts_and_the_interviews_end():
    assert survey_report.provisional_final_code("", ["3.13", "3.14"], "") == "3.14"
    assert survey_report.provisional_final_code("", ["3.13", "1.1"], "completed") == "1.1"
    assert survey_report.provisional_final_code("", ["3.13"], "do_not_call") == "2.11"
    assert survey_report.provisional_final_code("4.3", ["3.13"], "") == "4.3"
    assert survey_report.provisional_final_code("", [], "") == aapor.NOT_ATTEMPTED


def test_codes_are_counted_in_numeric_order():
    assert survey_report.code_counts(["3.13", "1.1", "2.11", "3.13", "1.1", "3.9"]) == [
        ("1.1", 2),
        ("2.11", 1),
        ("3.9", 1),
        ("3.13", 2),
    ]


def test_population_shares_become_counts_on_a_million_and_counts_stay():
    population = survey_report.parse_population(
        {"age_group": {"18-29": 0.25, "30-64": 0.5, "65+": 0.25}, "area": {"A": 1200, "B": 800}}
    )
    assert population["age_group"] == {"18-29": 250_000, "30-64": 500_000, "65+": 250_000}
    assert population["area"] == {"A": 1200, "B": 800}


def test_population_in_percent_is_read_as_shares():
    population = survey_report.parse_population({"gender": {"female": 52, "male": 48}})
    assert population["gender"] == {"female": 520_000, "male": 480_000}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ([], "population"),
        ({"income": {"low": 1}}, "population.income"),
        ({"gender": {"female": "many"}}, "population.gender.female"),
        ({"gender": {"female": -1, "male": 3}}, "population.gender.female"),
        ({"gender": {"female": 0}}, "population.gender"),
    ],
)
def test_a_bad_population_table_is_refused_naming_the_field(data, field):
    with pytest.raises(survey_report.SurveyReportError) as error:
        survey_report.parse_population(data)
    assert error.value.field == field


CHOICE = Step(
    "q1",
    "single_choice",
    {"fi": "Oletko tyytyväinen?", "sv": "Är du nöjd?"},
    choices=(
        Choice("1", "yes", {"fi": "Kyllä", "sv": "Ja"}),
        Choice("2", "no", {"fi": "Ei", "sv": "Nej"}),
    ),
)


def test_a_choice_questions_answers_are_counted_per_choice_in_the_readers_language():
    counts = survey_report.count_answers(CHOICE, ["yes", "no", "yes", "", "maybe"], "sv")
    assert counts.prompt == "Är du nöjd?"
    assert counts.rows == (("yes", "Ja", 2), ("no", "Nej", 1), ("maybe", "maybe", 1))
    assert counts.answered == 4


def test_a_numeric_question_is_a_distribution_with_mean_and_median():
    step = Step("q2", "numeric", {"fi": "Arvosana 4–10?"}, minimum=4, maximum=10)
    counts = survey_report.count_answers(step, ["7", "9", "7", "10"], "fi")
    assert counts.rows == (
        ("7", "7", 2),
        ("8", "8", 0),
        ("9", "9", 1),
        ("10", "10", 1),
    )
    assert counts.mean == Decimal("8.3")  # 33 / 4 = 8.25, half up
    assert counts.median == Decimal("8.0")  # (7 + 9) / 2


def test_open_answers_are_only_counted():
    step = Step("q3", "open_answer", {"fi": "Kerro lisää"}, max_seconds=60)
    counts = survey_report.count_answers(step, ["a.wav", "b.wav", ""], "fi")
    assert counts.answered == 2
    assert counts.rows == ()
