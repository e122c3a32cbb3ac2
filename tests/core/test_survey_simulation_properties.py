"""Properties of the campaign simulation's scheduler over generated campaigns: the windows and
blocked days, the attempt limit, the do-not-call list, quotas and lines always hold."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from kuntarobo.core import aapor
from kuntarobo.core.call_windows import CallSchedule, blocked_days, is_open
from kuntarobo.core.survey_simulation import (
    AGE_GROUPS,
    Population,
    Quota,
    SimRespondent,
    SimulationResult,
    simulate,
)

GENDERS = ("f", "m")
AREAS = ("centre", "north")


@dataclass(frozen=True)
class Case:
    schedule: CallSchedule
    respondents: tuple[SimRespondent, ...]
    max_attempts: int
    lines: int
    do_not_call: frozenset[str]
    quotas: tuple[Quota, ...]
    population: Population
    seed: int

    def run(self, quotas: tuple[Quota, ...] | None = None) -> SimulationResult:
        return simulate(
            self.schedule,
            self.respondents,
            max_attempts=self.max_attempts,
            lines=self.lines,
            do_not_call=self.do_not_call,
            quotas=self.quotas if quotas is None else quotas,
            population=self.population,
            seed=self.seed,
        )


@st.composite
def cases(draw: st.DrawFn) -> Case:
    # Around Christmas, Easter and Midsummer too, so blocked days fall inside the schedule.
    start = draw(st.dates(datetime.date(2021, 1, 1), datetime.date(2027, 12, 20)))
    end = start + datetime.timedelta(days=draw(st.integers(0, 20)))
    weekdays = draw(st.frozensets(st.integers(1, 7), min_size=1))
    opens = draw(st.integers(7, 16))
    closes = draw(st.integers(opens + 1, 21))
    zone = draw(st.sampled_from(("Europe/Helsinki", "Europe/Stockholm", "UTC")))
    schedule = CallSchedule(start, end, weekdays, datetime.time(opens), datetime.time(closes), zone)
    size = draw(st.integers(1, 40))
    respondents = tuple(
        SimRespondent(
            f"+35840{i:07d}",
            draw(st.sampled_from((*AGE_GROUPS, None))),
            "fi",
            draw(st.sampled_from(GENDERS)),
            draw(st.sampled_from(AREAS)),
        )
        for i in range(size)
    )
    dnc = frozenset(r.phone for r in respondents if draw(st.booleans()) and draw(st.booleans()))
    quotas = tuple(
        Quota(
            draw(st.integers(1, 4)),
            draw(st.sampled_from((*AGE_GROUPS, None))),
            draw(st.sampled_from((*GENDERS, None))),
            draw(st.sampled_from((*AREAS, None))),
        )
        for _ in range(draw(st.integers(0, 3)))
    )
    chance = st.floats(0, 1)
    population = Population(
        answer_by_part={part: draw(chance) for part in ("morning", "afternoon", "evening")},
        non_working=draw(st.floats(0, 0.3)),
        busy=draw(st.floats(0, 0.5)),
        technical=draw(st.floats(0, 0.2)),
        machine=draw(chance),
        consent=draw(chance),
        break_off=draw(st.floats(0, 0.5)),
    )
    return Case(
        schedule,
        respondents,
        draw(st.integers(1, 4)),
        draw(st.integers(1, 5)),
        dnc,
        quotas,
        population,
        draw(st.integers(0, 2**32)),
    )


def _end(attempt_at: datetime.datetime, seconds: int) -> datetime.datetime:
    return attempt_at + datetime.timedelta(seconds=seconds)


@settings(max_examples=60, deadline=None)
@given(case=cases())
def test_no_attempt_starts_outside_a_window_or_on_a_blocked_day(case: Case) -> None:
    zone = case.schedule.zone
    for outcome in case.run().respondents:
        for attempt in outcome.attempts:
            assert is_open(case.schedule, attempt.at)
            local = attempt.at.astimezone(zone)
            assert local.date() not in blocked_days(local.year)
            assert local.isoweekday() in case.schedule.weekdays
            assert case.schedule.from_time <= local.time() < case.schedule.to_time


@settings(max_examples=60, deadline=None)
@given(case=cases())
def test_no_number_is_called_more_than_max_attempts_nor_after_a_final_code(case: Case) -> None:
    for outcome in case.run().respondents:
        assert len(outcome.attempts) <= case.max_attempts
        for attempt in outcome.attempts[:-1]:
            assert aapor.retry_allowed(attempt.code)
        times = [a.at for a in outcome.attempts]
        assert times == sorted(times)


@settings(max_examples=60, deadline=None)
@given(case=cases())
def test_a_do_not_call_number_is_never_called(case: Case) -> None:
    for outcome in case.run().respondents:
        if outcome.phone in case.do_not_call:
            assert outcome.attempts == ()
            assert outcome.final_code == aapor.NOT_ATTEMPTED  # even in a full quota


@settings(max_examples=80, deadline=None)
@given(case=cases())
def test_no_call_starts_to_a_bucket_once_its_quota_is_full(case: Case) -> None:
    result = case.run()
    people = {r.phone: r for r in case.respondents}
    for quota in case.quotas:
        members = [o for o in result.respondents if quota.matches(people[o.phone])]
        ends = sorted(
            _end(a.at, a.seconds) for o in members for a in o.attempts if a.code == aapor.COMPLETE
        )
        if len(ends) < quota.target:
            # Never full: nobody in it ends "quota filled" because of it alone.
            continue
        full_at = ends[quota.target - 1]
        for outcome in members:
            assert all(a.at < full_at for a in outcome.attempts)
            unknown = aapor.group_of(outcome.final_code) in (aapor.Group.UH, aapor.Group.UO)
            if unknown and outcome.phone not in case.do_not_call:
                raise AssertionError(f"{outcome.final_code} in a full quota, not 4.8")


@settings(max_examples=60, deadline=None)
@given(case=cases())
def test_the_number_of_simultaneous_calls_never_exceeds_the_lines(case: Case) -> None:
    events: list[tuple[datetime.datetime, int]] = []
    for outcome in case.run().respondents:
        for a in outcome.attempts:
            events += [(a.at, 1), (_end(a.at, a.seconds), -1)]
    busy = 0
    for _moment, change in sorted(events):  # an end before a start at the same moment
        busy += change
        assert busy <= case.lines


@settings(max_examples=40, deadline=None)
@given(case=cases())
def test_quotas_that_never_fill_change_nothing(case: Case) -> None:
    never = tuple(Quota(10_000, q.age_group, q.gender, q.area) for q in case.quotas)
    assert case.run(never).as_json() == case.run(()).as_json()


@settings(max_examples=60, deadline=None)
@given(case=cases())
def test_every_number_is_counted_once_and_the_rates_follow_the_counts(case: Case) -> None:
    result = case.run()
    assert [o.phone for o in result.respondents] == [r.phone for r in case.respondents]
    assert result.counts == aapor.Counts.from_final_codes(o.final_code for o in result.respondents)
    assert dict(result.rates) == aapor.rates(result.counts)
    assert result.calls == sum(len(o.attempts) for o in result.respondents)


def test_a_full_quota_stops_its_bucket_and_its_unreached_numbers_end_quota_filled() -> None:
    schedule = CallSchedule(datetime.date(2026, 12, 7), datetime.date(2026, 12, 18))
    sure = Population(
        non_working=0,
        busy=0,
        technical=0,
        answer_by_part={"morning": 1, "afternoon": 1, "evening": 1},
        consent=1,
        break_off=0,
    )
    women = [SimRespondent(f"+3584000{i:05d}", None, "fi", "f") for i in range(30)]
    men = [SimRespondent(f"+3584100{i:05d}", None, "fi", "m") for i in range(30)]
    result = simulate(
        schedule, women + men, lines=2, population=sure, quotas=(Quota(5, gender="f"),), seed=1
    )
    finals = [o.final_code for o in result.respondents]
    # Two lines: both running calls may complete, so 5 or 6 women; all 30 men.
    assert finals[:30].count(aapor.COMPLETE) in (5, 6)
    assert finals[:30].count(aapor.QUOTA_FILLED) == 30 - finals[:30].count(aapor.COMPLETE)
    assert finals[30:] == [aapor.COMPLETE] * 30
    assert finals.count(aapor.QUOTA_FILLED) == result.counts.NE
