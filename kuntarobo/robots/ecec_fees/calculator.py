"""The fee calculator's JSON contract, shared by the CLI, the API endpoint and the web page.

A request is read strictly: every problem is reported as the path of the offending field and
an English message naming the bad value, so a caller can point at the exact input. Amounts
are integer cents; percentages and coefficients are decimal strings (JSON numbers are read
through their text so 0.6 stays 0.6). Nothing here imports Django.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from kuntarobo.core.inputs import MAX_DATE, MIN_DATE
from kuntarobo.robots.ecec_fees.fees import (
    ALTERATION_KINDS,
    LANGUAGES,
    THRESHOLD_SIZES,
    Alteration,
    ChildInput,
    FamilyFee,
    FamilyInput,
    FeeParameters,
    Income,
    calculate_fees,
    child_explanation_lines,
    explain,
)

DEFAULT_LANGUAGE = "en"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SHOWN_VALUE_LENGTH = 100

_REQUEST_KEYS = frozenset({"parameters", "date", "family", "language"})
_PARAMETER_KEYS = frozenset(
    {
        "income_percentage",
        "income_thresholds",
        "threshold_increase_per_further_child",
        "max_fee",
        "min_fee",
        "sibling_percentages",
        "valid_from",
    }
)
_FAMILY_KEYS = frozenset({"size", "incomes", "children", "accepts_max_fee"})
_INCOME_KEYS = frozenset({"amount", "missing", "label", "source"})
_CHILD_KEYS = frozenset({"id", "birth_date", "service_need_coefficient", "alterations"})
_ALTERATION_KEYS = frozenset({"kind", "percent", "amount", "reason"})


class CalculatorInputError(Exception):
    """A request the calculator cannot read: where (a field path) and what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class CalculatorRequest:
    parameters: FeeParameters | None
    date: datetime.date | None
    family: FamilyInput
    language: str


def _show(value: object) -> str:
    text = repr(value)
    if len(text) > _SHOWN_VALUE_LENGTH:
        return text[: _SHOWN_VALUE_LENGTH - 1] + "…"
    return text


def _join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key


def _object(data: object, field: str, allowed: frozenset[str]) -> Mapping[str, object]:
    if not isinstance(data, Mapping):
        raise CalculatorInputError(field, f"must be an object, got {_show(data)}")
    for key in data:
        if key not in allowed:
            raise CalculatorInputError(
                _join(field, str(key)), f"unknown key {_show(key)} in {field or 'the request'}"
            )
    return data


def _required(data: Mapping[str, object], key: str, field: str) -> object:
    if key not in data:
        raise CalculatorInputError(_join(field, key), "is required")
    return data[key]


