"""The Ministry of Finance's business case of an automation project, computed exactly as its
funding rounds ask (seed 001; docs/portfolio.md): payback period, 6-year benefit ratio and the
cumulative net benefit to a horizon year, each figure with the line that explains it.

Money is in euros as Decimal (the CLI contract's unit); models keep cents and convert at the
edge. The method, in the words of the rules:
- year 1 starts at the project start; a year's net benefit = gross benefits − running costs;
  the investment = the sum of development costs;
- payback = where cumulative net benefits first reach the investment, interpolated linearly
  within that year (2 decimals); none when they never do within the data;
- benefit ratio = the net benefits of years 1–6 / the investment;
- cumulative net benefit of a year = cumulative net benefits − cumulative development costs;
- figures of years after the horizon year are ignored (the rules judge to the horizon).
No Django: the CLI answers without it, and the web, API and realised-side re-evaluation call
the same `evaluate`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final, NoReturn

from kuntarobo.core.explanation import Line
from kuntarobo.core.strict_json import Reader, StrictJsonError, Wording

TWO_PLACES: Final = Decimal("0.01")
MINUTES_PER_HOUR: Final = Decimal(60)
# The years a business case may span: the funding rounds ask for a horizon some ten years on;
# anything beyond a generation is a typing error, not a plan.
MIN_YEAR: Final = 1990
MAX_YEAR: Final = 2100
MAX_SPAN_YEARS: Final = 30
# No euro figure of a municipal automation project reaches a billion; a bigger one is a typo.
MAX_EUROS: Final = Decimal(1_000_000_000)


class BusinessCaseError(StrictJsonError):
    """Bad input to a business case: `path` names the field (`years[2].running_cost`)."""


WORDING: Final = Wording(
    templates={
        "not_decimal": "must be a number of euros, got {value}",
        "bad_decimal": "is not a number: {value}",
        "negative": "must not be negative, got {value}",
        "too_big": "must be less than {max}, got {value}",
        "before_start": "year {year} is before start_year {start}",
        "duplicate_year": "year {year} is given twice",
        "horizon_before_start": "horizon_year {horizon} is before start_year {start}",
        "span_too_long": "the case spans {years} years; at most {max} are allowed",
        "no_investment": "the investment (the sum of development costs to the horizon year) "
        "must be more than 0",
        "benefit_twice": "give either gross_benefit or volume, minutes_saved and hourly_cost",
        "derived_incomplete": "{missing} is required to derive the gross benefit",
        "ratio_years_beyond_horizon": "ratio_years {years} reaches beyond horizon_year {horizon}",
    },
    error=BusinessCaseError,
)


@dataclass(frozen=True)
class Rules:
    """The funding round's thresholds: payback at most 3 years, net benefits of the first 6
    years at least 2 × the investment (parameters: a later round may change them)."""

    payback_max_years: Decimal = Decimal(3)
    benefit_ratio_min: Decimal = Decimal(2)
    ratio_years: int = 6


@dataclass(frozen=True)
class YearFigures:
    year: int
    development_cost: Decimal = Decimal(0)
    running_cost: Decimal = Decimal(0)
    gross_benefit: Decimal = Decimal(0)


@dataclass(frozen=True)
class BusinessCaseResult:
    start_year: int
    horizon_year: int
    rules: Rules
    investment: Decimal
    net_benefit: dict[int, Decimal]
    cumulative_net_benefit: dict[int, Decimal]
    payback_years: Decimal | None
    benefit_ratio_6y: Decimal
    meets_payback_rule: bool
    meets_ratio_rule: bool
    explanation: tuple[Line, ...]

    @property
    def meets_rules(self) -> bool:
        return self.meets_payback_rule and self.meets_ratio_rule

    def as_json(self) -> dict[str, Any]:
        """The CLI contract's answer (and the API's): euros and years as JSON numbers."""
        return {
            "investment": number(self.investment),
            "payback_years": None if self.payback_years is None else number(self.payback_years),
            "benefit_ratio_6y": number(self.benefit_ratio_6y),
            "net_benefit": {str(y): number(v) for y, v in self.net_benefit.items()},
            "cumulative_net_benefit": {
                str(y): number(v) for y, v in self.cumulative_net_benefit.items()
            },
            "meets_payback_rule": self.meets_payback_rule,
            "meets_ratio_rule": self.meets_ratio_rule,
            "meets_rules": self.meets_rules,
            "rules": {
                "payback_max_years": number(self.rules.payback_max_years),
                "benefit_ratio_min": number(self.rules.benefit_ratio_min),
                "ratio_years": self.rules.ratio_years,
            },
            "explanation": [line.english() for line in self.explanation],
        }


def number(value: Decimal) -> int | float:
    """A JSON number: whole values as integers, others with at most 2 decimals."""
    rounded = value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        return int(rounded)
    return float(rounded)


def euros(value: Decimal) -> str:
    """Euros for an explanation line: 2 decimals, thin grouping left to the reader's locale."""
    return f"{value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)}"


