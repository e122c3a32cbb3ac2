"""The family import: every rule with its field path and code, masked identity codes, the
fingerprint, the canonical form and reading whole files."""

from __future__ import annotations

import copy
import json
import random
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kuntarobo.robots.ecec_fees.families import (
    MAX_LINE_BYTES,
    PROBLEMS,
    FamilyError,
    FamilyRecord,
    LineError,
    identity_code_birth_date,
    mask_identity_code,
    parse_family,
    read_families,
    read_families_file,
)

PERIOD = date(2026, 8, 1)
CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
DELETE = object()
CODES_SEEN: set[str] = set()


def identity_code(born: date, individual: int = 123, sign: str = "") -> str:
    if not sign:
        sign = {1800: "+", 1900: "-", 2000: "A"}[born.year // 100 * 100]
    digits = f"{born:%d%m%y}{individual:03d}"
    return f"{born:%d%m%y}{sign}{individual:03d}{CHECK_CHARACTERS[int(digits) % 31]}"


GUARDIAN_CODE = identity_code(date(1980, 1, 1), 124)
CHILD_CODE = identity_code(date(2022, 5, 1), 125)


def valid_family() -> dict[str, object]:
    return {
        "family_id": "F-000123",
        "language": "fi",
        "size": 4,
        "period_start": "2026-08-01",
        "guardians": [
            {
                "name": "Maija Meikäläinen",
                "identity_code": GUARDIAN_CODE,
                "address": {
                    "street": "Kuusitie 5 B 12",
                    "postal_code": "00100",
                    "city": "Helsinki",
                },
                "email": "maija@example.fi",
            }
        ],
        "incomes": [
            {"person": "Maija Meikäläinen", "amount": 350000, "source": "tulorekisteri"},
            {"person": "Matti Meikäläinen", "missing": True},
        ],
        "accepts_max_fee": False,
        "fee_relief_requested": False,
        "children": [
            {
                "id": "C-1",
                "name": "Aino Meikäläinen",
                "identity_code": CHILD_CODE,
                "birth_date": "2022-05-01",
                "placement": {
                    "unit": "Päiväkoti Satakieli",
                    "kind": "daycare",
                    "start": "2024-08-01",
                    "end": None,
                },
                "service_need": {"hours_per_month": 120},
                "alterations": [
                    {
                        "kind": "discount",
                        "percent": "20",
                        "reason": "sisarusalennus kunnan päätöksellä",
                    }
                ],
            }
        ],
    }


def set_path(data: object, path: str, value: object) -> None:
    *parents, last = path.split(".")
    for part in parents:
        data = data[int(part)] if isinstance(data, list) else data[part]  # type: ignore[index]
    key: object = int(last) if isinstance(data, list) else last
    if value is DELETE:
        del data[key]  # type: ignore[attr-defined]
    else:
        data[key] = value  # type: ignore[index]


def problems(data: object, **kwargs: object) -> list[tuple[str, str]]:
    with pytest.raises(FamilyError) as caught:
        parse_family(data, line=7, default_period_start=PERIOD, **kwargs)  # type: ignore[arg-type]
    for error in caught.value.errors:
        assert error.line == 7
        assert error.code in PROBLEMS, error.code
        assert error.field in error.message or not error.field
        CODES_SEEN.add(error.code)
    return [(error.field, error.code) for error in caught.value.errors]


def child(index: int, **changes: object) -> dict[str, object]:
    born = date(2021, 1, 1 + index)
    data: dict[str, object] = {
        "id": f"C-{index}",
        "name": f"Lapsi {index}",
        "birth_date": born.isoformat(),
        "placement": {"unit": "Päiväkoti Kuusi", "kind": "daycare", "start": "2023-01-01"},
        "service_need": {"hours_per_month": 100},
    }
    data.update(changes)
    return data


def test_the_documented_example_parses_into_records() -> None:
    family = parse_family(valid_family(), default_period_start=date(2020, 1, 1))
    assert family.family_id == "F-000123"
    assert family.period_start == PERIOD
    assert family.guardians[0].address is not None
    assert family.guardians[0].address.postal_code == "00100"
    assert family.incomes[1].amount is None
    assert family.income_total() is None
    assert family.missing_income_persons() == ("Matti Meikäläinen",)
    aino = family.children[0]
    assert aino.hours_per_month == 120
    assert aino.coefficient is None
    assert aino.alterations[0].percent == Decimal(20)
    assert aino.in_ecec_on(PERIOD)
    assert not aino.in_ecec_on(date(2024, 7, 31))


def test_optional_fields_take_their_defaults() -> None:
    data = valid_family()
    for key in ("language", "period_start", "accepts_max_fee", "fee_relief_requested"):
        del data[key]
    family = parse_family(data, default_period_start=date(2026, 9, 1))
    assert family.language == "fi"
    assert family.period_start == date(2026, 9, 1)
    assert not family.accepts_max_fee
    assert not family.fee_relief_requested


def test_the_2023_century_signs_are_accepted_and_their_birth_dates_checked() -> None:
    born = date(2023, 3, 4)
    for sign in "ABCDEF":
        code = identity_code(born, 222, sign)
        assert identity_code_birth_date(code) == born
        data = valid_family()
        set_path(data, "children.0.identity_code", code)
        set_path(data, "children.0.birth_date", born.isoformat())
        set_path(data, "children.0.placement.start", "2024-08-01")
        assert parse_family(data, default_period_start=PERIOD).children[0].identity_code == code
    adult = identity_code(date(1985, 6, 7), 333, "Y")
    assert identity_code_birth_date(adult) == date(1985, 6, 7)
    data = valid_family()
    set_path(data, "guardians.0.identity_code", adult)
    assert parse_family(data, default_period_start=PERIOD).guardians[0].identity_code == adult


def test_a_lower_case_identity_code_is_stored_in_capitals() -> None:
    data = valid_family()
    set_path(data, "guardians.0.identity_code", GUARDIAN_CODE.lower())
    assert parse_family(data, default_period_start=PERIOD).guardians[0].identity_code == (
        GUARDIAN_CODE
    )


RULES = [
    ("family_id", DELETE, "family_id", "missing"),
    ("family_id", "F 1", "family_id", "bad_family_id"),
    ("family_id", "x" * 65, "family_id", "bad_family_id"),
    ("family_id", 12, "family_id", "bad_family_id"),
    ("language", "en", "language", "bad_language"),
    ("size", DELETE, "size", "missing"),
    ("size", "4", "size", "wrong_type"),
    ("size", True, "size", "wrong_type"),
    ("size", 4.0, "size", "not_integer"),
    ("size", 1, "size", "out_of_range"),
    ("size", -3, "size", "negative"),
    ("period_start", "1.8.2026", "period_start", "bad_date"),
    ("period_start", "2026-02-30", "period_start", "bad_date"),
    ("period_start", "20260801", "period_start", "bad_date"),
    ("period_start", 20260801, "period_start", "bad_date"),
    ("guardians", DELETE, "guardians", "missing"),
    ("guardians", [], "guardians", "too_few"),
    ("guardians", "Maija", "guardians", "wrong_type"),
    ("guardians.0", "Maija", "guardians[0]", "not_object"),
    ("guardians.0.name", DELETE, "guardians[0].name", "missing"),
    ("guardians.0.name", "", "guardians[0].name", "missing"),
    ("guardians.0.name", "x" * 201, "guardians[0].name", "too_long"),
    ("guardians.0.identity_code", "010180-124X", "guardians[0].identity_code", "bad_identity_code"),
    ("guardians.0.identity_code", "310280-124X", "guardians[0].identity_code", "bad_identity_code"),
    ("guardians.0.identity_code", "0101801", "guardians[0].identity_code", "bad_identity_code"),
    ("guardians.0.identity_code", 10180, "guardians[0].identity_code", "wrong_type"),
    ("guardians.0.address", DELETE, "guardians[0].address", "missing"),
    ("guardians.0.address", "Kuusitie 5", "guardians[0].address", "not_object"),
    (
        "guardians.0.address.postal_code",
        "0010",
        "guardians[0].address.postal_code",
        "bad_postal_code",
    ),
    ("guardians.0.address.postal_code", 100, "guardians[0].address.postal_code", "bad_postal_code"),
    ("guardians.0.address.city", DELETE, "guardians[0].address.city", "missing"),
    ("guardians.0.address.floor", 3, "guardians[0].address.floor", "unknown_key"),
    ("guardians.0.email", "maija", "guardians[0].email", "bad_email"),
    ("guardians.0.phone", "040 123", "guardians[0].phone", "unknown_key"),
    ("incomes", [], "incomes", "no_incomes"),
    ("incomes", DELETE, "incomes", "no_incomes"),
    ("incomes", {}, "incomes", "wrong_type"),
    ("incomes.0.person", DELETE, "incomes[0].person", "missing"),
    ("incomes.0.amount", -1, "incomes[0].amount", "negative"),
    ("incomes.0.amount", 3500.5, "incomes[0].amount", "not_integer"),
    ("incomes.0.amount", 10**11 + 1, "incomes[0].amount", "out_of_range"),
    ("incomes.0.amount", "350000", "incomes[0].amount", "wrong_type"),
    ("incomes.0.amount", True, "incomes[0].amount", "wrong_type"),
    ("incomes.0.amount", DELETE, "incomes[0].amount", "missing"),
    ("incomes.0.source", DELETE, "incomes[0].source", "missing"),
    ("incomes.0.euros", 3500, "incomes[0].euros", "unknown_key"),
    ("incomes.1.missing", False, "incomes[1].missing", "bad_income"),
    ("incomes.1.amount", 5, "incomes[1].amount", "bad_income"),
    ("accepts_max_fee", "yes", "accepts_max_fee", "wrong_type"),
    ("fee_relief_requested", 1, "fee_relief_requested", "wrong_type"),
    ("children", DELETE, "children", "missing"),
    ("children", [], "children", "too_few"),
    ("children.0.id", DELETE, "children[0].id", "missing"),
    ("children.0.id", "C 1", "children[0].id", "bad_child_id"),
    ("children.0.name", DELETE, "children[0].name", "missing"),
    ("children.0.birth_date", DELETE, "children[0].birth_date", "missing"),
    ("children.0.birth_date", "2026-08-02", "children[0].birth_date", "birth_after_period"),
    (
        "children.0.identity_code",
        identity_code(date(2022, 5, 2), 125),
        "children[0].identity_code",
        "identity_code_birth_date",
    ),
    ("children.0.identity_code", "010522A12", "children[0].identity_code", "bad_identity_code"),
    ("children.0.placement", DELETE, "children[0].placement", "missing"),
    ("children.0.placement.kind", "home", "children[0].placement.kind", "bad_placement_kind"),
    ("children.0.placement.unit", " ", "children[0].placement.unit", "missing"),
    ("children.0.placement.start", DELETE, "children[0].placement.start", "missing"),
    ("children.0.placement.end", "2024-13-01", "children[0].placement.end", "bad_date"),
    ("children.0.placement.end", "2024-07-31", "children[0].placement.end", "end_before_start"),
    # An "open-ended" 9999-12-31 overflowed the decision periods' date arithmetic (a 500).
    ("children.0.placement.end", "9999-12-31", "children[0].placement.end", "date_out_of_range"),
    ("children.0.birth_date", "1899-12-31", "children[0].birth_date", "date_out_of_range"),
    ("period_start", "2201-01-01", "period_start", "date_out_of_range"),
    # PostgreSQL cannot store a NUL in a payload: refused by name, not a DataError (a 500).
    ("guardians.0.name", "Maija\x00", "guardians[0].name", "control_character"),
    (
        "children.0.placement.start",
        "2022-04-30",
        "children[0].placement.start",
        "placement_before_birth",
    ),
    ("children.0.service_need", {}, "children[0].service_need", "bad_service_need"),
    (
        "children.0.service_need",
        {"hours_per_month": 120, "coefficient": "0.8"},
        "children[0].service_need",
        "bad_service_need",
    ),
    (
        "children.0.service_need",
        {"hours": 120},
        "children[0].service_need.hours",
        "unknown_key",
    ),
    (
        "children.0.service_need.hours_per_month",
        0,
        "children[0].service_need.hours_per_month",
        "out_of_range",
    ),
    (
        "children.0.service_need.hours_per_month",
        745,
        "children[0].service_need.hours_per_month",
        "out_of_range",
    ),
    (
        "children.0.service_need.hours_per_month",
        120.0,
        "children[0].service_need.hours_per_month",
        "not_integer",
    ),
    (
        "children.0.service_need",
        {"coefficient": "1.01"},
        "children[0].service_need.coefficient",
        "out_of_range",
    ),
    (
        "children.0.service_need",
        {"coefficient": "0"},
        "children[0].service_need.coefficient",
        "out_of_range",
    ),
    (
        "children.0.service_need",
        {"coefficient": 0.85},
        "children[0].service_need.coefficient",
        "bad_decimal",
    ),
    (
        "children.0.service_need",
        {"coefficient": "0,85"},
        "children[0].service_need.coefficient",
        "bad_decimal",
    ),
    ("children.0.alterations", {}, "children[0].alterations", "wrong_type"),
    (
        "children.0.alterations.0.kind",
        "bonus",
        "children[0].alterations[0].kind",
        "bad_alteration_kind",
    ),
    (
        "children.0.alterations.0.kind",
        DELETE,
        "children[0].alterations[0].kind",
        "missing",
    ),
    ("children.0.alterations.0.percent", DELETE, "children[0].alterations[0]", "bad_alteration"),
    ("children.0.alterations.0.amount", 500, "children[0].alterations[0]", "bad_alteration"),
    (
        "children.0.alterations.0.percent",
        "101",
        "children[0].alterations[0].percent",
        "out_of_range",
    ),
    (
        "children.0.alterations.0",
        {"kind": "increase", "amount": 0},
        "children[0].alterations[0].amount",
        "out_of_range",
    ),
    ("children.0.nickname", "Ainokainen", "children[0].nickname", "unknown_key"),
    ("children.0.placement.hours", 3, "children[0].placement.hours", "unknown_key"),
    ("extra", 1, "extra", "unknown_key"),
]


@pytest.mark.parametrize(
    ("path", "value", "field", "code"),
    RULES,
    ids=[
        f"{rule[0]}={'DELETE' if rule[1] is DELETE else repr(rule[1])[:30]}->{rule[3]}"
        for rule in RULES
    ],
)
def test_every_rule_names_its_field_and_code(
    path: str, value: object, field: str, code: str
) -> None:
    data = valid_family()
    set_path(data, path, value)
    assert (field, code) in problems(data)


def test_a_line_that_is_not_an_object_is_refused() -> None:
    assert problems([1, 2]) == [("", "not_object")]


def test_too_many_guardians_and_children_are_refused() -> None:
    data = valid_family()
    guardians = data["guardians"]
    assert isinstance(guardians, list)
    data["guardians"] = guardians * 3
    data["children"] = [child(index) for index in range(13)]
    data["size"] = 20
    found = problems(data)
    assert ("guardians", "too_many") in found
    assert ("children", "too_many") in found


def test_the_second_guardian_needs_no_address() -> None:
    data = valid_family()
    guardians = data["guardians"]
    assert isinstance(guardians, list)
    guardians.append({"name": "Matti Meikäläinen"})
    family = parse_family(data, default_period_start=PERIOD)
    assert family.guardians[1].address is None
    assert family.guardians[1].identity_code == ""
    address = {"street": "Koivutie 1", "postal_code": "00200", "city": "Helsinki", "country": "FI"}
    guardians[1]["address"] = address
    family = parse_family(data, default_period_start=PERIOD)
    assert family.guardians[1].address is not None
    assert family.guardians[1].address.city == "Helsinki"
    assert family.guardians[1].address.country == "FI"
    assert parse_family(family.to_json(), default_period_start=PERIOD) == family


def test_incomes_may_be_empty_when_the_family_accepts_the_maximum_fee() -> None:
    data = valid_family()
    data["incomes"] = []
    data["accepts_max_fee"] = True
    family = parse_family(data, default_period_start=PERIOD)
    assert family.incomes == ()
    assert family.income_total() == 0


def test_a_family_smaller_than_its_members_is_refused() -> None:
    data = valid_family()
    data["children"] = [child(1), child(2), child(3)]
    data["size"] = 3
    assert ("size", "too_small_family") in problems(data)
    data["size"] = 4
    assert parse_family(data, default_period_start=PERIOD).size == 4


def test_two_children_with_one_id_are_refused_on_the_later_child() -> None:
    data = valid_family()
    data["children"] = [child(1), child(2, id="C-1")]
    assert problems(data) == [("children[1].id", "duplicate_child")]


def test_one_identity_code_twice_in_a_family_is_refused() -> None:
    data = valid_family()
    data["children"] = [
        child(1, identity_code=identity_code(date(2021, 1, 2), 300)),
        child(2, identity_code=identity_code(date(2021, 1, 2), 300), birth_date="2021-01-02"),
    ]
    assert ("children[1].identity_code", "duplicate_identity_code") in problems(data)


def test_a_child_whose_placement_ended_is_kept_but_not_in_ecec() -> None:
    data = valid_family()
    data["size"] = 5
    data["children"] = [
        child(1),
        child(
            2,
            placement={
                "unit": "Päiväkoti Kuusi",
                "kind": "daycare",
                "start": "2023-01-01",
                "end": "2026-07-31",
            },
        ),
    ]
    family = parse_family(data, default_period_start=PERIOD)
    assert [c.id for c in family.children] == ["C-1", "C-2"]
    assert [c.id for c in family.children_in_ecec()] == ["C-1"]
    assert [c.id for c in family.children_not_in_ecec()] == ["C-2"]
    assert not family.children[1].in_ecec_on(PERIOD)
    assert family.children[1].in_ecec_on(date(2026, 7, 31))


def test_coefficients_and_amount_alterations_are_read() -> None:
    data = valid_family()
    set_path(data, "children.0.service_need", {"coefficient": "0.850"})
    set_path(data, "children.0.alterations", [{"kind": "increase", "amount": 1500}])
    aino = parse_family(data, default_period_start=PERIOD).children[0]
    assert aino.coefficient == Decimal("0.85")
    assert aino.hours_per_month is None
    assert aino.alterations[0].amount == 1500
    assert aino.alterations[0].percent is None


def test_a_child_without_a_service_need_is_read_for_a_person_to_check() -> None:
    data = valid_family()
    set_path(data, "children.0.service_need", DELETE)
    assert parse_family(data, default_period_start=PERIOD).children[0].service_need_missing


def test_all_problems_of_a_family_are_reported_at_once() -> None:
    data = valid_family()
    data["size"] = 1.5
    data["language"] = "en"
    set_path(data, "children.0.placement.kind", "home")
    set_path(data, "incomes.0.amount", -5)
    found = problems(data)
    assert len(found) == 4


def test_a_long_bad_value_is_cut_to_100_characters_in_the_message() -> None:
    data = valid_family()
    data["language"] = "x" * 5000
    with pytest.raises(FamilyError) as caught:
        parse_family(data, default_period_start=PERIOD)
    (error,) = caught.value.errors
    assert len(error.message) < 200
    assert len(error.params["value"]) <= 100


def test_the_canonical_form_round_trips() -> None:
    data = valid_family()
    guardians = data["guardians"]
    assert isinstance(guardians, list)
    guardians.append({"name": "Matti", "email": "matti@example.fi"})
    data["children"] = [
        child(
            1,
            service_need={"coefficient": "0.70"},
            alterations=[{"kind": "increase", "amount": 300}],
        ),
        child(
            2,
            placement={
                "unit": "Perhepäivähoito Virtanen",
                "kind": "family_daycare",
                "start": "2023-01-01",
                "end": "2027-07-31",
            },
        ),
    ]
    family = parse_family(data, default_period_start=PERIOD)
    canonical = family.to_json()
    again = parse_family(json.loads(json.dumps(canonical)), default_period_start=date(2000, 1, 1))
    assert again == family
    assert again.to_json() == canonical
    assert again.fingerprint() == family.fingerprint()


def test_the_fingerprint_ignores_key_order_and_whitespace() -> None:
    data = valid_family()
    compact = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    spacious = json.dumps(data, sort_keys=True, indent=None, separators=(" ,  ", " :  "))
    reordered = json.dumps(dict(reversed(list(data.items()))))
    families, errors = read_families([compact], default_period_start=PERIOD)
    assert errors == []
    expected = families[0].fingerprint()
    for line in (spacious, reordered):
        (family,), errors = read_families([line], default_period_start=PERIOD)
        assert family.fingerprint() == expected
    assert len(expected) == 64
    # The canonical digest does not depend on the machine: fixed for this input.
    assert expected == parse_family(valid_family(), default_period_start=PERIOD).fingerprint()


def test_the_fingerprint_ignores_trailing_zeros_and_the_order_of_children_and_incomes() -> None:
    data = valid_family()
    data["children"] = [child(1), child(2, service_need={"coefficient": "0.8"})]
    expected = parse_family(data, default_period_start=PERIOD).fingerprint()
    other = copy.deepcopy(data)
    other["children"] = [child(2, service_need={"coefficient": "0.800"}), child(1)]
    incomes = other["incomes"]
    assert isinstance(incomes, list)
    incomes.reverse()
    assert parse_family(other, default_period_start=PERIOD).fingerprint() == expected


def test_the_fingerprint_of_the_canonical_form_a_caller_has_is_the_records_own() -> None:
    data = valid_family()
    data["children"] = [child(2), child(1)]
    incomes = data["incomes"]
    assert isinstance(incomes, list)
    incomes.reverse()
    record = parse_family(data, default_period_start=PERIOD)
    canonical = record.to_json()
    before = copy.deepcopy(canonical)

    assert record.fingerprint(canonical) == record.fingerprint()
    assert canonical == before  # the payload it also becomes is left as it was


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("size", 5),
        ("incomes.0.amount", 350001),
        ("incomes.1", {"person": "Matti Meikäläinen", "amount": 0, "source": "tulorekisteri"}),
        ("children.0.service_need.hours_per_month", 121),
        ("children.0.placement.end", "2027-07-31"),
        ("children.0.placement.unit", "Päiväkoti Kuusi"),
        ("children.0.alterations.0.percent", "25"),
        ("guardians.0.address.street", "Kuusitie 6"),
        ("guardians.0.name", "Maija Virtanen"),
        ("accepts_max_fee", True),
        ("fee_relief_requested", True),
        ("language", "sv"),
        ("period_start", "2026-09-01"),
    ],
)
def test_the_fingerprint_changes_when_the_fee_or_the_letter_would(path: str, value: object) -> None:
    before = parse_family(valid_family(), default_period_start=PERIOD).fingerprint()
    data = valid_family()
    set_path(data, path, value)
    assert parse_family(data, default_period_start=PERIOD).fingerprint() != before


