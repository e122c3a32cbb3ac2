"""A seeded simulation of a phone survey campaign, so a municipality can see what a schedule, a
sample and a number of lines give (completes, AAPOR rates, minutes, cost) before paying for
real calls. Pure Python (no Django, no I/O); the same rules as the robot: call windows and
retries from call_windows, codes and rates from aapor, each answered call through the real
questionnaire Interview.

Every probability in `Population` is OUR ASSUMPTION, not a measured fact. The only anchor is the
Uusikaupunki strategy survey of December 2021 (domain notes, docs/domain/phone-survey.md): of
its respondents 18-29-year-olds were 5.3 % and those 65 or over 54 %, so the young answer far
less often; the age factors below are chosen to give a similar skew.

Documented choices:
- A number on the do-not-call list is never called; its final code is 3.11 (not attempted,
  UH): it was sampled, so it stays in the rates' denominators (the conservative choice).
- Time runs in whole seconds. A call occupies a line from its start for its ring time plus
  its connected time. Only connected time (answered calls, machines included) is billed, per
  call by the second; cost_cents = ceil(total billed seconds x price_per_minute / 60).
- Only call STARTS must be inside a window; a call may run past the window's end.
- A line free later than a number's due time delays that number to the first open moment
  after the line frees up; the heap is ordered by (time, sequence number), so ties are stable.
  Every number due before the first line frees up is delayed to that same moment, in its
  order, so they wait as one group (one heap entry holding a queue), which keeps a campaign of
  thousands of numbers on a few lines linear instead of quadratic, with the same order.
- Quotas (optional): each `Quota` names an age group, a gender and/or an area (a key left out
  matches anyone) and a target of completes. A complete counts when its call ENDS, into every
  quota the number matches; from that moment a quota at its target is full and no call starts
  to a number matching a full quota (calls already running may still complete: overshoot, as
  with real calls). A number in a full quota never reached by a person (its final code would
  be an unknown, 3.x) ends 4.8 (quota filled, not eligible), except one on the do-not-call
  list, which keeps 3.11 (it was left out for that). A number matching no quota is
  called as usual. Without quotas the results are exactly those of the campaign without them.
"""

from __future__ import annotations

import datetime
import heapq
import random
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Final

from kuntarobo.core import aapor
from kuntarobo.core.call_windows import (
    CallSchedule,
    RetryPolicy,
    next_attempt_at,
    next_open,
    part_of_day,
)
from kuntarobo.core.questionnaire import (
    CONFIRM,
    CONSENT,
    DEMO_QUESTIONNAIRE,
    Choice,
    HangUp,
    Interview,
    Play,
    Questionnaire,
    Record,
    parse_questionnaire,
)

AGE_GROUPS: Final = ("18-29", "30-44", "45-64", "65+")

# SIP-like outcome texts of an attempt.
OK: Final = "200 OK"
BUSY: Final = "486 Busy Here"
TIMEOUT: Final = "408 Request Timeout"
NOT_FOUND: Final = "404 Not Found"
UNAVAILABLE: Final = "503 Service Unavailable"

# interim code -> next_attempt_at's outcome, for the codes that may be retried.
_RETRY_OUTCOME: Final[Mapping[str, str]] = MappingProxyType(
    {
        aapor.ALWAYS_BUSY: "busy",
        aapor.NO_ANSWER: "no_answer",
        aapor.ANSWERING_MACHINE: "machine",
        aapor.CALL_BLOCKING: "declined",
        aapor.TECHNICAL: "technical",
        aapor.NO_INPUT: "no_input",
    }
)


def retry_outcome(code: str) -> str:
    """The retry rule (`call_windows.next_attempt_at`'s outcome) of a retryable interim code;
    a code without a rule of its own (3.9, 2.3x) is retried like a technical failure."""
    return _RETRY_OUTCOME.get(code, "technical")


