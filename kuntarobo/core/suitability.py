"""The open suitability method: how well an idea suits software-robot automation, how much of
its work a robot could take and how easy it would be to build, each figure with the line that
explains it (docs/scoring-method.md; the page /portfolio/scoring/method/).

The method, version 1:
- six criteria scored 1–5 (5 = best suited): rule-based, digital and structured input, stable
  process and systems, standardisation (few variants), exception rate (5 = few exceptions),
  documentation;
- suitability = the weighted mean of the scores (weights are parameters, equal by default);
- automation potential (%) = (suitability − 1) / 4 × 100 × the exception factor, where the
  factor = 0.5 + 0.5 × (exception score − 1) / 4 (from 0.5 at score 1 to 1 at score 5): a
  robot finishes only the cases that follow the rules, exceptions go to a person, so the
  exception rate bounds the share of the work directly, beside its place in the mean;
- ease of implementation = the plain mean of digital input, stability, standardisation and
  documentation (what makes a robot quick to specify, build and keep running);
- hours a year = volume × manual minutes × (1 + rework share) / 60 × potential; the value of
  the idea is these hours.
A screening aid that puts ideas in an order worth discussing, not a verdict. No Django: the
web, API and CLI call the same `assess`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final

from kuntarobo.core.explanation import Line

METHOD_VERSION: Final = "1"

CRITERIA: Final = (
    "rule_based",
    "digital_input",
    "stability",
    "standardisation",
    "exception_rate",
    "documentation",
)
EASE_CRITERIA: Final = ("digital_input", "stability", "standardisation", "documentation")
DEFAULT_WEIGHTS: Final[Mapping[str, Decimal]] = {name: Decimal(1) for name in CRITERIA}
LOWEST: Final = 1
HIGHEST: Final = 5
# Weights are relative: 0–100 expresses any emphasis; a bigger figure is a typing error.
MAX_WEIGHT: Final = Decimal(100)
# The exception factor's floor: with exceptions in most cases a robot still finishes the
# routine part of the cases it takes (a method choice, stated in the document).
EXCEPTION_FLOOR: Final = Decimal("0.5")
TWO_PLACES: Final = Decimal("0.01")
MINUTES_PER_HOUR: Final = Decimal(60)
HUNDRED: Final = Decimal(100)

# One line per criterion: the criterion's name is in the text, so that it is translated.
CRITERION_LINES: Final = {
    "rule_based": "Rule-based: score %(score)s of 5, weight %(weight)s, "
    "contribution %(contribution)s to the suitability.",
    "digital_input": "Digital and structured input: score %(score)s of 5, weight %(weight)s, "
    "contribution %(contribution)s to the suitability.",
    "stability": "Stable process and systems: score %(score)s of 5, weight %(weight)s, "
    "contribution %(contribution)s to the suitability.",
    "standardisation": "Standardisation (few variants): score %(score)s of 5, "
    "weight %(weight)s, contribution %(contribution)s to the suitability.",
    "exception_rate": "Few exceptions: score %(score)s of 5, weight %(weight)s, "
    "contribution %(contribution)s to the suitability.",
    "documentation": "Documentation: score %(score)s of 5, weight %(weight)s, "
    "contribution %(contribution)s to the suitability.",
}
SUITABILITY_LINE: Final = (
    "Suitability: the weighted mean of the scores is %(suitability)s of 5 "
    "(the sum of the contributions)."
)
POTENTIAL_LINE: Final = (
    "Automation potential: (%(suitability)s − 1) / 4 × 100 = %(base)s %%, times the exception "
    "factor %(factor)s (exceptions scored %(exception)s) = %(potential)s %%."
)
EASE_LINE: Final = (
    "Ease of implementation: the mean of digital input (%(digital_input)s), stability "
    "(%(stability)s), standardisation (%(standardisation)s) and documentation "
    "(%(documentation)s) is %(ease)s of 5."
)
HOURS_LINE: Final = (
    "Hours a year: %(volume)s cases × %(minutes)s min × (1 + %(rework)s %% rework) / 60 "
    "× %(potential)s %% = %(hours)s h."
)
NO_HOURS_LINE: Final = (
    "Hours a year not estimated: the idea has no yearly volume or no manual minutes per case; "
    "its value is counted as 0 until they are entered."
)

# Messages of bad input (English msgids with %(name)s parameters; the caller translates).
MISSING: Final = "The score of this criterion is missing."
UNKNOWN: Final = "%(name)s is not a criterion of the method."
NOT_A_SCORE: Final = "A score must be a whole number from 1 to 5, got %(value)s."
NOT_A_WEIGHT: Final = "A weight must be a number from 0 to 100, got %(value)s."
WEIGHT_MISSING: Final = "The weight of this criterion is missing."
ALL_ZERO: Final = "At least one weight must be more than 0."
NEGATIVE: Final = "Must not be negative, got %(value)s."
NOT_A_SHARE: Final = "Must be a percentage from 0 to 100, got %(value)s."


class SuitabilityError(ValueError):
    """Bad input to the method: `field` names it (`rule_based`, `weights.stability`,
    `volume_per_year`); `message` is an English msgid with `params`."""

    def __init__(self, field: str, message: str, **params: str) -> None:
        super().__init__(f"{field}: {message % params if params else message}")
        self.field = field
        self.message = message
        self.params = params


@dataclass(frozen=True)
class SuitabilityResult:
    scores: Mapping[str, int]
    weights: Mapping[str, Decimal]
    suitability: Decimal
    automation_potential: Decimal
    ease: Decimal
    hours_per_year: Decimal
    reasoning: tuple[Line, ...]
    method_version: str = METHOD_VERSION

    @property
    def value(self) -> Decimal:
        """The idea's value on the ranking and the chart: the hours a robot could free a year."""
        return self.hours_per_year


