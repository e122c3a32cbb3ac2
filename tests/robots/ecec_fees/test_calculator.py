"""The calculator's JSON contract: the documented example, every refusal and its field path."""

from __future__ import annotations

import copy
import datetime
import json
from collections.abc import Callable
from decimal import Decimal

import pytest

from kuntarobo.robots.ecec_fees.calculator import (
    CalculatorInputError,
    CalculatorRequest,
    calculate_json,
    parameters_to_json,
    parse_family,
    parse_parameters,
    parse_request,
)
from kuntarobo.robots.ecec_fees.fees import FeeParameters
from tests.robots.ecec_fees.test_fees import ROWS, row

EXAMPLE: dict = {
    "parameters": {
        "income_percentage": "10.7",
        "income_thresholds": {"2": 406600, "3": 524500, "4": 595600, "5": 666700, "6": 737600},
        "threshold_increase_per_further_child": 27500,
        "max_fee": 31100,
        "min_fee": 3000,
        "sibling_percentages": [100, 40, 20],
    },
    "family": {
        "size": 4,
        "incomes": [{"amount": 350000}, {"amount": 280000}],
        "children": [
            {
                "id": "a",
                "birth_date": "2022-05-01",
                "service_need_coefficient": "1.0",
                "alterations": [{"kind": "discount", "percent": "20"}],
            },
            {"id": "b", "birth_date": "2020-01-15", "service_need_coefficient": "0.6"},
        ],
    },
}


def example(**changes) -> dict:
    data = copy.deepcopy(EXAMPLE)
    data.update(changes)
    return data


def by_date(day: str = "2024-09-01") -> dict:
    data = example(date=day)
    del data["parameters"]
    return data


def test_the_documented_example_gives_the_figures_worked_out_by_hand():
    answer = calculate_json(example())
    # Family of 4: income 3500 + 2800 = 6300 €, threshold 5956 €.
    # Base fee 10.7 % × (6300 − 5956) = 36.808 → 37 €.
    # a (born 2022, the youngest): 100 % × 37 = 37 €, full time, above the 30 € minimum;
    #   a 20 % discount of 37.00 = 7.40 → 29.60 € (alterations come after the minimum rule).
    # b (born 2020): 40 % × 37 = 14.8 → 15 €; part-time 0.6 × 15 = 9 € < 30 € → not charged.
    assert answer["total_fee"] == 2960
    assert answer["family_size"] == 4
    assert answer["income_total"] == 630000
    assert answer["threshold"] == 595600
    assert answer["maximum_fee_used"] is False
    a, b = answer["children"]
    assert a == {
        "id": "a",
        "birth_date": "2022-05-01",
        "sibling_rank": 1,
        "sibling_percentage": 100,
        "service_need_coefficient": "1.0",
        "base_fee": 3700,
        "sibling_fee": 3700,
        "fee_before_alterations": 3700,
        "minimum_fee_applied": False,
        "final_fee": 2960,
        "explanation": [
            "Youngest child: 100% × €37.00 = €37.00",
            "Discount 20% of €37.00 = −€7.40",
            "Monthly fee €29.60",
        ],
    }
    assert (b["id"], b["sibling_rank"], b["sibling_percentage"]) == ("b", 2, 40)
    assert (b["base_fee"], b["sibling_fee"], b["fee_before_alterations"], b["final_fee"]) == (
        3700,
        1500,
        0,
        0,
    )
    assert b["minimum_fee_applied"] is True
    assert b["service_need_coefficient"] == "0.6"
    assert b["explanation"] == [
        "Second child: 40% × €37.00 = €14.80 → €15.00",
        "Service need 0.60 × €15.00 = €9.00",
        "A fee below the minimum fee €30.00 is not charged: €9.00 → €0.00",
        "Monthly fee €0.00",
    ]
    assert (
        "Base fee: 10.7% × (€6,300.00 − €5,956.00) = €36.81 → rounded to whole euros €37.00"
        in (answer["explanation"])
    )
    assert answer["explanation"][-1] == "Family's fees in total €29.60/month"
    assert answer["parameters"] == EXAMPLE["parameters"]