def _frozen(values: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType(dict(values))


@dataclass(frozen=True)
class Population:
    """Assumed behaviour of the people called (our defaults, not facts; see the module doc).

    A number is non-working with `non_working` (drawn once per number). Each attempt on a
    working number: busy with `busy`, a technical failure with `technical`; otherwise a person
    answers with answer_by_part[part] x age_factor[age] (capped at 1; factor 1 for an unknown
    age); if nobody answers, a machine answers with `machine`, else it rings out. A person who
    answers consents with `consent`; one who does not presses the stop key with `stop_share`,
    else hangs up. At each question a consenting person breaks off with `break_off`."""

    answer_by_part: Mapping[str, float] = field(
        default_factory=lambda: _frozen({"morning": 0.25, "afternoon": 0.30, "evening": 0.40})
    )
    age_factor: Mapping[str, float] = field(
        default_factory=lambda: _frozen({"18-29": 0.3, "30-44": 0.6, "45-64": 1.0, "65+": 1.8})
    )
    non_working: float = 0.05
    busy: float = 0.05
    technical: float = 0.01
    machine: float = 0.20
    consent: float = 0.60
    stop_share: float = 0.30
    break_off: float = 0.03
    seconds_per_prompt: int = 12
    seconds_per_answer: int = 4
    ring_seconds: int = 30
    busy_seconds: int = 3
    machine_seconds: int = 20

    def __post_init__(self) -> None:
        for name in ("non_working", "busy", "technical", "machine", "consent", "stop_share"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValueError(f"population.{name}: {value} is not a probability")
        if not 0 <= self.break_off < 1:
            raise ValueError(f"population.break_off: {self.break_off} must be in [0, 1)")
        if self.busy + self.technical > 1:
            raise ValueError("population.busy: busy + technical is above 1")


@dataclass(frozen=True)
class SimRespondent:
    """One sampled number: the age group when the register gives it, and the call language."""

    phone: str
    age_group: str | None = None
    language: str = "fi"
    gender: str | None = None
    area: str | None = None


@dataclass(frozen=True)
class Quota:
    """A bucket of the sample (the keys given; None matches anyone) and its completes target."""

    target: int
    age_group: str | None = None
    gender: str | None = None
    area: str | None = None

    def __post_init__(self) -> None:
        if self.target < 1:
            raise ValueError(f"quota.target: {self.target} must be at least 1")

    def matches(self, respondent: SimRespondent) -> bool:
        return all(
            wanted is None or wanted == have
            for wanted, have in (
                (self.age_group, respondent.age_group),
                (self.gender, respondent.gender),
                (self.area, respondent.area),
            )
        )


@dataclass(frozen=True)
class SimAttempt:
    """One call: its start, SIP-like outcome, interim AAPOR code, line and billed seconds."""

    at: datetime.datetime
    outcome: str
    code: str
    seconds: int
    billed_seconds: int


@dataclass(frozen=True)
class SimOutcome:
    """One number's attempts and its final code."""

    phone: str
    attempts: tuple[SimAttempt, ...]
    final_code: str


@dataclass(frozen=True)
class SimulationResult:
    """The campaign's numbers, counts, rates, calls, minutes and cost."""

    respondents: tuple[SimOutcome, ...]
    counts: aapor.Counts
    rates: Mapping[str, Decimal | None]
    calls: int
    billed_seconds: int
    cost_cents: int

    @property
    def minutes(self) -> Decimal:
        """Billed minutes, 2 decimals (exact seconds / 60, half up)."""
        return (Decimal(self.billed_seconds) / 60).quantize(Decimal("0.01"))

    def as_json(self) -> dict[str, object]:
        """The CLI contract's shape; rates as numbers or null."""
        return {
            "respondents": [
                {
                    "phone": r.phone,
                    "attempts": [
                        {
                            "at": a.at.isoformat(),
                            "outcome": a.outcome,
                            "code": a.code,
                            "seconds": a.seconds,
                            "billed_seconds": a.billed_seconds,
                        }
                        for a in r.attempts
                    ],
                    "final_code": r.final_code,
                }
                for r in self.respondents
            ],
            "counts": {
                name: getattr(self.counts, name)
                for name in ("I", "P", "R", "NC", "O", "UH", "UO", "NE")
            },
            "rates": {k: None if v is None else float(v) for k, v in self.rates.items()},
            "calls": self.calls,
            "minutes": float(self.minutes),
            "cost_cents": self.cost_cents,
        }


def _interview(
    questionnaire: Questionnaire, language: str, population: Population, rng: random.Random
) -> tuple[HangUp, int, bool]:
    """Drive one consenting-or-not person through the Interview: (its hang-up, seconds,
    whether any key was pressed)."""
    language = language if language in questionnaire.languages else questionnaire.languages[0]
    interview = Interview(questionnaire, language)
    action: Play | Record | HangUp = interview.start()
    seconds = 0
    pressed = False
    while not isinstance(action, HangUp):
        seconds += population.seconds_per_prompt
        if isinstance(action, Record):
            recorded = rng.randint(1, action.max_seconds)
            seconds += recorded
            action = interview.on_recording(recorded)
            continue
        seconds += population.seconds_per_answer
        if action.step_id == CONSENT:
            pressed = True
            if rng.random() < population.consent:
                action = interview.on_digits(questionnaire.consent_key)
            elif rng.random() < population.stop_share:
                action = interview.on_digits(questionnaire.stop_key)
            else:
                pressed = False
                action = interview.on_hangup()
            continue
        if rng.random() < population.break_off:
            action = interview.on_hangup()
            continue
        step = questionnaire.steps[questionnaire.index(action.step_id)]
        pressed = True
        if step.type == "numeric":
            action = interview.on_digits(f"{rng.randint(step.minimum, step.maximum)}{CONFIRM}")
        elif step.type == "language":
            key = next((c.key for c in step.choices if c.value == interview.language), None)
            action = interview.on_digits(key or step.choices[0].key)
        else:
            # The sample is of adults: no one picks a choice that screens them out.
            keys = [c.key for c in step.choices if not _screens_out(questionnaire, step.skip, c)]
            action = interview.on_digits(rng.choice(keys or [c.key for c in step.choices]))
    return action, seconds, pressed


def _screens_out(questionnaire: Questionnaire, skip: Mapping[str, str], choice: Choice) -> bool:
    """Whether picking `choice` skips to an "ineligible" flag (e.g. under 18)."""
    target = skip.get(choice.value)
    if target is None or target == "end":
        return False
    step = questionnaire.steps[questionnaire.index(target)]
    return step.type == "flag" and step.disposition == "ineligible"


@dataclass(frozen=True)
class SimulatedCall:
    """One simulated attempt, as a dialler reports a call: the SIP status and its text, the
    interim code, the line's and the billed seconds, who answered, the Interview's disposition
    ("" when no person answered) and the answers."""

    sip_status: int
    outcome: str
    code: str
    line_seconds: int
    billed_seconds: int
    ring_seconds: int
    answered: bool = False
    machine: bool = False
    got_input: bool = False
    disposition: str = ""
    answers: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))


