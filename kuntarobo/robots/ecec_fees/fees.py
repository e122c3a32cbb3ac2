"""Early childhood education client fees (act 1503/2016): the pure fee engine.

The monthly fee of each child of a family is worked out from the family's size and gross
income, the children's order by age and their service need. Every figure is kept as a
structured step so a decision can explain itself in Finnish, Swedish or English, and a family
or an official can follow the arithmetic line by line. Nothing here imports Django: the same
engine serves the robot, the calculator API, the web page and the benchmarks.

Money is integer cents throughout; percentages and coefficients are Decimals, never floats.
Fee relief (13 §) is decided elsewhere, never here.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from kuntarobo.core.formatting import MONTHS_EN as MONTHS_EN
from kuntarobo.core.formatting import format_date, format_decimal, format_percent
from kuntarobo.core.formatting import format_euros as format_euros

THRESHOLD_SIZES = (2, 3, 4, 5, 6)
LANGUAGES = ("fi", "sv", "en")
ALTERATION_KINDS = ("discount", "increase")

# Every rule code a Step can carry; explain() has a text for each in every language.
STEP_RULES = (
    "family_size",
    "income",
    "family_income",
    "deduction",
    "missing_income",
    "threshold",
    "base_fee",
    "sibling_order",
    "pre_primary",
    "legal_basis",
    "sibling_share",
    "service_need",
    "minimum_fee",
    "alteration",
    "cap",
    "final_fee",
    "total",
)

_ONE = Decimal(1)
_HUNDRED = Decimal(100)
_CENT_STEP = Decimal("0.01")

# Part-time care (1503/2016: care of at most 20 hours a week costs at most 60 % of the full-time
# fee). 20 h/week is 84 h/month on the municipal fee pages (20 × 4.2 weeks); a municipal band up
# to 84 h/month may not cost more than 60 %, and no alteration lifts such a fee above it.
PART_TIME_MAX_HOURS = 84
PART_TIME_MAX_SHARE = Decimal("0.60")
# How many orders of children born on the same day are tried (the most favourable is taken);
# 720 covers sextuplets, and every real family by far.
MAX_TIE_ORDERS = 720


# --- Inputs and parameters ---------------------------------------------------------------


class FeeInputError(ValueError):
    """A family the engine refuses. `code` and `params` name the problem, so that a caller
    words it in its reader's language (the fee robot's item page); str() is the English
    sentence, which the calculator's CLI and API show as it is."""

    def __init__(self, code: str, english: str, **params: object) -> None:
        super().__init__(english)
        self.code = code
        self.params = {key: str(value) for key, value in params.items()}


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class FeeParameters:
    """One row of the statutory figures, in force from valid_from (index-adjusted yearly)."""

    income_percentage: Decimal
    income_thresholds: Mapping[int, int]
    threshold_increase_per_further_child: int
    max_fee: int
    min_fee: int
    sibling_percentages: tuple[int, ...]
    valid_from: datetime.date | None = None
    # The demo's example figures (a stored row completed with repeated older thresholds), not
    # official ones: every answer computed with them says so.
    example_figures: bool = False

    def __post_init__(self) -> None:
        pct = self.income_percentage
        if not isinstance(pct, Decimal) or not pct.is_finite() or not 0 < pct <= _HUNDRED:
            raise ValueError(f"income_percentage must be a Decimal in (0, 100], got {pct!r}")
        thresholds = dict(self.income_thresholds)
        if set(thresholds) != set(THRESHOLD_SIZES):
            raise ValueError(
                "income_thresholds must give family sizes 2, 3, 4, 5 and 6 exactly, "
                f"got {sorted(thresholds, key=str)!r}"
            )
        previous = 0
        for size in THRESHOLD_SIZES:
            amount = thresholds[size]
            if not _is_int(amount) or amount < 0:
                raise ValueError(
                    f"income threshold for size {size} must be cents >= 0, got {amount!r}"
                )
            if amount < previous:
                raise ValueError(
                    f"income threshold for size {size} ({amount}) is below the one for "
                    f"size {size - 1} ({previous})"
                )
            previous = amount
        object.__setattr__(self, "income_thresholds", thresholds)
        for name in ("threshold_increase_per_further_child", "max_fee", "min_fee"):
            value = getattr(self, name)
            if not _is_int(value) or value < 0:
                raise ValueError(f"{name} must be cents >= 0, got {value!r}")
        if self.max_fee <= 0:
            raise ValueError(f"max_fee must be positive, got {self.max_fee}")
        if self.min_fee > self.max_fee:
            raise ValueError(f"min_fee {self.min_fee} is above max_fee {self.max_fee}")
        percentages = tuple(self.sibling_percentages)
        if not percentages or percentages[0] != 100:
            raise ValueError(f"sibling_percentages must start with 100, got {percentages!r}")
        for i, value in enumerate(percentages):
            if not _is_int(value) or not 1 <= value <= 100:
                raise ValueError(f"sibling percentage {value!r} is not a whole number in 1..100")
            if i and value > percentages[i - 1]:
                raise ValueError(f"sibling_percentages must not increase, got {percentages!r}")
        object.__setattr__(self, "sibling_percentages", percentages)
        if self.valid_from is not None and not isinstance(self.valid_from, datetime.date):
            raise ValueError(f"valid_from must be a date, got {self.valid_from!r}")

    def threshold_for(self, family_size: int) -> int:
        """Sizes over 6 get the 6-person threshold raised once per further child (5 §)."""
        if family_size < 2:
            raise FeeInputError(
                "family_size_too_small",
                f"family size must be at least 2, got {family_size}",
                value=family_size,
            )
        if family_size <= 6:
            return self.income_thresholds[family_size]
        further = family_size - 6
        return self.income_thresholds[6] + further * self.threshold_increase_per_further_child

    def sibling_percentage(self, rank: int) -> int:
        """The last percentage given applies to every further child."""
        percentages = self.sibling_percentages
        return percentages[min(rank, len(percentages)) - 1]


