"""The arithmetic of a phone survey campaign's dashboard and council report (issue 18): the
provisional final code of a number while the campaign runs, the estimate of final completes,
the cost, the population table of the campaign's settings, and the answers counted per question.

Pure Python (no Django); each result carries explanation lines (English msgids with
parameters) that the pages translate, so a reader sees how every figure was reached.
Rates and weights themselves come from kuntarobo.core.aapor and kuntarobo.core.survey_weights.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Final

from kuntarobo.core import aapor
from kuntarobo.core.explanation import Line
from kuntarobo.core.questionnaire import Step

DIMENSIONS: Final = ("age_group", "gender", "area")
# Shares are turned into whole counts on this scale (survey_weights counts people).
SHARE_SCALE: Final = 1_000_000
ONE_PLACE: Final = Decimal("0.1")


class SurveyReportError(ValueError):
    """Settings that cannot be used; `field` names where ("population.age_group.18-29")."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _round(value: Fraction, places: Decimal = ONE_PLACE) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        places, rounding=ROUND_HALF_UP
    )


# --- provisional final codes ------------------------------------------------------------------


def provisional_final_code(final_code: str, attempt_codes: Sequence[str], disposition: str) -> str:
    """The number's final code if it has one, else the code aapor.final_code gives over its
    attempts so far and the interview's disposition (a running campaign's figures)."""
    if final_code:
        return final_code
    return aapor.final_code(
        attempt_codes,
        completed=disposition == "completed",
        partial=disposition == "partial",
        refused=disposition in ("refused", "do_not_call"),
        ineligible=disposition == "ineligible",
        quota_full=disposition == "quota_full",
    )


def code_counts(codes: Iterable[str]) -> list[tuple[str, int]]:
    """How many times each code occurs, codes in numeric order (1.1 before 2.11 before 3.13)."""
    tally = Counter(codes)
    return sorted(tally.items(), key=lambda item: tuple(int(p) for p in item[0].split(".")))