def test_the_raw_data_is_kept_but_does_not_decide_equality() -> None:
    family = parse_family(valid_family(), default_period_start=PERIOD)
    assert family.raw["family_id"] == "F-000123"
    assert "raw" not in repr(family)
    assert GUARDIAN_CODE not in repr(family)
    assert CHILD_CODE not in repr(family)


def lines_of(*families: object) -> list[str]:
    return [json.dumps(family, ensure_ascii=False) + "\n" for family in families]


def other_family(family_id: str, **changes: object) -> dict[str, object]:
    data = valid_family()
    data["family_id"] = family_id
    data.update(changes)
    return data


def test_reading_goes_on_after_bad_lines_and_reports_them_in_order() -> None:
    bad_size = other_family("F-2", size="four")
    bad_child = other_family("F-4")
    set_path(bad_child, "children.0.birth_date", "2022-5-1")
    lines = [
        *lines_of(other_family("F-1")),
        "\n",
        *lines_of(bad_size),
        '{"family_id": "F-3",\n',
        *lines_of(bad_child, other_family("F-5")),
        "   \n",
    ]
    families, errors = read_families(lines, default_period_start=PERIOD)
    assert [family.family_id for family in families] == ["F-1", "F-5"]
    assert [(error.line, error.field, error.code) for error in errors] == [
        (3, "size", "wrong_type"),
        (4, "", "bad_json"),
        (5, "children[0].birth_date", "bad_date"),
    ]
    json_error = errors[1]
    assert "line 4" in json_error.message
    assert "column 21" in json_error.message
    assert json_error.params["column"] == "21"


