"""AAPOR disposition codes and outcome rates of a telephone survey, so the phone survey robot
reports its response rate the way survey researchers compare them (issue 18).

Source: AAPOR Standard Definitions (telephone surveys), as summarised in the project's domain
notes on phone surveys (codes, groups, the rate table, the SIP-to-interim-code mapping).

Grouping used here (documented choice):
- 1.1 -> I, 1.2 -> P; 2.1x -> R; 2.2x -> NC; 2.3x -> O;
- 3.1x -> UH (unknown if household/number is eligible: not attempted, busy, no answer,
  machine, call blocking, technical); 3.9 (and any 3.2x) -> UO (other unknown);
- 4.x -> NE (non-working, business, no eligible respondent, quota filled).

Rates are computed exactly (fractions) and rounded to 4 decimal places, half up, as Decimal;
a rate whose denominator is 0 is None (undefined, not 0).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction

from kuntarobo.core.explanation import Line


class Group(StrEnum):
    """The AAPOR outcome group that a final code is counted in."""

    I = "I"  # noqa: E741 - AAPOR's own letter for completes
    P = "P"
    R = "R"
    NC = "NC"
    O = "O"  # noqa: E741 - AAPOR's own letter for other eligible non-interviews
    UH = "UH"
    UO = "UO"
    NE = "NE"


COMPLETE = "1.1"
PARTIAL = "1.2"
REFUSAL = "2.11"
BREAK_OFF = "2.12"
NO_INPUT = "2.21"  # respondent never available / a person answered but gave no input
LANGUAGE = "2.33"
OTHER_ELIGIBLE = "2.35"
NOT_ATTEMPTED = "3.11"
ALWAYS_BUSY = "3.12"
NO_ANSWER = "3.13"
ANSWERING_MACHINE = "3.14"
CALL_BLOCKING = "3.15"
TECHNICAL = "3.16"
OTHER_UNKNOWN = "3.9"
NON_WORKING = "4.3"
BUSINESS = "4.5"
NO_ELIGIBLE_RESPONDENT = "4.7"
QUOTA_FILLED = "4.8"

# code -> (group, English label)
CODES: dict[str, tuple[Group, str]] = {
    COMPLETE: (Group.I, "Complete"),
    PARTIAL: (Group.P, "Partial"),
    REFUSAL: (Group.R, "Refusal"),
    BREAK_OFF: (Group.R, "Break-off"),
    NO_INPUT: (Group.NC, "Respondent never available / answered without input"),
    LANGUAGE: (Group.O, "Language problem"),
    OTHER_ELIGIBLE: (Group.O, "Other eligible non-interview"),
    NOT_ATTEMPTED: (Group.UH, "Not attempted"),
    ALWAYS_BUSY: (Group.UH, "Always busy"),
    NO_ANSWER: (Group.UH, "No answer"),
    ANSWERING_MACHINE: (Group.UH, "Answering machine"),
    CALL_BLOCKING: (Group.UH, "Call blocking / declined"),
    TECHNICAL: (Group.UH, "Technical phone problems"),
    OTHER_UNKNOWN: (Group.UO, "Other unknown eligibility"),
    NON_WORKING: (Group.NE, "Non-working number"),
    BUSINESS: (Group.NE, "Business, not a household"),
    NO_ELIGIBLE_RESPONDENT: (Group.NE, "No eligible respondent"),
    QUOTA_FILLED: (Group.NE, "Quota filled"),
}

# A person's interview, by how it ended (the questionnaire Interview's dispositions) -> the
# attempt's interim code: the one table of the simulation, the robot and the SIP caller. A
# stop-key press is a refusal (and puts the number on the do-not-call list).
DISPOSITION_CODE: dict[str, str] = {
    "completed": COMPLETE,
    "partial": PARTIAL,
    "refused": REFUSAL,
    "do_not_call": REFUSAL,
    "ineligible": NO_ELIGIBLE_RESPONDENT,
    "no_input": NO_INPUT,
}


def group_of(code: str, field: str = "code") -> Group:
    """The group of a known code; an unknown code is an error naming the field."""
    try:
        return CODES[code][0]
    except KeyError:
        raise ValueError(f"{field}: unknown AAPOR code {code!r}") from None


def interim_code(
    sip_status: int | None,
    *,
    answered: bool,
    machine: bool,
    got_input: bool,
    cancelled_after_ring_timeout: bool,
) -> str:
    """The interim code of one call attempt from its SIP outcome (domain notes' mapping).

    An answered call is judged by who answered: a machine -> 3.14, a person without input
    -> 2.21; a person who gave input but did not finish -> 2.12 (break-off; the survey engine
    reports completes and partials through `final_code`'s flags). Not answered: our own cancel
    after the ring timeout -> 3.13; 486/600 -> 3.12; 408/480 -> 3.13; 404/410/484/604 -> 4.3;
    603 -> 3.15; 5xx -> 3.16; no SIP answer at all -> 3.16; any other final status -> 3.9.
    """
    if sip_status is not None and not 100 <= sip_status <= 699:
        raise ValueError(f"sip_status: {sip_status} is not a SIP status code")
    if answered:
        if machine:
            return ANSWERING_MACHINE
        return BREAK_OFF if got_input else NO_INPUT
    if cancelled_after_ring_timeout:
        return NO_ANSWER
    if sip_status is None:
        return TECHNICAL
    if sip_status in (486, 600):
        return ALWAYS_BUSY
    if sip_status in (408, 480):
        return NO_ANSWER
    if sip_status in (404, 410, 484, 604):
        return NON_WORKING
    if sip_status == 603:
        return CALL_BLOCKING
    if 500 <= sip_status <= 599:
        return TECHNICAL
    if sip_status < 300:
        raise ValueError(f"sip_status: {sip_status} without an answered call")
    return OTHER_UNKNOWN


def retry_allowed(code: str) -> bool:
    """May the number be called again after this code? No after completes, partials,
    refusals/break-offs and every not-eligible code; yes otherwise. 3.15 (declined) is
    retryable, but the scheduler must move to another part of the day."""
    group = group_of(code)
    return group not in (Group.I, Group.P, Group.R, Group.NE)


# Among unknown-eligibility codes, the one that tells most about the number wins: a machine
# proves a working line, a decline proves a person's phone, no answer proves ringing, busy
# proves a line in use, then technical, other unknown, and never attempted last.
_UNKNOWN_PRECEDENCE = (
    ANSWERING_MACHINE,
    CALL_BLOCKING,
    NO_ANSWER,
    ALWAYS_BUSY,
    TECHNICAL,
    OTHER_UNKNOWN,
)


def final_code(
    attempt_codes: Sequence[str],
    *,
    completed: bool,
    partial: bool,
    refused: bool,
    ineligible: bool,
    quota_full: bool,
) -> str:
    """The one final code of a number when the campaign ends.

    Precedence: complete > partial > refusal (2.11) / break-off (2.12) > no eligible
    respondent (4.7) > quota filled (4.8) > another not-eligible attempt (e.g. 4.3) > other
    eligible (2.3x) > contact without interview (2.21) > the most informative unknown
    (3.14 > 3.15 > 3.13 > 3.12 > 3.16 > 3.9) > never attempted (3.11).
    `quota_full` means the person reached was screened into a quota that was already full.
    """
    for index, code in enumerate(attempt_codes):
        group_of(code, f"attempt_codes[{index}]")
    seen = set(attempt_codes)
    if completed or COMPLETE in seen:
        return COMPLETE
    if partial or PARTIAL in seen:
        return PARTIAL
    if refused:
        return REFUSAL
    for code in (BREAK_OFF, REFUSAL):
        if code in seen:
            return code
    if ineligible:
        return NO_ELIGIBLE_RESPONDENT
    if quota_full:
        return QUOTA_FILLED
    for code in (NO_ELIGIBLE_RESPONDENT, QUOTA_FILLED, BUSINESS, NON_WORKING):
        if code in seen:
            return code
    for code in (LANGUAGE, OTHER_ELIGIBLE, NO_INPUT):
        if code in seen:
            return code
    for code in _UNKNOWN_PRECEDENCE:
        if code in seen:
            return code
    return NOT_ATTEMPTED


@dataclass(frozen=True)
class Counts:
    """How many numbers ended in each group; every sampled number counted once."""

    I: int = 0  # noqa: E741 - AAPOR's letters
    P: int = 0
    R: int = 0
    NC: int = 0
    O: int = 0  # noqa: E741
    UH: int = 0
    UO: int = 0
    NE: int = 0

    def __post_init__(self) -> None:
        for name in ("I", "P", "R", "NC", "O", "UH", "UO", "NE"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"counts.{name}: {value!r} is not a count")

    @classmethod
    def from_final_codes(cls, codes: Iterable[str]) -> Counts:
        """Counts of the final codes, one per number."""
        tally = dict.fromkeys(Group, 0)
        for index, code in enumerate(codes):
            tally[group_of(code, f"codes[{index}]")] += 1
        return cls(**{group.value: n for group, n in tally.items()})

    @property
    def eligible(self) -> int:
        """Known eligible: I+P+R+NC+O."""
        return self.I + self.P + self.R + self.NC + self.O


def estimated_e(counts: Counts) -> Fraction | None:
    """e = (I+P+R+NC+O) / (I+P+R+NC+O+NE): the eligible share among numbers whose eligibility
    is known, used for the unknowns. None when nothing is known yet (denominator 0); `rates`
    then uses e = 1, the conservative choice (all unknowns eligible, RR3 = RR1)."""
    known = counts.eligible + counts.NE
    if known == 0:
        return None
    return Fraction(counts.eligible, known)


def _e_or_default(counts: Counts, e: Fraction | Decimal | None) -> Fraction:
    if e is None:
        estimated = estimated_e(counts)
        return Fraction(1) if estimated is None else estimated
    value = Fraction(e)
    if not 0 <= value <= 1:
        raise ValueError(f"e: {e} is not between 0 and 1")
    return value


def _d1(c: Counts, e: Fraction) -> Fraction:
    return Fraction(c.I + c.P + c.R + c.NC + c.O + c.UH + c.UO)


def _d3(c: Counts, e: Fraction) -> Fraction:
    return c.I + c.P + c.R + c.NC + c.O + e * (c.UH + c.UO)


def _d5(c: Counts, e: Fraction) -> Fraction:
    return Fraction(c.I + c.P + c.R + c.NC + c.O)


def _coop12(c: Counts, e: Fraction) -> Fraction:
    return Fraction(c.I + c.P + c.R + c.O)


def _coop34(c: Counts, e: Fraction) -> Fraction:
    return Fraction(c.I + c.P + c.R)


_Part = Callable[[Counts, Fraction], Fraction]

_D1 = "((I+P) + (R+NC+O) + (UH+UO))"
_D3 = "((I+P) + (R+NC+O) + e(UH+UO))"
_D5 = "((I+P) + (R+NC+O))"

# name -> (formula, numerator, denominator), exactly the domain notes' table.
_RATES: dict[str, tuple[str, _Part, _Part]] = {
    "RR1": (f"I / {_D1}", lambda c, e: Fraction(c.I), _d1),
    "RR2": (f"(I+P) / {_D1}", lambda c, e: Fraction(c.I + c.P), _d1),
    "RR3": (f"I / {_D3}", lambda c, e: Fraction(c.I), _d3),
    "RR4": (f"(I+P) / {_D3}", lambda c, e: Fraction(c.I + c.P), _d3),
    "RR5": (f"I / {_D5}", lambda c, e: Fraction(c.I), _d5),
    "RR6": (f"(I+P) / {_D5}", lambda c, e: Fraction(c.I + c.P), _d5),
    "COOP1": ("I / ((I+P)+R+O)", lambda c, e: Fraction(c.I), _coop12),
    "COOP2": ("(I+P) / ((I+P)+R+O)", lambda c, e: Fraction(c.I + c.P), _coop12),
    "COOP3": ("I / ((I+P)+R)", lambda c, e: Fraction(c.I), _coop34),
    "COOP4": ("(I+P) / ((I+P)+R)", lambda c, e: Fraction(c.I + c.P), _coop34),
    "REF1": (f"R / {_D1}", lambda c, e: Fraction(c.R), _d1),
    "REF2": (f"R / {_D3}", lambda c, e: Fraction(c.R), _d3),
    "REF3": (f"R / {_D5}", lambda c, e: Fraction(c.R), _d5),
    "CON1": (f"((I+P)+R+O) / {_D1}", _coop12, _d1),
    "CON2": (f"((I+P)+R+O) / {_D3}", _coop12, _d3),
    "CON3": (f"((I+P)+R+O) / {_D5}", _coop12, _d5),
}

RATE_NAMES: tuple[str, ...] = tuple(_RATES)

_PLACES = Decimal("0.0001")


def _round(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        _PLACES, rounding=ROUND_HALF_UP
    )


def rates(counts: Counts, e: Fraction | Decimal | None = None) -> dict[str, Decimal | None]:
    """RR1..RR6, COOP1..4, REF1..3, CON1..3 as Decimal rounded to 4 places (half up); None when
    a denominator is 0. `e` defaults to `estimated_e(counts)`, or 1 when that is undefined."""
    e_value = _e_or_default(counts, e)
    result: dict[str, Decimal | None] = {}
    for name, (_formula, numerator, denominator) in _RATES.items():
        den = denominator(counts, e_value)
        result[name] = None if den == 0 else _round(numerator(counts, e_value) / den)
    return result


def _show(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return str(_round(value))


def explain_rates(counts: Counts, e: Fraction | Decimal | None = None) -> tuple[Line, ...]:
    """One line for e and one per rate: the formula, its numbers and the result."""
    e_value = _e_or_default(counts, e)
    if e is not None:
        e_line = Line("e = %(e)s (given)", {"e": _show(e_value)})
    elif estimated_e(counts) is None:
        e_line = Line("e = 1: no number's eligibility is known yet", {})
    else:
        e_line = Line(
            "e = (I+P+R+NC+O) / (I+P+R+NC+O+NE) = %(eligible)s / %(known)s = %(e)s",
            {
                "eligible": str(counts.eligible),
                "known": str(counts.eligible + counts.NE),
                "e": _show(e_value),
            },
        )
    lines = [e_line]
    for name, (formula, numerator, denominator) in _RATES.items():
        num = numerator(counts, e_value)
        den = denominator(counts, e_value)
        params = {"name": name, "formula": formula, "numerator": _show(num)}
        if den == 0:
            lines.append(Line("%(name)s = %(formula)s = %(numerator)s / 0: not defined", params))
        else:
            params |= {"denominator": _show(den), "value": str(_round(num / den))}
            lines.append(
                Line(
                    "%(name)s = %(formula)s = %(numerator)s / %(denominator)s = %(value)s",
                    params,
                )
            )
    return tuple(lines)