def derived_gross_benefit(volume: int, minutes_saved: Decimal, hourly_cost: Decimal) -> Decimal:
    """A year's gross benefit from the work no longer done by hand: cases × minutes saved per
    case → hours × the hourly cost of the staff (with overheads) who did it."""
    return (Decimal(volume) * minutes_saved / MINUTES_PER_HOUR * hourly_cost).quantize(
        TWO_PLACES, rounding=ROUND_HALF_UP
    )


def evaluate(
    start_year: int,
    horizon_year: int,
    years: Sequence[YearFigures],
    rules: Rules | None = None,
) -> BusinessCaseResult:
    """The business case from checked figures (`parse` checks raw input). A year missing from
    `years` counts as a year of zeros; years after the horizon are ignored."""
    rules = rules or Rules()
    if horizon_year < start_year:
        raise ValueError(f"horizon_year {horizon_year} is before start_year {start_year}")
    by_year = {figures.year: figures for figures in years}
    span = range(start_year, horizon_year + 1)
    lines: list[Line] = []
    ignored = sorted(year for year in by_year if year > horizon_year)
    if ignored:
        lines.append(
            Line(
                "Years after the horizon year %(horizon)s are ignored: %(years)s.",
                {"horizon": str(horizon_year), "years": ", ".join(map(str, ignored))},
            )
        )
    investment = sum(
        (by_year[year].development_cost for year in span if year in by_year), Decimal(0)
    )
    if investment <= 0:
        # Neither payback nor a ratio is defined without an investment; `parse` refuses such
        # input with its field named, a caller of evaluate must not reach here with it.
        raise ValueError("the investment (the sum of development costs) must be more than 0")
    lines.append(
        Line(
            "Investment = the sum of development costs %(start)s–%(horizon)s = %(investment)s €.",
            {
                "start": str(start_year),
                "horizon": str(horizon_year),
                "investment": euros(investment),
            },
        )
    )
    net: dict[int, Decimal] = {}
    cumulative: dict[int, Decimal] = {}
    payback: Decimal | None = None
    net_total = Decimal(0)
    development_total = Decimal(0)
    for index, year in enumerate(span, start=1):
        figures = by_year.get(year, YearFigures(year))
        net[year] = figures.gross_benefit - figures.running_cost
        before = net_total
        net_total += net[year]
        development_total += figures.development_cost
        cumulative[year] = net_total - development_total
        lines.append(
            Line(
                "Year %(index)s (%(year)s): net benefit %(gross)s − %(running)s = %(net)s €; "
                "cumulative net benefit %(net_total)s − development costs %(development)s = "
                "%(cumulative)s €.",
                {
                    "index": str(index),
                    "year": str(year),
                    "gross": euros(figures.gross_benefit),
                    "running": euros(figures.running_cost),
                    "net": euros(net[year]),
                    "net_total": euros(net_total),
                    "development": euros(development_total),
                    "cumulative": euros(cumulative[year]),
                },
            )
        )
        if payback is None and investment > 0 and net_total >= investment:
            # Linear within the year: the share of this year's net benefit still needed.
            share = (investment - before) / (net_total - before)
            payback = (Decimal(index - 1) + share).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
            lines.append(
                Line(
                    "Payback: cumulative net benefits reach the investment in year %(index)s; "
                    "%(index_before)s + (%(investment)s − %(before)s) / %(net)s = %(payback)s "
                    "years.",
                    {
                        "index": str(index),
                        "index_before": str(index - 1),
                        "investment": euros(investment),
                        "before": euros(before),
                        "net": euros(net[year]),
                        "payback": str(payback),
                    },
                )
            )
    if payback is None:
        lines.append(
            Line(
                "Payback: cumulative net benefits do not reach the investment by %(horizon)s.",
                {"horizon": str(horizon_year)},
            )
        )
    first_years = list(span)[: rules.ratio_years]
    ratio_net = sum((net[year] for year in first_years), Decimal(0))
    ratio = (ratio_net / investment).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    lines.append(
        Line(
            "Benefit ratio = net benefits of years 1–%(years)s %(net)s / investment "
            "%(investment)s = %(ratio)s.",
            {
                "years": str(rules.ratio_years),
                "net": euros(ratio_net),
                "investment": euros(investment),
                "ratio": str(ratio),
            },
        )
    )
    meets_payback = payback is not None and payback <= rules.payback_max_years
    meets_ratio = ratio >= rules.benefit_ratio_min
    lines.append(
        Line(
            "Rule: payback at most %(max)s years: met."
            if meets_payback
            else "Rule: payback at most %(max)s years: not met.",
            {"max": str(rules.payback_max_years)},
        )
    )
    lines.append(
        Line(
            "Rule: benefit ratio at least %(min)s: met."
            if meets_ratio
            else "Rule: benefit ratio at least %(min)s: not met.",
            {"min": str(rules.benefit_ratio_min)},
        )
    )
    return BusinessCaseResult(
        start_year=start_year,
        horizon_year=horizon_year,
        rules=rules,
        investment=investment,
        net_benefit=net,
        cumulative_net_benefit=cumulative,
        payback_years=payback,
        benefit_ratio_6y=ratio,
        meets_payback_rule=meets_payback,
        meets_ratio_rule=meets_ratio,
        explanation=tuple(lines),
    )