def test_a_family_twice_for_one_period_is_an_error_on_the_later_line() -> None:
    lines = lines_of(
        other_family("F-1"),
        other_family("F-2"),
        other_family("F-1"),
        other_family("F-1", period_start="2027-01-01"),
    )
    families, errors = read_families(lines, default_period_start=PERIOD)
    assert [(f.family_id, f.period_start) for f in families] == [
        ("F-1", PERIOD),
        ("F-2", PERIOD),
        ("F-1", date(2027, 1, 1)),
    ]
    (error,) = errors
    assert (error.line, error.field, error.code) == (3, "family_id", "duplicate_family")
    assert error.params["first_line"] == "1"
    assert "line 1" in error.message


def test_a_family_without_a_period_uses_the_default_for_duplicates() -> None:
    first = other_family("F-1")
    del first["period_start"]
    _, errors = read_families(lines_of(first, other_family("F-1")), default_period_start=PERIOD)
    assert [error.code for error in errors] == ["duplicate_family"]


def test_json_that_is_not_quite_json_is_refused() -> None:
    lines = [
        '{"family_id": "F-1", "family_id": "F-2"}',
        '{"size": NaN}',
        "[" * 100_000 + "]" * 100_000,
    ]
    _, errors = read_families(lines, default_period_start=PERIOD)
    assert [(error.line, error.code) for error in errors] == [
        (1, "duplicate_key"),
        (2, "bad_json"),
        (3, "bad_json"),
    ]


