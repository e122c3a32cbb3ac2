"""Changes between decisions and the reviewer's flags: every code, every language."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from decimal import Decimal

import pytest

from kuntarobo.robots.ecec_fees.changes import (
    CHANGE_TEXTS,
    FLAG_TEXTS,
    LANGUAGES,
    AttentionRules,
    Change,
    ChildSnapshot,
    DecisionSnapshot,
    Flag,
    attention_flags,
    change_text,
    describe_changes,
    flag_text,
    format_date,
    format_euros,
    is_income_change_significant,
)
from kuntarobo.robots.ecec_fees.families import FamilyRecord, parse_family

PERIOD = date(2026, 8, 1)

AINO = ChildSnapshot("Aino Meikäläinen", "Päiväkoti Satakieli", 120, "0.8", 1, 25000)
EERO = ChildSnapshot("Eero Meikäläinen", "Päiväkoti Satakieli", None, "0.6", 2, 9000)
PREVIOUS = DecisionSnapshot(
    decision_number="VAKA-2025-0000001",
    valid_from=date(2025, 8, 1),
    family_size=4,
    income_total=400000,
    maximum_fee_used=False,
    children={"C-1": AINO, "C-2": EERO},
    total_fee=34000,
    parameters_valid_from=date(2024, 8, 1),
)


def current(**changes: object) -> DecisionSnapshot:
    defaults: dict[str, object] = {"decision_number": "VAKA-2026-0000002", "valid_from": PERIOD}
    return dataclasses.replace(PREVIOUS, **{**defaults, **changes})  # type: ignore[arg-type]


def codes(changes: list[Change] | list[Flag]) -> list[str]:
    return [change.code for change in changes]


def test_a_first_decision_is_a_change_of_its_own() -> None:
    assert describe_changes(None, PREVIOUS) == [Change("first_decision", {})]


def test_nothing_changed_gives_no_changes() -> None:
    assert describe_changes(PREVIOUS, current()) == []


def test_a_coefficient_written_differently_is_no_change() -> None:
    children = {"C-1": dataclasses.replace(AINO, coefficient="0.80"), "C-2": EERO}
    assert describe_changes(PREVIOUS, current(children=children)) == []


def test_family_size() -> None:
    assert describe_changes(PREVIOUS, current(family_size=5)) == [
        Change("family_size", {"old": "4", "new": "5"})
    ]


def test_income_with_its_percent() -> None:
    assert describe_changes(PREVIOUS, current(income_total=450000)) == [
        Change("income", {"old": "400000", "new": "450000", "percent": "+12.5"})
    ]
    (change,) = describe_changes(PREVIOUS, current(income_total=360000))
    assert change.values["percent"] == "-10.0"


def test_income_from_zero_has_no_percent() -> None:
    previous = dataclasses.replace(PREVIOUS, income_total=0)
    (change,) = describe_changes(previous, current(income_total=100))
    assert change == Change("income", {"old": "0", "new": "100", "percent": ""})
    assert "()" not in change_text(change, "fi")


def test_missing_income_and_income_received() -> None:
    assert describe_changes(PREVIOUS, current(income_total=None)) == [
        Change("missing_income", {"old": "400000"})
    ]
    previous = dataclasses.replace(PREVIOUS, income_total=None)
    assert describe_changes(previous, current()) == [Change("income_received", {"new": "400000"})]


def test_maximum_fee() -> None:
    (change,) = describe_changes(PREVIOUS, current(maximum_fee_used=True))
    assert change == Change("maximum_fee", {"old": "false", "new": "true"})
    assert change_text(change, "en") == "The fee is now the highest fee."
    back = describe_changes(current(maximum_fee_used=True), PREVIOUS)
    assert change_text(back[0], "en") == "The fee is no longer the highest fee."


def test_child_added_and_child_left() -> None:
    ilona = ChildSnapshot("Ilona Meikäläinen", "Daghemmet Solstrålen", 100, "0.7", 1, 0)
    found = describe_changes(PREVIOUS, current(children={"C-1": AINO, "C-3": ilona}))
    assert found == [
        Change(
            "child_left",
            {"child": "C-2", "name": "Eero Meikäläinen", "unit": "Päiväkoti Satakieli"},
        ),
        Change(
            "child_added",
            {"child": "C-3", "name": "Ilona Meikäläinen", "unit": "Daghemmet Solstrålen"},
        ),
    ]


def test_placement_service_need_sibling_rank_and_child_fee() -> None:
    aino = ChildSnapshot("Aino Meikäläinen", "Päiväkoti Kuusi", 150, "1", 2, 29500)
    found = describe_changes(PREVIOUS, current(children={"C-1": aino, "C-2": EERO}))
    who = {"child": "C-1", "name": "Aino Meikäläinen"}
    assert found == [
        Change("placement", {**who, "old": "Päiväkoti Satakieli", "new": "Päiväkoti Kuusi"}),
        Change(
            "service_need",
            {**who, "old": "120", "new": "150", "old_coefficient": "0.8", "new_coefficient": "1"},
        ),
        Change("sibling_rank", {**who, "old": "1", "new": "2"}),
        Change("child_fee", {**who, "old": "25000", "new": "29500"}),
    ]
    assert change_text(found[1], "fi") == (
        "Aino Meikäläinen: palveluntarve on muuttunut: aiemmin 120 h/kk, nyt 150 h/kk."
    )


def test_a_service_need_given_as_a_coefficient_reads_as_a_percent() -> None:
    eero = dataclasses.replace(EERO, coefficient="0.85")
    (change,) = describe_changes(PREVIOUS, current(children={"C-1": AINO, "C-2": eero}))
    assert change_text(change, "fi") == (
        "Eero Meikäläinen: palveluntarve on muuttunut: aiemmin 60 % kokoaikaisesta maksusta,"
        " nyt 85 % kokoaikaisesta maksusta."
    )
    assert "85% of the full-time fee" in change_text(change, "en")


def test_parameters_and_the_total_fee() -> None:
    found = describe_changes(
        PREVIOUS, current(parameters_valid_from=date(2026, 8, 1), total_fee=36050)
    )
    assert found == [
        Change("parameters", {"old": "2024-08-01", "new": "2026-08-01"}),
        Change("fee", {"old": "34000", "new": "36050", "difference": "2050"}),
    ]
    assert change_text(found[0], "fi") == (
        "Asiakasmaksulain tulorajat ja maksut on tarkistettu 1.8.2026 alkaen"
        " (aiemmat voimassa 1.8.2024 alkaen)."
    )
    assert change_text(found[1], "sv") == (
        "Familjens avgifter sammanlagt ändras från 340,00 € till 360,50 € per månad."
    )
    assert change_text(found[1], "en") == (
        "The family's total fee changes from €340.00 to €360.50 a month."
    )


def test_changes_come_in_the_order_a_letter_lists_them() -> None:
    aino = dataclasses.replace(AINO, hours_per_month=150)
    found = describe_changes(
        PREVIOUS,
        current(
            family_size=5,
            income_total=500000,
            children={"C-1": aino, "C-2": EERO},
            parameters_valid_from=PERIOD,
            total_fee=1,
        ),
    )
    assert codes(found) == ["family_size", "income", "service_need", "parameters", "fee"]


def test_a_snapshot_round_trips_through_json() -> None:
    text = json.dumps(PREVIOUS.to_json())
    assert DecisionSnapshot.from_json(json.loads(text)) == PREVIOUS
    unknown = dataclasses.replace(PREVIOUS, income_total=None)
    assert DecisionSnapshot.from_json(unknown.to_json()) == unknown


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("valid_from", "1.8.2025"),
        ("family_size", "4"),
        ("maximum_fee_used", 0),
        ("children", []),
        ("total_fee", 1.5),
        ("decision_number", None),
    ],
)
def test_a_damaged_snapshot_is_refused_by_name(key: str, value: object) -> None:
    data = PREVIOUS.to_json()
    data[key] = value
    with pytest.raises(ValueError, match=key if key != "children" else "children"):
        DecisionSnapshot.from_json(data)


def test_euros_are_written_the_way_each_language_writes_them() -> None:
    assert format_euros(123450, "fi") == "1 234,50 €"
    assert format_euros(123450, "sv") == "1 234,50 €"
    assert format_euros(123450, "en") == "€1,234.50"
    assert format_euros(-5, "fi") == "-0,05 €"
    assert format_euros(-123456789, "en") == "-€1,234,567.89"
    assert format_euros(2050, "fi", signed=True) == "+20,50 €"
    assert format_euros(0, "en") == "€0.00"


def test_dates_are_written_the_way_each_language_writes_them() -> None:
    assert format_date("2026-08-01", "fi") == "1.8.2026"
    assert format_date("2026-08-01", "sv") == "1.8.2026"
    assert format_date("2026-08-01", "en") == "1 August 2026"


@pytest.mark.parametrize(
    ("old", "new", "significant"),
    [
        (400000, 400000, False),
        (400000, 439999, False),
        (400000, 440000, True),
        (400000, 360001, False),
        (400000, 360000, True),
        (0, 0, False),
        (0, 1, True),
        (None, None, False),
        (None, 100, True),
        (100, None, True),
    ],
)
def test_the_ten_percent_rule(old: int | None, new: int | None, significant: bool) -> None:
    assert is_income_change_significant(old, new) is significant


def test_the_percent_of_the_rule_is_a_setting() -> None:
    assert is_income_change_significant(100000, 104000, Decimal(5)) is False
    assert is_income_change_significant(100000, 105000, Decimal(5)) is True


# --- Flags ---------------------------------------------------------------------------------


def family(**changes: object) -> FamilyRecord:
    data: dict[str, object] = {
        "family_id": "F-1",
        "size": 4,
        "period_start": PERIOD.isoformat(),
        "guardians": [
            {
                "name": "Maija Meikäläinen",
                "address": {"street": "Kuusitie 5", "postal_code": "00100", "city": "Helsinki"},
            }
        ],
        "incomes": [{"person": "Maija Meikäläinen", "amount": 400000, "source": "tulorekisteri"}],
        "children": [
            {
                "id": "C-1",
                "name": "Aino Meikäläinen",
                "birth_date": "2022-05-01",
                "placement": {
                    "unit": "Päiväkoti Satakieli",
                    "kind": "daycare",
                    "start": "2024-08-01",
                },
                "service_need": {"hours_per_month": 120},
            }
        ],
    }
    data.update(changes)
    return parse_family(data, default_period_start=PERIOD)


def child(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id": "C-2",
        "name": "Eero Meikäläinen",
        "birth_date": "2023-06-01",
        "placement": {"unit": "Päiväkoti Satakieli", "kind": "daycare", "start": "2024-08-01"},
        "service_need": {"coefficient": "0.6"},
    }
    data.update(changes)
    return data


RULES = AttentionRules()


def flags_of(
    record: FamilyRecord, now: DecisionSnapshot, before: DecisionSnapshot | None
) -> list[Flag]:
    found = attention_flags(record, now, before, RULES)
    for flag in found:
        assert flag.code in FLAG_TEXTS
    return found


def test_an_ordinary_family_raises_no_flags() -> None:
    assert flags_of(family(), current(), PREVIOUS) == []
    assert flags_of(family(), PREVIOUS, None) == []


def test_fee_relief_is_flagged_first() -> None:
    found = flags_of(family(fee_relief_requested=True, accepts_max_fee=True), current(), PREVIOUS)
    assert codes(found) == ["fee_relief", "accepts_max_fee"]


def test_missing_income_names_the_persons() -> None:
    incomes = [
        {"person": "Maija Meikäläinen", "amount": 400000, "source": "tulorekisteri"},
        {"person": "Matti Meikäläinen", "missing": True},
    ]
    (flag,) = flags_of(family(incomes=incomes), current(income_total=None), None)
    assert flag == Flag("missing_income", {"persons": "Matti Meikäläinen"})
    assert "(Matti Meikäläinen)" in flag_text(flag, "fi")


def test_a_decision_without_income_is_flagged_even_if_no_person_is_named() -> None:
    (flag,) = flags_of(family(), current(income_total=None), None)
    assert flag == Flag("missing_income", {"persons": ""})
    assert "()" not in flag_text(flag, "en")


def test_the_accepted_maximum_fee_is_flagged_without_a_missing_income_flag() -> None:
    record = family(incomes=[], accepts_max_fee=True)
    assert codes(flags_of(record, current(income_total=None), None)) == ["accepts_max_fee"]


@pytest.mark.parametrize(
    ("old", "new", "flagged"),
    [
        (34000, 34000, False),
        (34000, 38999, False),  # +14.7 %, +49.99 €
        (34000, 39000, True),  # +50.00 €
        (10000, 12000, True),  # +20 %
        (10000, 11999, False),
        (10000, 8000, True),  # -20 %
        (0, 100, True),  # from nothing
        (300000, 304999, False),
        (300000, 305000, True),
    ],
)
def test_a_large_change_of_the_total_fee(old: int, new: int, flagged: bool) -> None:
    before = dataclasses.replace(PREVIOUS, total_fee=old)
    found = flags_of(family(), current(total_fee=new), before)
    assert ("large_change" in codes(found)) is flagged
    if flagged:
        text = flag_text(found[0], "en")
        assert format_euros(old, "en") in text
        assert format_euros(new, "en") in text


def test_the_large_change_limits_are_municipal_settings() -> None:
    rules = AttentionRules(large_change_percent=Decimal(50), large_change_cents=100000)
    found = attention_flags(family(), current(total_fee=45000), PREVIOUS, rules)
    assert found == []


def test_a_child_at_the_age_limit_is_flagged() -> None:
    record = family(children=[child(birth_date="2019-08-01", id="C-1", name="Ville")])
    (flag,) = flags_of(record, current(), PREVIOUS)
    assert flag == Flag(
        "child_over_age", {"child": "C-1", "name": "Ville", "age": "7", "birth_date": "2019-08-01"}
    )
    assert flag_text(flag, "fi").startswith(
        "Ville on 7-vuotias kauden alkaessa (syntynyt 1.8.2019)"
    )
    # Born a day later, still 6 on 1.8.2026, but school begins in August of the year the child
    # turns 7: the flag does not wait for the birthday.
    younger = family(children=[child(birth_date="2019-08-02", id="C-1", name="Ville")])
    assert [f.code for f in flags_of(younger, current(), PREVIOUS)] == ["child_over_age"]
    born_2021 = family(children=[child(birth_date="2021-01-01")])
    assert flags_of(born_2021, current(), PREVIOUS) == []


def test_a_child_of_pre_primary_age_not_marked_in_pre_primary_education_is_flagged() -> None:
    # Born 2020: turns 6 in 2026, pre-primary education begins on 1.8.2026.
    record = family(children=[child(birth_date="2020-12-31", id="C-1", name="Ville")])
    (flag,) = flags_of(record, current(), PREVIOUS)
    assert flag.code == "pre_primary_age"
    assert flag_text(flag, "fi").startswith(
        "Ville on esiopetusikäinen (syntynyt 31.12.2020): esiopetus alkaa 1.8.2026"
    )
    marked = family(children=[child(birth_date="2020-12-31", pre_primary=True)])
    assert flags_of(marked, current(), PREVIOUS) == []


def test_a_decision_starting_in_the_past_is_flagged_and_far_in_the_past_twice() -> None:
    record = family()
    today = date(2026, 12, 6)
    codes = [f.code for f in attention_flags(record, current(), PREVIOUS, RULES, today)]
    assert codes == ["retroactive_start"]
    assert attention_flags(record, current(), PREVIOUS, RULES, PERIOD) == []
    # 1.8.2026 is more than 12 months before 2.8.2027, not before 1.8.2027.
    late = [f.code for f in attention_flags(record, current(), PREVIOUS, RULES, date(2027, 8, 2))]
    assert late == ["far_retroactive_start", "retroactive_start"]
    on_the_limit = attention_flags(record, current(), PREVIOUS, RULES, date(2027, 8, 1))
    assert [f.code for f in on_the_limit] == ["retroactive_start"]
    shorter = AttentionRules(retroactive_limit_months=3)
    (far, _) = attention_flags(record, current(), PREVIOUS, shorter, date(2026, 12, 6))
    assert far.code == "far_retroactive_start"
    assert flag_text(far, "fi").startswith("Päätös alkaa yli 3 kuukautta sitten (1.8.2026).")


def test_an_income_change_under_ten_percent_is_flagged() -> None:
    (flag,) = flags_of(family(), current(income_total=430000), PREVIOUS)
    assert flag == Flag(
        "small_income_change",
        {"old": "400000", "new": "430000", "percent": "+7.5", "limit": "10"},
    )
    assert flags_of(family(), current(income_total=440000), PREVIOUS) == []
    assert flags_of(family(), current(income_total=430000), None) == []


def test_the_income_rule_percent_is_a_municipal_setting() -> None:
    rules = AttentionRules(income_change_percent=Decimal(5))
    assert attention_flags(family(), current(income_total=430000), PREVIOUS, rules) == []
    (flag,) = attention_flags(family(), current(income_total=410000), PREVIOUS, rules)
    assert flag.values["limit"] == "5"
    assert "alle 5 %" in flag_text(flag, "fi")


def test_a_placed_child_without_a_service_need_is_flagged() -> None:
    record = family(children=[child(service_need=None)])
    (flag,) = flags_of(record, current(), PREVIOUS)
    assert flag == Flag("service_need_missing", {"child": "C-2", "name": "Eero Meikäläinen"})


def test_an_ended_placement_is_flagged_and_not_checked_further() -> None:
    ended = child(
        service_need=None,
        placement={
            "unit": "Päiväkoti Satakieli",
            "kind": "daycare",
            "start": "2024-08-01",
            "end": "2026-05-31",
        },
    )
    (flag,) = flags_of(family(children=[ended]), current(), PREVIOUS)
    assert flag == Flag(
        "placement_ended", {"child": "C-2", "name": "Eero Meikäläinen", "end": "2026-05-31"}
    )
    assert "31.5.2026" in flag_text(flag, "sv")


def test_a_placement_starting_during_the_period_is_flagged() -> None:
    later = child(
        placement={"unit": "Päiväkoti Satakieli", "kind": "daycare", "start": "2026-08-17"}
    )
    (flag,) = flags_of(family(children=[later]), current(), PREVIOUS)
    assert flag == Flag(
        "placement_starts_later",
        {"child": "C-2", "name": "Eero Meikäläinen", "start": "2026-08-17"},
    )


def test_a_placement_ending_during_the_decision_is_flagged() -> None:
    leaving = child(
        placement={
            "unit": "Päiväkoti Satakieli",
            "kind": "daycare",
            "start": "2024-08-01",
            "end": "2026-12-31",
        }
    )
    (flag,) = flags_of(family(children=[leaving]), current(), PREVIOUS)
    assert flag == Flag(
        "placement_ends", {"child": "C-2", "name": "Eero Meikäläinen", "end": "2026-12-31"}
    )
    assert "31.12.2026" in flag_text(flag, "fi")


def test_a_municipal_discount_or_increase_is_flagged() -> None:
    altered = child(alterations=[{"kind": "discount", "percent": "20"}])
    (flag,) = flags_of(family(children=[altered]), current(), PREVIOUS)
    assert flag == Flag(
        "manual_alteration", {"child": "C-2", "name": "Eero Meikäläinen", "count": "1"}
    )


# --- Every code in every language -----------------------------------------------------------

CHANGE_EXAMPLES = [
    Change("first_decision", {}),
    Change("family_size", {"old": "3", "new": "4"}),
    Change("income", {"old": "400000", "new": "450000", "percent": "+12.5"}),
    Change("missing_income", {"old": "400000"}),
    Change("income_received", {"new": "400000"}),
    Change("maximum_fee", {"old": "false", "new": "true"}),
    Change("child_added", {"child": "C-3", "name": "Ilona", "unit": "Päiväkoti Kuusi"}),
    Change("child_left", {"child": "C-2", "name": "Eero", "unit": "Päiväkoti Kuusi"}),
    Change("placement", {"child": "C-1", "name": "Aino", "old": "A", "new": "B"}),
    Change(
        "service_need",
        {
            "child": "C-1",
            "name": "Aino",
            "old": "",
            "new": "150",
            "old_coefficient": "0.6",
            "new_coefficient": "1",
        },
    ),
    Change("sibling_rank", {"child": "C-1", "name": "Aino", "old": "1", "new": "2"}),
    Change("child_fee", {"child": "C-1", "name": "Aino", "old": "25000", "new": "29500"}),
    Change("parameters", {"old": "2024-08-01", "new": "2026-08-01"}),
    Change("fee", {"old": "34000", "new": "36050", "difference": "2050"}),
]
FLAG_EXAMPLES = [
    Flag("fee_relief", {}),
    Flag("missing_income", {"persons": "Matti"}),
    Flag("accepts_max_fee", {}),
    Flag("large_change", {"old": "1000", "new": "9000", "difference": "8000", "percent": "+800.0"}),
    Flag(
        "small_income_change",
        {"old": "400000", "new": "430000", "percent": "+7.5", "limit": "10"},
    ),
    Flag(
        "child_over_age", {"child": "C-1", "name": "Ville", "age": "7", "birth_date": "2019-08-01"}
    ),
    Flag("service_need_missing", {"child": "C-1", "name": "Ville"}),
    Flag("placement_ended", {"child": "C-1", "name": "Ville", "end": "2026-05-31"}),
    Flag("placement_starts_later", {"child": "C-1", "name": "Ville", "start": "2026-08-17"}),
    Flag("placement_ends", {"child": "C-1", "name": "Ville", "end": "2026-12-31"}),
    Flag("manual_alteration", {"child": "C-1", "name": "Ville", "count": "2"}),
    Flag(
        "pre_primary_age",
        {
            "child": "C-1",
            "name": "Ville",
            "age": "5",
            "birth_date": "2020-12-31",
            "start": "2026-08-01",
        },
    ),
    Flag("retroactive_start", {"start": "2026-07-01", "today": "2026-12-06", "months": "12"}),
    Flag("far_retroactive_start", {"start": "2025-07-01", "today": "2026-12-06", "months": "12"}),
]


def test_the_examples_cover_every_code() -> None:
    assert {change.code for change in CHANGE_EXAMPLES} == set(CHANGE_TEXTS)
    assert {flag.code for flag in FLAG_EXAMPLES} == set(FLAG_TEXTS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_change_and_flag_is_a_sentence_in_every_language(language: str) -> None:
    for item, text in [(c, change_text(c, language)) for c in CHANGE_EXAMPLES] + [
        (f, flag_text(f, language)) for f in FLAG_EXAMPLES
    ]:
        assert text[0].isupper(), (item, text)
        assert text.endswith((".", "?")), (item, text)
        assert "{" not in text
        assert "}" not in text
        for value in item.values.values():
            if value.isdigit() and len(value) > 3:  # cents: never shown raw
                assert f" {value} " not in f" {text} "
    texts = [change_text(c, language) for c in CHANGE_EXAMPLES]
    assert len(set(texts)) == len(texts)


def test_the_three_languages_differ() -> None:
    for change in CHANGE_EXAMPLES[1:]:
        assert len({change_text(change, language) for language in LANGUAGES}) == 3
    for flag in FLAG_EXAMPLES:
        assert len({flag_text(flag, language) for language in LANGUAGES}) == 3


def test_every_flag_says_what_to_check() -> None:
    verbs = {
        "fi": ("Tarkista", "käsittele"),
        "sv": ("Kontrollera", "behandla"),
        "en": ("Check", "handle"),
    }
    for flag in FLAG_EXAMPLES:
        for language in LANGUAGES:
            text = flag_text(flag, language)
            assert (
                any(verb in text for verb in verbs[language]) or flag.code == "small_income_change"
            ), text


def test_an_unknown_code_or_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown code"):
        change_text(Change("weather", {}), "fi")
    with pytest.raises(ValueError, match="unknown language"):
        flag_text(Flag("fee_relief", {}), "de")