@dataclass(frozen=True)
class Income:
    """One gross monthly income of the family; amount None means it was not reported."""

    amount: int | None
    label: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if self.amount is not None and (not _is_int(self.amount) or self.amount < 0):
            raise FeeInputError(
                "bad_income",
                f"an income must be cents >= 0 or None, got {self.amount!r}",
                value=repr(self.amount),
            )


@dataclass(frozen=True)
class Deduction:
    """An amount taken off the family's monthly income, e.g. child maintenance (elatusapu) a
    parent pays to a child living elsewhere; `source` says where the figure comes from."""

    amount: int
    label: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if not _is_int(self.amount) or self.amount <= 0:
            raise FeeInputError(
                "bad_deduction",
                f"a deduction must be cents > 0, got {self.amount!r}",
                value=repr(self.amount),
            )


@dataclass(frozen=True)
class Alteration:
    """A discount or increase an official decided for one child, by percent or in cents."""

    kind: str
    percent: Decimal | None = None
    amount: int | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ALTERATION_KINDS:
            raise FeeInputError(
                "bad_alteration_kind",
                f"alteration kind must be 'discount' or 'increase', got {self.kind!r}",
                value=repr(self.kind),
            )
        if (self.percent is None) == (self.amount is None):
            raise FeeInputError(
                "bad_alteration", "an alteration has exactly one of percent and amount"
            )
        if self.percent is not None and (
            not isinstance(self.percent, Decimal)
            or not self.percent.is_finite()
            or not 0 <= self.percent <= _HUNDRED
        ):
            raise FeeInputError(
                "bad_alteration_percent",
                f"alteration percent must be in 0..100, got {self.percent!r}",
                value=repr(self.percent),
            )
        if self.amount is not None and (not _is_int(self.amount) or self.amount < 0):
            raise FeeInputError(
                "bad_alteration_amount",
                f"alteration amount must be cents >= 0, got {self.amount!r}",
                value=repr(self.amount),
            )


@dataclass(frozen=True)
class ChildInput:
    """A child of the family. Coefficient 0 is a child in pre-primary education only (its hours
    are free): it pays nothing and is not on the decision, but it may count in the sibling order.
    A child in pre-primary education with supplementary ECEC (`pre_primary`) is charged by its
    supplementary hours. `hours_per_month` (when known) brings the part-time cap."""

    id: str
    birth_date: datetime.date
    service_need_coefficient: Decimal = Decimal(1)
    alterations: tuple[Alteration, ...] = ()
    hours_per_month: int | None = None
    pre_primary: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise FeeInputError(
                "bad_child_id",
                f"a child id must be a non-empty string, got {self.id!r}",
                value=repr(self.id),
            )
        if not isinstance(self.birth_date, datetime.date):
            raise FeeInputError(
                "bad_birth_date", f"child {self.id}: birth_date must be a date", child=self.id
            )
        c = self.service_need_coefficient
        if not isinstance(c, Decimal) or not c.is_finite() or not 0 <= c <= _ONE:
            raise FeeInputError(
                "bad_coefficient",
                f"child {self.id}: service need coefficient must be in [0, 1], got {c!r}",
                child=self.id,
                value=repr(c),
            )
        hours = self.hours_per_month
        if hours is not None and (not _is_int(hours) or hours < 0):
            raise FeeInputError(
                "bad_hours",
                f"child {self.id}: hours per month must be >= 0, got {hours!r}",
                child=self.id,
                value=repr(hours),
            )
        object.__setattr__(self, "alterations", tuple(self.alterations))

    @property
    def charged(self) -> bool:
        """False for a child in pre-primary education only (no ECEC hours to pay for)."""
        return self.service_need_coefficient > 0

    @property
    def part_time(self) -> bool:
        return self.hours_per_month is not None and self.hours_per_month <= PART_TIME_MAX_HOURS


@dataclass(frozen=True)
class FamilyInput:
    size: int
    incomes: tuple[Income, ...]
    children: tuple[ChildInput, ...]
    accepts_max_fee: bool = False
    deductions: tuple[Deduction, ...] = ()
    # Whether a child in pre-primary education only counts in the sibling order (a municipal
    # setting; eVaka, used by Espoo and Tampere, counts it).
    pre_primary_counts_in_sibling_order: bool = True


# --- Results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One explanation line kept as data: a rule code and its figures, rendered on demand."""

    rule: str
    values: Mapping[str, str]
    child_id: str | None = None


@dataclass(frozen=True)
class ChildFee:
    id: str
    birth_date: datetime.date
    sibling_rank: int
    sibling_percentage: int
    service_need_coefficient: Decimal
    base_fee: int
    sibling_fee: int
    fee_before_alterations: int
    final_fee: int
    minimum_fee_applied: bool
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class FamilyFee:
    children: tuple[ChildFee, ...]
    total_fee: int
    family_size: int
    income_total: int | None
    threshold: int
    maximum_fee_used: bool
    steps: tuple[Step, ...] = field(default=())


# --- Arithmetic --------------------------------------------------------------------------


def round_to_euros(cents: Decimal) -> int:
    """Half up to whole euros, as the fee decisions state their fees (returns cents)."""
    return int((cents / _HUNDRED).to_integral_value(rounding=ROUND_HALF_UP)) * 100


def round_to_cents(cents: Decimal) -> int:
    return int(cents.to_integral_value(rounding=ROUND_HALF_UP))


def _sibling_order_key(child: ChildInput) -> tuple[int, str]:
    # Youngest first: the latest birth date; the same birth date is settled by _orders().
    return (-child.birth_date.toordinal(), child.id)