def test_reading_stops_after_max_errors() -> None:
    lines = ["{bad"] * 10
    families, errors = read_families(lines, default_period_start=PERIOD, max_errors=3)
    assert families == []
    assert [error.code for error in errors] == ["bad_json"] * 3 + ["too_many_errors"]
    assert errors[-1].line == 4
    _, errors = read_families(["{bad"] * 3, default_period_start=PERIOD, max_errors=3)
    assert [error.code for error in errors] == ["bad_json"] * 3


def test_bytes_lines_that_are_not_utf8_name_the_byte_offset() -> None:
    good = lines_of(other_family("F-1"))[0].encode()
    bad = b'{"family_id": "F-\xff"}\n'
    families, errors = read_families([good, bad], default_period_start=PERIOD)
    assert len(families) == 1
    (error,) = errors
    assert (error.line, error.code) == (2, "not_utf8")
    assert error.params["offset"] == str(len(good) + 17)
    assert str(len(good) + 17) in error.message


def test_a_line_over_one_megabyte_is_refused() -> None:
    long_line = json.dumps(other_family("F-1", extra="x" * MAX_LINE_BYTES))
    families, errors = read_families(
        [long_line, long_line.encode(), *lines_of(other_family("F-2"))],
        default_period_start=PERIOD,
    )
    assert [family.family_id for family in families] == ["F-2"]
    assert [(error.line, error.code) for error in errors] == [
        (1, "line_too_long"),
        (2, "line_too_long"),
    ]