def test_the_answer_is_plain_json():
    answer = calculate_json(example())
    assert json.loads(json.dumps(answer)) == answer


def test_the_explanations_come_in_the_requested_language():
    answer = calculate_json(example(language="fi"))
    assert answer["language"] == "fi"
    assert (
        answer["children"][1]["explanation"][0]
        == "Toinen lapsi: 40 % × 37,00 € = 14,80 € → 15,00 €"
    )
    assert "Perheen maksut yhteensä 29,60 €/kk" in answer["explanation"]
    sv = calculate_json(example(language="sv"))
    assert sv["children"][0]["explanation"][-1] == "Månadsavgift 29,60 €"


def test_a_missing_income_gives_the_maximum_fee_and_no_income_total():
    data = example()
    data["family"]["incomes"][1] = {"missing": True, "label": "salary", "source": "asked"}
    answer = calculate_json(data)
    # a: 311 € − 20 % (62.20) = 248.80 €; b: 40 % × 311 = 124.4 → 124, × 0.6 = 74.4 → 74 €
    assert answer["maximum_fee_used"] is True
    assert answer["income_total"] is None
    assert [c["final_fee"] for c in answer["children"]] == [24880, 7400]
    assert "Income 2 (salary): not reported" in answer["explanation"]


def test_a_family_accepting_the_maximum_fee_pays_it():
    data = example()
    data["family"]["accepts_max_fee"] = True
    answer = calculate_json(data)
    assert answer["maximum_fee_used"] is True
    assert answer["total_fee"] == 24880 + 7400


def test_json_numbers_are_read_through_their_text_for_percentages_and_coefficients():
    data = example()
    data["family"]["children"][1]["service_need_coefficient"] = 0.6
    data["family"]["children"][0]["alterations"] = [{"kind": "discount", "percent": 20}]
    data["parameters"]["income_percentage"] = 10.7
    answer = calculate_json(data)
    assert answer["total_fee"] == 2960
    assert answer["children"][1]["service_need_coefficient"] == "0.6"


def test_an_euro_alteration_is_given_in_cents_with_a_reason():
    data = example()
    data["family"]["children"][0]["alterations"] = [
        {"kind": "increase", "amount": 150, "reason": "meals"}
    ]
    answer = calculate_json(data)
    assert answer["children"][0]["final_fee"] == 3850
    assert "Increase +€1.50 (reason: meals)" in answer["children"][0]["explanation"]


# --- Stored parameters by date -----------------------------------------------------------


def test_a_date_uses_the_parameters_the_caller_resolves():
    asked: list[datetime.date] = []

    def resolve(day: datetime.date) -> FeeParameters:
        asked.append(day)
        return row("2024-08-01")

    answer = calculate_json(by_date(), resolve)
    assert asked == [datetime.date(2024, 9, 1)]
    assert answer["total_fee"] == 2960
    assert answer["parameters"]["valid_from"] == "2024-08-01"


def test_a_date_without_a_resolver_has_no_stored_parameters():
    with pytest.raises(CalculatorInputError) as caught:
        calculate_json(by_date())
    assert caught.value.field == "date"
    assert caught.value.message == "no stored parameters available"


def test_a_date_the_resolver_cannot_find_is_reported_on_the_date():
    def resolve(day: datetime.date) -> FeeParameters:
        raise LookupError(day)

    with pytest.raises(CalculatorInputError, match="no stored parameters in force on 2031-01-01"):
        calculate_json(by_date("2031-01-01"), resolve)


def test_parse_request_returns_the_date_and_no_parameters():
    request = parse_request(by_date())
    assert isinstance(request, CalculatorRequest)
    assert request.parameters is None
    assert request.date == datetime.date(2024, 9, 1)
    assert request.language == "en"
    assert [c.id for c in request.family.children] == ["a", "b"]
    assert request.family.children[1].service_need_coefficient == Decimal("0.6")


