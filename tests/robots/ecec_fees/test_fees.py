"""The fee engine against the rules of act 1503/2016 and the statutory parameter rows.

Fees are in cents. Each figure in a comment is worked out by hand from the rule it tests.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest

from kuntarobo.robots.ecec_fees.fees import (
    STEP_RULES,
    Alteration,
    ChildInput,
    Deduction,
    FamilyFee,
    FamilyInput,
    FeeParameters,
    Income,
    Step,
    calculate_fees,
    child_explanation_lines,
    coefficient_for_hours,
    explain,
    explanation_lines,
    format_euros,
)

D = Decimal
NBSP = "\u00a0"

# valid from: (thresholds for sizes 2..6 in euros, increase per further child, max, min,
# sibling percentages); the income percentage is 10.7 in every row.
ROWS: dict[str, tuple[tuple[int, ...], int, int, int, tuple[int, ...]]] = {
    "2018-08-01": ((2102, 2713, 3080, 3447, 3813), 142, 289, 27, (100, 50, 20)),
    "2020-08-01": ((2136, 2756, 3129, 3502, 3874), 144, 288, 27, (100, 50, 20)),
    "2021-08-01": ((2798, 3610, 4099, 4588, 5075), 189, 288, 27, (100, 40, 20)),
    "2022-08-01": ((2913, 3758, 4267, 4777, 5284), 197, 295, 28, (100, 40, 20)),
    "2023-03-01": ((3874, 4998, 5675, 6353, 7028), 262, 295, 28, (100, 40, 20)),
    "2024-08-01": ((4066, 5245, 5956, 6667, 7376), 275, 311, 30, (100, 40, 20)),
}


def row(valid_from: str = "2024-08-01") -> FeeParameters:
    thresholds, increase, max_fee, min_fee, siblings = ROWS[valid_from]
    return FeeParameters(
        income_percentage=D("10.7"),
        income_thresholds={
            size: euros * 100 for size, euros in zip(range(2, 7), thresholds, strict=True)
        },
        threshold_increase_per_further_child=increase * 100,
        max_fee=max_fee * 100,
        min_fee=min_fee * 100,
        sibling_percentages=siblings,
        valid_from=datetime.date.fromisoformat(valid_from),
    )


P2024 = row()


def child(cid: str, born: str, coefficient: str = "1", *alterations: Alteration) -> ChildInput:
    return ChildInput(cid, datetime.date.fromisoformat(born), D(coefficient), alterations)


def family(size: int, income_euros: int | None, *children: ChildInput, **kw) -> FamilyInput:
    amount = None if income_euros is None else income_euros * 100
    return FamilyInput(size, (Income(amount),), children, **kw)


def fees_of(fee: FamilyFee) -> dict[str, int]:
    return {c.id: c.final_fee for c in fee.children}


def plain(lines: list[str]) -> list[str]:
    """Explanation lines with non-breaking spaces made plain, to compare with typed text."""
    return [line.replace(NBSP, " ") for line in lines]


def worked_example() -> FamilyFee:
    return calculate_fees(
        P2024, family(3, 6000, child("older", "2020-03-10"), child("younger", "2022-06-01"))
    )


# --- The worked example ------------------------------------------------------------------


def test_the_worked_example_of_the_2024_parameters_gives_113_euros():
    fee = worked_example()
    # 10.7 % × (6000 − 5245) = 80.785 → 81 €; the older pays 40 % × 81 = 32.4 → 32 €.
    assert fee.total_fee == 11300
    assert fee.income_total == 600000
    assert fee.threshold == 524500
    assert fee.family_size == 3
    assert not fee.maximum_fee_used
    younger, older = fee.children
    assert (younger.id, younger.sibling_rank, younger.sibling_percentage) == ("younger", 1, 100)
    assert (older.id, older.sibling_rank, older.sibling_percentage) == ("older", 2, 40)
    assert younger.base_fee == older.base_fee == 8100
    assert (younger.sibling_fee, younger.fee_before_alterations, younger.final_fee) == (
        8100,
        8100,
        8100,
    )
    assert (older.sibling_fee, older.fee_before_alterations, older.final_fee) == (3200, 3200, 3200)
    assert not younger.minimum_fee_applied
    assert not older.minimum_fee_applied


def test_the_worked_example_is_explained_in_finnish():
    lines = plain(explanation_lines(worked_example(), "fi"))
    assert "Perheen koko 3 henkeä; varhaiskasvatuksessa 2 lasta" in lines
    assert "Perheen bruttotulot yhteensä 6 000,00 €/kk" in lines
    assert "Tuloraja 3 hengen perheelle 5 245,00 € (voimassa 1.8.2024 alkaen)" in lines
    assert (
        "Perusmaksu: 10,7 % × (6 000,00 € − 5 245,00 €) = 80,79 € → pyöristetään täysiin "
        "euroihin 81,00 €"
    ) in lines
    assert "Sisarusjärjestys syntymäpäivän mukaan, nuorin ensin: younger, older" in lines
    assert "Maksun peruste: laki varhaiskasvatuksen asiakasmaksuista (1503/2016), 5 ja 8 §" in lines
    assert "younger: Nuorin lapsi: 100 % × 81,00 € = 81,00 €" in lines
    assert "older: Toinen lapsi: 40 % × 81,00 € = 32,40 € → 32,00 €" in lines
    assert "older: Kuukausimaksu 32,00 €" in lines
    assert lines[-1] == "Perheen maksut yhteensä 113,00 €/kk"


def test_the_worked_example_is_explained_in_swedish():
    lines = plain(explanation_lines(worked_example(), "sv"))
    assert "Familjens storlek 3 personer; 2 barn i småbarnspedagogik" in lines
    assert "Familjens bruttoinkomster sammanlagt 6 000,00 €/mån" in lines
    assert (
        "Inkomstgränsen för en familj på 3 personer är 5 245,00 € (gäller från 1.8.2024)" in lines
    )
    assert (
        "Grundavgift: 10,7 % × (6 000,00 € − 5 245,00 €) = 80,79 € → avrundas till hela euro "
        "81,00 €"
    ) in lines
    assert "younger: Yngsta barnet: 100 % × 81,00 € = 81,00 €" in lines
    assert "older: Andra barnet: 40 % × 81,00 € = 32,40 € → 32,00 €" in lines
    assert "older: Månadsavgift 32,00 €" in lines
    assert any("lagen om klientavgifter inom småbarnspedagogiken (1503/2016)" in x for x in lines)
    assert lines[-1] == "Familjens avgifter sammanlagt 113,00 €/mån"


def test_the_worked_example_is_explained_in_english():
    lines = explanation_lines(worked_example(), "en")
    assert "Family's gross income in total €6,000.00/month" in lines
    assert (
        "Income threshold for a family of 3 persons: €5,245.00 (in force from 1 August 2024)"
        in (lines)
    )
    assert (
        "Base fee: 10.7% × (€6,000.00 − €5,245.00) = €80.79 → rounded to whole euros €81.00"
    ) in lines
    assert "older: Second child: 40% × €81.00 = €32.40 → €32.00" in lines
    assert lines[-1] == "Family's fees in total €113.00/month"


def test_explanation_lines_give_family_steps_then_each_child_prefixed_by_its_id():
    fee = worked_example()
    lines = explanation_lines(fee, "en")
    family_lines = len(fee.steps) - 1  # the total comes last
    assert not any(line.startswith(("younger:", "older:")) for line in lines[:family_lines])
    child_part = lines[family_lines:-1]
    n_younger = len(fee.children[0].steps)
    assert all(line.startswith("younger: ") for line in child_part[:n_younger])
    assert all(line.startswith("older: ") for line in child_part[n_younger:])


def test_a_childs_own_explanation_lines_have_no_prefix():
    fee = worked_example()
    assert child_explanation_lines(fee, "older", "fi") == [
        "Toinen lapsi: 40 % × 81,00 € = 32,40 € → 32,00 €",
        "Kuukausimaksu 32,00 €",
    ]
    with pytest.raises(ValueError, match="no child 'nobody'"):
        child_explanation_lines(fee, "nobody", "fi")


# --- Family size and thresholds ----------------------------------------------------------


def test_thresholds_are_given_for_family_sizes_two_to_six():
    assert [P2024.threshold_for(n) for n in range(2, 7)] == [
        406600,
        524500,
        595600,
        666700,
        737600,
    ]


def test_families_over_six_persons_get_the_increase_for_each_further_child():
    assert P2024.threshold_for(7) == 737600 + 27500
    assert P2024.threshold_for(9) == 737600 + 3 * 27500
    assert row("2018-08-01").threshold_for(8) == 381300 + 2 * 14200


def test_a_family_of_eight_pays_on_the_raised_threshold_and_says_so():
    fee = calculate_fees(P2024, family(8, 9000, child("a", "2021-01-01")))
    # threshold 7376 + 2 × 275 = 7926; 10.7 % × (9000 − 7926) = 114.918 → 115 €
    assert fee.threshold == 792600
    assert fee.total_fee == 11500
    lines = plain(explanation_lines(fee, "fi"))
    assert (
        "Tuloraja 8 hengen perheelle: 7 376,00 € (6 hengen perhe) + 2 × 275,00 € = 7 926,00 € "
        "(voimassa 1.8.2024 alkaen)"
    ) in lines


def test_a_family_size_below_two_is_refused():
    with pytest.raises(ValueError, match="at least 2"):
        calculate_fees(P2024, family(1, 3000, child("a", "2021-01-01")))
    with pytest.raises(ValueError, match="at least 2"):
        P2024.threshold_for(1)


def test_the_family_size_must_hold_an_adult_and_every_child_in_ecec():
    with pytest.raises(ValueError, match="too small for 2 children"):
        calculate_fees(P2024, family(2, 3000, child("a", "2021-01-01"), child("b", "2019-01-01")))
    # One parent and two children in ECEC is a family of three.
    calculate_fees(P2024, family(3, 3000, child("a", "2021-01-01"), child("b", "2019-01-01")))


def test_a_family_without_children_or_with_a_child_twice_is_refused():
    with pytest.raises(ValueError, match="at least one child"):
        calculate_fees(P2024, family(2, 3000))
    with pytest.raises(ValueError, match="'a' is given twice"):
        calculate_fees(P2024, family(3, 3000, child("a", "2021-01-01"), child("a", "2019-01-01")))


def test_children_at_home_count_in_the_family_size_and_lower_the_fee():
    # Two adults, one child in ECEC and one at home: size 4 → threshold 5956.
    at_home = calculate_fees(P2024, family(4, 6000, child("a", "2021-01-01")))
    alone = calculate_fees(P2024, family(3, 6000, child("a", "2021-01-01")))
    # 10.7 % × (6000 − 5956) = 4.708 → 5 € → below the minimum, not charged
    assert at_home.children[0].sibling_fee == 500
    assert at_home.total_fee == 0
    assert alone.total_fee == 8100


# --- Income and the base fee -------------------------------------------------------------


def test_the_family_income_is_the_sum_of_the_gross_incomes():
    incomes = (Income(350000, "salary"), Income(250000, "salary"), Income(0, "benefit"))
    fee = calculate_fees(P2024, FamilyInput(3, incomes, (child("a", "2021-01-01"),)))
    assert fee.income_total == 600000
    assert fee.total_fee == 8100
    lines = plain(explanation_lines(fee, "fi"))
    assert "Tulo 1 (salary): 3 500,00 €/kk" in lines
    assert "Tulo 3 (benefit): 0,00 €/kk" in lines


def test_an_income_at_the_threshold_gives_no_fee_and_says_the_threshold_is_not_exceeded():
    fee = calculate_fees(P2024, family(2, 4066, child("a", "2021-01-01")))
    assert fee.total_fee == 0
    assert fee.children[0].base_fee == 0
    assert not fee.children[0].minimum_fee_applied  # nothing to waive
    assert "Perusmaksu 0,00 €: tulot 4 066,00 € eivät ylitä tulorajaa 4 066,00 €" in plain(
        explanation_lines(fee, "fi")
    )


def test_the_base_fee_never_exceeds_the_maximum_fee():
    fee = calculate_fees(P2024, family(2, 20000, child("a", "2021-01-01")))
    # 10.7 % × (20000 − 4066) = 1704.94 € → at most 311 €
    assert fee.children[0].base_fee == 31100
    assert fee.total_fee == 31100
    assert (
        "Base fee: 10.7% × (€20,000.00 − €4,066.00) = €1,704.94 → at most the maximum fee €311.00"
    ) in explanation_lines(fee, "en")


def test_the_historical_rows_give_their_own_fees():
    # A family of 3 with 4000 €/month and one full-time child:
    # 2018: 10.7 % × (4000 − 2713) = 137.709 → 138 €; 2021: × (4000 − 3610) = 41.73 → 42 €;
    # 2023-03: 4000 < 4998 → 0 €.
    expected = {"2018-08-01": 13800, "2021-08-01": 4200, "2023-03-01": 0}
    for valid_from, total in expected.items():
        fee = calculate_fees(row(valid_from), family(3, 4000, child("a", "2021-01-01")))
        assert fee.total_fee == total, valid_from


# --- Siblings ----------------------------------------------------------------------------


def test_the_second_child_paid_50_percent_in_2020_and_pays_40_percent_from_2021():
    kids = (child("young", "2021-01-01"), child("old", "2018-01-01"))
    # 2020 row: 10.7 % × (3756 − 2756) = 107 €; the second child 50 % × 107 = 53.5 → 54 €
    before = calculate_fees(row("2020-08-01"), family(3, 3756, *kids))
    assert fees_of(before) == {"young": 10700, "old": 5400}
    # 2021 row: 10.7 % × (4610 − 3610) = 107 €; the second child 40 % × 107 = 42.8 → 43 €
    after = calculate_fees(row("2021-08-01"), family(3, 4610, *kids))
    assert fees_of(after) == {"young": 10700, "old": 4300}
    # The 2018 row had the same 50 %.
    assert fees_of(calculate_fees(row("2018-08-01"), family(3, 3713, *kids)))["old"] == 5400


def test_every_further_child_pays_the_last_percentage_of_the_youngest_childs_fee():
    kids = [child(f"c{i}", f"201{i}-01-01") for i in range(5, 9)]
    fee = calculate_fees(P2024, family(6, 10000, *kids))
    # size 6: 10.7 % × (10000 − 7376) = 280.768 → 281 €; 40 % = 112.4 → 112;
    # 20 % = 56.2 → 56 for the third and the fourth child.
    assert [c.id for c in fee.children] == ["c8", "c7", "c6", "c5"]
    assert [c.sibling_percentage for c in fee.children] == [100, 40, 20, 20]
    assert [c.final_fee for c in fee.children] == [28100, 11200, 5600, 5600]
    assert fee.total_fee == 28100 + 11200 + 5600 + 5600
    lines = plain(explanation_lines(fee, "fi"))
    assert "c6: Kolmas lapsi: 20 % × 281,00 € = 56,20 € → 56,00 €" in lines
    assert "c5: Neljäs lapsi: 20 % × 281,00 € = 56,20 € → 56,00 €" in lines


def test_siblings_pay_their_share_of_the_youngest_childs_full_time_fee_even_if_it_is_part_time():
    # The youngest is part-time (0.6): it pays 0.6 × 81 = 48.6 → 49 €; the older still pays
    # 40 % of the youngest's full-time fee 81 €, not of 49 €.
    fee = calculate_fees(
        P2024, family(3, 6000, child("young", "2022-01-01", "0.6"), child("old", "2019-01-01"))
    )
    assert fees_of(fee) == {"young": 4900, "old": 3200}
    assert fee.children[1].base_fee == 8100


def test_twins_of_equal_fees_keep_the_order_of_their_ids_and_the_explanation_says_why():
    fee = calculate_fees(P2024, family(3, 6000, child("b", "2021-05-05"), child("a", "2021-05-05")))
    # Both orders cost 81 + 32 €: the first order tried (by id) stays.
    assert [(c.id, c.sibling_rank) for c in fee.children] == [("a", 1), ("b", 2)]
    order = next(step for step in fee.steps if step.rule == "sibling_order")
    assert order.values["ties"] == "a, b"
    assert order.values["orders_tried"] == "2"
    fi = plain(explanation_lines(fee, "fi"))
    assert (
        "Sisarusjärjestys syntymäpäivän mukaan, nuorin ensin: a, b "
        "(samana päivänä syntyneet a, b: järjestys, jossa perheen maksut ovat pienimmät)"
    ) in fi
    english = plain(explanation_lines(fee, "en"))
    assert any(
        "born on the same day, a, b: in the order that gives the family the lowest fees" in line
        for line in english
    )
    assert any(
        "födda samma dag, a, b: i den ordning" in line for line in explanation_lines(fee, "sv")
    )


def test_twins_are_ordered_the_way_most_favourable_to_the_family_whatever_their_ids():
    # Maximum fee 311 €; "full" full-time, "part" 0.60. "full" first: 311 + 40 % × 311 = 124.40
    # → 124 × 0.60 = 74.40 → 74, total 385 €. "part" first: 311 × 0.60 = 186.60 → 187, then
    # 124 for "full": total 311 €. The review saw these 74 € follow the ids; now the lower wins.
    for full, part in (("a", "b"), ("b", "a")):
        fee = calculate_fees(
            P2024,
            family(3, 20000, child(full, "2021-05-05"), child(part, "2021-05-05", "0.6")),
        )
        assert fees_of(fee) == {part: 18700, full: 12400}
        assert fee.total_fee == 31100
        assert [c.id for c in fee.children] == [part, full]


def test_triplets_try_every_order_and_an_older_sibling_stays_last():
    kids = [
        child("t1", "2022-02-02"),
        child("t2", "2022-02-02", "0.6"),
        child("t3", "2022-02-02", "0.7"),
        child("old", "2019-01-01"),
    ]
    fee = calculate_fees(P2024, family(5, 20000, *kids))
    order = next(step for step in fee.steps if step.rule == "sibling_order")
    assert order.values["orders_tried"] == "6"
    assert fee.children[-1].id == "old"
    # Every order of the triplets costs at least this much (hand check of all 6 below).
    totals = []
    import itertools

    for perm in itertools.permutations(kids[:3]):
        ranked = [*perm, kids[3]]
        total = 0
        for rank, kid in enumerate(ranked, start=1):
            share = {1: 31100, 2: 12400, 3: 6200, 4: 6200}[rank]  # 311, 124.40→124, 62.20→62
            total += round_half_up_euros(share * kid.service_need_coefficient)
        totals.append(total)
    assert fee.total_fee == min(totals)


def round_half_up_euros(cents):
    from kuntarobo.robots.ecec_fees.fees import round_to_euros

    return round_to_euros(D(cents))


def test_the_input_order_of_the_children_does_not_matter():
    kids = [child("a", "2019-01-01", "0.7"), child("b", "2022-02-02"), child("c", "2020-03-03")]
    first = calculate_fees(P2024, family(5, 8000, *kids))
    second = calculate_fees(P2024, family(5, 8000, *reversed(kids)))
    assert first == second


# --- Part-time ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("coefficient", "expected"),
    [("0.6", 4900), ("0.7", 5700), ("0.85", 6900), ("1.0", 8100)],
)
def test_part_time_pays_the_service_need_share_rounded_to_euros(coefficient, expected):
    # 81 € × 0.6 = 48.6 → 49; × 0.7 = 56.7 → 57; × 0.85 = 68.85 → 69
    fee = calculate_fees(P2024, family(3, 6000, child("a", "2021-01-01", coefficient)))
    assert fee.total_fee == expected
    assert fee.children[0].service_need_coefficient == D(coefficient)


def test_the_part_time_step_is_explained_with_its_coefficient():
    fee = calculate_fees(P2024, family(3, 6000, child("a", "2021-01-01", "0.6")))
    assert "a: Palveluntarve 0,60 × 81,00 € = 48,60 € → 49,00 €" in plain(
        explanation_lines(fee, "fi")
    )
    assert "a: Servicebehov 0,60 × 81,00 € = 48,60 € → 49,00 €" in plain(
        explanation_lines(fee, "sv")
    )
    assert "a: Service need 0.60 × €81.00 = €48.60 → €49.00" in explanation_lines(fee, "en")


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (0, "0.60"),
        (84, "0.60"),
        (85, "0.70"),
        (105, "0.70"),
        (106, "0.85"),
        (146, "0.85"),
        (147, "1.00"),
        (400, "1.00"),
    ],
)
def test_the_hour_bands_give_the_coefficient_at_their_edges(hours, expected):
    bands = [(84, D("0.60")), (105, D("0.70")), (146, D("0.85")), (None, D("1.00"))]
    assert coefficient_for_hours(bands, hours) == D(expected)


def test_hours_outside_every_band_or_bands_out_of_order_are_refused():
    with pytest.raises(ValueError, match="no hour band holds 150"):
        coefficient_for_hours([(84, D("0.6")), (146, D("0.85"))], 150)
    with pytest.raises(ValueError, match="increasing order"):
        coefficient_for_hours([(105, D("0.7")), (84, D("0.6")), (None, D(1))], 100)
    with pytest.raises(ValueError, match="only the last"):
        coefficient_for_hours([(None, D("0.6")), (84, D("0.6"))], 10)
    with pytest.raises(ValueError, match="negative"):
        coefficient_for_hours([(None, D(1))], -1)


def test_a_service_need_coefficient_outside_zero_to_one_is_refused():
    for bad in ("1.01", "-0.5", "NaN"):
        with pytest.raises(ValueError, match="coefficient"):
            child("a", "2021-01-01", bad)


# --- Minimum fee -------------------------------------------------------------------------


def test_a_fee_of_29_euros_is_not_charged_with_a_30_euro_minimum():
    # 10.7 % × (4336 − 4066) = 28.89 → 29 € < 30 € → 0
    fee = calculate_fees(P2024, family(2, 4336, child("a", "2021-01-01")))
    only = fee.children[0]
    assert (only.sibling_fee, only.fee_before_alterations, only.final_fee) == (2900, 0, 0)
    assert only.minimum_fee_applied
    assert "a: Alle vähimmäismaksun 30,00 € jäävää maksua ei peritä: 29,00 € → 0,00 €" in plain(
        explanation_lines(fee, "fi")
    )
    assert "a: En avgift som understiger minimiavgiften 30,00 € tas inte ut: 29,00 € → 0,00 €" in (
        plain(explanation_lines(fee, "sv"))
    )


def test_a_fee_of_exactly_30_euros_is_charged():
    # 10.7 % × (4346 − 4066) = 29.96 → 30 €
    fee = calculate_fees(P2024, family(2, 4346, child("a", "2021-01-01")))
    assert fee.total_fee == 3000
    assert not fee.children[0].minimum_fee_applied


def test_the_minimum_fee_rule_applies_after_the_sibling_share_and_the_coefficient():
    # 81 € → second child 32 € → part-time 0.7 × 32 = 22.4 → 22 € < 30 € → 0
    fee = calculate_fees(
        P2024, family(3, 6000, child("young", "2022-01-01"), child("old", "2019-01-01", "0.7"))
    )
    old = fee.children[1]
    assert (old.sibling_fee, old.fee_before_alterations, old.final_fee) == (3200, 0, 0)
    assert old.minimum_fee_applied
    assert fee.total_fee == 8100


# --- Rounding ----------------------------------------------------------------------------


def test_the_base_fee_is_rounded_half_up_to_whole_euros():
    # 10.7 % × (5566 − 4066) = 10.7 % × 1500 = 160.5 € exactly → 161 € (half-even gives 160)
    fee = calculate_fees(P2024, family(2, 5566, child("a", "2021-01-01")))
    assert fee.children[0].base_fee == 16100
    assert (
        "Base fee: 10.7% × (€5,566.00 − €4,066.00) = €160.50 → rounded to whole euros €161.00"
        in (explanation_lines(fee, "en"))
    )


def test_the_sibling_share_is_rounded_half_up_after_the_base_fee_is_rounded():
    # 2020 row, size 3: 10.7 % × (4256 − 2756) = 160.5 → 161 €; the second child
    # 50 % × 161 = 80.5 → 81 € (of the unrounded 160.5 it would be 80.25 → 80)
    kids = (child("young", "2021-01-01"), child("old", "2018-01-01"))
    fee = calculate_fees(row("2020-08-01"), family(3, 4256, *kids))
    assert fees_of(fee) == {"young": 16100, "old": 8100}


def test_the_part_time_fee_is_rounded_half_up_after_the_base_fee_is_rounded():
    # 161 € × 0.5 = 80.5 → 81 € (of the unrounded 160.5 it would be 80.25 → 80)
    fee = calculate_fees(P2024, family(2, 5566, child("a", "2021-01-01", "0.5")))
    assert fee.total_fee == 8100


def test_a_percent_alteration_is_rounded_half_up_to_the_cent():
    # 12.5 % of 81.00 € = 10.125 € → 10.13 €; 81.00 − 10.13 = 70.87 €
    discount = Alteration("discount", percent=D("12.5"))
    fee = calculate_fees(P2024, family(3, 6000, child("a", "2021-01-01", "1", discount)))
    assert fee.total_fee == 7087


# --- Alterations -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alteration", "expected"),
    [
        (Alteration("discount", percent=D("20")), 6480),  # 81 − 16.20
        (Alteration("discount", amount=1000), 7100),  # 81 − 10
        (Alteration("increase", percent=D("10")), 8910),  # 81 + 8.10
        (Alteration("increase", amount=550), 8650),  # 81 + 5.50
        (Alteration("discount", percent=D("100")), 0),
    ],
)
def test_alterations_are_applied_last_and_kept_to_the_cent(alteration, expected):
    fee = calculate_fees(P2024, family(3, 6000, child("a", "2021-01-01", "1", alteration)))
    only = fee.children[0]
    assert only.fee_before_alterations == 8100
    assert only.final_fee == expected
    assert fee.total_fee == expected


def test_the_alterations_are_explained_with_their_figures_and_reason():
    discount = Alteration("discount", percent=D("20"), reason="sibling in school")
    increase = Alteration("increase", amount=500)
    fee = calculate_fees(P2024, family(3, 6000, child("a", "2021-01-01", "1", discount, increase)))
    assert fee.total_fee == 8100 - 1620 + 500
    fi = plain(explanation_lines(fee, "fi"))
    assert "a: Alennus 20 % maksusta 81,00 € = −16,20 € (peruste: sibling in school)" in fi
    assert "a: Korotus +5,00 €" in fi
    sv = plain(explanation_lines(fee, "sv"))
    assert "a: Nedsättning 20 % av avgiften 81,00 € = −16,20 € (grund: sibling in school)" in sv
    assert "a: Förhöjning +5,00 €" in sv
    en = explanation_lines(fee, "en")
    assert "a: Discount 20% of €81.00 = −€16.20 (reason: sibling in school)" in en
    assert "a: Increase +€5.00" in en
    assert "a: Monthly fee €69.80" in en


def test_a_discount_larger_than_the_fee_leaves_nothing_to_pay():
    discount = Alteration("discount", amount=10000)
    fee = calculate_fees(P2024, family(3, 6000, child("a", "2021-01-01", "1", discount)))
    assert fee.total_fee == 0
    assert "a: Maksu ei voi olla negatiivinen: -19,00 € → 0,00 €" in plain(
        explanation_lines(fee, "fi")
    )


def test_an_increase_is_capped_at_the_maximum_fee_and_the_explanation_says_so():
    increase = Alteration("increase", percent=D("10"))
    fee = calculate_fees(P2024, family(2, 20000, child("a", "2021-01-01", "1", increase)))
    # 311 + 31.10 = 342.10 → capped at 311 €
    assert fee.children[0].final_fee == 31100
    assert "a: Maksu voi olla enintään enimmäismaksu 311,00 €: 342,10 € → 311,00 €" in plain(
        explanation_lines(fee, "fi")
    )
    assert "a: The fee is capped at the maximum fee €311.00: €342.10 → €311.00" in (
        explanation_lines(fee, "en")
    )


def test_the_order_of_the_alterations_does_not_matter():
    a = Alteration("discount", amount=9000)
    b = Alteration("increase", percent=D("50"))
    one = calculate_fees(P2024, family(3, 6000, child("x", "2021-01-01", "1", a, b)))
    two = calculate_fees(P2024, family(3, 6000, child("x", "2021-01-01", "1", b, a)))
    # 81 − 90 + 40.50 = 31.50 € either way (percent of the fee before alterations)
    assert one.total_fee == two.total_fee == 3150


def test_the_minimum_fee_rule_is_not_applied_again_after_alterations():
    # 10.7 % × (4416 − 4066) = 37.45 → 37 €; a 20 % discount gives 29.60 € which is charged
    discount = Alteration("discount", percent=D("20"))
    fee = calculate_fees(P2024, family(2, 4416, child("a", "2021-01-01", "1", discount)))
    assert fee.children[0].fee_before_alterations == 3700
    assert fee.total_fee == 2960


def test_an_alteration_needs_exactly_one_of_percent_and_amount():
    with pytest.raises(ValueError, match="exactly one"):
        Alteration("discount")
    with pytest.raises(ValueError, match="exactly one"):
        Alteration("discount", percent=D(1), amount=100)
    with pytest.raises(ValueError, match="kind"):
        Alteration("waiver", amount=100)
    with pytest.raises(ValueError, match=r"0\.\.100"):
        Alteration("increase", percent=D(101))
    with pytest.raises(ValueError, match="cents"):
        Alteration("discount", amount=-1)


# --- Missing income and the accepted maximum fee -----------------------------------------


def test_a_missing_income_sets_the_maximum_fee_and_part_time_children_pay_their_share_of_it():
    kids = (
        child("a", "2023-01-01"),
        child("b", "2021-01-01", "0.6"),
        child("c", "2019-01-01", "0.7"),
    )
    incomes = (Income(300000), Income(None, "salary"))
    fee = calculate_fees(P2024, FamilyInput(5, incomes, kids))
    # a: 311 €; b: 40 % × 311 = 124.4 → 124, × 0.6 = 74.4 → 74; c: 20 % × 311 = 62.2 → 62,
    # × 0.7 = 43.4 → 43
    assert fees_of(fee) == {"a": 31100, "b": 7400, "c": 4300}
    assert fee.maximum_fee_used
    assert fee.income_total is None
    assert fee.threshold == 666700
    fi = plain(explanation_lines(fee, "fi"))
    assert "Tulo 2 (salary): ei ilmoitettu" in fi
    assert "Tuloja ei ole ilmoitettu, joten perusmaksuna käytetään enimmäismaksua 311,00 €" in fi
    assert "Perusmaksu on enimmäismaksu 311,00 €" in fi
    assert not any(line.startswith("Tuloraja") for line in fi)


def test_a_family_that_accepts_the_maximum_fee_pays_it_whatever_its_income():
    fee = calculate_fees(
        P2024, family(3, 1000, child("a", "2022-01-01", "0.85"), accepts_max_fee=True)
    )
    # 0.85 × 311 = 264.35 → 264 €
    assert fee.total_fee == 26400
    assert fee.maximum_fee_used
    assert fee.income_total is None
    sv = plain(explanation_lines(fee, "sv"))
    assert (
        "Familjen har godkänt den högsta avgiften, därför används maximiavgiften 311,00 € som "
        "grundavgift"
    ) in sv
    assert not any(line.startswith("Inkomst ") for line in sv)


# --- Parameters --------------------------------------------------------------------------


def test_the_parameters_refuse_an_incomplete_or_inconsistent_row():
    good = {
        "income_percentage": D("10.7"),
        "income_thresholds": {2: 1, 3: 2, 4: 3, 5: 4, 6: 5},
        "threshold_increase_per_further_child": 1,
        "max_fee": 31100,
        "min_fee": 3000,
        "sibling_percentages": (100, 40, 20),
    }
    FeeParameters(**good)
    bad_cases = [
        ({"income_thresholds": {2: 1, 3: 2, 4: 3, 5: 4}}, "sizes 2, 3, 4, 5 and 6"),
        ({"income_thresholds": {2: 5, 3: 2, 4: 3, 5: 4, 6: 5}}, "below the one for size 2"),
        ({"sibling_percentages": (90, 40)}, "start with 100"),
        ({"sibling_percentages": (100, 20, 40)}, "must not increase"),
        ({"sibling_percentages": (100, 0)}, "1..100"),
        ({"sibling_percentages": ()}, "start with 100"),
        ({"min_fee": 40000}, "above max_fee"),
        ({"max_fee": 0}, "positive"),
        ({"max_fee": True}, "max_fee"),
        ({"income_percentage": D(0)}, "income_percentage"),
        ({"income_percentage": 10.7}, "income_percentage"),
        ({"threshold_increase_per_further_child": -1}, "threshold_increase"),
    ]
    for change, message in bad_cases:
        with pytest.raises(ValueError, match=message):
            FeeParameters(**{**good, **change})


def test_a_negative_income_is_refused():
    with pytest.raises(ValueError, match="income"):
        Income(-1)


# --- Explanations ------------------------------------------------------------------------


def every_kind_of_fee() -> list[FamilyFee]:
    """Families that between them produce every step rule the engine knows."""
    return [
        worked_example(),
        calculate_fees(
            P2024,
            FamilyInput(
                9,
                (Income(800000, "salary", "income register"), Income(120000, "benefit")),
                (
                    child("young", "2023-01-01", "0.6", Alteration("increase", amount=1000)),
                    child("twin-a", "2020-01-01", "0.7"),
                    child("twin-b", "2020-01-01", "1", Alteration("discount", amount=99999)),
                ),
            ),
        ),
        calculate_fees(
            P2024,
            family(
                2,
                None,
                child("a", "2021-01-01", "1", Alteration("increase", percent=D("50"), reason="x")),
            ),
        ),
        calculate_fees(P2024, family(3, 5000, child("a", "2021-01-01"), accepts_max_fee=True)),
        calculate_fees(P2024, family(2, 100, child("a", "2021-01-01"))),
        calculate_fees(
            P2024,
            FamilyInput(
                4,
                (Income(700000, "salary", "income register"),),
                (
                    child("young", "2023-01-01"),
                    ChildInput("school", datetime.date(2020, 3, 3), D(0)),
                    ChildInput(
                        "pre", datetime.date(2020, 4, 4), D("0.6"), (), 80, pre_primary=True
                    ),
                ),
                deductions=(Deduction(20000, "elatusapu", "court order"),),
            ),
        ),
    ]


def all_steps(fee: FamilyFee) -> list[Step]:
    return [*fee.steps, *(step for c in fee.children for step in c.steps)]


def test_the_scenarios_cover_every_step_rule():
    rules = {step.rule for fee in every_kind_of_fee() for step in all_steps(fee)}
    assert rules == set(STEP_RULES)


# The cents figures each rule's sentence must show.
FIGURES_SHOWN = {
    "income": ("amount",),
    "family_income": ("total",),
    "deduction": ("amount",),
    "missing_income": ("max_fee",),
    "threshold": ("threshold",),
    "base_fee": ("result",),
    "sibling_share": ("base", "result"),
    "service_need": ("fee", "result"),
    "minimum_fee": ("min_fee", "fee"),
    "alteration": ("amount",),
    "cap": ("fee", "result"),
    "final_fee": ("fee",),
    "total": ("total",),
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_every_step_is_explained_in_every_language_with_its_figures(language):
    for fee in every_kind_of_fee():
        for step in all_steps(fee):
            text = explain(step, language)
            assert text
            assert "{" not in text
            assert "}" not in text
            for key in FIGURES_SHOWN.get(step.rule, ()):
                if not step.values[key]:
                    continue  # an income not reported
                assert format_euros(int(step.values[key]), language) in text, (step, text)


def test_the_languages_give_different_sentences_for_every_step():
    for fee in every_kind_of_fee():
        for step in all_steps(fee):
            texts = {explain(step, language) for language in ("fi", "sv", "en")}
            assert len(texts) == 3, step


def test_a_single_child_cites_section_5_only():
    fee = calculate_fees(P2024, family(2, 5000, child("a", "2021-01-01")))
    assert "Maksun peruste: laki varhaiskasvatuksen asiakasmaksuista (1503/2016), 5 §" in (
        explanation_lines(fee, "fi")
    )
    assert not any(step.rule == "sibling_order" for step in fee.steps)


def test_an_unknown_language_or_rule_is_refused():
    with pytest.raises(ValueError, match="unknown language"):
        explain(worked_example().steps[0], "de")
    with pytest.raises(ValueError, match="no explanation"):
        explain(Step("relief", {}), "fi")
    with pytest.raises(ValueError, match="unknown language"):
        format_euros(100, "de")


def test_the_parameters_date_is_left_out_when_unknown():
    undated = FeeParameters(
        P2024.income_percentage,
        P2024.income_thresholds,
        P2024.threshold_increase_per_further_child,
        P2024.max_fee,
        P2024.min_fee,
        P2024.sibling_percentages,
    )
    fee = calculate_fees(undated, family(3, 6000, child("a", "2021-01-01")))
    assert "Tuloraja 3 hengen perheelle 5 245,00 €" in plain(explanation_lines(fee, "fi"))


@pytest.mark.parametrize(
    ("cents", "language", "expected"),
    [
        (123450, "fi", f"1{NBSP}234,50 €"),
        (123450, "sv", f"1{NBSP}234,50 €"),
        (123450, "en", "€1,234.50"),
        (0, "fi", "0,00 €"),
        (5, "en", "€0.05"),
        (100000000, "fi", f"1{NBSP}000{NBSP}000,00 €"),
        (-1900, "fi", "-19,00 €"),
        (-1900, "en", "-€19.00"),
    ],
)
def test_euros_are_formatted_for_each_language(cents, language, expected):
    assert format_euros(cents, language) == expected


@pytest.mark.parametrize(
    ("valid_from", "younger", "older"),
    [
        # 10.7 % × (6000 − 2713) = 351.709 → 352 → at most 289; 50 % × 289 = 144.5 → 145
        ("2018-08-01", 28900, 14500),
        # 10.7 % × (6000 − 2756) = 347.108 → 347 → at most 288; 50 % × 288 = 144
        ("2020-08-01", 28800, 14400),
        # 10.7 % × (6000 − 3610) = 255.73 → 256; 40 % × 256 = 102.4 → 102
        ("2021-08-01", 25600, 10200),
        # 10.7 % × (6000 − 3758) = 239.894 → 240; 40 % × 240 = 96
        ("2022-08-01", 24000, 9600),
        # 10.7 % × (6000 − 4998) = 107.214 → 107; 40 % × 107 = 42.8 → 43
        ("2023-03-01", 10700, 4300),
        ("2024-08-01", 8100, 3200),
    ],
)
def test_the_worked_example_family_under_each_parameter_row(valid_from, younger, older):
    kids = (child("older", "2020-03-10"), child("younger", "2022-06-01"))
    fee = calculate_fees(row(valid_from), family(3, 6000, *kids))
    assert fees_of(fee) == {"younger": younger, "older": older}
    assert fee.total_fee == younger + older


def test_family_steps_carry_no_child_id_and_child_steps_carry_their_own():
    fee = worked_example()
    assert all(step.child_id is None for step in fee.steps)
    for c in fee.children:
        assert c.steps
        assert all(step.child_id == c.id for step in c.steps)
        assert c.steps[-1].rule == "final_fee"
    assert fee.steps[0].rule == "family_size"
    assert fee.steps[-1].rule == "total"


def test_a_family_with_no_incomes_listed_has_an_income_of_zero():
    fee = calculate_fees(P2024, FamilyInput(2, (), (child("a", "2021-01-01"),)))
    assert fee.income_total == 0
    assert fee.total_fee == 0
    assert not fee.maximum_fee_used


def test_an_accepted_maximum_fee_is_named_even_when_an_income_is_also_missing():
    fee = calculate_fees(
        P2024,
        FamilyInput(2, (Income(None),), (child("a", "2021-01-01"),), accepts_max_fee=True),
    )
    missing = next(step for step in fee.steps if step.rule == "missing_income")
    assert missing.values["reason"] == "accepted"
    assert fee.total_fee == 31100


def test_the_engine_never_decides_fee_relief():
    rules = {step.rule for fee in every_kind_of_fee() for step in all_steps(fee)}
    assert not any("relief" in rule for rule in rules)
    assert "relief" not in STEP_RULES


def test_hour_bands_feed_the_coefficient_of_a_child():
    bands = [(84, D("0.60")), (105, D("0.70")), (146, D("0.85")), (None, D("1.00"))]
    coefficient = coefficient_for_hours(bands, 100)
    fee = calculate_fees(P2024, family(3, 6000, child("a", "2021-01-01", str(coefficient))))
    # 0.70 × 81 = 56.7 → 57 €
    assert fee.total_fee == 5700


def test_children_beyond_the_tenth_are_numbered_in_the_explanation():
    kids = [child(f"k{i:02d}", f"{2010 + i // 12}-{i % 12 + 1:02d}-01") for i in range(11)]
    fee = calculate_fees(P2024, family(13, 12000, *kids))
    oldest = fee.children[-1]
    assert oldest.sibling_rank == 11
    assert oldest.sibling_percentage == 20
    text = {lang: child_explanation_lines(fee, oldest.id, lang)[0] for lang in ("fi", "sv", "en")}
    assert text["fi"].startswith("11. lapsi: 20 %")
    assert text["sv"].startswith("Barn nummer 11: 20 %")
    assert text["en"].startswith("Child no. 11: 20%")


# --- The act's caps after alterations (issue 16, point 3) ----------------------------------


def test_an_increase_on_the_second_child_is_capped_at_forty_percent_of_the_youngests_fee():
    # The review's case: maximum fee 311 €; the second child pays 40 % × 311 = 124.40 → 124 €;
    # a municipal increase of 300 € gave 311 € (the old cap, the maximum fee). The act allows
    # at most the 40 % share: 124 €.
    second = child("old", "2019-01-01", "1", Alteration("increase", amount=30000))
    fee = calculate_fees(P2024, family(3, 20000, child("young", "2022-01-01"), second))
    assert fees_of(fee) == {"young": 31100, "old": 12400}
    fi = plain(explanation_lines(fee, "fi"))
    assert (
        "old: 2. lapsen maksu on enintään 40 % nuorimman lapsen kokoaikaisesta maksusta "
        "311,00 €: 424,00 € → 124,00 €"
    ) in fi
    en = explanation_lines(fee, "en")
    assert any("child no. 2 is at most 40% of the youngest child's full-time fee" in x for x in en)


def test_an_increase_on_a_third_child_is_capped_at_twenty_percent():
    # 20 % × 311 = 62.20 → 62 €; +50 € would give 112 €.
    third = child("c", "2018-01-01", "1", Alteration("increase", amount=5000))
    fee = calculate_fees(
        P2024, family(4, 20000, child("a", "2022-01-01"), child("b", "2020-01-01"), third)
    )
    assert fees_of(fee)["c"] == 6200


def test_part_time_care_of_at_most_84_hours_is_capped_at_sixty_percent_after_an_increase():
    # Youngest, 80 h/month, band 0.60: 311 × 0.60 = 186.60 → 187 €; +100 € gives 287 €, the
    # act allows at most 60 % of the full-time fee: 187 €.
    increased = ChildInput(
        "a", datetime.date(2021, 1, 1), D("0.6"), (Alteration("increase", amount=10000),), 80
    )
    fee = calculate_fees(P2024, family(2, 20000, increased))
    assert fee.total_fee == 18700
    assert any(
        "Enintään 84 h/kk (20 h/vko) varhaiskasvatuksen maksu on enintään 60 %" in line
        for line in plain(explanation_lines(fee, "fi"))
    )


def test_the_same_increase_above_84_hours_is_capped_only_at_the_maximum_fee():
    # 85 h/month: the municipality's band (0.70) decides; 10.7 % × (6000 − 5245) = 81 €,
    # 81 × 0.70 = 56.70 → 57 €, + 10 € = 67 €, below the youngest's cap (the maximum fee).
    increased = ChildInput(
        "a", datetime.date(2021, 1, 1), D("0.7"), (Alteration("increase", amount=1000),), 85
    )
    fee = calculate_fees(P2024, family(3, 6000, increased))
    assert fee.total_fee == 6700


def test_a_discount_is_never_capped_upwards():
    second = child("old", "2019-01-01", "1", Alteration("discount", amount=2000))
    fee = calculate_fees(P2024, family(3, 20000, child("young", "2022-01-01"), second))
    assert fees_of(fee)["old"] == 12400 - 2000


# --- Deductions from income (issue 16, point 5) ---------------------------------------------


def test_paid_child_maintenance_is_deducted_from_the_income_with_its_source():
    # 6,300 € − 300 € maintenance = 6,000 €: 10.7 % × (6000 − 5245) = 80.785 → 81 €.
    fee = calculate_fees(
        P2024,
        FamilyInput(
            3,
            (Income(630000, "Maija", "tulorekisteri"),),
            (child("a", "2021-01-01"),),
            deductions=(Deduction(30000, "Maija: elatusapu", "käräjäoikeuden päätös"),),
        ),
    )
    assert fee.income_total == 600000
    assert fee.total_fee == 8100
    fi = plain(explanation_lines(fee, "fi"))
    assert (
        "Tuloista vähennetään (Maija: elatusapu): 300,00 €/kk, lähde: käräjäoikeuden päätös"
    ) in fi
    assert "Perheen bruttotulot 6 300,00 €/kk − vähennykset 300,00 € = 6 000,00 €/kk" in fi
    sv = plain(explanation_lines(fee, "sv"))
    assert (
        "Avdrag från inkomsterna (Maija: elatusapu): 300,00 €/mån, källa: käräjäoikeuden päätös"
        in sv
    )


def test_deductions_larger_than_the_income_leave_an_income_of_zero_not_below():
    fee = calculate_fees(
        P2024,
        FamilyInput(
            2, (Income(10000),), (child("a", "2021-01-01"),), deductions=(Deduction(50000),)
        ),
    )
    assert fee.income_total == 0
    assert fee.total_fee == 0


def test_a_deduction_of_zero_or_less_is_refused():
    for bad in (0, -100):
        with pytest.raises(ValueError, match="deduction"):
            Deduction(bad)


# --- Pre-primary education (issue 16, point 6) -----------------------------------------------


def pre_primary_family(counts: bool = True) -> FamilyInput:
    return FamilyInput(
        4,
        (Income(600000),),
        (
            ChildInput("young", datetime.date(2023, 1, 1), D("1")),
            ChildInput("pre", datetime.date(2019, 3, 3), D(0), pre_primary=True),
        ),
        pre_primary_counts_in_sibling_order=counts,
    )


def test_a_child_in_pre_primary_education_only_is_not_on_the_decision_but_counts_as_a_sibling():
    # Family of 4, 6,000 €: 10.7 % × (6000 − 5956) = 4.708 → 5 € < 30 € minimum → 0; use a
    # richer family to see the order: 9,000 € → 10.7 % × 3044 = 325.71 → 311 €.
    family4 = dataclasses.replace(pre_primary_family(), incomes=(Income(900000),))
    fee = calculate_fees(P2024, family4)
    assert [c.id for c in fee.children] == ["young"]
    assert fee.children[0].sibling_rank == 1
    assert fee.total_fee == 31100
    lines = plain(explanation_lines(fee, "fi"))
    assert any("Esiopetuksessa ilman täydentävää varhaiskasvatusta" in line for line in lines)
    assert any("lasketaan sisarusjärjestykseen" in line for line in lines)
    # One child in ECEC: the pre-primary child is in the family, not in ECEC.
    assert lines[0] == "Perheen koko 4 henkeä; varhaiskasvatuksessa 1 lapsi"


def test_an_older_ecec_child_pays_the_third_childs_share_when_a_pre_primary_child_counts():
    def older_family(counts: bool) -> FamilyInput:
        return FamilyInput(
            5,
            (Income(900000),),
            (
                ChildInput("young", datetime.date(2023, 1, 1)),
                ChildInput("pre", datetime.date(2020, 3, 3), D(0)),
                ChildInput("old", datetime.date(2019, 1, 1), D("0.6")),
            ),
            pre_primary_counts_in_sibling_order=counts,
        )

    # Family of 5, 9,000 €: 10.7 % × (9000 − 6667) = 249.63 → 250 €. Counting "pre" (eVaka's
    # rule), "old" is the third: 20 % × 250 = 50 × 0.60 = 30 € (the minimum is 30 €: charged).
    counted = calculate_fees(P2024, older_family(True))
    assert fees_of(counted) == {"young": 25000, "old": 3000}
    # Not counting it, "old" is the second: 40 % × 250 = 100 × 0.60 = 60 €.
    not_counted = calculate_fees(P2024, older_family(False))
    assert fees_of(not_counted) == {"young": 25000, "old": 6000}
    assert any(
        "ei lasketa sisarusjärjestykseen" in line
        for line in plain(explanation_lines(not_counted, "fi"))
    )


def test_a_pre_primary_child_with_supplementary_ecec_is_charged_by_the_supplementary_hours():
    # 6,000 €, family of 3: 81 €; 60 supplementary hours → band 0.60: 48.60 → 49 €.
    pre = ChildInput("pre", datetime.date(2020, 3, 3), D("0.6"), (), 60, pre_primary=True)
    fee = calculate_fees(P2024, family(3, 6000, pre))
    assert fee.total_fee == 4900
    assert any(
        "maksu peritään vain täydentävästä varhaiskasvatuksesta" in line
        for line in plain(explanation_lines(fee, "fi"))
    )


def test_a_family_with_only_a_pre_primary_child_has_no_fee_to_decide():
    with pytest.raises(ValueError, match="at least one child"):
        calculate_fees(P2024, family(2, 6000, ChildInput("pre", datetime.date(2020, 3, 3), D(0))))