def number_works(population: Population, rng: random.Random) -> bool:
    """Whether a number is in use (drawn once per number)."""
    return rng.random() >= population.non_working


def simulate_attempt(
    population: Population,
    questionnaire: Questionnaire,
    respondent: SimRespondent,
    part: str,
    *,
    working: bool,
    rng: random.Random,
) -> SimulatedCall:
    """One call to `respondent` in `part` of the day by the population model: the one model
    both `simulate` and the robot's simulated dialler use."""
    if not working:
        code = aapor.interim_code(404, **_NOT_ANSWERED)
        return SimulatedCall(404, NOT_FOUND, code, population.busy_seconds, 0, 0)
    draw = rng.random()
    if draw < population.busy:
        code = aapor.interim_code(486, **_NOT_ANSWERED)
        return SimulatedCall(486, BUSY, code, population.busy_seconds, 0, 0)
    if draw < population.busy + population.technical:
        code = aapor.interim_code(503, **_NOT_ANSWERED)
        return SimulatedCall(503, UNAVAILABLE, code, population.busy_seconds, 0, 0)
    factor = population.age_factor.get(respondent.age_group or "", 1.0)
    ring = rng.randint(5, population.ring_seconds)
    if rng.random() < min(1.0, population.answer_by_part[part] * factor):
        hang_up, talk, pressed = _interview(questionnaire, respondent.language, population, rng)
        return SimulatedCall(
            200,
            OK,
            aapor.DISPOSITION_CODE[hang_up.disposition],
            ring + talk,
            talk,
            ring,
            answered=True,
            got_input=pressed,
            disposition=hang_up.disposition,
            answers=MappingProxyType(dict(hang_up.answers)),
        )
    if rng.random() < population.machine:
        code = aapor.interim_code(
            200, answered=True, machine=True, got_input=False, cancelled_after_ring_timeout=False
        )
        seconds = population.machine_seconds
        return SimulatedCall(200, OK, code, ring + seconds, seconds, ring, True, True)
    code = aapor.interim_code(408, **_NOT_ANSWERED)
    ring = population.ring_seconds
    return SimulatedCall(408, TIMEOUT, code, ring, 0, ring)