# --- Parameter rows ----------------------------------------------------------------------


@pytest.mark.parametrize("valid_from", sorted(ROWS))
def test_a_parameter_row_survives_a_round_trip_through_json(valid_from):
    parameters = row(valid_from)
    data = parameters_to_json(parameters)
    assert parse_parameters(data) == parameters
    assert parse_parameters(json.loads(json.dumps(data))) == parameters
    assert data["valid_from"] == valid_from


def test_a_row_without_a_date_round_trips_without_one():
    parameters = parse_parameters(EXAMPLE["parameters"])
    assert parameters.valid_from is None
    assert parameters_to_json(parameters) == EXAMPLE["parameters"]
    assert parse_parameters(parameters_to_json(parameters)) == parameters


def test_a_parameter_row_is_reported_under_the_callers_field_name():
    data = copy.deepcopy(EXAMPLE["parameters"])
    del data["max_fee"]
    with pytest.raises(CalculatorInputError) as caught:
        parse_parameters(data, field="rows[3]")
    assert caught.value.field == "rows[3].max_fee"


def test_parse_family_refuses_a_birth_date_after_the_day_of_the_calculation():
    family = copy.deepcopy(EXAMPLE["family"])
    parse_family(family, on_date=datetime.date(2022, 5, 1))
    with pytest.raises(CalculatorInputError) as caught:
        parse_family(family, on_date=datetime.date(2022, 4, 30))
    assert caught.value.field == "family.children[0].birth_date"
    assert "2022-05-01 is after the date of the calculation 2022-04-30" in str(caught.value)


# --- Refusals ----------------------------------------------------------------------------


def _set(path: str, value: object) -> Callable[[dict], None]:
    """A change to the example: path segments separated by '/', list indexes as numbers."""

    def change(data: dict) -> None:
        *parents, last = path.split("/")
        target = data
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return change


def _drop(path: str) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        *parents, last = path.split("/")
        target = data
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        del target[last]

    return change


def _both(*changes: Callable[[dict], None]) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        for one in changes:
            one(data)

    return change


CHILD0 = "family/children/0"
CHILD1 = "family/children/1"
ALTERATION = f"{CHILD0}/alterations/0"
ALTERATION_FIELD = "family.children[0].alterations[0]"