def test_a_file_is_read_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "families.jsonl"
    text = "".join(lines_of(other_family("F-1"), other_family("F-2")))
    path.write_bytes(
        b"\xef\xbb\xbf"
        + text.encode()
        + b'{"family_id": "\xe4"}\r\n'
        + json.dumps(other_family("F-3", extra="x" * (MAX_LINE_BYTES + 10))).encode()
        + b"\n\n"
        + lines_of(other_family("F-4"))[0].encode().rstrip(b"\n")
    )
    families, errors = read_families_file(path, default_period_start=PERIOD)
    assert [family.family_id for family in families] == ["F-1", "F-2", "F-4"]
    assert [(error.line, error.code) for error in errors] == [(3, "not_utf8"), (4, "line_too_long")]
    assert errors[0].params["offset"] == str(3 + len(text.encode()) + 15)


def test_every_problem_code_is_explained_and_all_rules_were_seen() -> None:
    for code, text in PROBLEMS.items():
        assert code.islower()
        assert text
    # The rule table above produces most codes; the reading tests the rest.
    reading = {"bad_json", "duplicate_key", "not_utf8", "line_too_long", "too_many_errors"}
    reading |= {"duplicate_family"}
    expected_from_rules = set(PROBLEMS) - reading
    for path, value, _field, _code in RULES:
        data = valid_family()
        set_path(data, path, value)
        problems(data)
    for builder in (
        test_a_line_that_is_not_an_object_is_refused,
        test_a_family_smaller_than_its_members_is_refused,
        test_two_children_with_one_id_are_refused_on_the_later_child,
        test_one_identity_code_twice_in_a_family_is_refused,
        test_too_many_guardians_and_children_are_refused,
    ):
        builder()
    assert expected_from_rules <= CODES_SEEN


