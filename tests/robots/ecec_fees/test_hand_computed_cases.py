"""Thirteen fee cases computed by hand from the act's figures (kuntarobo/robots/ecec_fees/
statutory.py, read through its row_values(): the thresholds, the maximum and minimum fee and
the sibling percentages of each row; 10.70 % throughout), then two of our own for the twins
and pre-primary rules.

Each expected figure is worked out in the comment beside it, in euros: family income − the
threshold of the row in force → × 10.70 % → rounded half up to whole euros (at most the maximum
fee) = the youngest child's full-time fee; × the sibling percentage → whole euros; × the service
need coefficient → whole euros; below the minimum fee → 0; alterations to the cent; then the
act's caps. Nothing here calls the engine to find an expected value.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from kuntarobo.robots.ecec_fees import statutory
from kuntarobo.robots.ecec_fees.fees import (
    Alteration,
    ChildInput,
    Deduction,
    FamilyInput,
    FeeParameters,
    Income,
    calculate_fees,
)


def statutory_row(valid_from: str) -> FeeParameters:
    """A complete row of statutory.py (its values in cents, as the migration stores them)."""
    for values in statutory.row_values():
        if values["valid_from"] == datetime.date.fromisoformat(valid_from):
            thresholds = values["income_thresholds"]
            assert thresholds is not None
            return FeeParameters(
                income_percentage=Decimal(values["income_percentage"]),
                income_thresholds={int(size): cents for size, cents in thresholds.items()},
                threshold_increase_per_further_child=values["threshold_increase_per_further_child"],
                max_fee=values["max_fee"],
                min_fee=values["min_fee"],
                sibling_percentages=tuple(values["sibling_percentages"]),
                valid_from=values["valid_from"],
            )
    raise LookupError(valid_from)


@dataclass(frozen=True)
class Kid:
    id: str
    born: str
    coefficient: str = "1"
    alterations: tuple[Alteration, ...] = ()
    hours: int | None = None


@dataclass(frozen=True)
class Case:
    name: str
    row: str
    size: int
    income_euros: int | None  # None: the income is not reported
    kids: tuple[Kid, ...]
    expected_euros: dict[str, str]  # child id → monthly fee in euros ("32.40")
    deductions_euros: tuple[int, ...] = ()


CASES = (
    Case(
        "the worked example of the domain notes",
        "2024-08-01",
        3,
        6000,
        (Kid("young", "2022-09-01"), Kid("old", "2020-09-01")),
        # threshold(3) 5245: 6000 − 5245 = 755 × 10.70 % = 80.785 → 81;
        # old: 40 % × 81 = 32.40 → 32 (≥ 30 minimum). Total 113.
        {"young": "81", "old": "32"},
    ),
    Case(
        "an income below the threshold",
        "2024-08-01",
        2,
        4000,
        (Kid("a", "2021-01-01"),),
        # threshold(2) 4066: 4000 ≤ 4066 → 0.
        {"a": "0"},
    ),
    Case(
        "a fee under the minimum is not charged",
        "2024-08-01",
        2,
        4336,
        (Kid("a", "2021-01-01"),),
        # 4336 − 4066 = 270 × 10.70 % = 28.89 → 29 < 30 (minimum) → 0.
        {"a": "0"},
    ),
    Case(
        "a fee of exactly the minimum is charged",
        "2024-08-01",
        2,
        4350,
        (Kid("a", "2021-01-01"),),
        # 4350 − 4066 = 284 × 10.70 % = 30.388 → 30 = minimum 30 → charged.
        {"a": "30"},
    ),
    Case(
        "a high income pays the maximum fee",
        "2024-08-01",
        2,
        8000,
        (Kid("a", "2021-01-01"),),
        # 8000 − 4066 = 3934 × 10.70 % = 420.938 → 421 > 311 (maximum) → 311.
        {"a": "311"},
    ),
    Case(
        "a family of eight raises the six-person threshold twice",
        "2024-08-01",
        8,
        9000,
        (Kid("a", "2021-01-01"),),
        # threshold(8) = 7376 + 2 × 275 = 7926; 9000 − 7926 = 1074 × 10.70 % = 114.918 → 115.
        {"a": "115"},
    ),
    Case(
        "part-time care by the municipal band",
        "2024-08-01",
        3,
        6000,
        (Kid("a", "2021-01-01", "0.6", hours=80),),
        # 81 (as the worked example) × 0.60 = 48.60 → 49 (≤ 60 % cap: 48.60 → 49).
        {"a": "49"},
    ),
    Case(
        "three children: 100, 40 and 20 per cent",
        "2024-08-01",
        5,
        9000,
        (Kid("c1", "2023-01-01"), Kid("c2", "2021-01-01"), Kid("c3", "2019-01-01")),
        # threshold(5) 6667: 2333 × 10.70 % = 249.631 → 250; 40 % = 100; 20 % = 50. Total 400.
        {"c1": "250", "c2": "100", "c3": "50"},
    ),
    Case(
        "income not reported: the maximum fee, part-time second child",
        "2024-08-01",
        3,
        None,
        (Kid("young", "2022-01-01"), Kid("old", "2019-01-01", "0.6")),
        # base = maximum 311; old: 40 % × 311 = 124.40 → 124 × 0.60 = 74.40 → 74.
        {"young": "311", "old": "74"},
    ),
    Case(
        "the 2020 row: the second child paid 50 per cent",
        "2020-08-01",
        4,
        5000,
        (Kid("young", "2019-01-01"), Kid("old", "2016-01-01")),
        # threshold(4) 3129: 1871 × 10.70 % = 200.197 → 200; old: 50 % × 200 = 100.
        {"young": "200", "old": "100"},
    ),
    Case(
        "the 2023 row with a service need of 0.85",
        "2023-03-01",
        2,
        5000,
        (Kid("a", "2021-01-01", "0.85"),),
        # threshold(2) 3874: 1126 × 10.70 % = 120.482 → 120 × 0.85 = 102.
        {"a": "102"},
    ),
    Case(
        "an increase on the second child is capped at 40 per cent (the review's 311 €)",
        "2024-08-01",
        3,
        20000,
        (
            Kid("young", "2022-01-01"),
            Kid("old", "2019-01-01", alterations=(Alteration("increase", amount=30000),)),
        ),
        # 14755 × 10.70 % = 1578.785 → 311 (maximum); old: 40 % × 311 = 124.40 → 124;
        # + 300.00 = 424.00 → the act's cap for the second child: 124.
        {"young": "311", "old": "124"},
    ),
    Case(
        "paid child maintenance is deducted from the income",
        "2024-08-01",
        3,
        6300,
        (Kid("a", "2021-01-01"),),
        # 6300 − 300 (maintenance paid) = 6000; − 5245 = 755 × 10.70 % = 80.785 → 81.
        {"a": "81"},
        deductions_euros=(300,),
    ),
)

OWN_CASES = (
    Case(
        "twins: the order most favourable to the family",
        "2024-08-01",
        3,
        20000,
        (Kid("full", "2021-05-05"), Kid("part", "2021-05-05", "0.6")),
        # base 311. "full" first: 311 + (124.40 → 124 × 0.60 = 74.40 → 74) = 385;
        # "part" first: (311 × 0.60 = 186.60 → 187) + 124 = 311. The lower: 311.
        {"part": "187", "full": "124"},
    ),
    Case(
        "a child in pre-primary education only counts as a sibling",
        "2024-08-01",
        5,
        9000,
        (
            Kid("young", "2023-01-01"),
            Kid("pre", "2020-03-03", "0"),
            Kid("old", "2019-01-01", "0.6"),
        ),
        # base 250 (as the three-children case); "pre" is second (no fee, not on the decision);
        # old is third: 20 % × 250 = 50 × 0.60 = 30 = minimum 30 → charged.
        {"young": "250", "old": "30"},
    ),
)


def family_of(case: Case) -> FamilyInput:
    income = Income(None if case.income_euros is None else case.income_euros * 100)
    return FamilyInput(
        case.size,
        (income,),
        tuple(
            ChildInput(
                kid.id,
                datetime.date.fromisoformat(kid.born),
                Decimal(kid.coefficient),
                kid.alterations,
                kid.hours,
            )
            for kid in case.kids
        ),
        deductions=tuple(Deduction(euros * 100) for euros in case.deductions_euros),
    )


def test_there_are_thirteen_hand_computed_cases() -> None:
    assert len(CASES) == 13


@pytest.mark.parametrize("case", CASES + OWN_CASES, ids=lambda case: case.name)
def test_the_engine_gives_the_hand_computed_fee(case: Case) -> None:
    fee = calculate_fees(statutory_row(case.row), family_of(case))
    expected = {key: int(Decimal(euros) * 100) for key, euros in case.expected_euros.items()}
    assert {child.id: child.final_fee for child in fee.children} == expected
    assert fee.total_fee == sum(expected.values())
