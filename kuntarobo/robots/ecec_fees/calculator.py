"""The fee calculator's JSON contract, shared by the CLI, the API endpoint and the web page.

A request is read strictly: every problem is reported as the path of the offending field and
an English message naming the bad value, so a caller can point at the exact input. Amounts
are integer cents; percentages and coefficients are decimal strings (JSON numbers are read
through their text so 0.6 stays 0.6). Nothing here imports Django.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from kuntarobo.core.strict_json import Params, Reader, StrictJsonError, Wording, join, show_repr
from kuntarobo.robots.ecec_fees.fees import (
    ALTERATION_KINDS,
    LANGUAGES,
    THRESHOLD_SIZES,
    Alteration,
    ChildInput,
    Deduction,
    FamilyFee,
    FamilyInput,
    FeeParameters,
    Income,
    calculate_fees,
    child_explanation_lines,
    explain,
)

DEFAULT_LANGUAGE = "en"

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
_FAMILY_KEYS = frozenset(
    {
        "size",
        "incomes",
        "deductions",
        "children",
        "accepts_max_fee",
        "pre_primary_counts_in_sibling_order",
    }
)
_INCOME_KEYS = frozenset({"amount", "missing", "label", "source"})
_DEDUCTION_KEYS = frozenset({"amount", "label", "source"})
_CHILD_KEYS = frozenset(
    {
        "id",
        "birth_date",
        "service_need_coefficient",
        "hours_per_month",
        "pre_primary",
        "alterations",
    }
)
_ALTERATION_KEYS = frozenset({"kind", "percent", "amount", "reason"})


class CalculatorInputError(StrictJsonError):
    """A request the calculator cannot read: where (a field path) and what is wrong."""

    def __init__(
        self, field: str, message: str, code: str = "invalid", params: Params | None = None
    ) -> None:
        super().__init__(field, message, code, params)
        self.field = field
        self.args = (f"{field}: {message}",)


def _below_minimum(params: Params) -> str:
    bound = "positive" if params["min"] == "1" else "0 or more"
    return f"must be {bound}, got {params['value']}"


def _unknown_key(params: Params) -> str:
    return f"unknown key {params['key']} in {params['within'] or 'the request'}"


# The calculator's own wording of the shared checks (what its callers have always seen).
WORDING = Wording(
    templates={
        "unknown_key": _unknown_key,
        "below_minimum": _below_minimum,
        "not_percentage": "must be a percentage in 0..100, got {value}",
        "must_be_above_zero": "must be more than 0",
        "threshold_falls": (
            "must not be below the threshold for size {size} ({previous}), got {value}"
        ),
        "min_above_max": "must not be above max_fee {max}, got {value}",
        "no_sibling_percentages": "must give at least one percentage (100)",
        "not_whole_percentage": "must be a whole percentage, got {value}",
        "sibling_percentage_range": "must be a percentage in 1..100, got {value}",
        "youngest_not_100": "the youngest child pays 100, got {value}",
        "sibling_percentage_rises": (
            "must not be above the previous percentage {previous}, got {value}"
        ),
        "missing_income_has_amount": "an income marked missing cannot have an amount",
        "income_amount_required": 'is required (or "missing": true when not reported)',
        "bad_alteration_kind": "must be 'discount' or 'increase', got {value}",
        "percent_or_amount": 'give exactly one of "percent" and "amount"',
        "bad_child_id": "must be a non-empty string, got {value}",
        "born_after_date": "{birth_date} is after the date of the calculation {date}",
        "bad_coefficient": (
            "must be at least 0 and at most 1 (0: in pre-primary education only), got {value}"
        ),
        "deduction_source_required": (
            "is required: say where the deducted amount comes from (e.g. the maintenance "
            "agreement or court order)"
        ),
        "only_pre_primary": (
            "must name at least one child in early childhood education (a coefficient above 0)"
        ),
        "family_too_small": "must be at least 2 (an adult and a child), got {value}",
        "no_children": "must name at least one child",
        "child_id_twice": "child id {value} is given twice",
        "too_small_for_children": (
            "family size {size} is too small for {children} children in early childhood"
            " education (at least {least})"
        ),
        "bad_language": "must be fi, sv or en, got {value}",
        "parameters_and_date": 'give either "parameters" or "date", not both',
        "parameters_or_date": 'give either "parameters" or a "date" to use the stored parameters',
    },
    error=CalculatorInputError,
)


@dataclass(frozen=True)
class CalculatorRequest:
    parameters: FeeParameters | None
    date: datetime.date | None
    family: FamilyInput
    language: str


def _show(value: object) -> str:
    return show_repr(value)


def _percent(reader: Reader) -> Decimal:
    number = reader.decimal()
    if not 0 <= number <= 100:
        reader.fail("not_percentage", value=reader.shown())
    return number


def parse_parameters(data: object, field: str = "parameters") -> FeeParameters:
    """One parameter row; the admin CLI reads stored rows through this too."""
    obj = Reader(data, field, WORDING).object(_PARAMETER_KEYS)
    pct = obj.field("income_percentage")
    percentage = _percent(pct)
    if percentage == 0:
        pct.fail("must_be_above_zero")
    raw_thresholds = obj.field("income_thresholds").object(str(size) for size in THRESHOLD_SIZES)
    thresholds: dict[int, int] = {}
    for size in THRESHOLD_SIZES:
        threshold = raw_thresholds.field(str(size))
        amount = threshold.cents()
        if size > THRESHOLD_SIZES[0] and amount < thresholds[size - 1]:
            threshold.fail(
                "threshold_falls", size=size - 1, previous=thresholds[size - 1], value=amount
            )
        thresholds[size] = amount
    increase = obj.field("threshold_increase_per_further_child").cents()
    max_fee = obj.field("max_fee").cents(minimum=1)
    min_fee_reader = obj.field("min_fee")
    min_fee = min_fee_reader.cents()
    if min_fee > max_fee:
        min_fee_reader.fail("min_above_max", max=max_fee, value=min_fee)
    siblings = obj.field("sibling_percentages")
    raw_percentages = siblings.items()
    if not raw_percentages:
        siblings.fail("no_sibling_percentages")
    percentages: list[int] = []
    for i, item in enumerate(raw_percentages):
        value = item.integer(code="not_whole_percentage")
        if not 1 <= value <= 100:
            item.fail("sibling_percentage_range", value=value)
        if i == 0 and value != 100:
            item.fail("youngest_not_100", value=value)
        if i and value > percentages[-1]:
            item.fail("sibling_percentage_rises", previous=percentages[-1], value=value)
        percentages.append(value)
    valid_from_reader = obj.optional("valid_from")
    valid_from = valid_from_reader.date() if valid_from_reader else None
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


def _text(obj: Reader, key: str) -> str:
    return obj.field(key, "").text()


def _boolean(obj: Reader, key: str) -> bool:
    return obj.field(key, False).boolean()


def _parse_income(item: Reader) -> Income:
    obj = item.object(_INCOME_KEYS)
    missing = _boolean(obj, "missing")
    label = _text(obj, "label")
    source = _text(obj, "source")
    amount = obj.optional("amount")
    if missing:
        if amount is not None:
            amount.fail("missing_income_has_amount")
        return Income(None, label, source)
    if amount is None:
        obj.fail("income_amount_required", at=join(obj.path, "amount"))
    return Income(amount.cents(), label, source)


def _parse_deduction(item: Reader) -> Deduction:
    obj = item.object(_DEDUCTION_KEYS)
    amount = obj.field("amount").cents(minimum=1)
    source = obj.field("source", "")
    if not isinstance(source.value, str) or not source.value.strip():
        source.fail("deduction_source_required")
    return Deduction(amount, _text(obj, "label"), source.text())


def _parse_alteration(item: Reader) -> Alteration:
    obj = item.object(_ALTERATION_KEYS)
    kind = obj.field("kind")
    if kind.value not in ALTERATION_KINDS:
        kind.fail("bad_alteration_kind", value=kind.shown())
    percent_reader = obj.optional("percent")
    amount_reader = obj.optional("amount")
    if (percent_reader is None) == (amount_reader is None):
        obj.fail("percent_or_amount")
    percent = _percent(percent_reader) if percent_reader else None
    amount = amount_reader.cents() if amount_reader else None
    return Alteration(str(kind.value), percent, amount, _text(obj, "reason"))


def _parse_child(item: Reader, on_date: datetime.date | None) -> ChildInput:
    obj = item.object(_CHILD_KEYS)
    id_reader = obj.field("id")
    child_id = id_reader.value
    if not isinstance(child_id, str) or not child_id.strip():
        id_reader.fail("bad_child_id", value=id_reader.shown())
    birth = obj.field("birth_date")
    birth_date = birth.date()
    if on_date is not None and birth_date > on_date:
        birth.fail("born_after_date", birth_date=birth_date, date=on_date)
    coefficient = Decimal(1)
    coefficient_reader = obj.optional("service_need_coefficient")
    if coefficient_reader is not None:
        coefficient = coefficient_reader.decimal()
        if not 0 <= coefficient <= 1:
            coefficient_reader.fail("bad_coefficient", value=coefficient_reader.shown())
    hours_reader = obj.optional("hours_per_month")
    hours = hours_reader.integer(minimum=0) if hours_reader is not None else None
    alterations = tuple(
        _parse_alteration(alteration) for alteration in obj.field("alterations", []).items()
    )
    return ChildInput(
        child_id,
        birth_date,
        coefficient,
        alterations,
        hours,
        _boolean(obj, "pre_primary") or coefficient == 0,
    )


def _parse_family(obj: Reader, on_date: datetime.date | None) -> FamilyInput:
    obj = obj.object(_FAMILY_KEYS)
    size_reader = obj.field("size")
    size = size_reader.integer()
    if size < 2:
        size_reader.fail("family_too_small", value=size)
    incomes = tuple(_parse_income(item) for item in obj.field("incomes").items())
    deductions = tuple(_parse_deduction(item) for item in obj.field("deductions", []).items())
    children_reader = obj.field("children")
    raw_children = children_reader.items()
    if not raw_children:
        children_reader.fail("no_children")
    children: list[ChildInput] = []
    seen: set[str] = set()
    for item in raw_children:
        child = _parse_child(item, on_date)
        if child.id in seen:
            item.fail("child_id_twice", at=join(item.path, "id"), value=_show(child.id))
        seen.add(child.id)
        children.append(child)
    if size < 1 + len(children):
        size_reader.fail(
            "too_small_for_children", size=size, children=len(children), least=1 + len(children)
        )
    if not any(child.charged for child in children):
        children_reader.fail("only_pre_primary")
    counts = obj.field("pre_primary_counts_in_sibling_order", True).boolean()
    return FamilyInput(
        size,
        incomes,
        tuple(children),
        _boolean(obj, "accepts_max_fee"),
        deductions,
        counts,
    )


def parse_family(
    data: object, field: str = "family", on_date: datetime.date | None = None
) -> FamilyInput:
    """A family as the engine takes it; birth dates after on_date (when given) are refused."""
    return _parse_family(Reader(data, field, WORDING), on_date)


def parse_request(data: object) -> CalculatorRequest:
    obj = Reader(data, "", WORDING).object(_REQUEST_KEYS)
    language = obj.field("language", DEFAULT_LANGUAGE)
    if language.value not in LANGUAGES:
        language.fail("bad_language", value=language.shown())
    date_reader = obj.optional("date")
    parameters_reader = obj.optional("parameters")
    if parameters_reader is not None and date_reader is not None:
        date_reader.fail("parameters_and_date")
    if parameters_reader is None and date_reader is None:
        obj.fail("parameters_or_date", at="parameters")
    on_date = date_reader.date() if date_reader is not None else None
    parameters = (
        parse_parameters(parameters_reader.value) if parameters_reader is not None else None
    )
    family = _parse_family(obj.field("family"), on_date)
    return CalculatorRequest(parameters, on_date, family, str(language.value))


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
        # Children in pre-primary education only: no fee, not on the decision.
        "pre_primary_only": [
            step.child_id for step in fee.steps if step.rule == "pre_primary" and step.child_id
        ],
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
    # True when the stored row used holds the demo's example figures, not official ones.
    result["example_figures"] = parameters.example_figures
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