REFUSALS = [
    # The request itself
    ("unknown top-level key", _set("colour", "red"), "colour"),
    ("both parameters and a date", _set("date", "2024-08-01"), "date"),
    ("neither parameters nor a date", _drop("parameters"), "parameters"),
    ("unknown language", _set("language", "de"), "language"),
    ("no family", _drop("family"), "family"),
    (
        "impossible date",
        _both(_drop("parameters"), _set("date", "2024-02-30")),
        "date",
    ),
    ("date in Finnish form", _both(_drop("parameters"), _set("date", "1.8.2024")), "date"),
    ("date as a number", _both(_drop("parameters"), _set("date", 20240801)), "date"),
    (
        "birth date after the date",
        _both(_drop("parameters"), _set("date", "2022-01-01")),
        "family.children[0].birth_date",
    ),
    # The family
    ("family not an object", _set("family", []), "family"),
    ("unknown family key", _set("family/adults", 2), "family.adults"),
    ("no size", _drop("family/size"), "family.size"),
    ("size as text", _set("family/size", "4"), "family.size"),
    ("size as a boolean", _set("family/size", True), "family.size"),
    ("size as a float", _set("family/size", 4.0), "family.size"),
    ("size below two", _set("family/size", 1), "family.size"),
    ("size too small for the children", _set("family/size", 2), "family.size"),
    ("no incomes", _drop("family/incomes"), "family.incomes"),
    ("incomes not a list", _set("family/incomes", {"amount": 1}), "family.incomes"),
    ("negative income", _set("family/incomes/0/amount", -1), "family.incomes[0].amount"),
    ("income in euros", _set("family/incomes/1/amount", 2800.5), "family.incomes[1].amount"),
    ("income as a boolean", _set("family/incomes/0/amount", True), "family.incomes[0].amount"),
    ("income as text", _set("family/incomes/0/amount", "350000"), "family.incomes[0].amount"),
    ("income without amount", _set("family/incomes/0", {}), "family.incomes[0].amount"),
    (
        "missing income with an amount",
        _set("family/incomes/0/missing", True),
        "family.incomes[0].amount",
    ),
    ("missing as text", _set("family/incomes/0/missing", "yes"), "family.incomes[0].missing"),
    ("label not text", _set("family/incomes/0/label", 5), "family.incomes[0].label"),
    ("unknown income key", _set("family/incomes/0/gross", 1), "family.incomes[0].gross"),
    ("accepts as text", _set("family/accepts_max_fee", "yes"), "family.accepts_max_fee"),
    ("no children", _set("family/children", []), "family.children"),
    ("child not an object", _set(CHILD1, "b"), "family.children[1]"),
    ("no child id", _drop(f"{CHILD0}/id"), "family.children[0].id"),
    ("empty child id", _set(f"{CHILD0}/id", " "), "family.children[0].id"),
    ("child id as a number", _set(f"{CHILD0}/id", 7), "family.children[0].id"),
    ("duplicate child id", _set(f"{CHILD1}/id", "a"), "family.children[1].id"),
    ("no birth date", _drop(f"{CHILD1}/birth_date"), "family.children[1].birth_date"),
    ("month 13", _set(f"{CHILD1}/birth_date", "2021-13-01"), "family.children[1].birth_date"),
    ("31 April", _set(f"{CHILD1}/birth_date", "2021-04-31"), "family.children[1].birth_date"),
    ("compact date", _set(f"{CHILD1}/birth_date", "20210401"), "family.children[1].birth_date"),
    (
        "negative coefficient",
        _set(f"{CHILD1}/service_need_coefficient", "-0.1"),
        "family.children[1].service_need_coefficient",
    ),
    (
        "only pre-primary children",
        lambda d: [c.update(service_need_coefficient="0") for c in d["family"]["children"]],
        "family.children",
    ),
    ("negative hours", _set(f"{CHILD1}/hours_per_month", -1), "family.children[1].hours_per_month"),
    (
        "deduction without a source",
        _set("family/deductions", [{"amount": 100}]),
        "family.deductions[0].source",
    ),
    (
        "deduction of zero",
        _set("family/deductions", [{"amount": 0, "source": "x"}]),
        "family.deductions[0].amount",
    ),
    (
        "coefficient above one",
        _set(f"{CHILD1}/service_need_coefficient", "1.01"),
        "family.children[1].service_need_coefficient",
    ),
    (
        "coefficient not a number",
        _set(f"{CHILD1}/service_need_coefficient", "puolet"),
        "family.children[1].service_need_coefficient",
    ),
    (
        "coefficient NaN",
        _set(f"{CHILD1}/service_need_coefficient", float("nan")),
        "family.children[1].service_need_coefficient",
    ),
    (
        "coefficient infinite",
        _set(f"{CHILD1}/service_need_coefficient", "Infinity"),
        "family.children[1].service_need_coefficient",
    ),
    (
        "coefficient as a boolean",
        _set(f"{CHILD1}/service_need_coefficient", True),
        "family.children[1].service_need_coefficient",
    ),
    ("unknown child key", _set(f"{CHILD1}/hours", 100), "family.children[1].hours"),
    (
        "alterations not a list",
        _set(f"{CHILD0}/alterations", {"kind": "discount"}),
        "family.children[0].alterations",
    ),
    ("unknown alteration kind", _set(f"{ALTERATION}/kind", "waiver"), f"{ALTERATION_FIELD}.kind"),
    ("no alteration kind", _drop(f"{ALTERATION}/kind"), f"{ALTERATION_FIELD}.kind"),
    ("percent and amount", _set(f"{ALTERATION}/amount", 100), ALTERATION_FIELD),
    ("neither percent nor amount", _drop(f"{ALTERATION}/percent"), ALTERATION_FIELD),
    ("percent over 100", _set(f"{ALTERATION}/percent", "150"), f"{ALTERATION_FIELD}.percent"),
    ("negative percent", _set(f"{ALTERATION}/percent", "-5"), f"{ALTERATION_FIELD}.percent"),
    (
        "negative amount",
        _both(_drop(f"{ALTERATION}/percent"), _set(f"{ALTERATION}/amount", -5)),
        f"{ALTERATION_FIELD}.amount",
    ),
    ("unknown alteration key", _set(f"{ALTERATION}/note", "x"), f"{ALTERATION_FIELD}.note"),
    ("reason not text", _set(f"{ALTERATION}/reason", 1), f"{ALTERATION_FIELD}.reason"),
    # The parameters
    ("parameters not an object", _set("parameters", "2024"), "parameters"),
    ("unknown parameter", _set("parameters/vat", 0), "parameters.vat"),
    ("no max fee", _drop("parameters/max_fee"), "parameters.max_fee"),
    ("max fee zero", _set("parameters/max_fee", 0), "parameters.max_fee"),
    ("max fee in euros", _set("parameters/max_fee", 311.0), "parameters.max_fee"),
    ("min fee above max", _set("parameters/min_fee", 40000), "parameters.min_fee"),
    ("negative min fee", _set("parameters/min_fee", -1), "parameters.min_fee"),
    (
        "negative increase",
        _set("parameters/threshold_increase_per_further_child", -1),
        "parameters.threshold_increase_per_further_child",
    ),
    (
        "missing threshold",
        _drop("parameters/income_thresholds/4"),
        "parameters.income_thresholds.4",
    ),
    (
        "threshold for seven",
        _set("parameters/income_thresholds/7", 800000),
        "parameters.income_thresholds.7",
    ),
    (
        "decreasing threshold",
        _set("parameters/income_thresholds/3", 400000),
        "parameters.income_thresholds.3",
    ),
    (
        "threshold as text",
        _set("parameters/income_thresholds/5", "666700"),
        "parameters.income_thresholds.5",
    ),
    ("percentage zero", _set("parameters/income_percentage", "0"), "parameters.income_percentage"),
    (
        "percentage over 100",
        _set("parameters/income_percentage", "101"),
        "parameters.income_percentage",
    ),
    (
        "percentage with a comma",
        _set("parameters/income_percentage", "10,7"),
        "parameters.income_percentage",
    ),
    (
        "percentage NaN",
        _set("parameters/income_percentage", "NaN"),
        "parameters.income_percentage",
    ),
    (
        "no sibling percentages",
        _set("parameters/sibling_percentages", []),
        "parameters.sibling_percentages",
    ),
    (
        "first sibling not 100",
        _set("parameters/sibling_percentages", [90, 40]),
        "parameters.sibling_percentages[0]",
    ),
    (
        "increasing sibling percentages",
        _set("parameters/sibling_percentages", [100, 20, 40]),
        "parameters.sibling_percentages[2]",
    ),
    (
        "sibling percentage zero",
        _set("parameters/sibling_percentages", [100, 0]),
        "parameters.sibling_percentages[1]",
    ),
    (
        "sibling percentage as a float",
        _set("parameters/sibling_percentages", [100, 40.0]),
        "parameters.sibling_percentages[1]",
    ),
    ("bad valid_from", _set("parameters/valid_from", "2024-8-1"), "parameters.valid_from"),
]