def _orders(children: Sequence[ChildInput]) -> Iterator[tuple[ChildInput, ...]]:
    """Every sibling order by age, youngest first, trying each order of the children born on
    the same day (twins), the id order first; at most MAX_TIE_ORDERS orders."""
    ordered = sorted(children, key=_sibling_order_key)
    groups = [list(group) for _, group in itertools.groupby(ordered, key=lambda c: c.birth_date)]
    combinations = itertools.product(*(itertools.permutations(group) for group in groups))
    for combination in itertools.islice(combinations, MAX_TIE_ORDERS):
        yield tuple(child for group in combination for child in group)


def _check_family(family: FamilyInput) -> None:
    if not _is_int(family.size) or family.size < 2:
        raise FeeInputError(
            "family_size_too_small",
            f"family size must be at least 2 (an adult and a child), got {family.size!r}",
            value=repr(family.size),
        )
    if not any(child.charged for child in family.children):
        raise FeeInputError(
            "no_child_in_ecec", "at least one child in early childhood education is needed"
        )
    if family.size < 1 + len(family.children):
        raise FeeInputError(
            "family_too_small_for_children",
            f"family size {family.size} is too small for {len(family.children)} children in "
            f"early childhood education (at least {1 + len(family.children)})",
            size=family.size,
            children=len(family.children),
            minimum=1 + len(family.children),
        )
    seen: set[str] = set()
    for child in family.children:
        if child.id in seen:
            raise FeeInputError(
                "duplicate_child", f"child id {child.id!r} is given twice", child=child.id
            )
        seen.add(child.id)


def calculate_fees(parameters: FeeParameters, family: FamilyInput) -> FamilyFee:
    """The monthly fee of every child of the family, in sibling order, with its reasoning."""
    _check_family(family)
    size = family.size
    threshold = parameters.threshold_for(size)
    max_fee = parameters.max_fee
    missing = any(income.amount is None for income in family.incomes)
    maximum_fee_used = family.accepts_max_fee or missing
    steps: list[Step] = [
        Step(
            "family_size",
            {"size": str(size), "children": str(sum(1 for c in family.children if c.charged))},
        )
    ]
    if not family.accepts_max_fee:
        for index, income in enumerate(family.incomes, start=1):
            steps.append(
                Step(
                    "income",
                    {
                        "index": str(index),
                        "amount": "" if income.amount is None else str(income.amount),
                        "label": income.label,
                        "source": income.source,
                    },
                )
            )
    income_total: int | None
    if maximum_fee_used:
        income_total = None
        base_fee = max_fee
        reason = "accepted" if family.accepts_max_fee else "not_reported"
        steps.append(Step("missing_income", {"reason": reason, "max_fee": str(max_fee)}))
        steps.append(Step("base_fee", {"case": "maximum", "result": str(base_fee)}))
    else:
        gross = sum(income.amount for income in family.incomes if income.amount)
        for deduction in family.deductions:
            steps.append(
                Step(
                    "deduction",
                    {
                        "amount": str(deduction.amount),
                        "label": deduction.label,
                        "source": deduction.source,
                    },
                )
            )
        deducted = sum(deduction.amount for deduction in family.deductions)
        income_total = max(gross - deducted, 0)
        values = {"total": str(income_total)}
        if family.deductions:
            values.update(gross=str(gross), deducted=str(deducted))
        steps.append(Step("family_income", values))
        threshold_values = {
            "size": str(size),
            "threshold": str(threshold),
            "valid_from": parameters.valid_from.isoformat() if parameters.valid_from else "",
        }
        if size > 6:
            threshold_values["base"] = str(parameters.income_thresholds[6])
            threshold_values["further"] = str(size - 6)
            threshold_values["increase"] = str(parameters.threshold_increase_per_further_child)
        steps.append(Step("threshold", threshold_values))
        base_fee, base_step = _base_fee(parameters, income_total, threshold)
        steps.append(base_step)
    in_order = [
        child
        for child in family.children
        if child.charged or family.pre_primary_counts_in_sibling_order
    ]
    # Children born on the same day have no order by age: the order most favourable to the
    # family (the lowest total) is taken; among equal totals, the order of the ids.
    best: tuple[tuple[ChildInput, ...], tuple[ChildFee, ...], int] | None = None
    tried = 0
    for order in _orders(in_order):
        tried += 1
        fees_in_order = tuple(
            _child_fee(parameters, child, rank, base_fee)
            for rank, child in enumerate(order, start=1)
            if child.charged
        )
        total = sum(child.final_fee for child in fees_in_order)
        if best is None or total < best[2]:
            best = (order, fees_in_order, total)
    assert best is not None  # at least one charged child is in the order
    ordered, children, total = best
    if len(ordered) > 1:
        birth_dates = [child.birth_date for child in ordered]
        ties = [child.id for child in ordered if birth_dates.count(child.birth_date) > 1]
        values = {"order": ", ".join(child.id for child in ordered), "ties": ", ".join(ties)}
        if ties:
            values["orders_tried"] = str(tried)
        steps.append(Step("sibling_order", values))
    for child in family.children:
        if not child.charged:
            counted = family.pre_primary_counts_in_sibling_order
            steps.append(
                Step(
                    "pre_primary",
                    {"case": "counted" if counted else "not_counted", "child": child.id},
                    child.id,
                )
            )
    steps.append(Step("legal_basis", {"sections": "5, 8" if len(ordered) > 1 else "5"}))
    steps.append(Step("total", {"total": str(total), "children": str(len(children))}))
    return FamilyFee(
        children=children,
        total_fee=total,
        family_size=size,
        income_total=income_total,
        threshold=threshold,
        maximum_fee_used=maximum_fee_used,
        steps=tuple(steps),
    )


