"""AAPOR disposition codes and outcome rates of the phone survey robot."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuntarobo.core.aapor import (
    CODES,
    RATE_NAMES,
    Counts,
    Group,
    estimated_e,
    explain_rates,
    final_code,
    group_of,
    interim_code,
    rates,
    retry_allowed,
)


def test_uusikaupunki_rr1_is_1132_completes_of_7759_numbers():
    # 1,132 completes; the other 7759 - 1132 = 6627 numbers all count in the RR1 denominator.
    counts = Counts(I=1132, UH=6627)
    # 1132 / 7759 = 0.145894... -> 0.1459, i.e. 14.6 %
    assert rates(counts)["RR1"] == Decimal("0.1459")


def test_uusikaupunki_rr1_is_the_same_however_the_other_numbers_split_between_groups():
    counts = Counts(I=1132, R=2000, NC=1000, UH=3000, UO=627)
    assert rates(counts)["RR1"] == Decimal("0.1459")


# I=40 P=10 R=20 NC=10 O=5 UH=10 UO=5 NE=15
# known eligible = 40+10+20+10+5 = 85; known = 85 + 15 = 100; e = 85/100 = 0.85
# D1 = 85 + (10+5) = 100; D3 = 85 + 0.85 * 15 = 97.75; D5 = 85
# COOP1/2 denominator = (40+10)+20+5 = 75; COOP3/4 = 50+20 = 70
TABLE = Counts(I=40, P=10, R=20, NC=10, O=5, UH=10, UO=5, NE=15)
EXPECTED = {
    "RR1": "0.4000",  # 40 / 100
    "RR2": "0.5000",  # 50 / 100
    "RR3": "0.4092",  # 40 / 97.75 = 0.40920...
    "RR4": "0.5115",  # 50 / 97.75 = 0.51150...
    "RR5": "0.4706",  # 40 / 85 = 0.47058...
    "RR6": "0.5882",  # 50 / 85 = 0.58823...
    "COOP1": "0.5333",  # 40 / 75 = 0.53333...
    "COOP2": "0.6667",  # 50 / 75 = 0.66666...
    "COOP3": "0.5714",  # 40 / 70 = 0.57142...
    "COOP4": "0.7143",  # 50 / 70 = 0.71428...
    "REF1": "0.2000",  # 20 / 100
    "REF2": "0.2046",  # 20 / 97.75 = 0.20460...
    "REF3": "0.2353",  # 20 / 85 = 0.23529...
    "CON1": "0.7500",  # 75 / 100
    "CON2": "0.7673",  # 75 / 97.75 = 0.76726...
    "CON3": "0.8824",  # 75 / 85 = 0.88235...
}


def test_every_rate_of_a_hand_computed_table():
    assert estimated_e(TABLE) == Fraction(85, 100)
    assert rates(TABLE) == {name: Decimal(value) for name, value in EXPECTED.items()}


def test_a_given_e_replaces_the_estimate():
    # e = 0: D3 = 85, so RR3 = RR5 = 40/85; e = 1: D3 = 100, so RR3 = RR1
    assert rates(TABLE, e=Decimal(0))["RR3"] == Decimal("0.4706")
    assert rates(TABLE, e=Fraction(1))["RR3"] == Decimal("0.4000")


def test_an_e_outside_zero_and_one_is_refused_naming_e():
    with pytest.raises(ValueError, match=r"^e:"):
        rates(TABLE, e=Decimal("1.5"))


def test_rates_with_zero_denominators_are_none():
    assert set(rates(Counts()).values()) == {None}
    # only unknowns: RR1 = 0/5; RR5 (no known eligible) and COOP are undefined
    only_unknown = rates(Counts(UH=3, UO=2))
    assert only_unknown["RR1"] == Decimal("0.0000")
    assert only_unknown["RR5"] is None
    assert only_unknown["COOP1"] is None
    assert only_unknown["CON3"] is None


def test_with_e_zero_and_only_unknowns_rr3_is_undefined_while_rr1_is_zero():
    # D1 = 3; D3 = 0 + 0 * 3 = 0
    r = rates(Counts(UH=3), e=Fraction(0))
    assert r["RR1"] == Decimal("0.0000")
    assert r["RR3"] is None


def test_e_is_undefined_without_known_eligibility_and_rates_then_use_one():
    counts = Counts(I=0, UH=4)
    assert estimated_e(counts) is None
    # e = 1 -> D3 = 4 = D1
    assert rates(counts)["RR3"] == rates(counts)["RR1"] == Decimal("0.0000")
    assert explain_rates(counts)[0].english() == "e = 1: no number's eligibility is known yet"


def test_only_ineligible_numbers_give_e_zero():
    assert estimated_e(Counts(NE=7)) == 0


def test_explanation_shows_each_formula_with_its_numbers():
    lines = explain_rates(TABLE)
    assert lines[0].english() == "e = (I+P+R+NC+O) / (I+P+R+NC+O+NE) = 85 / 100 = 0.8500"
    texts = [line.english() for line in lines[1:]]
    assert len(texts) == len(RATE_NAMES)
    assert texts[0] == "RR1 = I / ((I+P) + (R+NC+O) + (UH+UO)) = 40 / 100 = 0.4000"
    assert texts[2] == "RR3 = I / ((I+P) + (R+NC+O) + e(UH+UO)) = 40 / 97.7500 = 0.4092"
    empty = explain_rates(Counts(), e=Decimal("0.5"))
    assert empty[0].english() == "e = 0.5000 (given)"
    assert empty[1].english() == "RR1 = I / ((I+P) + (R+NC+O) + (UH+UO)) = 0 / 0: not defined"


def test_counts_count_each_final_code_in_its_group():
    codes = ["1.1", "1.1", "1.2", "2.11", "2.12", "2.21", "2.33", "3.11", "3.14", "3.9", "4.3"]
    assert Counts.from_final_codes(codes) == Counts(I=2, P=1, R=2, NC=1, O=1, UH=2, UO=1, NE=1)


def test_an_unknown_final_code_is_refused_naming_its_position():
    with pytest.raises(ValueError, match=r"^codes\[1\]"):
        Counts.from_final_codes(["1.1", "9.9"])


def test_a_negative_count_is_refused_naming_the_field():
    with pytest.raises(ValueError, match=r"^counts\.NE"):
        Counts(NE=-1)


def test_code_groups_follow_the_documented_grouping():
    expected = {
        "1.1": "I",
        "1.2": "P",
        "2.11": "R",
        "2.12": "R",
        "2.21": "NC",
        "3.11": "UH",
        "3.12": "UH",
        "3.13": "UH",
        "3.14": "UH",
        "3.15": "UH",
        "3.16": "UH",
        "3.9": "UO",
        "4.3": "NE",
        "4.5": "NE",
        "4.7": "NE",
        "4.8": "NE",
    }
    for code, group in expected.items():
        assert group_of(code) == Group(group)
    assert all(code.startswith("2.3") for code, (g, _) in CODES.items() if g == Group.O)


def _interim(status, **flags):
    defaults = {
        "answered": False,
        "machine": False,
        "got_input": False,
        "cancelled_after_ring_timeout": False,
    }
    return interim_code(status, **(defaults | flags))


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (486, "3.12"),
        (600, "3.12"),
        (408, "3.13"),
        (480, "3.13"),
        (404, "4.3"),
        (410, "4.3"),
        (484, "4.3"),
        (604, "4.3"),
        (603, "3.15"),
        (500, "3.16"),
        (503, "3.16"),
        (599, "3.16"),
        (403, "3.9"),
        (606, "3.9"),
        (None, "3.16"),
    ],
)
def test_sip_status_of_an_unanswered_attempt_maps_to_its_interim_code(status, code):
    assert _interim(status) == code


def test_our_own_cancel_after_the_ring_timeout_is_no_answer():
    assert _interim(None, cancelled_after_ring_timeout=True) == "3.13"
    assert _interim(487, cancelled_after_ring_timeout=True) == "3.13"


def test_an_answered_attempt_is_judged_by_who_answered():
    assert _interim(200, answered=True, machine=True) == "3.14"
    assert _interim(200, answered=True) == "2.21"
    assert _interim(200, answered=True, got_input=True) == "2.12"


def test_an_impossible_sip_status_is_refused_naming_the_field():
    with pytest.raises(ValueError, match=r"^sip_status:"):
        _interim(99)
    with pytest.raises(ValueError, match=r"^sip_status:"):
        _interim(200)  # a 200 OK that was not answered


@pytest.mark.parametrize(
    ("code", "allowed"),
    [
        ("1.1", False),
        ("1.2", False),
        ("2.11", False),
        ("2.12", False),
        ("4.3", False),
        ("4.5", False),
        ("4.7", False),
        ("4.8", False),
        ("2.21", True),
        ("3.11", True),
        ("3.12", True),
        ("3.13", True),
        ("3.14", True),
        ("3.15", True),
        ("3.16", True),
        ("3.9", True),
    ],
)
def test_retries_stop_after_completes_refusals_and_ineligible_numbers(code, allowed):
    assert retry_allowed(code) is allowed


def test_retry_of_an_unknown_code_is_refused():
    with pytest.raises(ValueError, match=r"^code:"):
        retry_allowed("7.7")


def _final(codes, **flags):
    defaults = {
        "completed": False,
        "partial": False,
        "refused": False,
        "ineligible": False,
        "quota_full": False,
    }
    return final_code(codes, **(defaults | flags))


def test_final_code_precedence():
    noisy = ["3.12", "3.13", "3.14", "2.21", "4.3"]
    assert _final(noisy, completed=True, partial=True, refused=True) == "1.1"
    assert _final(noisy, partial=True, refused=True) == "1.2"
    assert _final(noisy, refused=True, ineligible=True) == "2.11"
    assert _final([*noisy, "2.12"], ineligible=True) == "2.12"
    assert _final(noisy, ineligible=True, quota_full=True) == "4.7"
    assert _final(noisy, quota_full=True) == "4.8"
    assert _final(noisy) == "4.3"  # non-working beats a contact without interview
    assert _final(["3.14", "2.33", "2.21"]) == "2.33"
    assert _final(["3.14", "2.21"]) == "2.21"
    assert _final(["3.12", "3.13", "3.14", "3.16"]) == "3.14"
    assert _final(["3.12", "3.13", "3.15"]) == "3.15"
    assert _final(["3.12", "3.13", "3.16"]) == "3.13"
    assert _final(["3.16", "3.12"]) == "3.12"
    assert _final(["3.9", "3.16"]) == "3.16"
    assert _final(["3.9"]) == "3.9"
    assert _final([]) == "3.11"


def test_a_complete_recorded_as_an_attempt_code_is_final():
    assert _final(["3.13", "1.1"]) == "1.1"


def test_an_unknown_attempt_code_is_refused_naming_its_position():
    with pytest.raises(ValueError, match=r"^attempt_codes\[0\]"):
        _final(["5.5"])


counts_strategy = st.builds(
    Counts,
    **{name: st.integers(0, 500) for name in ("I", "P", "R", "NC", "O", "UH", "UO", "NE")},
)
e_strategy = st.one_of(st.none(), st.fractions(min_value=0, max_value=1, max_denominator=1000))


@given(counts_strategy, e_strategy)
def test_every_rate_is_between_zero_and_one(counts, e):
    for value in rates(counts, e).values():
        assert value is None or Decimal(0) <= value <= Decimal(1)


@given(counts_strategy, e_strategy)
def test_response_rates_are_ordered(counts, e):
    r = rates(counts, e)
    if r["RR1"] is not None:
        assert r["RR2"] is not None
        assert r["RR1"] <= r["RR2"]
    if r["RR1"] is not None and r["RR3"] is not None:
        assert r["RR3"] >= r["RR1"]  # e <= 1 shrinks the denominator
    if r["RR5"] is not None:
        assert r["RR3"] is not None
        assert r["RR5"] >= r["RR3"]  # RR5 is RR3 with e = 0


@given(st.lists(st.sampled_from(sorted(CODES)), max_size=20))
def test_counts_count_every_number_once(codes):
    counts = Counts.from_final_codes(codes)
    assert counts.eligible + counts.UH + counts.UO + counts.NE == len(codes)