@pytest.mark.parametrize(
    ("change", "field"),
    [pytest.param(change, field, id=name) for name, change, field in REFUSALS],
)
def test_invalid_input_is_refused_naming_the_field(change, field):
    data = example()
    change(data)
    with pytest.raises(CalculatorInputError) as caught:
        calculate_json(data, lambda day: row("2024-08-01"))
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    assert caught.value.message


def test_a_request_that_is_not_an_object_is_refused():
    with pytest.raises(CalculatorInputError, match="must be an object"):
        calculate_json([EXAMPLE])


def test_the_message_names_the_bad_value():
    data = example()
    data["family"]["children"][1]["birth_date"] = "2021-02-29"
    with pytest.raises(CalculatorInputError) as caught:
        calculate_json(data)
    assert caught.value.message == "is not a real date: '2021-02-29'"
    data = example()
    data["family"]["incomes"][0]["amount"] = -5
    with pytest.raises(CalculatorInputError, match="must be 0 or more, got -5"):
        calculate_json(data)


def test_an_unknown_key_is_named_in_the_message():
    data = example()
    data["family"]["children"][0]["nickname"] = "Pupu"
    with pytest.raises(CalculatorInputError) as caught:
        calculate_json(data)
    assert caught.value.message == "unknown key 'nickname' in family.children[0]"