def _base_fee(parameters: FeeParameters, income: int, threshold: int) -> tuple[int, Step]:
    """Percentage of the income over the threshold: rounded to euros, at most the maximum."""
    pct = parameters.income_percentage
    values = {
        "percentage": str(pct),
        "income": str(income),
        "threshold": str(threshold),
        "max_fee": str(parameters.max_fee),
    }
    if income <= threshold:
        values.update(case="below_threshold", raw="0", result="0")
        return 0, Step("base_fee", values)
    raw = Decimal(income - threshold) * pct / _HUNDRED
    rounded = round_to_euros(raw)
    if rounded > parameters.max_fee:
        values.update(case="capped", raw=str(raw), result=str(parameters.max_fee))
        return parameters.max_fee, Step("base_fee", values)
    values.update(case="income", raw=str(raw), result=str(rounded))
    return rounded, Step("base_fee", values)


def _child_fee(parameters: FeeParameters, child: ChildInput, rank: int, base_fee: int) -> ChildFee:
    cid = child.id
    percentage = parameters.sibling_percentage(rank)
    raw_share = Decimal(base_fee * percentage) / _HUNDRED
    sibling_fee = round_to_euros(raw_share)
    steps = [
        Step(
            "sibling_share",
            {
                "rank": str(rank),
                "percentage": str(percentage),
                "base": str(base_fee),
                "raw": str(raw_share),
                "result": str(sibling_fee),
            },
            cid,
        )
    ]
    coefficient = child.service_need_coefficient
    fee = sibling_fee
    if child.pre_primary:
        steps.append(Step("pre_primary", {"case": "supplementary"}, cid))
    if coefficient != _ONE:
        raw_part = sibling_fee * coefficient
        fee = round_to_euros(raw_part)
        steps.append(
            Step(
                "service_need",
                {
                    "coefficient": str(coefficient),
                    "fee": str(sibling_fee),
                    "raw": str(raw_part),
                    "result": str(fee),
                },
                cid,
            )
        )
    minimum_applied = 0 < fee < parameters.min_fee
    if minimum_applied:
        steps.append(
            Step("minimum_fee", {"min_fee": str(parameters.min_fee), "fee": str(fee)}, cid)
        )
        fee = 0
    fee_before_alterations = fee
    running = fee
    # Percent alterations are taken of the fee before alterations, so their order never
    # matters; the sum is bounded to 0..max only once, at the end.
    for alteration in child.alterations:
        if alteration.percent is not None:
            delta = round_to_cents(fee_before_alterations * alteration.percent / _HUNDRED)
        else:
            delta = alteration.amount or 0
        running += delta if alteration.kind == "increase" else -delta
        steps.append(
            Step(
                "alteration",
                {
                    "kind": alteration.kind,
                    "percent": "" if alteration.percent is None else str(alteration.percent),
                    "of": str(fee_before_alterations),
                    "amount": str(delta),
                    "reason": alteration.reason,
                },
                cid,
            )
        )
    # The act's caps come after the municipality's alterations: the youngest at most the
    # maximum fee, the second child at most 40 % and each further child at most 20 % of the
    # youngest's full-time fee (its sibling share as rounded above), part-time care (at most
    # 84 h/month) at most 60 % of the child's full-time fee.
    cap, cap_case = parameters.max_fee, "maximum"
    if rank > 1:
        cap, cap_case = sibling_fee, "sibling"
    if child.part_time:
        cap, cap_case = round_to_euros(sibling_fee * PART_TIME_MAX_SHARE), "part_time"
    final = min(max(running, 0), cap)
    if final != running:
        case = "zero" if running < 0 else cap_case
        steps.append(
            Step(
                "cap",
                {
                    "case": case,
                    "fee": str(running),
                    "result": str(final),
                    "max_fee": str(parameters.max_fee),
                    "rank": str(rank),
                    "percentage": str(percentage),
                    "base": str(base_fee),
                    "share": str(PART_TIME_MAX_SHARE),
                    "hours": str(PART_TIME_MAX_HOURS),
                },
                cid,
            )
        )
    steps.append(Step("final_fee", {"fee": str(final)}, cid))
    return ChildFee(
        id=cid,
        birth_date=child.birth_date,
        sibling_rank=rank,
        sibling_percentage=percentage,
        service_need_coefficient=coefficient,
        base_fee=base_fee,
        sibling_fee=sibling_fee,
        fee_before_alterations=fee_before_alterations,
        final_fee=final,
        minimum_fee_applied=minimum_applied,
        steps=tuple(steps),
    )


def coefficient_for_hours(
    bands: Sequence[tuple[int | None, Decimal]], hours_per_month: int
) -> Decimal:
    """A municipality's hour bands: the first band whose ceiling (inclusive) holds the hours."""
    if hours_per_month < 0:
        raise FeeInputError(
            "bad_hours",
            f"hours per month cannot be negative, got {hours_per_month}",
            value=hours_per_month,
        )
    # The whole table is checked first, so a mistyped table fails for every family alike.
    previous: int | None = None
    for i, (ceiling, _coefficient) in enumerate(bands):
        if ceiling is None:
            if i != len(bands) - 1:
                raise FeeInputError("bad_hour_bands", "only the last hour band can be open-ended")
        elif previous is not None and ceiling <= previous:
            raise FeeInputError(
                "bad_hour_bands",
                f"hour bands must be in increasing order, got {ceiling} after {previous}",
            )
        previous = ceiling
    for ceiling, coefficient in bands:
        if ceiling is None or hours_per_month <= ceiling:
            return coefficient
    raise FeeInputError(
        "no_hour_band",
        f"no hour band holds {hours_per_month} hours a month",
        hours=hours_per_month,
    )


# --- Explanations ------------------------------------------------------------------------

# The fee robot's names for the shared formats (kuntarobo.core.formatting).
format_day = format_date
format_number = format_decimal