def test_a_line_error_reads_as_a_sentence() -> None:
    error = LineError(3, "size", "size: must be 2..30, got 1", "out_of_range", {"value": "1"})
    assert str(error) == "line 3: size: must be 2..30, got 1"


# Identity codes in wrong places: whatever the field, no message, field or param shows one.
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))
individuals = st.integers(min_value=2, max_value=899)

PLACES = [
    lambda data, code: data.__setitem__(code, 1),
    lambda data, code: set_path(data, "guardians.0.address.postal_code", code),
    lambda data, code: set_path(data, "guardians.0.address." + code, "x"),
    lambda data, code: set_path(data, "guardians.0.email", code),
    lambda data, code: set_path(data, "guardians.0.name", code * 20),
    lambda data, code: data.__setitem__("language", code.lower()),
    lambda data, code: data.__setitem__("size", code),
    lambda data, code: data.__setitem__("period_start", code),
    lambda data, code: data.__setitem__("family_id", code + " x"),
    lambda data, code: data.__setitem__("family_id", "1" + code + "1!"),
    lambda data, code: set_path(data, "children.0.id", code + "!"),
    lambda data, code: set_path(data, "children.0.birth_date", code),
    lambda data, code: set_path(data, "children.0.placement.kind", "x" + code),
    lambda data, code: set_path(data, "children.0.service_need", {"coefficient": code}),
    lambda data, code: set_path(data, "children.0.alterations.0.kind", code),
    lambda data, code: set_path(data, "incomes.0.amount", code),
    lambda data, code: set_path(data, "incomes.0.source", "x" * 190 + code),
    lambda data, code: set_path(data, "children.0.identity_code", code),
]


