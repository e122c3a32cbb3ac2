"""The pure part of the satisfaction axes: means rounded as a person rounds them, and a staff
answer's scores checked statement by statement."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kuntarobo.core.satisfaction import STATEMENTS, check_scores, mean


def test_a_mean_has_two_decimals_rounded_half_up_and_none_without_values():
    assert mean([2, 2, 2, 2, 2, 2, 2, 3]) == Decimal("2.13")  # 17 / 8 = 2.125
    assert mean([1, 1, 2]) == Decimal("1.33")
    assert mean([5]) == Decimal("5.00")
    assert mean([]) is None


def test_every_statement_must_be_answered_with_a_whole_number_from_1_to_5():
    good = dict.fromkeys(STATEMENTS, 3)
    assert check_scores(good) == good
    for bad in (0, 6, "3", True, None, 2.5):
        with pytest.raises(ValueError, match="workload"):
            check_scores({**good, "workload": bad})
    missing = {key: value for key, value in good.items() if key != "recommend"}
    with pytest.raises(ValueError, match="recommend"):
        check_scores(missing)
    with pytest.raises(ValueError, match="unknown statement"):
        check_scores({**good, "salary": 5})