def _cents(value: object, field: str, *, positive: bool = False) -> int:
    """Amounts are JSON integers: floats (even 3.0) and booleans are refused."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise CalculatorInputError(field, f"must be a whole number of cents, got {_show(value)}")
    if value < 0 or (positive and value == 0):
        bound = "positive" if positive else "0 or more"
        raise CalculatorInputError(field, f"must be {bound}, got {_show(value)}")
    return value


def _decimal(value: object, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise CalculatorInputError(
            field, f"must be a decimal number as a string, got {_show(value)}"
        )
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise CalculatorInputError(field, f"is not a decimal number: {_show(value)}") from None
    if not number.is_finite():
        raise CalculatorInputError(field, f"must be a finite number, got {_show(value)}")
    return number


def _percent(value: object, field: str) -> Decimal:
    number = _decimal(value, field)
    if not 0 <= number <= 100:
        raise CalculatorInputError(field, f"must be a percentage in 0..100, got {_show(value)}")
    return number


def _date(value: object, field: str) -> datetime.date:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise CalculatorInputError(field, f"must be a date YYYY-MM-DD, got {_show(value)}")
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise CalculatorInputError(field, f"is not a real date: {_show(value)}") from None
    if not MIN_DATE <= day <= MAX_DATE:
        raise CalculatorInputError(
            field,
            f"must be from {MIN_DATE.isoformat()} to {MAX_DATE.isoformat()}, got {_show(value)}",
        )
    return day


def _text(data: Mapping[str, object], key: str, field: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise CalculatorInputError(f"{field}.{key}", f"must be a string, got {_show(value)}")
    return value


def _list(value: object, field: str) -> list[object]:
    if not isinstance(value, list | tuple):
        raise CalculatorInputError(field, f"must be a list, got {_show(value)}")
    return list(value)


def parse_parameters(data: object, field: str = "parameters") -> FeeParameters:
    """One parameter row; the admin CLI reads stored rows through this too."""
    obj = _object(data, field, _PARAMETER_KEYS)
    pct_field = f"{field}.income_percentage"
    percentage = _percent(_required(obj, "income_percentage", field), pct_field)
    if percentage == 0:
        raise CalculatorInputError(pct_field, "must be more than 0")
    thresholds_field = f"{field}.income_thresholds"
    raw_thresholds = _object(
        _required(obj, "income_thresholds", field),
        thresholds_field,
        frozenset(str(size) for size in THRESHOLD_SIZES),
    )
    thresholds: dict[int, int] = {}
    for size in THRESHOLD_SIZES:
        amount = _cents(
            _required(raw_thresholds, str(size), thresholds_field), f"{thresholds_field}.{size}"
        )
        if size > THRESHOLD_SIZES[0] and amount < thresholds[size - 1]:
            raise CalculatorInputError(
                f"{thresholds_field}.{size}",
                f"must not be below the threshold for size {size - 1} "
                f"({thresholds[size - 1]}), got {amount}",
            )
        thresholds[size] = amount
    increase = _cents(
        _required(obj, "threshold_increase_per_further_child", field),
        f"{field}.threshold_increase_per_further_child",
    )
    max_fee = _cents(_required(obj, "max_fee", field), f"{field}.max_fee", positive=True)
    min_fee = _cents(_required(obj, "min_fee", field), f"{field}.min_fee")
    if min_fee > max_fee:
        raise CalculatorInputError(
            f"{field}.min_fee", f"must not be above max_fee {max_fee}, got {min_fee}"
        )
    sibling_field = f"{field}.sibling_percentages"
    raw_percentages = _list(_required(obj, "sibling_percentages", field), sibling_field)
    if not raw_percentages:
        raise CalculatorInputError(sibling_field, "must give at least one percentage (100)")
    percentages: list[int] = []
    for i, value in enumerate(raw_percentages):
        item = f"{sibling_field}[{i}]"
        if isinstance(value, bool) or not isinstance(value, int):
            raise CalculatorInputError(item, f"must be a whole percentage, got {_show(value)}")
        if not 1 <= value <= 100:
            raise CalculatorInputError(item, f"must be a percentage in 1..100, got {value}")
        if i == 0 and value != 100:
            raise CalculatorInputError(item, f"the youngest child pays 100, got {value}")
        if i and value > percentages[-1]:
            raise CalculatorInputError(
                item, f"must not be above the previous percentage {percentages[-1]}, got {value}"
            )
        percentages.append(value)
    valid_from = None
    if obj.get("valid_from") is not None:
        valid_from = _date(obj["valid_from"], f"{field}.valid_from")
    try:
        return FeeParameters(
            income_percentage=percentage,
            income_thresholds=thresholds,
            threshold_increase_per_further_child=increase,
            max_fee=max_fee,
            min_fee=min_fee,
            sibling_percentages=tuple(percentages),
            valid_from=valid_from,
        )
    except ValueError as error:  # every rule is checked above; this is a safety net
        raise CalculatorInputError(field, str(error)) from None


def parameters_to_json(parameters: FeeParameters) -> dict[str, object]:
    """The inverse of parse_parameters, in the same shape as a request's "parameters"."""
    data: dict[str, object] = {
        "income_percentage": str(parameters.income_percentage),
        "income_thresholds": {
            str(size): parameters.income_thresholds[size] for size in THRESHOLD_SIZES
        },
        "threshold_increase_per_further_child": parameters.threshold_increase_per_further_child,
        "max_fee": parameters.max_fee,
        "min_fee": parameters.min_fee,
        "sibling_percentages": list(parameters.sibling_percentages),
    }
    if parameters.valid_from is not None:
        data["valid_from"] = parameters.valid_from.isoformat()
    return data


def _parse_income(data: object, field: str) -> Income:
    obj = _object(data, field, _INCOME_KEYS)
    missing = obj.get("missing", False)
    if not isinstance(missing, bool):
        raise CalculatorInputError(
            f"{field}.missing", f"must be true or false, got {_show(missing)}"
        )
    label = _text(obj, "label", field)
    source = _text(obj, "source", field)
    if missing:
        if obj.get("amount") is not None:
            raise CalculatorInputError(
                f"{field}.amount", "an income marked missing cannot have an amount"
            )
        return Income(None, label, source)
    if obj.get("amount") is None:
        raise CalculatorInputError(
            f"{field}.amount", 'is required (or "missing": true when not reported)'
        )
    return Income(_cents(obj["amount"], f"{field}.amount"), label, source)