def _euros(text: str, language: str) -> str:
    """Cents given as a possibly fractional decimal string, shown to the cent."""
    return format_euros(round_to_cents(Decimal(text)), language)


def _percent(text: str, language: str) -> str:
    return format_percent(Decimal(text), language)


def format_coefficient(value: Decimal, language: str) -> str:
    """Two decimals at least, as fee tables print them: 1,00 and 0,85; 0,875 stays 0,875."""
    value = value.normalize()
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        value = value.quantize(_CENT_STEP)
    text = format(value, "f")
    return text.replace(".", ",") if language != "en" else text


def _coefficient(text: str, language: str) -> str:
    return format_coefficient(Decimal(text), language)


def _date(iso: str, language: str) -> str:
    return format_date(datetime.date.fromisoformat(iso), language)


_ORDINALS = {
    "fi": ("Nuorin", "Toinen", "Kolmas", "Neljäs", "Viides", "Kuudes", "Seitsemäs",
           "Kahdeksas", "Yhdeksäs", "Kymmenes"),
    "sv": ("Yngsta", "Andra", "Tredje", "Fjärde", "Femte", "Sjätte", "Sjunde", "Åttonde",
           "Nionde", "Tionde"),
    "en": ("Youngest", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth",
           "Ninth", "Tenth"),
}  # fmt: skip