def _round(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def plain(value: Decimal | int) -> str:
    """A figure for a reasoning line: no exponent, no trailing zeros (the web layer writes it
    with the reader's decimal mark)."""
    if isinstance(value, int):
        return str(value)
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def check_scores(scores: Mapping[str, object]) -> dict[str, int]:
    for name in scores:
        if name not in CRITERIA:
            raise SuitabilityError(str(name), UNKNOWN, name=str(name))
    checked: dict[str, int] = {}
    for name in CRITERIA:
        if name not in scores:
            raise SuitabilityError(name, MISSING)
        value = scores[name]
        if isinstance(value, bool) or not isinstance(value, int) or not LOWEST <= value <= HIGHEST:
            raise SuitabilityError(name, NOT_A_SCORE, value=str(value))
        checked[name] = value
    return checked


def check_weights(weights: Mapping[str, object] | None) -> dict[str, Decimal]:
    """The weights as Decimals, every criterion present, none negative, not all zero."""
    if weights is None:
        return dict(DEFAULT_WEIGHTS)
    for name in weights:
        if name not in CRITERIA:
            raise SuitabilityError(f"weights.{name}", UNKNOWN, name=str(name))
    checked: dict[str, Decimal] = {}
    for name in CRITERIA:
        field = f"weights.{name}"
        if name not in weights:
            raise SuitabilityError(field, WEIGHT_MISSING)
        raw = weights[name]
        if isinstance(raw, bool) or not isinstance(raw, int | Decimal | str):
            raise SuitabilityError(field, NOT_A_WEIGHT, value=str(raw))
        try:
            value = Decimal(raw)
        except (InvalidOperation, ValueError):
            raise SuitabilityError(field, NOT_A_WEIGHT, value=str(raw)) from None
        if not value.is_finite() or value < 0 or value > MAX_WEIGHT:
            raise SuitabilityError(field, NOT_A_WEIGHT, value=str(raw))
        checked[name] = value
    if not any(checked.values()):
        raise SuitabilityError("weights", ALL_ZERO)
    return checked


def _not_negative(field: str, value: Decimal | int | None) -> None:
    if value is not None and value < 0:
        raise SuitabilityError(field, NEGATIVE, value=str(value))


def assess(
    scores: Mapping[str, int],
    *,
    volume_per_year: int | None,
    minutes_per_case: Decimal | None,
    rework_share_percent: Decimal | None,
    weights: Mapping[str, Decimal] | None = None,
) -> SuitabilityResult:
    """Score an idea by the method; bad input raises SuitabilityError naming the field."""
    checked = check_scores(scores)
    used = check_weights(weights)
    _not_negative("volume_per_year", volume_per_year)
    _not_negative("minutes_per_case", minutes_per_case)
    if rework_share_percent is not None and not Decimal(0) <= rework_share_percent <= HUNDRED:
        raise SuitabilityError("rework_share_percent", NOT_A_SHARE, value=str(rework_share_percent))

    total_weight = sum(used.values(), Decimal(0))
    lines: list[Line] = []
    for name in CRITERIA:
        contribution = used[name] * checked[name] / total_weight
        lines.append(
            Line(
                CRITERION_LINES[name],
                {
                    "score": str(checked[name]),
                    "weight": plain(used[name]),
                    "contribution": plain(_round(contribution)),
                },
            )
        )
    exact = sum((used[n] * checked[n] for n in CRITERIA), Decimal(0)) / total_weight
    suitability = _round(exact)
    lines.append(Line(SUITABILITY_LINE, {"suitability": plain(suitability)}))

    base = (suitability - LOWEST) / (HIGHEST - LOWEST) * HUNDRED
    factor = EXCEPTION_FLOOR + (1 - EXCEPTION_FLOOR) * (checked["exception_rate"] - LOWEST) / (
        HIGHEST - LOWEST
    )
    potential = _round(base * factor)
    lines.append(
        Line(
            POTENTIAL_LINE,
            {
                "suitability": plain(suitability),
                "base": plain(_round(base)),
                "factor": plain(factor),
                "exception": str(checked["exception_rate"]),
                "potential": plain(potential),
            },
        )
    )

    ease = _round(sum((Decimal(checked[n]) for n in EASE_CRITERIA), Decimal(0)) / 4)
    lines.append(
        Line(
            EASE_LINE,
            {**{n: str(checked[n]) for n in EASE_CRITERIA}, "ease": plain(ease)},
        )
    )

    if volume_per_year is None or minutes_per_case is None:
        hours = Decimal("0.00")
        lines.append(Line(NO_HOURS_LINE))
    else:
        rework = rework_share_percent or Decimal(0)
        hours = _round(
            Decimal(volume_per_year)
            * minutes_per_case
            * (1 + rework / HUNDRED)
            / MINUTES_PER_HOUR
            * potential
            / HUNDRED
        )
        lines.append(
            Line(
                HOURS_LINE,
                {
                    "volume": str(volume_per_year),
                    "minutes": plain(minutes_per_case),
                    "rework": plain(rework),
                    "potential": plain(potential),
                    "hours": plain(hours),
                },
            )
        )
    return SuitabilityResult(
        scores=checked,
        weights=used,
        suitability=suitability,
        automation_potential=potential,
        ease=ease,
        hours_per_year=hours,
        reasoning=tuple(lines),
    )