def test_a_long_bad_value_is_cut_to_100_characters_in_the_message():
    data = example()
    data["family"]["children"][0]["birth_date"] = "x" * 5000
    with pytest.raises(CalculatorInputError) as caught:
        calculate_json(data)
    shown = caught.value.message.split("got ", 1)[1]
    assert len(shown) == 100
    assert shown.endswith("…")


# --- Issue 16: pre-primary children, deductions and the part-time cap -----------------------


def test_a_child_with_coefficient_zero_is_in_pre_primary_only_and_counts_as_a_sibling():
    data = example()
    data["family"]["size"] = 5
    data["family"]["incomes"] = [{"amount": 900000}]
    data["family"]["children"] = [
        {"id": "young", "birth_date": "2023-01-01"},
        {"id": "pre", "birth_date": "2020-03-03", "service_need_coefficient": "0"},
        {"id": "old", "birth_date": "2019-01-01", "service_need_coefficient": "0.6"},
    ]
    answer = calculate_json(data)
    # Family of 5, 9,000 €: 10.7 % × (9000 − 6667) = 249.631 → 250 €. "pre" counts (the
    # default, as eVaka): "old" is the third child, 20 % × 250 = 50 × 0.6 = 30 € (= minimum).
    assert [c["id"] for c in answer["children"]] == ["young", "old"]
    assert [c["final_fee"] for c in answer["children"]] == [25000, 3000]
    assert answer["children"][1]["sibling_rank"] == 3
    assert answer["pre_primary_only"] == ["pre"]
    assert any(line.startswith("pre: In pre-primary education") for line in answer["explanation"])
    data["family"]["pre_primary_counts_in_sibling_order"] = False
    answer = calculate_json(data)
    # Not counted: "old" is the second, 40 % × 250 = 100 × 0.6 = 60 €.
    assert [c["final_fee"] for c in answer["children"]] == [25000, 6000]


def test_a_deduction_is_taken_off_the_income_and_explained_with_its_source():
    data = example()
    data["family"]["deductions"] = [
        {"amount": 30000, "label": "elatusapu", "source": "elatussopimus"}
    ]
    answer = calculate_json(data)
    # 6,300 − 300 = 6,000 € < 5,956 € + ... : 10.7 % × (6000 − 5956) = 4.708 → 5 € < 30 € → 0.
    assert answer["income_total"] == 600000
    assert (
        "Deducted from the income (elatusapu): €300.00/month, source: elatussopimus"
        in (answer["explanation"])
    )
    assert answer["total_fee"] == 0


def test_hours_per_month_at_most_84_cap_an_increase_at_sixty_percent():
    data = example()
    data["parameters"]["min_fee"] = 0
    data["family"]["incomes"] = [{"amount": 2000000}]
    data["family"]["children"] = [
        {
            "id": "a",
            "birth_date": "2022-05-01",
            "service_need_coefficient": "0.6",
            "hours_per_month": 84,
            "alterations": [{"kind": "increase", "amount": 10000}],
        }
    ]
    answer = calculate_json(data)
    # Maximum fee 311 €: 311 × 0.6 = 186.60 → 187 €; +100 € is capped at 60 % → 187 €.
    assert answer["total_fee"] == 18700
