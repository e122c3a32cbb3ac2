"""Properties of the fee engine over generated families and parameter rows.

What is NOT a property: "adding a child never lowers the family's total". A younger part-time
child takes rank 1, the older child drops to the sibling share and may fall under the minimum
fee; the total then goes down (see the example test at the end). What holds instead: adding
a child never raises the fees of the others, and adding an older child leaves them alone.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kuntarobo.robots.ecec_fees.fees import (
    PART_TIME_MAX_SHARE,
    Alteration,
    ChildInput,
    Deduction,
    FamilyFee,
    FamilyInput,
    FeeParameters,
    Income,
    _child_fee,
    calculate_fees,
    explain,
    round_to_euros,
)
from tests.robots.ecec_fees.test_fees import ROWS, row

D = Decimal

statutory_rows = st.sampled_from(sorted(ROWS)).map(row)


@st.composite
def generated_rows(draw: st.DrawFn) -> FeeParameters:
    """Parameter rows beyond the statutory ones: any increasing thresholds, any valid shares."""
    steps = draw(st.lists(st.integers(0, 200_000), min_size=5, max_size=5))
    start = draw(st.integers(0, 600_000))
    thresholds = {}
    level = start
    for size, step in zip(range(2, 7), steps, strict=True):
        level += step
        thresholds[size] = level
    max_fee = draw(st.integers(1, 600)) * 100
    min_fee = draw(st.integers(0, max_fee // 100)) * 100
    first_share = draw(st.integers(1, 100))
    rest = draw(st.lists(st.integers(1, first_share), max_size=3))
    shares = (100, first_share, *sorted(rest, reverse=True))
    return FeeParameters(
        income_percentage=D(draw(st.integers(1, 300))) / 10,
        income_thresholds=thresholds,
        threshold_increase_per_further_child=draw(st.integers(0, 50_000)),
        max_fee=max_fee,
        min_fee=min_fee,
        sibling_percentages=shares,
    )


parameter_rows = st.one_of(statutory_rows, generated_rows())
coefficients = st.one_of(
    st.sampled_from([D("0.6"), D("0.7"), D("0.85"), D(1)]),
    st.integers(1, 100).map(lambda n: D(n) / 100),
)
alterations = st.one_of(
    st.builds(
        Alteration,
        kind=st.sampled_from(["discount", "increase"]),
        percent=st.integers(0, 1000).map(lambda n: D(n) / 10),
        reason=st.just("decided"),
    ),
    st.builds(
        Alteration,
        kind=st.sampled_from(["discount", "increase"]),
        amount=st.integers(0, 40_000),
    ),
)
birth_dates = st.dates(datetime.date(2017, 1, 1), datetime.date(2025, 6, 30))


@st.composite
def children_strategy(
    draw: st.DrawFn, *, with_alterations: bool = True, min_size: int = 1, max_size: int = 5
) -> tuple[ChildInput, ...]:
    ids = draw(
        st.lists(
            st.text("abcxyz019", min_size=1, max_size=3),
            min_size=min_size,
            max_size=max_size,
            unique=True,
        )
    )
    return tuple(
        ChildInput(
            cid,
            draw(birth_dates),
            draw(coefficients),
            tuple(draw(st.lists(alterations, max_size=2))) if with_alterations else (),
        )
        for cid in ids
    )


@st.composite
def families(
    draw: st.DrawFn, *, reported: bool = False, with_alterations: bool = True
) -> FamilyInput:
    children = draw(children_strategy(with_alterations=with_alterations))
    size = len(children) + 1 + draw(st.integers(0, 4))
    amounts = draw(st.lists(st.integers(0, 1_500_000), max_size=3))
    incomes = [Income(amount) for amount in amounts]
    accepts = False
    if not reported:
        if draw(st.booleans()) and draw(st.booleans()):
            incomes.append(Income(None))
        accepts = draw(st.integers(0, 9)) == 0
    return FamilyInput(size, tuple(incomes), children, accepts)


def final_fees(fee: FamilyFee) -> dict[str, int]:
    return {child.id: child.final_fee for child in fee.children}


@settings(max_examples=200, deadline=None)
@given(parameter_rows, families())
def test_every_fee_lies_between_zero_and_the_maximum_fee(parameters, family):
    fee = calculate_fees(parameters, family)
    for child in fee.children:
        assert 0 <= child.final_fee <= parameters.max_fee
        assert 0 <= child.fee_before_alterations <= child.sibling_fee <= child.base_fee
        assert child.base_fee <= parameters.max_fee
        # Before alterations a fee is whole euros, and either nothing or at least the minimum.
        assert child.fee_before_alterations % 100 == 0
        assert child.fee_before_alterations == 0 or (
            child.fee_before_alterations >= parameters.min_fee
        )


@settings(max_examples=100, deadline=None)
@given(parameter_rows, families())
def test_the_total_is_the_sum_of_the_childrens_fees(parameters, family):
    fee = calculate_fees(parameters, family)
    assert fee.total_fee == sum(child.final_fee for child in fee.children)
    assert len(fee.children) == len(family.children)


@settings(max_examples=200, deadline=None)
@given(parameter_rows, families(reported=True), st.integers(1, 1_000_000))
def test_a_higher_income_never_lowers_any_fee_nor_the_total(parameters, family, raise_by):
    richer = dataclasses.replace(family, incomes=(*family.incomes, Income(raise_by)))
    before = calculate_fees(parameters, family)
    after = calculate_fees(parameters, richer)
    assert after.total_fee >= before.total_fee
    # Twins may change places to the family's benefit: then only the total is compared.
    assume(len({c.birth_date for c in family.children}) == len(family.children))
    for old, new in zip(before.children, after.children, strict=True):
        assert old.id == new.id
        assert new.base_fee >= old.base_fee
        assert new.fee_before_alterations >= old.fee_before_alterations
        assert new.final_fee >= old.final_fee


@settings(max_examples=200, deadline=None)
@given(parameter_rows, families())
def test_a_siblings_fee_never_exceeds_its_percentage_of_the_youngest_childs_fee(parameters, family):
    fee = calculate_fees(parameters, family)
    youngest = fee.children[0]
    assert youngest.sibling_rank == 1
    assert youngest.sibling_percentage == 100
    for rank, child in enumerate(fee.children, start=1):
        assert child.sibling_rank == rank
        assert child.sibling_percentage == parameters.sibling_percentage(rank)
        share = round_to_euros(D(child.sibling_percentage) * child.base_fee / 100)
        assert child.sibling_fee == share
        assert child.fee_before_alterations <= share
        # The youngest's full-time fee is the base of every share.
        assert child.base_fee == youngest.base_fee


@settings(max_examples=100, deadline=None)
@given(parameter_rows, families())
def test_the_children_are_ranked_youngest_first_and_twins_in_the_cheapest_order(parameters, family):
    fee = calculate_fees(parameters, family)
    ages = [-c.birth_date.toordinal() for c in fee.children]
    assert ages == sorted(ages)
    # No order of the children born on the same day costs the family less.
    for order in itertools.permutations(family.children):
        if [c.birth_date for c in order] != [c.birth_date for c in fee.children]:
            continue
        ranked = tuple(
            _child_fee(parameters, child, rank, fee.children[0].base_fee)
            for rank, child in enumerate(order, start=1)
        )
        assert fee.total_fee <= sum(child.final_fee for child in ranked)


@settings(max_examples=100, deadline=None)
@given(parameter_rows, families(), st.randoms(use_true_random=False))
def test_the_order_of_the_children_and_their_alterations_does_not_matter(
    parameters, family, random
):
    children = [
        dataclasses.replace(c, alterations=tuple(random.sample(c.alterations, len(c.alterations))))
        for c in family.children
    ]
    random.shuffle(children)
    shuffled = dataclasses.replace(family, children=tuple(children))
    assert final_fees(calculate_fees(parameters, shuffled)) == final_fees(
        calculate_fees(parameters, family)
    )


@settings(max_examples=200, deadline=None)
@given(parameter_rows, families(with_alterations=False), coefficients)
def test_more_service_need_never_lowers_a_childs_fee(parameters, family, coefficient):
    first = family.children[0]
    assume(coefficient >= first.service_need_coefficient)
    more = dataclasses.replace(first, service_need_coefficient=coefficient)
    changed = dataclasses.replace(family, children=(more, *family.children[1:]))
    before_fee = calculate_fees(parameters, family)
    after_fee = calculate_fees(parameters, changed)
    assert after_fee.total_fee >= before_fee.total_fee
    twins = len({c.birth_date for c in family.children}) < len(family.children)
    assume(not twins)  # twins may change places to the family's benefit (tested above)
    before = final_fees(before_fee)
    after = final_fees(after_fee)
    assert after[first.id] >= before[first.id]
    assert {k: v for k, v in after.items() if k != first.id} == {
        k: v for k, v in before.items() if k != first.id
    }


@settings(max_examples=200, deadline=None)
@given(parameter_rows, families(), birth_dates, coefficients)
def test_adding_a_child_in_ecec_never_raises_the_others_fees(parameters, family, born, coefficient):
    # A newcomer born on a sibling's day joins the twins, whose order is then chosen anew for
    # the lowest total: one of them may then pay more (the family less).
    assume(born not in {child.birth_date for child in family.children})
    newcomer = ChildInput("new-child", born, coefficient)
    # The child was already in the household (size unchanged), now also in ECEC.
    size = max(family.size, len(family.children) + 2)
    before = calculate_fees(parameters, dataclasses.replace(family, size=size))
    after = calculate_fees(
        parameters,
        dataclasses.replace(family, size=size, children=(*family.children, newcomer)),
    )
    new_fees = final_fees(after)
    for child in before.children:
        assert new_fees[child.id] <= child.final_fee


@settings(max_examples=100, deadline=None)
@given(parameter_rows, families(), coefficients)
def test_adding_an_older_child_leaves_the_others_fees_alone(parameters, family, coefficient):
    eldest = min(child.birth_date for child in family.children)
    newcomer = ChildInput("older-child", eldest - datetime.timedelta(days=1), coefficient)
    size = max(family.size, len(family.children) + 2)
    before = calculate_fees(parameters, dataclasses.replace(family, size=size))
    after = calculate_fees(
        parameters,
        dataclasses.replace(family, size=size, children=(*family.children, newcomer)),
    )
    assert {k: v for k, v in final_fees(after).items() if k != "older-child"} == final_fees(before)
    assert after.total_fee >= before.total_fee


@settings(max_examples=200, deadline=None)
@given(parameter_rows, families(reported=True))
def test_a_missing_income_charges_what_a_family_earning_enough_for_the_maximum_pays(
    parameters, family
):
    missing = dataclasses.replace(family, incomes=(*family.incomes, Income(None)))
    # An income so high that 10.7 % (or any percentage) of its excess reaches the maximum.
    rich = dataclasses.replace(family, incomes=(Income(10**10),))
    missing_fee = calculate_fees(parameters, missing)
    rich_fee = calculate_fees(parameters, rich)
    assert missing_fee.maximum_fee_used
    assert missing_fee.income_total is None
    assert final_fees(missing_fee) == final_fees(rich_fee)
    assert rich_fee.children[0].base_fee == parameters.max_fee


@settings(max_examples=100, deadline=None)
@given(parameter_rows, families())
def test_every_step_of_any_family_can_be_explained_in_every_language(parameters, family):
    fee = calculate_fees(parameters, family)
    steps = [*fee.steps, *(step for child in fee.children for step in child.steps)]
    for language in ("fi", "sv", "en"):
        for step in steps:
            text = explain(step, language)
            assert text
            assert "{" not in text


def test_adding_a_younger_part_time_child_can_lower_the_family_total():
    # Why "adding a child never lowers the total" is not a property: 2024 row, a family of
    # 3 with 5806 €/month: 10.7 % × (5806 − 5245) = 60.027 → 60 €.
    parameters = row("2024-08-01")
    older = ChildInput("older", datetime.date(2020, 1, 1))
    alone = FamilyInput(3, (Income(580600),), (older,))
    assert calculate_fees(parameters, alone).total_fee == 6000
    # The younger child, part-time 0.6, takes rank 1: 0.6 × 60 = 36 €. The older now pays
    # 40 % × 60 = 24 €, below the 30 € minimum, so nothing: the total falls from 60 € to 36 €.
    younger = ChildInput("younger", datetime.date(2023, 1, 1), D("0.6"))
    both = calculate_fees(parameters, dataclasses.replace(alone, children=(older, younger)))
    assert final_fees(both) == {"younger": 3600, "older": 0}
    assert both.total_fee == 3600


@settings(max_examples=200, deadline=None)
@given(parameter_rows, families(), st.lists(st.integers(0, 744), min_size=12, max_size=12))
def test_after_every_alteration_no_fee_exceeds_the_acts_cap_for_its_rank_and_hours(
    parameters, family, hours
):
    children = tuple(
        dataclasses.replace(c, hours_per_month=h)
        for c, h in zip(family.children, hours, strict=False)
    )
    fee = calculate_fees(parameters, dataclasses.replace(family, children=children))
    by_id = {c.id: c for c in children}
    for child in fee.children:
        cap = parameters.max_fee if child.sibling_rank == 1 else child.sibling_fee
        if by_id[child.id].part_time:
            cap = round_to_euros(child.sibling_fee * PART_TIME_MAX_SHARE)
        assert 0 <= child.final_fee <= cap


@settings(max_examples=100, deadline=None)
@given(parameter_rows, families(), st.integers(1, 2_000_000))
def test_a_deduction_from_the_income_never_raises_a_fee(parameters, family, amount):
    deducted = dataclasses.replace(family, deductions=(Deduction(amount, "elatusapu", "x"),))
    before = calculate_fees(parameters, family)
    after = calculate_fees(parameters, deducted)
    assert after.total_fee <= before.total_fee
    if before.income_total is not None:
        assert after.income_total == max(before.income_total - amount, 0)
