"""The traffic-light rules of programme follow-up (kuntarobo.core.programme_follow_up) on
hand-computed cases."""

from __future__ import annotations

import datetime
from decimal import Decimal

from kuntarobo.core.programme_follow_up import (
    Axis,
    CostFigure,
    CostKind,
    FollowUp,
    Light,
    MilestoneFigure,
    OutputFigure,
    OutputStatus,
    RiskFigure,
    Rules,
    costs,
    evaluate,
    outputs,
    risks,
    schedule,
    scope,
    staff,
)

TODAY = datetime.date(2022, 1, 31)


def with_costs(*pairs: tuple[int, int], kind: CostKind = CostKind.PURCHASED_SERVICES) -> FollowUp:
    return FollowUp(today=TODAY, costs=[CostFigure(kind, p, r) for p, r in pairs])


def test_costs_within_the_plan_are_green_and_say_the_share():
    result = costs(with_costs((524_200_00, 516_743_00)))
    assert result.light == Light.GREEN
    assert result.lines[0].english() == (
        "Realised 516743.00 € of the planned 524200.00 € (98.6 %)."
    )


def test_costs_exactly_at_the_plan_are_green():
    assert costs(with_costs((1000, 1000))).light == Light.GREEN


def test_costs_up_to_105_percent_are_yellow_and_beyond_red():
    assert costs(with_costs((10_000, 10_001))).light == Light.YELLOW
    assert costs(with_costs((10_000, 10_500))).light == Light.YELLOW
    assert costs(with_costs((10_000, 10_510))).light == Light.RED


def test_the_costs_threshold_is_a_parameter():
    assert costs(with_costs((10_000, 11_000)), Rules(costs_yellow_percent=Decimal(110))).light == (
        Light.YELLOW
    )


def test_costs_without_a_plan_are_not_assessed_rather_than_green():
    assert costs(FollowUp(today=TODAY)).light == Light.NOT_ASSESSED


def test_costs_sum_every_kind():
    follow_up = FollowUp(
        today=TODAY,
        costs=[
            CostFigure(CostKind.PURCHASED_SERVICES, 394_100, 422_359),
            CostFigure(CostKind.OWN_STAFF, 130_100, 94_384),
        ],
    )
    assert costs(follow_up).light == Light.GREEN


def test_staff_is_the_realised_share_of_planned_own_staff_costs():
    # Helmi: 94,384 of 130,100 € = 72.5 %: below 80 %, at least 60 % → yellow.
    follow_up = FollowUp(
        today=TODAY,
        costs=[
            CostFigure(CostKind.PURCHASED_SERVICES, 394_100, 422_359),
            CostFigure(CostKind.OWN_STAFF, 130_100, 94_384),
        ],
    )
    result = staff(follow_up)
    assert result.light == Light.YELLOW
    assert "(72.5 %)" in result.lines[0].english()
    assert staff(with_costs((100, 80), kind=CostKind.OWN_STAFF)).light == Light.GREEN
    assert staff(with_costs((100, 59), kind=CostKind.OWN_STAFF)).light == Light.RED
    assert staff(with_costs((100, 100))).light == Light.NOT_ASSESSED


def milestones(*pairs: tuple[datetime.date, datetime.date | None]) -> FollowUp:
    return FollowUp(
        today=TODAY,
        milestones=[MilestoneFigure(f"M{n}", p, a) for n, (p, a) in enumerate(pairs, 1)],
    )


def test_milestones_reached_on_time_or_early_are_green():
    d = datetime.date
    result = schedule(milestones((d(2021, 1, 1), d(2021, 1, 1)), (d(2021, 6, 1), d(2021, 5, 1))))
    assert result.light == Light.GREEN


def test_a_milestone_not_yet_due_is_not_late():
    assert schedule(milestones((datetime.date(2022, 6, 1), None))).light == Light.GREEN


def test_the_worst_delay_decides_the_schedule_and_is_named():
    d = datetime.date
    result = schedule(milestones((d(2021, 1, 1), d(2021, 1, 11)), (d(2021, 3, 1), d(2021, 3, 31))))
    assert result.light == Light.YELLOW  # 30 days: yellow up to 30
    assert result.lines[0].english() == "The latest milestone, M2, is 30 days late."
    assert schedule(milestones((d(2021, 3, 1), d(2021, 4, 1)))).light == Light.RED  # 31 days


def test_an_overdue_milestone_counts_its_delay_to_today():
    # Planned 2022-01-01, not reached on 2022-01-31: 30 days late.
    result = schedule(milestones((datetime.date(2022, 1, 1), None)))
    assert result.light == Light.YELLOW
    assert "30 days late" in result.lines[0].english()


def test_no_milestones_means_the_schedule_is_not_assessed():
    assert schedule(FollowUp(today=TODAY)).light == Light.NOT_ASSESSED


def test_outputs_red_when_one_is_dropped_yellow_when_late_else_green():
    def of(*statuses: OutputStatus) -> FollowUp:
        return FollowUp(
            today=TODAY, outputs=[OutputFigure(f"O{n}", s) for n, s in enumerate(statuses)]
        )

    assert outputs(of(OutputStatus.DELIVERED, OutputStatus.IN_PROGRESS)).light == Light.GREEN
    assert outputs(of(OutputStatus.DELIVERED, OutputStatus.LATE)).light == Light.YELLOW
    assert outputs(of(OutputStatus.LATE, OutputStatus.DROPPED)).light == Light.RED
    assert outputs(of()).light == Light.NOT_ASSESSED


def test_scope_compares_delivered_with_planned_quantities():
    def of(*pairs: tuple[int | None, int | None]) -> FollowUp:
        return FollowUp(
            today=TODAY,
            outputs=[OutputFigure("x", OutputStatus.DELIVERED, p, d) for p, d in pairs],
        )

    # Helmi: 16 workshops of 16 and 32 robots of 16 planned: 48 / 32 = 150 %.
    result = scope(of((16, 16), (16, 32), (None, 277)))
    assert result.light == Light.GREEN
    assert "(150.0 %)" in result.lines[0].english()
    assert scope(of((10, 9))).light == Light.YELLOW
    assert scope(of((10, 8))).light == Light.RED
    assert scope(of((None, 5))).light == Light.NOT_ASSESSED


def test_risks_by_the_worst_open_risk_likelihood_times_impact():
    def of(*risks_: tuple[int, int, bool]) -> FollowUp:
        return FollowUp(
            today=TODAY,
            risks=[RiskFigure(f"R{n}", lk, im, op) for n, (lk, im, op) in enumerate(risks_)],
        )

    assert risks(of((2, 3, True))).light == Light.GREEN  # 6
    assert risks(of((2, 3, True), (2, 4, True))).light == Light.YELLOW  # 8
    result = risks(of((3, 5, True), (5, 5, False)))  # the closed 25 does not count
    assert result.light == Light.RED  # 15
    assert result.lines[0].english().startswith("The worst open risk, R0, scores 15")
    assert risks(of((5, 5, False))).light == Light.GREEN
    assert risks(of()).light == Light.NOT_ASSESSED


def test_evaluate_gives_every_axis_of_the_final_report_in_order():
    assert list(evaluate(FollowUp(today=TODAY))) == [
        Axis.SCHEDULE,
        Axis.COSTS,
        Axis.OUTPUTS,
        Axis.SCOPE,
        Axis.STAFF,
        Axis.RISKS,
    ]
