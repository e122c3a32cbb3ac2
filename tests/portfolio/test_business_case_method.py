"""The Ministry of Finance's business-case method (kuntarobo.core.business_case) on cases
computed by hand: the arithmetic is in the comments, the figures in the asserts are typed from
it, never from the code's own output."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kuntarobo.core.business_case import (
    BusinessCaseError,
    Rules,
    YearFigures,
    derived_gross_benefit,
    evaluate,
    parse,
)

D = Decimal


def year(y: int, dev: int = 0, running: int = 0, gross: int = 0) -> dict[str, Any]:
    return {"year": y, "development_cost": dev, "running_cost": running, "gross_benefit": gross}


def result_of(data: dict[str, Any]) -> dict[str, Any]:
    return parse(data).evaluate().as_json()


def test_a_payback_inside_year_one_is_interpolated_within_that_year():
    # 2025: development 10 000, gross 40 000 → net 40 000 ≥ investment 10 000 in year 1:
    # payback = 0 + (10 000 − 0) / 40 000 = 0.25 years.
    # Ratio = (40 000 + 0 × 5) / 10 000 = 4.00; cumulative 2025 = 40 000 − 10 000 = 30 000.
    answer = result_of(
        {"start_year": 2025, "horizon_year": 2030, "years": [year(2025, dev=10000, gross=40000)]}
    )
    assert answer["payback_years"] == 0.25
    assert answer["benefit_ratio_6y"] == 4
    assert answer["investment"] == 10000
    assert answer["cumulative_net_benefit"] == {str(y): 30000 for y in range(2025, 2031)}
    assert (answer["meets_payback_rule"], answer["meets_ratio_rule"], answer["meets_rules"]) == (
        True,
        True,
        True,
    )


def test_a_crossing_exactly_at_a_year_boundary_pays_back_in_whole_years():
    # Development 100 000 in 2021; gross 50 000 every year 2021–2026, no running costs.
    # Cumulative net benefits: 50 000 (year 1), 100 000 (year 2) = the investment:
    # payback = 1 + (100 000 − 50 000) / 50 000 = 2.00.
    # Cumulative net benefit: 2021 50 000 − 100 000 = −50 000, 2022 0, then +50 000 a year.
    # Ratio = 6 × 50 000 / 100 000 = 3.00.
    years = [year(2021, dev=100000, gross=50000)] + [
        year(y, gross=50000) for y in range(2022, 2027)
    ]
    answer = result_of({"start_year": 2021, "horizon_year": 2026, "years": years})
    assert answer["payback_years"] == 2
    assert answer["cumulative_net_benefit"] == {
        "2021": -50000,
        "2022": 0,
        "2023": 50000,
        "2024": 100000,
        "2025": 150000,
        "2026": 200000,
    }
    assert answer["benefit_ratio_6y"] == 3
    assert answer["meets_rules"] is True


def test_a_case_that_never_pays_back_has_no_payback_and_fails_both_rules():
    # Development 500 000 in 2021; every year 2021–2029 gross 50 000 − running 10 000 = 40 000.
    # Nine years: 9 × 40 000 = 360 000 < 500 000, so no payback within the data.
    # Ratio = 6 × 40 000 / 500 000 = 0.48; cumulative 2029 = 360 000 − 500 000 = −140 000.
    years = [year(2021, dev=500000, running=10000, gross=50000)] + [
        year(y, running=10000, gross=50000) for y in range(2022, 2030)
    ]
    answer = result_of({"start_year": 2021, "horizon_year": 2029, "years": years})
    assert answer["payback_years"] is None
    assert answer["benefit_ratio_6y"] == 0.48
    assert answer["cumulative_net_benefit"]["2029"] == -140000
    assert answer["meets_payback_rule"] is False
    assert answer["meets_ratio_rule"] is False
    assert answer["meets_rules"] is False
    assert answer["explanation"][-4:] == [
        "Payback: cumulative net benefits do not reach the investment by 2029.",
        "Benefit ratio = net benefits of years 1–6 240000.00 / investment 500000.00 = 0.48.",
        "Rule: payback at most 3 years: not met.",
        "Rule: benefit ratio at least 2: not met.",
    ]


def test_negative_net_years_before_and_after_the_crossing_count_and_the_first_crossing_stays():
    # Investment 60 000 (2021). Net = gross − running:
    # 2021:      0 − 10 000 = −10 000; cum −10 000; cumulative −10 000 − 60 000 = −70 000
    # 2022: 50 000 − 10 000 =  40 000; cum  30 000; cumulative −30 000
    # 2023: 70 000 − 10 000 =  60 000; cum  90 000 ≥ 60 000: payback = 2 + 30 000/60 000 = 2.50
    #                                               cumulative  30 000
    # 2024: 10 000 − 50 000 = −40 000; cum  50 000 (below the investment again); cumulative −10 000
    # 2025: 40 000 − 10 000 =  30 000; cum  80 000; cumulative 20 000
    # 2026: 40 000 − 10 000 =  30 000; cum 110 000; cumulative 50 000
    # Ratio = 110 000 / 60 000 = 1.833… → 1.83.
    years = [
        year(2021, dev=60000, running=10000),
        year(2022, running=10000, gross=50000),
        year(2023, running=10000, gross=70000),
        year(2024, running=50000, gross=10000),
        year(2025, running=10000, gross=40000),
        year(2026, running=10000, gross=40000),
    ]
    answer = result_of({"start_year": 2021, "horizon_year": 2026, "years": years})
    assert answer["net_benefit"] == {
        "2021": -10000,
        "2022": 40000,
        "2023": 60000,
        "2024": -40000,
        "2025": 30000,
        "2026": 30000,
    }
    assert answer["cumulative_net_benefit"] == {
        "2021": -70000,
        "2022": -30000,
        "2023": 30000,
        "2024": -10000,
        "2025": 20000,
        "2026": 50000,
    }
    assert answer["payback_years"] == 2.5
    assert answer["benefit_ratio_6y"] == 1.83
    assert (answer["meets_payback_rule"], answer["meets_ratio_rule"]) == (True, False)


def test_figures_after_the_horizon_year_are_ignored_and_said_so():
    # 2021–2026: development 100 000 in 2021, gross 10 000 a year → 60 000 net, no payback,
    # ratio 0.60. A million of gross benefit and a development cost in 2027 change nothing.
    within = [year(2021, dev=100000, gross=10000)] + [
        year(y, gross=10000) for y in range(2022, 2027)
    ]
    beyond = [*within, year(2027, dev=5000, gross=1_000_000)]
    plain = parse({"start_year": 2021, "horizon_year": 2026, "years": within}).evaluate()
    late = parse({"start_year": 2021, "horizon_year": 2026, "years": beyond}).evaluate()
    assert late.payback_years is plain.payback_years is None
    assert late.benefit_ratio_6y == plain.benefit_ratio_6y == D("0.60")
    assert late.investment == plain.investment == D(100000)
    assert late.cumulative_net_benefit == plain.cumulative_net_benefit
    assert list(late.cumulative_net_benefit) == list(range(2021, 2027))
    assert late.explanation[0].english() == "Years after the horizon year 2026 are ignored: 2027."


def test_a_derived_gross_benefit_is_volume_times_minutes_saved_over_sixty_times_hourly_cost():
    # 12 000 cases × 4 min / 60 = 800 h × 30 €/h = 24 000 €.
    assert derived_gross_benefit(12000, D(4), D(30)) == D("24000.00")
    # 1 000 × 2.5 / 60 = 41.666… h × 37.40 = 1 558.333… → 1 558.33 €.
    assert derived_gross_benefit(1000, D("2.5"), D("37.40")) == D("1558.33")
    derived = {"year": 2021, "development_cost": 6000, "volume": 12000, "minutes_saved": 4}
    parsed = parse(
        {"start_year": 2021, "horizon_year": 2026, "years": [{**derived, "hourly_cost": 30}]}
    )
    assert parsed.years[0].gross_benefit == D(24000)
    # Payback = 6 000 / 24 000 = 0.25 years.
    assert parsed.evaluate().payback_years == D("0.25")


def test_the_benefit_ratio_counts_only_the_first_six_years_of_a_longer_horizon():
    # Development 100 000 in 2021; gross 30 000 a year 2021–2029.
    # Ratio = 6 × 30 000 / 100 000 = 1.80 (not 9 × 30 000).
    # Payback: cum 90 000 after year 3, 120 000 after year 4: 3 + 10 000 / 30 000 = 3.33.
    years = [year(2021, dev=100000, gross=30000)] + [
        year(y, gross=30000) for y in range(2022, 2030)
    ]
    answer = result_of({"start_year": 2021, "horizon_year": 2029, "years": years})
    assert answer["benefit_ratio_6y"] == 1.8
    assert answer["payback_years"] == 3.33
    assert answer["cumulative_net_benefit"]["2029"] == 170000  # 270 000 − 100 000
    assert (answer["meets_payback_rule"], answer["meets_ratio_rule"]) == (False, False)


def test_the_rules_thresholds_are_parameters():
    # The case above: payback 3.33, 6-year ratio 1.80. With a 4-year payback and a ratio of
    # 1.5 it meets both; over 9 years the ratio is 270 000 / 100 000 = 2.70.
    years = [year(2021, dev=100000, gross=30000)] + [
        year(y, gross=30000) for y in range(2022, 2030)
    ]
    base = {"start_year": 2021, "horizon_year": 2029, "years": years}
    lenient = result_of({**base, "rules": {"payback_max_years": 4, "benefit_ratio_min": 1.5}})
    assert lenient["meets_rules"] is True
    assert lenient["rules"] == {"payback_max_years": 4, "benefit_ratio_min": 1.5, "ratio_years": 6}
    nine = result_of({**base, "rules": {"ratio_years": 9}})
    assert nine["benefit_ratio_6y"] == 2.7
    assert nine["meets_ratio_rule"] is True
    assert nine["meets_payback_rule"] is False
    # The same through evaluate: thresholds are inclusive (payback exactly 3, ratio exactly 2).
    exact = evaluate(
        2021,
        2026,
        [YearFigures(2021, development_cost=D(90000), gross_benefit=D(30000))]
        + [YearFigures(y, gross_benefit=D(30000)) for y in range(2022, 2027)],
        Rules(payback_max_years=D(3), benefit_ratio_min=D(2)),
    )
    # 30 000 a year reaches 90 000 at the end of year 3: 2 + 30 000 / 30 000 = 3.00;
    # ratio 180 000 / 90 000 = 2.00.
    assert (exact.payback_years, exact.benefit_ratio_6y) == (D("3.00"), D("2.00"))
    assert exact.meets_rules


def test_the_issues_example_input():
    # 2021: development 237 000, nothing else. 2022: gross 120 000 − running 20 000 = 100 000.
    # 2023–2029: gross 150 000 − running 20 000 = 130 000 a year.
    # Cumulative net benefits: 0, 100 000, 230 000, 360 000 …: payback in year 4 (2024):
    # 3 + (237 000 − 230 000) / 130 000 = 3.0538… → 3.05.
    # Ratio = (0 + 100 000 + 4 × 130 000) / 237 000 = 620 000 / 237 000 = 2.616… → 2.62.
    # Cumulative 2029 = 100 000 + 7 × 130 000 − 237 000 = 773 000.
    data = {
        "start_year": 2021,
        "horizon_year": 2029,
        "years": [
            {"year": 2021, "development_cost": 237000, "running_cost": 0, "gross_benefit": 0},
            {"year": 2022, "development_cost": 0, "running_cost": 20000, "gross_benefit": 120000},
        ]
        + [
            {"year": y, "development_cost": 0, "running_cost": 20000, "gross_benefit": 150000}
            for y in range(2023, 2030)
        ],
    }
    answer = result_of(data)
    assert answer["cumulative_net_benefit"] == {
        "2021": -237000,
        "2022": -137000,
        "2023": -7000,
        "2024": 123000,
        "2025": 253000,
        "2026": 383000,
        "2027": 513000,
        "2028": 643000,
        "2029": 773000,
    }
    assert answer["payback_years"] == 3.05
    assert answer["benefit_ratio_6y"] == 2.62
    assert (answer["meets_payback_rule"], answer["meets_ratio_rule"], answer["meets_rules"]) == (
        False,
        True,
        False,
    )


def test_a_year_left_out_counts_as_a_year_of_zeros():
    # 2021 development 10 000; 2023 gross 20 000; 2022 missing: payback = 2 + 10 000/20 000.
    answer = result_of(
        {
            "start_year": 2021,
            "horizon_year": 2026,
            "years": [year(2021, dev=10000), year(2023, gross=20000)],
        }
    )
    assert answer["net_benefit"]["2022"] == 0
    assert answer["payback_years"] == 2.5


def test_evaluate_refuses_a_case_without_investment_rather_than_dividing_by_zero():
    with pytest.raises(ValueError, match="investment"):
        evaluate(2021, 2026, [YearFigures(2021, gross_benefit=D(5))])


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (
            {"start_year": 2021, "horizon_year": 2026, "years": [year(2021, dev="5")]},
            "years[0].development_cost",
        ),
        (
            {
                "start_year": 2021,
                "horizon_year": 2026,
                "years": [year(2021, dev=1), {"year": 2022, "gross_benefit": 1, "volume": 3}],
            },
            "years[1].volume",
        ),
        (
            {
                "start_year": 2021,
                "horizon_year": 2026,
                "years": [{"year": 2021, "development_cost": 1, "volume": 3}],
            },
            "years[0].minutes_saved",
        ),
        ({"start_year": 2021, "horizon_year": 2023, "years": [year(2021, dev=1)]}, "horizon_year"),
    ],
)
def test_parse_names_the_field_of_each_problem(data, path):
    with pytest.raises(BusinessCaseError) as caught:
        parse(data)
    assert caught.value.path == path


euros = st.integers(min_value=0, max_value=10_000_000)


@st.composite
def cases(draw: st.DrawFn) -> tuple[int, int, list[YearFigures]]:
    start = draw(st.integers(min_value=2000, max_value=2040))
    span = draw(st.integers(min_value=6, max_value=15))
    horizon = start + span - 1
    chosen = draw(st.lists(st.integers(start, horizon + 3), unique=True, min_size=1))
    figures = [
        YearFigures(y, D(draw(euros)), D(draw(euros)), D(draw(euros))) for y in sorted(chosen)
    ]
    first = figures[0]
    if sum(f.development_cost for f in figures if f.year <= horizon) == 0:
        figures[0] = YearFigures(start, D(1), first.running_cost, first.gross_benefit)
        figures = [figures[0], *(f for f in figures[1:] if f.year != start)]
    return start, horizon, figures


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_the_cumulative_net_benefit_of_the_horizon_year_is_all_net_benefits_less_the_investment(
    case: tuple[int, int, list[YearFigures]],
) -> None:
    start, horizon, figures = case
    result = evaluate(start, horizon, figures)
    within = [f for f in figures if f.year <= horizon]
    net = sum((f.gross_benefit - f.running_cost for f in within), D(0))
    investment = sum((f.development_cost for f in within), D(0))
    assert result.investment == investment
    assert result.cumulative_net_benefit[horizon] == net - investment
    assert list(result.cumulative_net_benefit) == list(range(start, horizon + 1))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_a_payback_lies_within_the_span_and_its_year_is_the_first_to_reach_the_investment(
    case: tuple[int, int, list[YearFigures]],
) -> None:
    start, horizon, figures = case
    result = evaluate(start, horizon, figures)
    # Cumulative net benefits (without development) by year index.
    running = D(0)
    reached = None
    for index, y in enumerate(range(start, horizon + 1), start=1):
        running += result.net_benefit[y]
        if reached is None and running >= result.investment:
            reached = index
    if reached is None:
        assert result.payback_years is None
        assert not result.meets_payback_rule
    else:
        assert result.payback_years is not None
        assert reached - 1 <= result.payback_years <= reached