_TEXTS: dict[str, dict[str, str]] = {
    "fi": {
        "family_size": "Perheen koko {size} henkeä; varhaiskasvatuksessa {children}",
        "children.one": "1 lapsi",
        "children.many": "{n} lasta",
        "income": "Tulo {index}{label}: {amount}/kk{source}",
        "income.missing": "Tulo {index}{label}: ei ilmoitettu",
        "source": ", lähde: {source}",
        "family_income": "Perheen bruttotulot yhteensä {total}/kk",
        "deduction": "Tuloista vähennetään{label}: {amount}/kk{source}",
        "family_income.deducted": (
            "Perheen bruttotulot {gross}/kk − vähennykset {deducted} = {total}/kk"
        ),
        "missing_income.not_reported": (
            "Tuloja ei ole ilmoitettu, joten perusmaksuna käytetään enimmäismaksua {max_fee}"
        ),
        "missing_income.accepted": (
            "Perhe on suostunut korkeimpaan maksuun, joten perusmaksuna käytetään "
            "enimmäismaksua {max_fee}"
        ),
        "threshold": "Tuloraja {size} hengen perheelle {threshold}{valid}",
        "threshold.large": (
            "Tuloraja {size} hengen perheelle: {base} (6 hengen perhe) + {further} × "
            "{increase} = {threshold}{valid}"
        ),
        "valid": " (voimassa {date} alkaen)",
        "base_fee.income": (
            "Perusmaksu: {percentage} × ({income} − {threshold}) = {raw} → pyöristetään "
            "täysiin euroihin {result}"
        ),
        "base_fee.capped": (
            "Perusmaksu: {percentage} × ({income} − {threshold}) = {raw} → enintään "
            "enimmäismaksu {result}"
        ),
        "base_fee.below_threshold": (
            "Perusmaksu {result}: tulot {income} eivät ylitä tulorajaa {threshold}"
        ),
        "base_fee.maximum": "Perusmaksu on enimmäismaksu {result}",
        "sibling_order": ("Sisarusjärjestys syntymäpäivän mukaan, nuorin ensin: {order}"),
        "ties": (
            " (samana päivänä syntyneet {ties}: järjestys, jossa perheen maksut ovat pienimmät)"
        ),
        "legal_basis.5": (
            "Maksun peruste: laki varhaiskasvatuksen asiakasmaksuista (1503/2016), 5 §"
        ),
        "legal_basis.5, 8": (
            "Maksun peruste: laki varhaiskasvatuksen asiakasmaksuista (1503/2016), 5 ja 8 §"
        ),
        "pre_primary.counted": (
            "{child}: Esiopetuksessa ilman täydentävää varhaiskasvatusta: ei maksua eikä tässä "
            "päätöksessä; lasketaan sisarusjärjestykseen"
        ),
        "pre_primary.not_counted": (
            "{child}: Esiopetuksessa ilman täydentävää varhaiskasvatusta: ei maksua eikä tässä "
            "päätöksessä; ei lasketa sisarusjärjestykseen"
        ),
        "pre_primary.supplementary": (
            "Esiopetuksessa: maksu peritään vain täydentävästä varhaiskasvatuksesta, "
            "palveluntarve täydentävän varhaiskasvatuksen tuntien mukaan"
        ),
        "sibling_share": "{ordinal} lapsi: {percentage} × {base} = {raw}{rounded}",
        "sibling_share.numbered": "{rank}. lapsi: {percentage} × {base} = {raw}{rounded}",
        "service_need": "Palveluntarve {coefficient} × {fee} = {raw}{rounded}",
        "minimum_fee": "Alle vähimmäismaksun {min_fee} jäävää maksua ei peritä: {fee} → {zero}",
        "alteration.discount.percent": "Alennus {percent} maksusta {of} = −{amount}{reason}",
        "alteration.discount.amount": "Alennus −{amount}{reason}",
        "alteration.increase.percent": "Korotus {percent} maksusta {of} = +{amount}{reason}",
        "alteration.increase.amount": "Korotus +{amount}{reason}",
        "reason": " (peruste: {reason})",
        "cap.maximum": "Maksu voi olla enintään enimmäismaksu {max_fee}: {fee} → {result}",
        "cap.sibling": (
            "{rank}. lapsen maksu on enintään {percentage} nuorimman lapsen kokoaikaisesta "
            "maksusta {base}: {fee} → {result}"
        ),
        "cap.part_time": (
            "Enintään {hours} h/kk (20 h/vko) varhaiskasvatuksen maksu on enintään {share} "
            "kokoaikaisesta maksusta: {fee} → {result}"
        ),
        "cap.zero": "Maksu ei voi olla negatiivinen: {fee} → {result}",
        "final_fee": "Kuukausimaksu {fee}",
        "total": "Perheen maksut yhteensä {total}/kk",
    },
    "sv": {
        "family_size": "Familjens storlek {size} personer; {children} i småbarnspedagogik",
        "children.one": "1 barn",
        "children.many": "{n} barn",
        "income": "Inkomst {index}{label}: {amount}/mån{source}",
        "income.missing": "Inkomst {index}{label}: inte uppgiven",
        "source": ", källa: {source}",
        "family_income": "Familjens bruttoinkomster sammanlagt {total}/mån",
        "deduction": "Avdrag från inkomsterna{label}: {amount}/mån{source}",
        "family_income.deducted": (
            "Familjens bruttoinkomster {gross}/mån − avdrag {deducted} = {total}/mån"
        ),
        "missing_income.not_reported": (
            "Inkomsterna har inte uppgetts, därför används maximiavgiften {max_fee} som grundavgift"
        ),
        "missing_income.accepted": (
            "Familjen har godkänt den högsta avgiften, därför används maximiavgiften "
            "{max_fee} som grundavgift"
        ),
        "threshold": "Inkomstgränsen för en familj på {size} personer är {threshold}{valid}",
        "threshold.large": (
            "Inkomstgränsen för en familj på {size} personer: {base} (familj på 6 personer) "
            "+ {further} × {increase} = {threshold}{valid}"
        ),
        "valid": " (gäller från {date})",
        "base_fee.income": (
            "Grundavgift: {percentage} × ({income} − {threshold}) = {raw} → avrundas till "
            "hela euro {result}"
        ),
        "base_fee.capped": (
            "Grundavgift: {percentage} × ({income} − {threshold}) = {raw} → högst "
            "maximiavgiften {result}"
        ),
        "base_fee.below_threshold": (
            "Grundavgift {result}: inkomsterna {income} överstiger inte inkomstgränsen {threshold}"
        ),
        "base_fee.maximum": "Grundavgiften är maximiavgiften {result}",
        "sibling_order": ("Syskonordning enligt födelsedatum, det yngsta barnet först: {order}"),
        "ties": (
            " (barn födda samma dag, {ties}: i den ordning som ger familjen de lägsta avgifterna)"
        ),
        "legal_basis.5": (
            "Avgiften grundar sig på lagen om klientavgifter inom småbarnspedagogiken "
            "(1503/2016), 5 §"
        ),
        "legal_basis.5, 8": (
            "Avgiften grundar sig på lagen om klientavgifter inom småbarnspedagogiken "
            "(1503/2016), 5 och 8 §"
        ),
        "pre_primary.counted": (
            "{child}: I förskoleundervisning utan kompletterande småbarnspedagogik: ingen "
            "avgift och "
            "inte med i detta beslut; räknas med i syskonordningen"
        ),
        "pre_primary.not_counted": (
            "{child}: I förskoleundervisning utan kompletterande småbarnspedagogik: ingen "
            "avgift och "
            "inte med i detta beslut; räknas inte med i syskonordningen"
        ),
        "pre_primary.supplementary": (
            "I förskoleundervisning: avgift tas ut endast för den kompletterande "
            "småbarnspedagogiken, servicebehovet enligt dess timmar"
        ),
        "sibling_share": "{ordinal} barnet: {percentage} × {base} = {raw}{rounded}",
        "sibling_share.numbered": "Barn nummer {rank}: {percentage} × {base} = {raw}{rounded}",
        "service_need": "Servicebehov {coefficient} × {fee} = {raw}{rounded}",
        "minimum_fee": (
            "En avgift som understiger minimiavgiften {min_fee} tas inte ut: {fee} → {zero}"
        ),
        "alteration.discount.percent": (
            "Nedsättning {percent} av avgiften {of} = −{amount}{reason}"
        ),
        "alteration.discount.amount": "Nedsättning −{amount}{reason}",
        "alteration.increase.percent": "Förhöjning {percent} av avgiften {of} = +{amount}{reason}",
        "alteration.increase.amount": "Förhöjning +{amount}{reason}",
        "reason": " (grund: {reason})",
        "cap.maximum": "Avgiften är högst maximiavgiften {max_fee}: {fee} → {result}",
        "cap.sibling": (
            "Avgiften för barn nummer {rank} är högst {percentage} av det yngsta barnets "
            "heltidsavgift {base}: {fee} → {result}"
        ),
        "cap.part_time": (
            "Avgiften för högst {hours} h/mån (20 h/vecka) småbarnspedagogik är högst {share} av "
            "heltidsavgiften: {fee} → {result}"
        ),
        "cap.zero": "Avgiften kan inte vara negativ: {fee} → {result}",
        "final_fee": "Månadsavgift {fee}",
        "total": "Familjens avgifter sammanlagt {total}/mån",
    },
    "en": {
        "family_size": "Family size {size} persons; {children} in early childhood education",
        "children.one": "1 child",
        "children.many": "{n} children",
        "income": "Income {index}{label}: {amount}/month{source}",
        "income.missing": "Income {index}{label}: not reported",
        "source": ", source: {source}",
        "family_income": "Family's gross income in total {total}/month",
        "deduction": "Deducted from the income{label}: {amount}/month{source}",
        "family_income.deducted": (
            "Family's gross income {gross}/month − deductions {deducted} = {total}/month"
        ),
        "missing_income.not_reported": (
            "Income not reported, so the maximum fee {max_fee} is used as the base fee"
        ),
        "missing_income.accepted": (
            "The family has accepted the highest fee, so the maximum fee {max_fee} is used "
            "as the base fee"
        ),
        "threshold": "Income threshold for a family of {size} persons: {threshold}{valid}",
        "threshold.large": (
            "Income threshold for a family of {size} persons: {base} (family of 6) + "
            "{further} × {increase} = {threshold}{valid}"
        ),
        "valid": " (in force from {date})",
        "base_fee.income": (
            "Base fee: {percentage} × ({income} − {threshold}) = {raw} → rounded to whole "
            "euros {result}"
        ),
        "base_fee.capped": (
            "Base fee: {percentage} × ({income} − {threshold}) = {raw} → at most the maximum "
            "fee {result}"
        ),
        "base_fee.below_threshold": (
            "Base fee {result}: the income {income} does not exceed the threshold {threshold}"
        ),
        "base_fee.maximum": "The base fee is the maximum fee {result}",
        "sibling_order": ("Sibling order by date of birth, youngest first: {order}"),
        "ties": (
            " (born on the same day, {ties}: in the order that gives the family the lowest fees)"
        ),
        "legal_basis.5": (
            "Legal basis: Act on Early Childhood Education and Care Client Fees "
            "(1503/2016), section 5"
        ),
        "legal_basis.5, 8": (
            "Legal basis: Act on Early Childhood Education and Care Client Fees "
            "(1503/2016), sections 5 and 8"
        ),
        "pre_primary.counted": (
            "{child}: In pre-primary education without supplementary ECEC: no fee and not on this "
            "decision; counted in the sibling order"
        ),
        "pre_primary.not_counted": (
            "{child}: In pre-primary education without supplementary ECEC: no fee and not on this "
            "decision; not counted in the sibling order"
        ),
        "pre_primary.supplementary": (
            "In pre-primary education: only the supplementary ECEC is charged, the service "
            "need by its hours"
        ),
        "sibling_share": "{ordinal} child: {percentage} × {base} = {raw}{rounded}",
        "sibling_share.numbered": "Child no. {rank}: {percentage} × {base} = {raw}{rounded}",
        "service_need": "Service need {coefficient} × {fee} = {raw}{rounded}",
        "minimum_fee": "A fee below the minimum fee {min_fee} is not charged: {fee} → {zero}",
        "alteration.discount.percent": "Discount {percent} of {of} = −{amount}{reason}",
        "alteration.discount.amount": "Discount −{amount}{reason}",
        "alteration.increase.percent": "Increase {percent} of {of} = +{amount}{reason}",
        "alteration.increase.amount": "Increase +{amount}{reason}",
        "reason": " (reason: {reason})",
        "cap.maximum": "The fee is capped at the maximum fee {max_fee}: {fee} → {result}",
        "cap.sibling": (
            "The fee of child no. {rank} is at most {percentage} of the youngest child's "
            "full-time fee {base}: {fee} → {result}"
        ),
        "cap.part_time": (
            "The fee for at most {hours} h/month (20 h/week) of ECEC is at most {share} of the "
            "full-time fee: {fee} → {result}"
        ),
        "cap.zero": "The fee cannot be negative: {fee} → {result}",
        "final_fee": "Monthly fee {fee}",
        "total": "Family's fees in total {total}/month",
    },
}


