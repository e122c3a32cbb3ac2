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
