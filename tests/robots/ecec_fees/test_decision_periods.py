"""Which decisions one family line needs: a new one each day the children in ECEC change."""

from __future__ import annotations

import datetime

from kuntarobo.robots.ecec_fees import families
from kuntarobo.robots.ecec_fees.decision_content import decision_periods
from tests.robots.ecec_fees.helpers import PERIOD, family

D = datetime.date


def periods(**placements: dict[str, str]) -> list[datetime.date]:
    """The periods of the worked example's family with the children's placements changed."""
    data = family()
    for child in data["children"]:
        child["placement"].update(placements.get(child["id"].replace("-", ""), {}))
    return decision_periods(families.parse_family(data, default_period_start=PERIOD))


def test_a_family_whose_children_stay_as_they_are_needs_one_decision():
    assert periods() == [PERIOD]


def test_a_child_starting_later_beside_a_sibling_starts_a_second_decision_on_that_day():
    assert periods(C2={"start": "2025-03-17"}) == [PERIOD, D(2025, 3, 17)]


def test_a_placement_ending_while_a_sibling_continues_starts_a_decision_the_next_day():
    assert periods(C2={"end": "2025-05-31"}) == [PERIOD, D(2025, 6, 1)]


def test_when_every_placement_ends_no_further_decision_is_made():
    assert periods(C1={"end": "2025-05-31"}, C2={"end": "2025-05-31"}) == [PERIOD]


def test_with_no_child_in_ecec_yet_the_first_decision_starts_with_the_first_placement():
    assert periods(C1={"start": "2025-02-03"}, C2={"start": "2025-04-01"}) == [
        D(2025, 2, 3),
        D(2025, 4, 1),
    ]


def test_one_child_leaving_the_day_before_the_other_starts_makes_one_change_not_two():
    assert periods(C1={"end": "2025-03-16"}, C2={"start": "2025-03-17"}) == [
        PERIOD,
        D(2025, 3, 17),
    ]


def test_a_gap_with_no_child_in_ecec_has_no_decision_of_its_own():
    assert periods(C1={"end": "2025-03-31"}, C2={"start": "2025-05-01"}) == [
        PERIOD,
        D(2025, 5, 1),
    ]


# --- Issue 16: a period is split where a new row of the figures begins ----------------------

NEW_FIGURES = D(2026, 8, 1)


def split(period_start: str, end: str | None, *splits: datetime.date) -> list[datetime.date]:
    data = family(period_start=period_start)
    for child in data["children"]:
        child["placement"]["end"] = end
    record = families.parse_family(data, default_period_start=PERIOD)
    return decision_periods(record, splits)


def test_the_reviews_period_over_the_new_parameter_row_becomes_two_parts():
    # "1.7.2026–31.7.2027" on the figures of 1.8.2024: split at the row of 1.8.2026.
    rows = (D(2024, 8, 1), NEW_FIGURES)
    assert split("2026-07-01", "2027-07-31", *rows) == [D(2026, 7, 1), NEW_FIGURES]


def test_a_row_starting_after_every_placement_ended_makes_no_part():
    assert split("2026-01-01", "2026-06-30", NEW_FIGURES) == [D(2026, 1, 1)]


def test_a_row_starting_before_the_period_makes_no_part_and_rows_on_one_day_make_one():
    settings_row = D(2025, 3, 1)
    days = split("2025-01-01", None, D(2024, 8, 1), settings_row, settings_row, NEW_FIGURES)
    assert days == [PERIOD, settings_row, NEW_FIGURES]


def test_family_input_gives_a_pre_primary_only_child_the_coefficient_zero_and_the_deductions():
    from decimal import Decimal

    from kuntarobo.robots.ecec_fees.decision_content import family_input
    from kuntarobo.robots.ecec_fees.municipal import MunicipalFeeSettings, example_settings

    data = family(
        deductions=[{"person": "Maija", "amount": 20000, "source": "tuomio", "reason": "elatusapu"}]
    )
    del data["children"][1]["service_need"]
    data["children"][1]["pre_primary"] = True
    record = families.parse_family(data, default_period_start=PERIOD)
    values = {**example_settings("X"), "pre_primary_in_sibling_order": False}
    engine = family_input(record, MunicipalFeeSettings.from_json(values))
    pre = next(child for child in engine.children if child.id == "C-2")
    assert pre.service_need_coefficient == Decimal(0)
    assert pre.pre_primary
    assert not engine.pre_primary_counts_in_sibling_order
    (deduction,) = engine.deductions
    assert (deduction.amount, deduction.label, deduction.source) == (
        20000,
        "Maija: elatusapu",
        "tuomio",
    )
    # The hours go to the engine for the part-time cap.
    assert next(c for c in engine.children if c.id == "C-1").hours_per_month == 150