def _rounded(raw: str, result: str, language: str) -> tuple[str, str]:
    """The exact figure, and " → rounded" only when rounding changed it."""
    shown = _euros(raw, language)
    if Decimal(raw) == Decimal(result):
        return shown, ""
    return shown, " → " + _euros(result, language)


def _explain_family_size(t: Mapping[str, str], v: Mapping[str, str], lang: str) -> str:
    n = int(v["children"])
    children = t["children.one"] if n == 1 else t["children.many"].format(n=n)
    return t["family_size"].format(size=v["size"], children=children)


def _explain_income(t: Mapping[str, str], v: Mapping[str, str], lang: str) -> str:
    label = f" ({v['label']})" if v.get("label") else ""
    if not v.get("amount"):
        return t["income.missing"].format(index=v["index"], label=label)
    source = t["source"].format(source=v["source"]) if v.get("source") else ""
    amount = _euros(v["amount"], lang)
    return t["income"].format(index=v["index"], label=label, amount=amount, source=source)


def _explain_family_income(t: Mapping[str, str], v: Mapping[str, str], lang: str) -> str:
    if v.get("deducted"):
        return t["family_income.deducted"].format(
            gross=_euros(v["gross"], lang),
            deducted=_euros(v["deducted"], lang),
            total=_euros(v["total"], lang),
        )
    return t["family_income"].format(total=_euros(v["total"], lang))


def _explain_deduction(t: Mapping[str, str], v: Mapping[str, str], lang: str) -> str:
    label = f" ({v['label']})" if v.get("label") else ""
    source = t["source"].format(source=v["source"]) if v.get("source") else ""
    return t["deduction"].format(label=label, amount=_euros(v["amount"], lang), source=source)


def _explain_pre_primary(t: Mapping[str, str], v: Mapping[str, str], lang: str) -> str:
    return t["pre_primary." + v["case"]].format(child=v.get("child", ""))


def _explain_missing_income(t: Mapping[str, str], v: Mapping[str, str], lang: str) -> str:
    return t["missing_income." + v["reason"]].format(max_fee=_euros(v["max_fee"], lang))


def _explain_threshold(t: Mapping[str, str], v: Mapping[str, str], lang: str) -> str:
    valid = t["valid"].format(date=_date(v["valid_from"], lang)) if v.get("valid_from") else ""
    threshold = _euros(v["threshold"], lang)
    if "further" in v:
        return t["threshold.large"].format(
            size=v["size"],
            base=_euros(v["base"], lang),
            further=v["further"],
            increase=_euros(v["increase"], lang),
            threshold=threshold,
            valid=valid,
        )
    return t["threshold"].format(size=v["size"], threshold=threshold, valid=valid)