def assert_not_shown(code: str, errors: list[LineError]) -> None:
    assert errors
    for error in errors:
        for text in (error.message, error.field, str(error), *error.params.values()):
            assert code.upper() not in text.upper()


@settings(max_examples=150, deadline=None)
@given(
    born=birth_dates,
    individual=individuals,
    place=st.sampled_from(range(len(PLACES))),
)
def test_identity_codes_never_appear_unmasked_in_any_error(
    born: date, individual: int, place: int
) -> None:
    code = identity_code(born, individual)
    data = valid_family()
    if place == len(PLACES) - 1 and born == date(2022, 5, 1):
        return  # the right code for Aino is no error
    PLACES[place](data, code)
    with pytest.raises(FamilyError) as caught:
        parse_family(data, line=1, default_period_start=PERIOD)
    assert_not_shown(code, caught.value.errors)


@settings(max_examples=50, deadline=None)
@given(born=birth_dates, individual=individuals)
def test_an_identity_code_as_family_id_is_masked_in_the_duplicate_error(
    born: date, individual: int
) -> None:
    code = identity_code(born, individual)
    lines = lines_of(other_family(code), other_family(code))
    _, errors = read_families(lines, default_period_start=PERIOD)
    assert [error.code for error in errors] == ["duplicate_family"]
    assert_not_shown(code, errors)
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    data = valid_family()
    set_path(data, "guardians.0.identity_code", bad)
    with pytest.raises(FamilyError) as caught:
        parse_family(data, default_period_start=PERIOD)
    assert_not_shown(bad, caught.value.errors)
    assert caught.value.errors[0].params["value"] == mask_identity_code(bad)
    assert FamilyRecord  # the record type is part of the public surface


