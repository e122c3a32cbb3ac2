"""The seeded campaign simulation: determinism, windows, attempts, lines, counts and cost."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kuntarobo.core import aapor
from kuntarobo.core.call_windows import CallSchedule, is_open
from kuntarobo.core.survey_simulation import (
    AGE_GROUPS,
    Population,
    SimRespondent,
    SimulationResult,
    simulate,
)

# Mon 7.12. - Fri 18.12.2026: two working weeks, no blocked day in them.
SCHEDULE = CallSchedule(datetime.date(2026, 12, 7), datetime.date(2026, 12, 18))
SAMPLE = tuple(SimRespondent(f"+35840{i:07d}", AGE_GROUPS[i % 4]) for i in range(200))


def _run(seed: int = 1, **kwargs: object) -> SimulationResult:
    return simulate(SCHEDULE, SAMPLE, seed=seed, **kwargs)  # type: ignore[arg-type]


def test_the_same_seed_gives_the_same_json() -> None:
    assert json.dumps(_run(7).as_json()) == json.dumps(_run(7).as_json())


def test_a_different_seed_gives_a_different_campaign() -> None:
    assert _run(1).as_json() != _run(2).as_json()


def test_a_number_on_the_do_not_call_list_is_never_called_and_ends_not_attempted() -> None:
    phone = SAMPLE[3].phone
    result = _run(do_not_call=frozenset({phone}))
    outcome = next(o for o in result.respondents if o.phone == phone)
    assert outcome.attempts == ()
    assert outcome.final_code == aapor.NOT_ATTEMPTED


def test_every_attempt_starts_inside_a_call_window() -> None:
    data: Any = _run().as_json()
    for respondent in data["respondents"]:
        for attempt in respondent["attempts"]:
            assert is_open(SCHEDULE, datetime.datetime.fromisoformat(attempt["at"]))


def test_no_number_is_called_more_than_max_attempts() -> None:
    result = _run(max_attempts=2)
    assert max(len(o.attempts) for o in result.respondents) <= 2
    assert max(len(o.attempts) for o in _run().respondents) <= 3


def test_no_attempt_is_made_after_a_final_disposition() -> None:
    for outcome in _run().respondents:
        for attempt in outcome.attempts[:-1]:
            assert aapor.retry_allowed(attempt.code)


@settings(max_examples=10, deadline=None)
@given(lines=st.integers(min_value=1, max_value=6), seed=st.integers(0, 1000))
def test_concurrent_calls_never_exceed_the_lines(lines: int, seed: int) -> None:
    result = simulate(SCHEDULE, SAMPLE[:60], lines=lines, seed=seed)
    # A sweep over start (+1) and end (-1) events; an end at the same moment as a start
    # frees its line first (intervals are half-open).
    events: list[tuple[datetime.datetime, int]] = []
    for outcome in result.respondents:
        for a in outcome.attempts:
            events += [(a.at, 1), (a.at + datetime.timedelta(seconds=a.seconds), -1)]
    busy = 0
    for _moment, change in sorted(events):
        busy += change
        assert busy <= lines


def test_the_counts_add_up_to_the_sample() -> None:
    counts = _run().counts
    total = counts.I + counts.P + counts.R + counts.NC + counts.O + counts.UH + counts.UO
    assert total + counts.NE == len(SAMPLE)


def test_final_codes_follow_the_attempt_codes() -> None:
    for outcome in _run().respondents:
        codes = [a.code for a in outcome.attempts]
        if aapor.COMPLETE in codes:
            assert outcome.final_code == aapor.COMPLETE
        if not codes:
            assert outcome.final_code == aapor.NOT_ATTEMPTED


def test_the_cost_is_the_billed_seconds_at_the_minute_price_rounded_up() -> None:
    result = _run(price_per_minute_cents=9)
    seconds = sum(a.billed_seconds for o in result.respondents for a in o.attempts)
    assert result.billed_seconds == seconds
    # e.g. 61 s at 9 c/min = 549/60 = 9.15 -> 10 cents: ceil(seconds * 9 / 60)
    assert result.cost_cents == -(-seconds * 9 // 60)
    assert result.calls == sum(len(o.attempts) for o in result.respondents)


def test_a_61_second_campaign_at_9_cents_costs_10_cents() -> None:
    # Everybody is non-working except nobody: force one machine answer of 61 billed seconds.
    population = Population(
        non_working=0,
        busy=0,
        technical=0,
        answer_by_part={"morning": 0, "afternoon": 0, "evening": 0},
        machine=1,
        machine_seconds=61,
    )
    result = simulate(SCHEDULE, SAMPLE[:1], max_attempts=1, population=population, seed=0)
    assert result.billed_seconds == 61
    assert result.cost_cents == 10  # 61 * 9 / 60 = 9.15, rounded up
    assert result.respondents[0].final_code == aapor.ANSWERING_MACHINE


def test_the_json_has_the_contract_shape() -> None:
    data: Any = _run().as_json()
    assert set(data) == {"respondents", "counts", "rates", "calls", "minutes", "cost_cents"}
    assert set(data["counts"]) == {"I", "P", "R", "NC", "O", "UH", "UO", "NE"}
    assert set(data["rates"]) == set(aapor.RATE_NAMES)
    first = data["respondents"][0]
    assert {"phone", "attempts", "final_code"} <= set(first)
    json.dumps(data)


def test_everybody_who_answers_and_consents_completes_without_break_offs() -> None:
    population = Population(
        non_working=0,
        busy=0,
        technical=0,
        answer_by_part={"morning": 1, "afternoon": 1, "evening": 1},
        consent=1,
        break_off=0,
    )
    # Unknown age: factor 1, so everybody answers (the age factors would lower it).
    sample = [SimRespondent(f"+3584{i:07d}") for i in range(20)]
    result = simulate(SCHEDULE, sample, population=population, seed=3)
    assert result.counts.I == 20
    assert all(len(o.attempts) == 1 for o in result.respondents)
    assert result.rates["RR1"] == 1


def test_the_young_answer_less_than_the_old() -> None:
    young = [SimRespondent(f"+3584{i:07d}", "18-29") for i in range(100)]
    old = [SimRespondent(f"+3585{i:07d}", "65+") for i in range(100)]
    result = simulate(SCHEDULE, young + old, seed=5)
    done = [o.final_code in (aapor.COMPLETE, aapor.PARTIAL) for o in result.respondents]
    assert sum(done[:100]) < sum(done[100:])


def test_bad_arguments_name_the_field() -> None:
    with pytest.raises(ValueError, match="lines"):
        simulate(SCHEDULE, SAMPLE, lines=0, seed=1)
    with pytest.raises(ValueError, match=r"population\.busy"):
        Population(busy=2)


def test_a_non_working_number_gets_one_404_and_ends_not_eligible() -> None:
    result = simulate(SCHEDULE, SAMPLE[:5], population=Population(non_working=1), seed=4)
    for outcome in result.respondents:
        assert [(a.outcome, a.code) for a in outcome.attempts] == [("404 Not Found", "4.3")]
        assert outcome.final_code == aapor.NON_WORKING
    assert result.counts.NE == 5
    assert result.billed_seconds == 0
    assert result.cost_cents == 0


def test_an_always_busy_number_is_retried_after_the_busy_delay_until_max_attempts() -> None:
    population = Population(non_working=0, busy=1, technical=0)
    result = simulate(SCHEDULE, SAMPLE[:1], max_attempts=3, population=population, seed=4)
    attempts = result.respondents[0].attempts
    # Mon 7.12. 10:00, then the RetryPolicy's 15 minutes later each time: 10:15, 10:30.
    assert [a.at.strftime("%d %H:%M") for a in attempts] == ["07 10:00", "07 10:15", "07 10:30"]
    assert {a.outcome for a in attempts} == {"486 Busy Here"}
    assert result.respondents[0].final_code == aapor.ALWAYS_BUSY


def test_no_window_left_means_no_calls() -> None:
    # Sat 12.12.-Sun 13.12.2026 with the default weekdays Mon-Fri: no window at all.
    weekend = CallSchedule(datetime.date(2026, 12, 12), datetime.date(2026, 12, 13))
    result = simulate(weekend, SAMPLE[:3], seed=1)
    assert result.calls == 0
    assert {o.final_code for o in result.respondents} == {aapor.NOT_ATTEMPTED}
