"""Retry back-off after application exceptions: doubling from the base, never above the ceiling."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuntarobo.core.backoff import outage_delay_seconds, retry_delay_seconds

attempts = st.integers(1, 32767)  # WorkItem.attempts is a PositiveSmallIntegerField
bases = st.integers(0, 3600)
ceilings = st.integers(0, 7 * 24 * 3600)


@given(attempts, bases, ceilings)
def test_the_delay_is_never_negative_nor_above_the_ceiling(attempt, base, ceiling):
    assert 0 <= retry_delay_seconds(attempt, base, ceiling) <= ceiling


@given(attempts, bases, ceilings)
def test_the_delay_never_shrinks_from_one_attempt_to_the_next(attempt, base, ceiling):
    assert retry_delay_seconds(attempt, base, ceiling) <= retry_delay_seconds(
        attempt + 1, base, ceiling
    )


@given(attempts, bases, ceilings)
def test_below_the_ceiling_each_attempt_doubles_the_delay(attempt, base, ceiling):
    following = retry_delay_seconds(attempt + 1, base, ceiling)
    if following < ceiling:
        assert following == 2 * retry_delay_seconds(attempt, base, ceiling)
    else:
        assert following == ceiling


@given(bases, ceilings)
def test_the_first_retry_waits_the_base_unless_the_ceiling_is_lower(base, ceiling):
    assert retry_delay_seconds(1, base, ceiling) == min(base, ceiling)


def test_the_default_settings_wait_half_a_minute_then_double_up_to_an_hour():
    delays = [retry_delay_seconds(n, 30, 3600) for n in range(1, 10)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


@pytest.mark.parametrize("attempt", [0, -1])
def test_attempts_count_from_one(attempt):
    with pytest.raises(ValueError, match="from 1"):
        retry_delay_seconds(attempt, 30, 3600)


# --- waiting out an outage of the platform's database -----------------------------------------

failures = st.integers(1, 10_000)
seconds = st.floats(0.01, 3600)
fractions = st.floats(0, 1, exclude_max=True)


@given(failures, seconds, seconds, fractions)
def test_an_outage_wait_is_between_half_and_all_of_the_capped_doubling_delay(
    failed, base, ceiling, fraction
):
    delay = min(base * 2 ** min(failed - 1, 60), ceiling)
    assert delay / 2 <= outage_delay_seconds(failed, base, ceiling, fraction) <= delay


@given(failures, seconds, seconds)
def test_an_outage_wait_never_exceeds_the_ceiling(failed, base, ceiling):
    assert outage_delay_seconds(failed, base, ceiling, 0.999999) <= ceiling


def test_the_outage_waits_double_then_stay_at_the_ceiling():
    waits = [outage_delay_seconds(n, 0.5, 4, 0.0) for n in range(1, 7)]
    assert waits == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0]


@pytest.mark.parametrize(("failed", "fraction"), [(0, 0.5), (1, 1.0), (1, -0.1)])
def test_an_outage_wait_refuses_a_count_from_zero_or_a_fraction_out_of_range(failed, fraction):
    with pytest.raises(ValueError, match=r"count from 1|fraction"):
        outage_delay_seconds(failed, 0.5, 4, fraction)