def _explain_base_fee(t: Mapping[str, str], v: Mapping[str, str], lang: str) -> str:
    case = v["case"]
    if case == "maximum":
        return t["base_fee.maximum"].format(result=_euros(v["result"], lang))
    return t["base_fee." + case].format(
        percentage=_percent(v["percentage"], lang),
        income=_euros(v["income"], lang),
        threshold=_euros(v["threshold"], lang),
        raw=_euros(v["raw"], lang),
        result=_euros(v["result"], lang),
    )


def _explain_sibling_order(t: Mapping[str, str], v: Mapping[str, str], lang: str) -> str:
    ties = t["ties"].format(ties=v["ties"]) if v.get("ties") else ""
    return t["sibling_order"].format(order=v["order"]) + ties


def _explain_legal_basis(t: Mapping[str, str], v: Mapping[str, str], lang: str) -> str:
    return t["legal_basis." + v["sections"]]


def _explain_sibling_share(t: Mapping[str, str], v: Mapping[str, str], lang: str) -> str:
    rank = int(v["rank"])
    raw, rounded = _rounded(v["raw"], v["result"], lang)
    figures = {
        "percentage": _percent(v["percentage"], lang),
        "base": _euros(v["base"], lang),
        "raw": raw,
        "rounded": rounded,
    }
    ordinals = _ORDINALS[lang]
    if rank <= len(ordinals):
        return t["sibling_share"].format(ordinal=ordinals[rank - 1], **figures)
    return t["sibling_share.numbered"].format(rank=rank, **figures)


def _explain_service_need(t: Mapping[str, str], v: Mapping[str, str], lang: str) -> str:
    raw, rounded = _rounded(v["raw"], v["result"], lang)
    return t["service_need"].format(
        coefficient=_coefficient(v["coefficient"], lang),
        fee=_euros(v["fee"], lang),
        raw=raw,
        rounded=rounded,
    )


def _explain_minimum_fee(t: Mapping[str, str], v: Mapping[str, str], lang: str) -> str:
    return t["minimum_fee"].format(
        min_fee=_euros(v["min_fee"], lang), fee=_euros(v["fee"], lang), zero=format_euros(0, lang)
    )


def _explain_alteration(t: Mapping[str, str], v: Mapping[str, str], lang: str) -> str:
    by = "percent" if v.get("percent") else "amount"
    reason = t["reason"].format(reason=v["reason"]) if v.get("reason") else ""
    return t[f"alteration.{v['kind']}.{by}"].format(
        percent=_percent(v["percent"], lang) if v.get("percent") else "",
        of=_euros(v["of"], lang),
        amount=_euros(v["amount"], lang),
        reason=reason,
    )


def _explain_cap(t: Mapping[str, str], v: Mapping[str, str], lang: str) -> str:
    return t["cap." + v["case"]].format(
        max_fee=_euros(v["max_fee"], lang),
        fee=_euros(v["fee"], lang),
        result=_euros(v["result"], lang),
        rank=v.get("rank", ""),
        percentage=_percent(v.get("percentage") or "0", lang),
        base=_euros(v.get("base") or "0", lang),
        share=_percent(str(Decimal(v.get("share") or "0") * _HUNDRED), lang),
        hours=v.get("hours", ""),
    )


def _explain_final_fee(t: Mapping[str, str], v: Mapping[str, str], lang: str) -> str:
    return t["final_fee"].format(fee=_euros(v["fee"], lang))


def _explain_total(t: Mapping[str, str], v: Mapping[str, str], lang: str) -> str:
    return t["total"].format(total=_euros(v["total"], lang))


_EXPLAINERS: dict[str, Callable[[Mapping[str, str], Mapping[str, str], str], str]] = {
    "family_size": _explain_family_size,
    "income": _explain_income,
    "family_income": _explain_family_income,
    "deduction": _explain_deduction,
    "missing_income": _explain_missing_income,
    "threshold": _explain_threshold,
    "base_fee": _explain_base_fee,
    "sibling_order": _explain_sibling_order,
    "pre_primary": _explain_pre_primary,
    "legal_basis": _explain_legal_basis,
    "sibling_share": _explain_sibling_share,
    "service_need": _explain_service_need,
    "minimum_fee": _explain_minimum_fee,
    "alteration": _explain_alteration,
    "cap": _explain_cap,
    "final_fee": _explain_final_fee,
    "total": _explain_total,
}


def explain(step: Step, language: str) -> str:
    """One step as a sentence with its figures, in Finnish, Swedish or English."""
    texts = _TEXTS.get(language)
    if texts is None:
        raise ValueError(f"unknown language {language!r}: use fi, sv or en")
    explainer = _EXPLAINERS.get(step.rule)
    if explainer is None:
        raise ValueError(f"no explanation for step rule {step.rule!r}")
    return explainer(texts, step.values, language)


def explanation_lines(fee: FamilyFee, language: str) -> list[str]:
    """Family steps, then each child's steps prefixed by the child's id; the total comes last
    so the lines read from the income to the sum."""
    family = [step for step in fee.steps if step.rule != "total"]
    lines = [explain(step, language) for step in family]
    for child in fee.children:
        lines.extend(f"{child.id}: {explain(step, language)}" for step in child.steps)
    lines.extend(explain(step, language) for step in fee.steps if step.rule == "total")
    return lines


def child_explanation_lines(fee: FamilyFee, child_id: str, language: str) -> list[str]:
    """One child's lines for its own decision (no id prefix: the decision names the child)."""
    for child in fee.children:
        if child.id == child_id:
            return [explain(step, language) for step in child.steps]
    raise ValueError(f"no child {child_id!r} in this fee calculation")