def _parse_alteration(data: object, field: str) -> Alteration:
    obj = _object(data, field, _ALTERATION_KEYS)
    kind = _required(obj, "kind", field)
    if kind not in ALTERATION_KINDS:
        raise CalculatorInputError(
            f"{field}.kind", f"must be 'discount' or 'increase', got {_show(kind)}"
        )
    has_percent = obj.get("percent") is not None
    has_amount = obj.get("amount") is not None
    if has_percent == has_amount:
        raise CalculatorInputError(field, 'give exactly one of "percent" and "amount"')
    percent = _percent(obj["percent"], f"{field}.percent") if has_percent else None
    amount = _cents(obj["amount"], f"{field}.amount") if has_amount else None
    return Alteration(str(kind), percent, amount, _text(obj, "reason", field))


def _parse_child(data: object, field: str, on_date: datetime.date | None) -> ChildInput:
    obj = _object(data, field, _CHILD_KEYS)
    child_id = _required(obj, "id", field)
    if not isinstance(child_id, str) or not child_id.strip():
        raise CalculatorInputError(
            f"{field}.id", f"must be a non-empty string, got {_show(child_id)}"
        )
    birth_date = _date(_required(obj, "birth_date", field), f"{field}.birth_date")
    if on_date is not None and birth_date > on_date:
        raise CalculatorInputError(
            f"{field}.birth_date",
            f"{birth_date.isoformat()} is after the date of the calculation {on_date.isoformat()}",
        )
    coefficient = Decimal(1)
    coefficient_field = f"{field}.service_need_coefficient"
    if obj.get("service_need_coefficient") is not None:
        coefficient = _decimal(obj["service_need_coefficient"], coefficient_field)
        if not 0 < coefficient <= 1:
            raise CalculatorInputError(
                coefficient_field,
                f"must be more than 0 and at most 1, got {_show(obj['service_need_coefficient'])}",
            )
    alterations_field = f"{field}.alterations"
    raw_alterations = _list(obj.get("alterations", []), alterations_field)
    alterations = tuple(
        _parse_alteration(item, f"{alterations_field}[{i}]")
        for i, item in enumerate(raw_alterations)
    )
    return ChildInput(child_id, birth_date, coefficient, alterations)


def parse_family(
    data: object, field: str = "family", on_date: datetime.date | None = None
) -> FamilyInput:
    """A family as the engine takes it; birth dates after on_date (when given) are refused."""
    obj = _object(data, field, _FAMILY_KEYS)
    size_field = f"{field}.size"
    size = _required(obj, "size", field)
    if isinstance(size, bool) or not isinstance(size, int):
        raise CalculatorInputError(size_field, f"must be a whole number, got {_show(size)}")
    if size < 2:
        raise CalculatorInputError(
            size_field, f"must be at least 2 (an adult and a child), got {size}"
        )
    incomes_field = f"{field}.incomes"
    incomes = tuple(
        _parse_income(item, f"{incomes_field}[{i}]")
        for i, item in enumerate(_list(_required(obj, "incomes", field), incomes_field))
    )
    children_field = f"{field}.children"
    raw_children = _list(_required(obj, "children", field), children_field)
    if not raw_children:
        raise CalculatorInputError(children_field, "must name at least one child")
    children: list[ChildInput] = []
    seen: set[str] = set()
    for i, item in enumerate(raw_children):
        child = _parse_child(item, f"{children_field}[{i}]", on_date)
        if child.id in seen:
            raise CalculatorInputError(
                f"{children_field}[{i}].id", f"child id {_show(child.id)} is given twice"
            )
        seen.add(child.id)
        children.append(child)
    if size < 1 + len(children):
        raise CalculatorInputError(
            size_field,
            f"family size {size} is too small for {len(children)} children in early "
            f"childhood education (at least {1 + len(children)})",
        )
    accepts = obj.get("accepts_max_fee", False)
    if not isinstance(accepts, bool):
        raise CalculatorInputError(
            f"{field}.accepts_max_fee", f"must be true or false, got {_show(accepts)}"
        )
    return FamilyInput(size, incomes, tuple(children), accepts)