# --- reading input (the CLI's stdin, the API's body) ------------------------------------------

YEAR_KEYS: Final = (
    "year",
    "development_cost",
    "running_cost",
    "gross_benefit",
    "volume",
    "minutes_saved",
    "hourly_cost",
)
RULE_KEYS: Final = ("payback_max_years", "benefit_ratio_min", "ratio_years")


def _euros(reader: Reader) -> Decimal:
    if isinstance(reader.value, str):
        # The contract's amounts are JSON numbers: "5" is a quoting slip, refused like "abc".
        reader.fail("not_decimal", value=reader.shown())
    # A Decimal comes from the web's forms, which read the figures already.
    value = reader.decimal(numbers=(int, float, Decimal))
    if value < 0:
        reader.fail("negative", value=reader.shown())
    if value >= MAX_EUROS:
        reader.fail("too_big", value=reader.shown(), max=MAX_EUROS)
    return value


def _year_figures(reader: Reader, start_year: int) -> YearFigures:
    reader.object(YEAR_KEYS)
    year_reader = reader.field("year")
    year = year_reader.integer(minimum=MIN_YEAR, maximum=MAX_YEAR)
    if year < start_year:
        year_reader.fail("before_start", year=year, start=start_year)
    derived = [key for key in ("volume", "minutes_saved", "hourly_cost") if reader.has(key)]
    gross = Decimal(0)
    if reader.has("gross_benefit"):
        if derived:
            reader.fail("benefit_twice", at=f"{reader.path}.{derived[0]}")
        gross = _euros(reader.field("gross_benefit"))
    elif derived:
        for key in ("volume", "minutes_saved", "hourly_cost"):
            if key not in derived:
                reader.fail("derived_incomplete", at=f"{reader.path}.{key}", missing=key)
        volume = reader.field("volume").integer(minimum=0, maximum=100_000_000)
        minutes = _euros(reader.field("minutes_saved"))
        hourly = _euros(reader.field("hourly_cost"))
        gross = derived_gross_benefit(volume, minutes, hourly)
    return YearFigures(
        year=year,
        development_cost=_euros(reader.field("development_cost", 0)),
        running_cost=_euros(reader.field("running_cost", 0)),
        gross_benefit=gross,
    )


