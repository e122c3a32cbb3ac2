"""Properties of the robot's planning (pure): no attempt outside the call windows or on a
blocked day, never more than max_attempts, a do-not-call number never called, full quota
buckets never called, never more calls than lines."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kuntarobo.core import aapor
from kuntarobo.core.call_windows import CallSchedule, is_blocked_day, is_open
from kuntarobo.robots.phone_survey import planning
from kuntarobo.robots.phone_survey.planning import (
    CallNow,
    Finish,
    PastAttempt,
    Situation,
    WaitUntil,
    bucket_full,
    decide,
)

UTC = datetime.UTC
CODES = (
    aapor.COMPLETE,
    aapor.PARTIAL,
    aapor.REFUSAL,
    aapor.BREAK_OFF,
    aapor.NO_INPUT,
    aapor.ALWAYS_BUSY,
    aapor.NO_ANSWER,
    aapor.ANSWERING_MACHINE,
    aapor.CALL_BLOCKING,
    aapor.TECHNICAL,
    aapor.OTHER_UNKNOWN,
    aapor.NON_WORKING,
    aapor.NO_ELIGIBLE_RESPONDENT,
)


@st.composite
def schedules(draw: Any) -> CallSchedule:
    # Around Christmas, Easter and Midsummer, so that blocked days and eves are in play.
    start = draw(
        st.sampled_from(
            [datetime.date(2026, 12, 21), datetime.date(2026, 3, 30), datetime.date(2026, 6, 15)]
        )
    ) + datetime.timedelta(days=draw(st.integers(0, 5)))
    end = start + datetime.timedelta(days=draw(st.integers(0, 20)))
    weekdays = frozenset(draw(st.sets(st.integers(1, 7), min_size=1)))
    opens = draw(st.integers(7, 14))
    closes = draw(st.integers(opens + 1, 21))
    return CallSchedule(
        start_date=start,
        end_date=end,
        weekdays=weekdays,
        from_time=datetime.time(opens),
        to_time=datetime.time(closes),
    )


def moment_near(schedule: CallSchedule, hours: int) -> datetime.datetime:
    return datetime.datetime.combine(
        schedule.start_date, datetime.time(), schedule.zone
    ) + datetime.timedelta(hours=hours)


@settings(max_examples=150, deadline=None)
@given(
    schedule=schedules(),
    max_attempts=st.integers(1, 5),
    codes=st.lists(st.sampled_from(CODES), min_size=6, max_size=6),
    start_hours=st.integers(-30, 200),
    lateness=st.lists(st.integers(0, 4 * 3600), min_size=12, max_size=12),
)
def test_calls_happen_only_in_windows_and_never_more_than_max_attempts(
    schedule, max_attempts, codes, start_hours, lateness
):
    now = moment_near(schedule, start_hours)
    attempts: tuple[PastAttempt, ...] = ()
    for late in lateness:
        decision = decide(
            Situation(now=now, schedule=schedule, attempts=attempts, max_attempts=max_attempts)
        )
        if isinstance(decision, Finish):
            assert decision.final_code == planning.final_code(attempts)
            break
        if isinstance(decision, WaitUntil):
            assert decision.until > now
            now = decision.until + datetime.timedelta(seconds=late)  # a worker may come late
            continue
        assert isinstance(decision, CallNow)
        local_day = now.astimezone(schedule.zone).date()
        assert is_open(schedule, now)
        assert not is_blocked_day(local_day)
        assert local_day.isoweekday() in schedule.weekdays
        assert schedule.start_date <= local_day <= schedule.end_date
        assert len(attempts) < max_attempts
        assert all(aapor.retry_allowed(a.code) for a in attempts)
        attempts = (*attempts, PastAttempt(now, codes[len(attempts)]))
        now += datetime.timedelta(seconds=90)
    assert len(attempts) <= max_attempts


situations = st.builds(
    Situation,
    now=st.datetimes(
        min_value=datetime.datetime(2026, 3, 1),
        max_value=datetime.datetime(2027, 6, 1),
        timezones=st.just(UTC),
    ),
    schedule=schedules(),
    attempts=st.lists(
        st.builds(
            PastAttempt,
            at=st.datetimes(
                min_value=datetime.datetime(2026, 1, 1),
                max_value=datetime.datetime(2026, 3, 1),
                timezones=st.just(UTC),
            ),
            code=st.sampled_from(CODES),
        ),
        max_size=4,
    ).map(lambda made: tuple(sorted(made, key=lambda a: a.at))),
    max_attempts=st.integers(1, 5),
    do_not_call=st.booleans(),
    quota_full=st.booleans(),
    lines_busy=st.integers(0, 12),
    lines=st.integers(1, 10),
    campaign_ended=st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(situation=situations)
def test_a_do_not_call_number_a_full_bucket_or_busy_lines_are_never_called(situation):
    decision = decide(situation)
    if situation.do_not_call or situation.quota_full or situation.campaign_ended:
        assert not isinstance(decision, CallNow)
        if situation.do_not_call and not situation.attempts:
            assert isinstance(decision, Finish)
            assert decision.final_code in (aapor.NOT_ATTEMPTED, aapor.QUOTA_FILLED)
    if situation.lines_busy >= situation.lines:
        assert not isinstance(decision, CallNow)
    if isinstance(decision, CallNow):
        assert is_open(situation.schedule, situation.now)


def test_a_full_bucket_that_was_never_called_ends_quota_filled_and_one_called_keeps_its_code():
    schedule = CallSchedule(datetime.date(2026, 12, 7), datetime.date(2026, 12, 18))
    now = datetime.datetime(2026, 12, 8, 12, tzinfo=schedule.zone)
    never = decide(Situation(now=now, schedule=schedule, quota_full=True))
    assert never == Finish(aapor.QUOTA_FILLED, "quota_full")
    tried = (PastAttempt(now - datetime.timedelta(hours=3), aapor.NO_ANSWER),)
    called = decide(Situation(now=now, schedule=schedule, attempts=tried, quota_full=True))
    assert called == Finish(aapor.NO_ANSWER, "quota_full")
    dnc = decide(Situation(now=now, schedule=schedule, do_not_call=True))
    assert dnc == Finish(aapor.NOT_ATTEMPTED, "do_not_call")


traits = st.fixed_dictionaries(
    {
        "age_group": st.sampled_from(["18-29", "30-44", "65+", ""]),
        "gender": st.sampled_from(["f", "m", ""]),
        "area": st.sampled_from(["north", "south", ""]),
    }
)
quotas = st.lists(
    st.fixed_dictionaries(
        {
            "age_group": st.sampled_from(["18-29", "65+", ""]),
            "gender": st.sampled_from(["f", "m", ""]),
            "area": st.sampled_from(["north", ""]),
            "target": st.integers(0, 3),
        }
    ),
    max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(quotas=quotas, person=traits, completes=st.lists(traits, max_size=8))
def test_a_bucket_is_full_exactly_when_its_completes_reach_its_target(quotas, person, completes):
    expected = any(
        all(not q[name] or q[name] == person[name] for name in planning.QUOTA_TRAITS)
        and sum(
            all(not q[name] or q[name] == other[name] for name in planning.QUOTA_TRAITS)
            for other in completes
        )
        >= q["target"]
        for q in quotas
    )
    assert bucket_full(quotas, person, completes) is expected


@pytest.mark.parametrize("target", [-1, "3", None, True, 1.5])
def test_a_quota_without_a_whole_number_target_is_refused_by_its_position(target):
    with pytest.raises(ValueError, match=r"quotas\[1\]\.target"):
        planning.matching_quotas([{"target": 1}, {"age_group": "65+", "target": target}], {})