# --- the estimate of final completes ----------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """Estimated completes at the end; None when no number has been tried yet. `target_met`
    is None without a target or an estimate."""

    completes: int
    expected_more: Decimal | None
    final: Decimal | None
    target: int | None
    target_met: bool | None
    lines: tuple[Line, ...]


def estimate_final_completes(
    *,
    completes: int,
    attempted_numbers: int,
    attempts_left: Sequence[int],
    max_attempts: int,
    target: int | None,
) -> Estimate:
    """completes + Σ over the numbers still open of p × (attempts left / attempts allowed),
    where p = completes so far / numbers tried so far.

    The method assumes the numbers not yet finished behave like those tried so far, and that a
    number's chance is spread evenly over its allowed attempts: a number never tried counts as
    one whole tried number (p), one with one of three attempts left as a third of one. It
    overestimates when the easy numbers answer first, which is usual; the page says so."""
    if max_attempts < 1:
        raise SurveyReportError("max_attempts", "must be at least 1")
    for index, left in enumerate(attempts_left):
        if not 0 <= left <= max_attempts:
            raise SurveyReportError(
                f"attempts_left[{index}]", f"must be between 0 and {max_attempts}"
            )
    if completes > attempted_numbers or completes < 0:
        raise SurveyReportError("completes", "cannot exceed the numbers tried")
    lines: list[Line] = []
    if attempted_numbers == 0:
        lines.append(
            Line("No number has been called yet, so the final completes are not estimated.", {})
        )
        return Estimate(completes, None, None, target, None, tuple(lines))
    p = Fraction(completes, attempted_numbers)
    remaining = Fraction(sum(attempts_left), max_attempts)
    more = p * remaining
    final = completes + more
    lines.append(
        Line(
            "Completes per number tried: %(completes)s / %(tried)s = %(rate)s.",
            {
                "completes": str(completes),
                "tried": str(attempted_numbers),
                "rate": str(_round(p, Decimal("0.001"))),
            },
        )
    )
    lines.append(
        Line(
            "Open numbers: %(open)s with %(left)s attempts left; at %(allowed)s attempts per "
            "number that is %(equivalent)s numbers' worth of attempts.",
            {
                "open": str(len(attempts_left)),
                "left": str(sum(attempts_left)),
                "allowed": str(max_attempts),
                "equivalent": str(_round(remaining)),
            },
        )
    )
    lines.append(
        Line(
            "Estimated final completes: %(completes)s + %(rate)s × %(equivalent)s = %(final)s.",
            {
                "completes": str(completes),
                "rate": str(_round(p, Decimal("0.001"))),
                "equivalent": str(_round(remaining)),
                "final": str(_round(final)),
            },
        )
    )
    target_met: bool | None = None
    if target is not None:
        target_met = final >= target
        lines.append(
            Line(
                "The target of %(target)s completes will be met."
                if target_met
                else "The target of %(target)s completes will not be met at this pace.",
                {"target": str(target)},
            )
        )
    return Estimate(completes, _round(more), _round(final), target, target_met, tuple(lines))


# --- cost -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cost:
    """Billed minutes (exact seconds / 60, shown to one decimal) and money in whole cents."""

    seconds: Decimal
    minutes: Decimal
    cents: int
    per_complete_cents: int | None
    lines: tuple[Line, ...]


def cost(billed_seconds: Iterable[Decimal], price_per_minute_cents: int, completes: int) -> Cost:
    """Cost = total billed seconds × price per minute / 60, rounded up to a whole cent once at
    the end, as the campaign simulation computes it (kuntarobo.core.survey_simulation), so a
    plan and its campaign are compared on the same terms; per complete divides that total
    (rounded half up)."""
    if price_per_minute_cents < 0:
        raise SurveyReportError("price_per_minute_cents", "cannot be negative")
    seconds = sum(billed_seconds, Decimal(0))
    if seconds < 0:
        raise SurveyReportError("seconds", "cannot be negative")
    exact = Fraction(seconds) * price_per_minute_cents / 60
    cents = math.ceil(exact)
    minutes = _round(Fraction(seconds) / 60)
    lines = [
        Line(
            "Billed time %(seconds)s s = %(minutes)s min; × %(price)s cents a minute = "
            "%(cents)s cents.",
            {
                "seconds": str(seconds),
                "minutes": str(minutes),
                "price": str(price_per_minute_cents),
                "cents": str(cents),
            },
        )
    ]
    per_complete: int | None = None
    if completes > 0:
        per_complete = int(_round(Fraction(cents, completes), Decimal(1)))
        lines.append(
            Line(
                "Per complete: %(cents)s / %(completes)s = %(per)s cents.",
                {"cents": str(cents), "completes": str(completes), "per": str(per_complete)},
            )
        )
    else:
        lines.append(Line("No complete interview yet, so no cost per complete.", {}))
    return Cost(seconds, minutes, cents, per_complete, tuple(lines))


# --- population -------------------------------------------------------------------------------


def parse_population(data: object) -> dict[str, dict[str, int]]:
    """The campaign's population table: {"age_group": {...}, "gender": {...}, "area": {...}},
    each category with a count of people or a share (0..1 or percent). Shares become whole
    counts on a scale of a million, so survey_weights can use them; counts stay as they are.
    Any of the three dimensions may be missing; an unknown key is refused."""
    if not isinstance(data, Mapping):
        raise SurveyReportError("population", "must be an object of age_group, gender, area")
    result: dict[str, dict[str, int]] = {}
    for key, table in data.items():
        if key not in DIMENSIONS:
            raise SurveyReportError(f"population.{key}", "use age_group, gender or area")
        if not isinstance(table, Mapping) or not table:
            raise SurveyReportError(f"population.{key}", "must be a non-empty object")
        values: dict[str, Fraction] = {}
        whole = True
        for category, value in table.items():
            where = f"population.{key}.{category}"
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise SurveyReportError(where, "must be a number")
            try:
                number = Fraction(Decimal(str(value)))
            except (ArithmeticError, ValueError):
                raise SurveyReportError(where, "must be a number") from None
            if number < 0:
                raise SurveyReportError(where, "cannot be negative")
            whole = whole and number.denominator == 1
            values[str(category)] = number
        total = sum(values.values(), Fraction(0))
        if total == 0:
            raise SurveyReportError(f"population.{key}", "adds up to zero")
        if whole and total > 100:
            result[key] = {category: int(number) for category, number in values.items()}
        else:  # shares (fractions or percent): scaled to counts of a million
            result[key] = {
                category: int(_round(number / total * SHARE_SCALE, Decimal(1)))
                for category, number in values.items()
            }
    return result


# --- answers per question ---------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionCounts:
    """One step's answers: (value, label, count) rows in the questionnaire's order, then values
    the questionnaire does not know; `answered` counts everyone who gave an answer."""

    step_id: str
    type: str
    prompt: str
    rows: tuple[tuple[str, str, int], ...]
    answered: int
    mean: Decimal | None = None
    median: Decimal | None = None


def _text(texts: Mapping[str, str], language: str) -> str:
    return texts.get(language) or texts.get("fi") or next(iter(texts.values()), "")


def count_answers(step: Step, values: Iterable[str], language: str) -> QuestionCounts:
    """Counts of one step's stored answer values. Single choice and language: per choice.
    Numeric: per value from the smallest to the largest answered (a distribution), with the
    mean and median. Open answer: how many recorded an answer (the values are files)."""
    given = [value for value in values if value != ""]
    prompt = _text(step.prompt, language)
    tally = Counter(given)
    if step.type == "numeric":
        numbers = sorted(int(v) for v in given if _is_int(v))
        rows = tuple(
            (str(number), str(number), tally[str(number)])
            for number in (range(numbers[0], numbers[-1] + 1) if numbers else range(0))
        )
        others = tuple((v, v, n) for v, n in tally.items() if not _is_int(v))
        mean = median = None
        if numbers:
            mean = _round(Fraction(sum(numbers), len(numbers)))
            middle = len(numbers) // 2
            median = _round(
                Fraction(numbers[middle])
                if len(numbers) % 2
                else Fraction(numbers[middle - 1] + numbers[middle], 2)
            )
        return QuestionCounts(step.id, step.type, prompt, rows + others, len(given), mean, median)
    if step.type == "open_answer":
        return QuestionCounts(step.id, step.type, prompt, (), len(given))
    known = [(choice.value, _text(choice.label, language)) for choice in step.choices]
    known_values = {value for value, _label in known}
    rows = tuple((value, label, tally[value]) for value, label in known) + tuple(
        (value, value, count) for value, count in tally.items() if value not in known_values
    )
    return QuestionCounts(step.id, step.type, prompt, rows, len(given))


def _is_int(text: str) -> bool:
    return text.lstrip("-").isdigit()


REPORTED_TYPES: Final = ("single_choice", "numeric", "open_answer", "language")
