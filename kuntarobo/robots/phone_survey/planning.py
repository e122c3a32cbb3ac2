"""The robot's decision for one respondent at one moment: call now, wait until a time, or finish
with a final AAPOR code. Pure (no Django), so the rules can be tested by properties and read in
one place; the robot's `handle` gathers the facts and does what this says.

Order of the rules (the first that applies wins):
1. the campaign has ended -> finish (final code over the attempts; never attempted -> 3.11);
2. the last attempt's code allows no retry (a complete, a refusal, a non-working number) or
   `max_attempts` are made -> finish;
3. the number is on the municipality's do-not-call list -> finish, never call;
4. the respondent's quota bucket is full -> finish, not called again (4.8 if never attempted);
4b. the campaign sends an advance notice and it has not reached this number yet (first attempt
   only) -> wait `NOTICE_WAIT` (the robot tries the notice again meanwhile);
5. the next fitting moment (the first open window for a first attempt; the retry rule of the
   last outcome otherwise, `call_windows.next_attempt_at`) is later -> wait until then; no
   fitting moment left -> finish;
6. every line is busy -> wait a few seconds;
7. otherwise call now.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from kuntarobo.core import aapor
from kuntarobo.core.call_windows import (
    CallSchedule,
    RetryPolicy,
    next_attempt_at,
    next_open,
    part_of_day,
)
from kuntarobo.core.survey_simulation import retry_outcome

# How long a respondent waits when every line is busy: short, a call takes about a minute.
LINE_WAIT: Final = datetime.timedelta(seconds=5)
# How long a respondent waits for its advance notice to go before it is looked at again.
NOTICE_WAIT: Final = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class PastAttempt:
    """An attempt made: its start and interim AAPOR code."""

    at: datetime.datetime
    code: str


@dataclass(frozen=True)
class Situation:
    """What the robot knows of one respondent at `now`."""

    now: datetime.datetime
    schedule: CallSchedule
    attempts: tuple[PastAttempt, ...] = ()
    max_attempts: int = 3
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    do_not_call: bool = False
    quota_full: bool = False
    lines_busy: int = 0
    lines: int = 1
    campaign_ended: bool = False
    notice_pending: bool = False  # the advance notice is due but has not reached the number


@dataclass(frozen=True)
class CallNow:
    """Place the next attempt now."""


@dataclass(frozen=True)
class WaitUntil:
    """Nothing to do before `until`; `reason` names the rule (window, retry, lines)."""

    until: datetime.datetime
    reason: str


@dataclass(frozen=True)
class Finish:
    """No attempt follows: the respondent's final code and the rule that ended it."""

    final_code: str
    reason: str


Decision = CallNow | WaitUntil | Finish


QUOTA_TRAITS: Final = ("age_group", "gender", "area")


def matching_quotas(
    quotas: Sequence[Mapping[str, Any]], traits: Mapping[str, str]
) -> list[Mapping[str, Any]]:
    """The quota buckets ({age_group, gender, area, target}; an empty or missing trait matches
    anyone) a respondent with `traits` belongs to. A bucket without a whole-number target of at
    least 0 is refused, naming it (quotas[1].target)."""
    found = []
    for index, quota in enumerate(quotas):
        target = quota.get("target") if isinstance(quota, Mapping) else None
        if isinstance(target, bool) or not isinstance(target, int) or target < 0:
            raise ValueError(f"quotas[{index}].target: {target!r} is not a whole number >= 0")
        if all(not quota.get(name) or quota[name] == traits.get(name) for name in QUOTA_TRAITS):
            found.append(quota)
    return found


def bucket_full(
    quotas: Sequence[Mapping[str, Any]],
    traits: Mapping[str, str],
    completes: Sequence[Mapping[str, str]],
) -> bool:
    """Whether a bucket of the respondent's has reached its target: `completes` are the traits
    of the campaign's respondents with a complete interview."""
    for quota in matching_quotas(quotas, traits):
        done = sum(1 for other in completes if matching_quotas([quota], other))
        if done >= quota["target"]:
            return True
    return False


def final_code(attempts: tuple[PastAttempt, ...], *, quota_full: bool = False) -> str:
    """The respondent's final code over its attempts (`aapor.final_code`); a respondent left
    uncalled because its quota filled is 4.8, any other never attempted 3.11."""
    codes = [a.code for a in attempts]
    return aapor.final_code(
        codes,
        completed=aapor.COMPLETE in codes,
        partial=aapor.PARTIAL in codes,
        refused=aapor.REFUSAL in codes,
        ineligible=aapor.NO_ELIGIBLE_RESPONDENT in codes,
        quota_full=quota_full and not codes,
    )


def parts_tried(schedule: CallSchedule, attempts: tuple[PastAttempt, ...]) -> set[str]:
    """The parts of the day (morning, afternoon, evening) of the attempts made."""
    return {part_of_day(schedule, a.at) for a in attempts}


def due_at(situation: Situation) -> datetime.datetime | None:
    """The first moment from `now` on at which the next attempt may start; None when the
    campaign has no fitting window left."""
    s = situation
    if not s.attempts:
        start = datetime.datetime.combine(s.schedule.start_date, datetime.time(), s.schedule.zone)
        return next_open(s.schedule, max(start, s.now))
    last = s.attempts[-1]
    return next_attempt_at(
        s.schedule,
        s.policy,
        last.at,
        retry_outcome(last.code),
        parts_tried(s.schedule, s.attempts),
        not_before=s.now,
    )


def decide(situation: Situation) -> Decision:
    """The decision for one respondent now (the module's rules, in their order)."""
    s = situation
    if s.now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if s.max_attempts < 1:
        raise ValueError(f"max_attempts: {s.max_attempts} must be at least 1")
    if s.campaign_ended:
        return Finish(final_code(s.attempts), "campaign_ended")
    if s.attempts and not aapor.retry_allowed(s.attempts[-1].code):
        return Finish(final_code(s.attempts), "final_outcome")
    if len(s.attempts) >= s.max_attempts:
        return Finish(final_code(s.attempts), "max_attempts")
    if s.do_not_call:
        return Finish(final_code(s.attempts), "do_not_call")
    if s.quota_full:
        return Finish(final_code(s.attempts, quota_full=True), "quota_full")
    if s.notice_pending and not s.attempts:
        return WaitUntil(s.now + NOTICE_WAIT, "notice")
    due = due_at(s)
    if due is None:
        return Finish(final_code(s.attempts), "no_window_left")
    if due > s.now:
        return WaitUntil(due, "retry" if s.attempts else "window")
    if s.lines_busy >= s.lines:
        return WaitUntil(s.now + LINE_WAIT, "lines_busy")
    return CallNow()