def parse_request(data: object) -> CalculatorRequest:
    obj = _object(data, "", _REQUEST_KEYS)
    language = obj.get("language", DEFAULT_LANGUAGE)
    if language not in LANGUAGES:
        raise CalculatorInputError("language", f"must be fi, sv or en, got {_show(language)}")
    has_parameters = obj.get("parameters") is not None
    has_date = obj.get("date") is not None
    if has_parameters and has_date:
        raise CalculatorInputError("date", 'give either "parameters" or "date", not both')
    if not has_parameters and not has_date:
        raise CalculatorInputError(
            "parameters", 'give either "parameters" or a "date" to use the stored parameters'
        )
    on_date = _date(obj["date"], "date") if has_date else None
    parameters = parse_parameters(obj["parameters"]) if has_parameters else None
    family = parse_family(_required(obj, "family", ""), "family", on_date)
    return CalculatorRequest(parameters, on_date, family, str(language))


def response(fee: FamilyFee, language: str) -> dict[str, object]:
    children = [
        {
            "id": child.id,
            "birth_date": child.birth_date.isoformat(),
            "sibling_rank": child.sibling_rank,
            "sibling_percentage": child.sibling_percentage,
            "service_need_coefficient": str(child.service_need_coefficient),
            "base_fee": child.base_fee,
            "sibling_fee": child.sibling_fee,
            "fee_before_alterations": child.fee_before_alterations,
            "minimum_fee_applied": child.minimum_fee_applied,
            "final_fee": child.final_fee,
            "explanation": child_explanation_lines(fee, child.id, language),
        }
        for child in fee.children
    ]
    return {
        "children": children,
        "total_fee": fee.total_fee,
        "family_size": fee.family_size,
        "income_total": fee.income_total,
        "threshold": fee.threshold,
        "maximum_fee_used": fee.maximum_fee_used,
        "language": language,
        "explanation": [explain(step, language) for step in fee.steps],
    }


def calculate_json(
    data: object,
    resolve_parameters: Callable[[datetime.date], FeeParameters] | None = None,
) -> dict[str, object]:
    """Parse, calculate and answer; a "date" request needs resolve_parameters from the caller,
    which may raise LookupError when no parameters are in force on that date."""
    request = parse_request(data)
    parameters = request.parameters
    if parameters is None:
        if resolve_parameters is None or request.date is None:
            raise CalculatorInputError("date", "no stored parameters available")
        try:
            parameters = resolve_parameters(request.date)
        except LookupError:
            raise CalculatorInputError(
                "date", f"no stored parameters in force on {request.date.isoformat()}"
            ) from None
    try:
        fee = calculate_fees(parameters, request.family)
    except ValueError as error:  # parse_family checks everything first; a safety net
        raise CalculatorInputError("family", str(error)) from None
    result = response(fee, request.language)
    result["parameters"] = parameters_to_json(parameters)
    return result


MAX_REQUEST_CHARS = 1_000_000


class StoredParametersNeeded(Exception):
    """Raised by a resolver that has no database: the caller answers the request elsewhere."""


def answer_text(
    text: str,
    resolve_parameters: Callable[[datetime.date], FeeParameters] | None = None,
) -> tuple[dict[str, object], bool]:
    """One request as text → (the answer or the error naming its field, whether it was valid).

    The command line's contract, shared by its fast path (no Django) and the Django command."""
    try:
        if len(text) > MAX_REQUEST_CHARS:
            raise CalculatorInputError("", "input larger than 1 MB")
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as error:
            # ValueError: JSONDecodeError, or an integer of more than 4300 digits;
            # RecursionError: arrays or objects nested too deep.
            raise CalculatorInputError("", f"not JSON: {error}") from None
        return calculate_json(data, resolve_parameters), True
    except CalculatorInputError as error:
        return {"error": {"field": error.field, "message": error.message}}, False


def answer_json(answer: Mapping[str, object]) -> str:
    """The answer as the command line writes it: one line, keys sorted, UTF-8 as it is."""
    return json.dumps(answer, ensure_ascii=False, sort_keys=True)


def _needs_database(day: datetime.date) -> FeeParameters:
    raise StoredParametersNeeded(day.isoformat())


def answer_without_database(text: str) -> tuple[str, bool] | None:
    """The command line's answer to a request that brings its own parameters (or is invalid),
    computed without starting Django: a new process answers in tens of milliseconds instead of
    over half a second. None when the request asks for the stored parameters of a date."""
    try:
        answer, ok = answer_text(text, _needs_database)
    except StoredParametersNeeded:
        return None
    return answer_json(answer), ok
