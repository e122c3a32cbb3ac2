"""The strict JSON reader: each check names the path of the bad value, a code with parameters
for translation, and the message the contract's wording gives it."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuntarobo.core.inputs import MAX_DATE, MIN_DATE
from kuntarobo.core.strict_json import (
    Params,
    Reader,
    StrictJsonError,
    Wording,
    join,
    show_repr,
)


def problem(read) -> StrictJsonError:
    with pytest.raises(StrictJsonError) as caught:
        read()
    return caught.value


REQUEST = {"family": {"children": [{"id": "a"}, {"id": "b", "birth_date": "2026-02-30"}]}}


def test_a_problem_deep_inside_is_reported_at_its_full_path():
    children = Reader(REQUEST).field("family").field("children").items()
    error = problem(lambda: children[1].field("birth_date").date())
    assert error.path == "family.children[1].birth_date"
    assert error.code == "not_real_date"
    assert error.params == {"value": "'2026-02-30'"}
    assert str(error) == "family.children[1].birth_date: is not a real date: '2026-02-30'"


def test_a_missing_key_is_reported_at_the_path_it_should_have_had():
    error = problem(lambda: Reader(REQUEST).field("family").field("size"))
    assert (error.path, error.code, error.message) == ("family.size", "missing", "is required")


def test_an_unknown_key_is_refused_at_its_own_path():
    data = {"size": 3, "zeta": 1, "alpha": 2}
    error = problem(lambda: Reader(data, "family").object({"size"}))
    assert (error.path, error.code, error.params["key"]) == ("family.zeta", "unknown_key", "'zeta'")
    error = problem(lambda: Reader(data, "family").object({"size"}, first_unknown="sorted"))
    assert error.path == "family.alpha"


def test_a_contract_words_its_problems_its_own_way_and_raises_its_own_error():
    class SettingError(StrictJsonError):
        pass

    def unknown(params: Params) -> str:
        return f"no setting {params['name']} in {params['within'] or 'the settings'}"

    wording = Wording(
        templates={"not_text": "must be text, not {value}", "unknown_key": unknown},
        show=lambda value: f"<{value}>",
        error=SettingError,
    )
    root = Reader({"name": 5, "colour": "blue"}, "", wording)
    error = problem(lambda: root.object({"name"}))
    assert isinstance(error, SettingError)
    assert str(error) == "colour: no setting colour in the settings"
    error = problem(lambda: root.field("name").text())
    assert str(error) == "name: must be text, not <5>"


@pytest.mark.parametrize("value", [True, 3.0, "3", None, [3]])
def test_an_integer_is_a_json_integer_and_nothing_that_looks_like_one(value):
    error = problem(lambda: Reader(value, "n").integer())
    assert (error.path, error.code) == ("n", "not_integer")


def test_integer_bounds_and_cents_name_the_bound():
    assert Reader(7).integer(minimum=1, maximum=7) == 7
    error = problem(lambda: Reader(8, "n").integer(maximum=7))
    assert (error.code, error.params) == ("above_maximum", {"value": "8", "max": "7"})
    error = problem(lambda: Reader(-1, "fee").cents())
    assert (error.code, error.params) == ("below_minimum", {"value": "-1", "min": "0"})
    assert problem(lambda: Reader(1.5, "fee").cents()).message == (
        "must be a whole number of cents, got 1.5"
    )


def test_text_is_stripped_when_asked_and_judged_after_stripping():
    assert Reader("  a b ").text() == "  a b "
    assert Reader("  a b ").text(strip=True) == "a b"
    assert problem(lambda: Reader("   ").text(strip=True, allow_empty=False)).code == "empty_text"
    error = problem(lambda: Reader("abcd").text(max_length=3))
    assert (error.code, error.params) == ("too_long", {"length": "4", "max": "3"})
    assert problem(lambda: Reader(1).text()).code == "not_text"


def test_dates_must_be_written_yyyy_mm_dd_be_real_and_fall_in_the_supported_range():
    assert Reader("2026-08-01").date() == datetime.date(2026, 8, 1)
    assert problem(lambda: Reader("20260801").date()).code == "not_date"
    assert problem(lambda: Reader("1.8.2026").date()).code == "not_date"
    assert problem(lambda: Reader("2026-13-01").date()).code == "not_real_date"
    error = problem(lambda: Reader("1799-12-31").date())
    assert error.code == "date_out_of_range"
    assert error.params["min"] == MIN_DATE.isoformat()
    assert error.params["max"] == MAX_DATE.isoformat()


def test_decimals_are_read_through_their_text_and_must_be_finite():
    assert Reader(0.6).decimal() == Decimal("0.6")
    assert Reader(" 0.85 ").decimal() == Decimal("0.85")
    assert Reader("0,85").decimal(decimal_comma=True) == Decimal("0.85")
    assert problem(lambda: Reader("0,85").decimal()).code == "bad_decimal"
    assert problem(lambda: Reader(0.6).decimal(numbers=(int,))).code == "not_decimal"
    assert problem(lambda: Reader(True).decimal()).code == "not_decimal"
    assert problem(lambda: Reader("NaN").decimal()).code == "not_finite"


def test_lists_give_a_reader_per_item_and_check_their_length():
    items = Reader([1, 2, 3], "xs").items(max_items=3)
    assert [item.path for item in items] == ["xs[0]", "xs[1]", "xs[2]"]
    assert problem(lambda: Reader([], "xs").items(min_items=1)).code == "too_few"
    assert problem(lambda: Reader([1, 2], "xs").items(max_items=1)).code == "too_many"
    assert problem(lambda: Reader({}, "xs").items()).code == "not_list"


def test_optional_values_and_defaults_treat_null_as_absent_only_when_asked():
    obj = Reader({"a": None, "b": 2}, "o")
    assert obj.optional("a") is None
    assert obj.optional("missing") is None
    assert obj.has("b")
    assert not obj.has("a")
    assert obj.field("missing", 5).integer() == 5
    assert problem(lambda: obj.field("a", 5).integer()).path == "o.a"  # null is given, and bad
    assert problem(lambda: obj.required("a")).code == "missing"
    assert problem(lambda: Reader({"a": ""}).required("a", empty=(None, ""))).code == "missing"


def test_asking_a_field_of_something_that_is_no_object_names_what_it_got():
    error = problem(lambda: Reader([1], "family").field("size"))
    assert (error.path, error.code, error.message) == (
        "family",
        "not_object",
        "must be an object, got [1]",
    )


def test_a_renamed_reader_reports_under_its_new_path():
    settings = Reader({"contact": {"name": 1}}, "settings")
    contact = settings.field("contact").renamed("contact")
    assert problem(lambda: contact.field("name").text()).path == "contact.name"


def test_shown_values_are_cut_to_a_hundred_characters():
    shown = show_repr("x" * 500)
    assert len(shown) == 100
    assert shown.endswith("…")
    assert show_repr("short") == "'short'"


def test_paths_join_keys_with_dots_and_items_with_brackets():
    assert join("", "a") == "a"
    assert join("a", "b") == "a.b"
    assert join("a", 2) == "a[2]"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=8,
)


def _outcome(read):
    try:
        return read(), None
    except StrictJsonError as error:
        return None, error


@given(json_values)
def test_reading_any_json_value_either_gives_it_back_typed_or_names_the_path(value):
    reader = Reader(json.loads(json.dumps(value)), "v")
    for read, kind in [
        (reader.integer, int),
        (reader.boolean, bool),
        (reader.text, str),
        (reader.items, list),
    ]:
        result, error = _outcome(read)
        if error is not None:
            assert error.path == "v"
            assert str(error).startswith("v: ")
        else:
            assert isinstance(result, kind)
            assert kind is not int or not isinstance(value, bool)