def _rules(reader: Reader | None) -> Rules:
    if reader is None:
        return Rules()
    reader.object(RULE_KEYS)
    default = Rules()
    payback = reader.optional("payback_max_years")
    ratio = reader.optional("benefit_ratio_min")
    years = reader.optional("ratio_years")
    return Rules(
        payback_max_years=_euros(payback) if payback else default.payback_max_years,
        benefit_ratio_min=_euros(ratio) if ratio else default.benefit_ratio_min,
        ratio_years=years.integer(minimum=1, maximum=MAX_SPAN_YEARS)
        if years
        else default.ratio_years,
    )


@dataclass(frozen=True)
class BusinessCaseInput:
    start_year: int
    horizon_year: int
    years: tuple[YearFigures, ...]
    rules: Rules

    def evaluate(self) -> BusinessCaseResult:
        return evaluate(self.start_year, self.horizon_year, self.years, self.rules)


def parse(data: object) -> BusinessCaseInput:
    """Check raw JSON: every problem is a BusinessCaseError naming its field."""
    root = Reader(data, "", WORDING).object(("start_year", "horizon_year", "years", "rules"))
    start = root.field("start_year").integer(minimum=MIN_YEAR, maximum=MAX_YEAR)
    horizon_reader = root.field("horizon_year")
    horizon = horizon_reader.integer(minimum=MIN_YEAR, maximum=MAX_YEAR)
    if horizon < start:
        horizon_reader.fail("horizon_before_start", horizon=horizon, start=start)
    if horizon - start + 1 > MAX_SPAN_YEARS:
        horizon_reader.fail("span_too_long", years=horizon - start + 1, max=MAX_SPAN_YEARS)
    rules = _rules(root.optional("rules"))
    if start + rules.ratio_years - 1 > horizon:
        horizon_reader.fail("ratio_years_beyond_horizon", years=rules.ratio_years, horizon=horizon)
    items = root.field("years").items(min_items=1, max_items=MAX_SPAN_YEARS * 2)
    seen: set[int] = set()
    years: list[YearFigures] = []
    for item in items:
        figures = _year_figures(item, start)
        if figures.year in seen:
            item.field("year").fail("duplicate_year", year=figures.year)
        seen.add(figures.year)
        years.append(figures)
    checked = BusinessCaseInput(start, horizon, tuple(years), rules)
    investment = sum((f.development_cost for f in years if f.year <= horizon), Decimal(0))
    if investment <= 0:
        root.fail("no_investment", at="years")
    return checked


# --- the command line's answer (the Django command and the fast path share it) -------------

MAX_INPUT_CHARS: Final = 1_000_000


def answer_text(text: str) -> tuple[str, str, int]:
    """(standard output, standard error, exit code) of `kuntarobo portfolio business-case`
    for the text read from standard input: the result as JSON, or exit 2 with the problem
    named by its field (or by line and column when the text is not JSON)."""
    if len(text) > MAX_INPUT_CHARS:
        return "", f"the input is longer than {MAX_INPUT_CHARS} characters\n", 2
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        return "", f"not JSON: {error.msg} at line {error.lineno} column {error.colno}\n", 2
    except ValueError as error:
        return "", f"not JSON: {error}\n", 2
    try:
        result = parse(data).evaluate()
    except BusinessCaseError as error:
        return "", f"{error.path or 'input'}: {error.message}\n", 2
    return json.dumps(result.as_json(), ensure_ascii=False, indent=2) + "\n", "", 0


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number JSON allows")