def shuffled(value: object, rng: random.Random) -> object:
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {key: shuffled(item, rng) for key, item in items}
    if isinstance(value, list):
        return [shuffled(item, rng) for item in value]
    return value


@settings(max_examples=40, deadline=None)
@given(rng=st.randoms(use_true_random=False), indent=st.sampled_from([None, 0]))
def test_the_fingerprint_ignores_key_order_at_every_level(
    rng: random.Random, indent: int | None
) -> None:
    expected = parse_family(valid_family(), default_period_start=PERIOD).fingerprint()
    text = json.dumps(shuffled(valid_family(), rng), indent=indent).replace("\n", " ")
    (family,), errors = read_families([text], default_period_start=PERIOD)
    assert errors == []
    assert family.fingerprint() == expected


# --- Issue 16: deductions from income and pre-primary education ------------------------------


def test_a_paid_child_maintenance_is_read_as_a_deduction_with_its_source() -> None:
    data = valid_family()
    set_path(data, "incomes.1", {"person": "Matti Meikäläinen", "amount": 250000, "source": "x"})
    data["deductions"] = [
        {
            "person": "Matti Meikäläinen",
            "amount": 30000,
            "source": "elatussopimus 12.3.2024",
            "reason": "elatusapu",
        }
    ]
    record = parse_family(data, default_period_start=PERIOD)
    (deduction,) = record.deductions
    assert (deduction.person, deduction.amount, deduction.source, deduction.reason) == (
        "Matti Meikäläinen",
        30000,
        "elatussopimus 12.3.2024",
        "elatusapu",
    )
    # 3,500 + 2,500 − 300 = 5,700 €
    assert record.income_total() == 570000
    again = parse_family(record.to_json(), default_period_start=PERIOD)
    assert again.deductions == record.deductions


def test_a_family_without_deductions_keeps_its_canonical_form_and_fingerprint() -> None:
    record = parse_family(valid_family(), default_period_start=PERIOD)
    assert "deductions" not in record.to_json()
    data = valid_family()
    data["deductions"] = []
    assert parse_family(data, default_period_start=PERIOD).fingerprint() == record.fingerprint()


@pytest.mark.parametrize(
    ("deduction", "field", "code"),
    [
        ({"person": "M", "amount": 100}, "deductions[0].source", "missing"),
        ({"person": "M", "amount": 0, "source": "x"}, "deductions[0].amount", "out_of_range"),
        ({"person": "M", "amount": -5, "source": "x"}, "deductions[0].amount", "negative"),
        ({"amount": 100, "source": "x"}, "deductions[0].person", "missing"),
        (
            {"person": "M", "amount": 1, "source": "x", "kind": "y"},
            "deductions[0].kind",
            "unknown_key",
        ),
    ],
)
def test_a_bad_deduction_is_refused_naming_its_field(
    deduction: dict[str, object], field: str, code: str
) -> None:
    data = valid_family()
    data["deductions"] = [deduction]
    assert (field, code) in problems(data)


def test_a_child_in_pre_primary_education_only_needs_no_service_need() -> None:
    data = valid_family()
    set_path(data, "children.0.service_need", DELETE)
    set_path(data, "children.0.pre_primary", True)
    aino = parse_family(data, default_period_start=PERIOD).children[0]
    assert aino.pre_primary
    assert aino.pre_primary_only
    assert not aino.service_need_missing
    assert aino.to_json()["pre_primary"] is True


def test_a_child_in_pre_primary_education_with_supplementary_hours_is_charged_by_them() -> None:
    data = valid_family()
    set_path(data, "children.0.pre_primary", True)
    aino = parse_family(data, default_period_start=PERIOD).children[0]
    assert aino.pre_primary
    assert not aino.pre_primary_only
    assert aino.hours_per_month == 120


def test_pre_primary_must_be_true_or_false() -> None:
    data = valid_family()
    set_path(data, "children.0.pre_primary", "yes")
    assert ("children[0].pre_primary", "wrong_type") in problems(data)