_NOT_ANSWERED: Final[Mapping[str, bool]] = MappingProxyType(
    {"answered": False, "machine": False, "got_input": False, "cancelled_after_ring_timeout": False}
)


# A heap entry: (due time, sequence number, respondent index, or -1 with a waiting group).
_Entry = tuple[datetime.datetime, int, int, "deque[int] | None"]


def _wait_for_a_line(
    queue: list[_Entry], limit: datetime.datetime, later: datetime.datetime | None, seq: int
) -> int:
    """Every entry due before `limit` (when the first line frees up) moves, in its order, to
    `later` as one group; the same order as moving each number on its own. Returns next seq."""
    batch: deque[int] | None = None
    before: list[int] = []
    while queue and queue[0][0] < limit:
        _, _, index, members = heapq.heappop(queue)
        if members is None:
            if batch is None:
                before.append(index)
            else:
                batch.append(index)
        elif batch is None:
            batch = members
            batch.extendleft(reversed(before))
        else:
            batch.extend(members)
    if batch is None:
        batch = deque(before)
    if later is not None and batch:
        heapq.heappush(queue, (later, seq, -1, batch))
        seq += 1
    return seq


def simulate(
    schedule: CallSchedule,
    respondents: Sequence[SimRespondent],
    *,
    max_attempts: int = 3,
    lines: int = 10,
    price_per_minute_cents: int = 9,
    questionnaire: Questionnaire | None = None,
    do_not_call: frozenset[str] = frozenset(),
    population: Population | None = None,
    policy: RetryPolicy | None = None,
    quotas: Sequence[Quota] = (),
    seed: int,
) -> SimulationResult:
    """Run the campaign in simulated time; the same seed gives the same result.

    `questionnaire` defaults to the parsed demo questionnaire, `population` to Population()."""
    if max_attempts < 1:
        raise ValueError(f"max_attempts: {max_attempts} must be at least 1")
    if lines < 1:
        raise ValueError(f"lines: {lines} must be at least 1")
    if price_per_minute_cents < 0:
        raise ValueError(f"price_per_minute_cents: {price_per_minute_cents} is negative")
    q = questionnaire or parse_questionnaire(DEMO_QUESTIONNAIRE)
    pop = population or Population()
    retry = policy or RetryPolicy()
    rng = random.Random(seed)  # noqa: S311 - a reproducible simulation, not a secret
    zone = schedule.zone
    working = [number_works(pop, rng) for _ in respondents]
    attempts: list[list[SimAttempt]] = [[] for _ in respondents]
    parts: list[set[str]] = [set() for _ in respondents]
    buckets = [tuple(i for i, quota in enumerate(quotas) if quota.matches(r)) for r in respondents]
    completes = [0] * len(quotas)
    full = [False] * len(quotas)
    ending: list[tuple[datetime.datetime, int, int]] = []  # (end, seq, index) of completes
    free_at: list[datetime.datetime] = []  # a min-heap of busy lines' end times
    queue: list[_Entry] = []
    seq = 0
    first = next_open(
        schedule, datetime.datetime.combine(schedule.start_date, datetime.time(), zone)
    )
    if first is not None:
        for index, respondent in enumerate(respondents):
            if respondent.phone not in do_not_call:
                queue.append((first, seq, index, None))
                seq += 1
    heapq.heapify(queue)
    while queue:
        at, _, index, members = queue[0]
        if members is not None:
            index = members[0]
        while ending and ending[0][0] <= at:
            _, _, done = heapq.heappop(ending)
            for bucket in buckets[done]:
                completes[bucket] += 1
                full[bucket] = full[bucket] or completes[bucket] >= quotas[bucket].target
        while free_at and free_at[0] <= at:
            heapq.heappop(free_at)
        if any(full[bucket] for bucket in buckets[index]):
            pass  # a full quota: the number is no longer called
        elif len(free_at) >= lines:
            seq = _wait_for_a_line(queue, free_at[0], next_open(schedule, free_at[0]), seq)
            continue
        if members is None or len(members) == 1:
            heapq.heappop(queue)
        else:
            members.popleft()
        if any(full[bucket] for bucket in buckets[index]):
            continue
        part = part_of_day(schedule, at)
        call = simulate_attempt(pop, q, respondents[index], part, working=working[index], rng=rng)
        code = call.code
        attempts[index].append(
            SimAttempt(
                at.astimezone(zone), call.outcome, code, call.line_seconds, call.billed_seconds
            )
        )
        end = at + datetime.timedelta(seconds=call.line_seconds)
        heapq.heappush(free_at, end)
        if code == aapor.COMPLETE and buckets[index]:
            heapq.heappush(ending, (end, seq, index))
            seq += 1
        if len(attempts[index]) >= max_attempts or not aapor.retry_allowed(code):
            continue
        parts[index].add(part)
        due = next_attempt_at(schedule, retry, at, retry_outcome(code), parts[index])
        if due is not None:
            heapq.heappush(queue, (due, seq, index, None))
            seq += 1
    while ending:  # completes still running when the last call started
        _, _, done = heapq.heappop(ending)
        for bucket in buckets[done]:
            completes[bucket] += 1
            full[bucket] = full[bucket] or completes[bucket] >= quotas[bucket].target
    outcomes: list[SimOutcome] = []
    for index, (respondent, tried) in enumerate(zip(respondents, attempts, strict=True)):
        codes = [a.code for a in tried]
        final = aapor.final_code(
            codes,
            completed=aapor.COMPLETE in codes,
            partial=aapor.PARTIAL in codes,
            refused=aapor.REFUSAL in codes,
            ineligible=aapor.NO_ELIGIBLE_RESPONDENT in codes,
            quota_full=False,
        )
        unknown = aapor.group_of(final) in (aapor.Group.UH, aapor.Group.UO)
        excluded = respondent.phone in do_not_call  # not called because of the list: 3.11
        if unknown and not excluded and any(full[bucket] for bucket in buckets[index]):
            final = aapor.QUOTA_FILLED
        outcomes.append(SimOutcome(respondent.phone, tuple(tried), final))
    counts = aapor.Counts.from_final_codes(o.final_code for o in outcomes)
    all_attempts = [a for o in outcomes for a in o.attempts]
    billed_seconds = sum(a.billed_seconds for a in all_attempts)
    return SimulationResult(
        respondents=tuple(outcomes),
        counts=counts,
        rates=MappingProxyType(aapor.rates(counts)),
        calls=len(all_attempts),
        billed_seconds=billed_seconds,
        cost_cents=-(-billed_seconds * price_per_minute_cents // 60),
    )
