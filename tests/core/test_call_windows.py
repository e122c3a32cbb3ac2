"""Call windows and retry timing: hand-picked moments in Helsinki 2026 (Monday is 7.12.2026)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kuntarobo.core.call_windows import (
    CallSchedule,
    RetryPolicy,
    blocked_days,
    is_blocked_day,
    is_open,
    next_attempt_at,
    next_open,
    parse_schedule,
    part_of_day,
    windows,
)
from kuntarobo.core.strict_json import StrictJsonError

HKI = ZoneInfo("Europe/Helsinki")
UTC = datetime.UTC
D = datetime.date


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=HKI)


# Weekdays 10-20, the whole of 2026.
YEAR = CallSchedule(D(2026, 1, 1), D(2026, 12, 31))
EVERY_DAY = CallSchedule(D(2026, 1, 1), D(2026, 12, 31), weekdays=frozenset(range(1, 8)))
VALID = {
    "start_date": "2026-12-07",
    "end_date": "2026-12-18",
    "weekdays": [1, 2, 3, 4, 5],
    "from": "10:00",
    "to": "20:00",
    "timezone": "Europe/Helsinki",
}


# --- parsing ------------------------------------------------------------------------------


def test_a_valid_schedule_is_read_with_local_hours_and_holidays_blocked() -> None:
    schedule = parse_schedule(VALID)
    assert schedule == CallSchedule(
        D(2026, 12, 7),
        D(2026, 12, 18),
        frozenset({1, 2, 3, 4, 5}),
        datetime.time(10),
        datetime.time(20),
        "Europe/Helsinki",
        True,
        frozenset(),
    )


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"weekdays": [1, 2, 8]}, "schedule.weekdays[2]"),
        ({"weekdays": [1, 1]}, "schedule.weekdays[1]"),
        ({"weekdays": []}, "schedule.weekdays"),
        ({"from": "25:00"}, "schedule.from"),
        ({"from": "10"}, "schedule.from"),
        ({"to": "10:00"}, "schedule.to"),  # from >= to
        ({"end_date": "2026-12-06"}, "schedule.end_date"),  # before the start
        ({"end_date": "2027-12-08"}, "schedule.end_date"),  # 367 days
        ({"timezone": "Europe/Atlantis"}, "schedule.timezone"),
        ({"start_date": "2026-02-30"}, "schedule.start_date"),
        ({"colour": "red"}, "schedule.colour"),
    ],
)
def test_a_bad_schedule_is_refused_at_the_field_it_names(
    change: dict[str, object], path: str
) -> None:
    with pytest.raises(StrictJsonError) as caught:
        parse_schedule({**VALID, **change})
    assert caught.value.path == path


def test_a_span_of_exactly_366_days_is_accepted() -> None:
    # 2028 is a leap year: 1.1.-31.12.2028 is 366 days.
    schedule = parse_schedule({**VALID, "start_date": "2028-01-01", "end_date": "2028-12-31"})
    assert schedule.end_date == D(2028, 12, 31)


# --- blocked days -------------------------------------------------------------------------


def test_the_blocked_days_of_2026_are_the_holidays_their_weekday_eves_and_the_calendar_eves() -> (
    None
):
    assert blocked_days(2026) == [
        D(2026, 1, 1),  # New Year's Day (Thu)
        D(2026, 1, 5),  # eve of Epiphany (Tue)
        D(2026, 1, 6),  # Epiphany
        D(2026, 4, 2),  # Maundy Thursday, eve of Good Friday
        D(2026, 4, 3),  # Good Friday
        D(2026, 4, 5),  # Easter Sunday, also the eve of Easter Monday
        D(2026, 4, 6),  # Easter Monday
        D(2026, 4, 30),  # May Day Eve (Vappu eve)
        D(2026, 5, 1),  # May Day
        D(2026, 5, 13),  # eve of Ascension Day (Thu)
        D(2026, 5, 14),  # Ascension Day
        D(2026, 5, 24),  # Pentecost (Sun, no eve)
        D(2026, 6, 19),  # Midsummer Eve (in the calendar itself)
        D(2026, 6, 20),  # Midsummer Day
        D(2026, 10, 31),  # All Saints' Day (Sat, no eve)
        D(2026, 12, 6),  # Independence Day (Sun, no eve)
        D(2026, 12, 24),  # Christmas Eve (in the calendar itself)
        D(2026, 12, 25),  # Christmas Day
        D(2026, 12, 26),  # St Stephen's Day
        D(2026, 12, 31),  # New Year's Eve: 1.1.2027 is a Friday
    ]


def test_the_day_before_independence_day_on_a_sunday_is_open() -> None:
    # 6.12.2026 is a Sunday, so by the rule 5.12. is no eve; on a seven-day schedule it is open.
    assert not is_blocked_day(D(2026, 12, 5))
    assert is_open(EVERY_DAY, at(D(2026, 12, 5), 12))
    # In 2025 Independence Day is a Saturday and in 2024 a Friday: 5.12.2024 is blocked.
    assert is_blocked_day(D(2024, 12, 5))


def test_the_calendar_eves_get_no_eve_of_their_own() -> None:
    # Thursday 18.6.2026 (before Midsummer Eve) and Wednesday 23.12.2026 stay open.
    assert is_open(YEAR, at(D(2026, 6, 18), 12))
    assert is_open(YEAR, at(D(2026, 12, 23), 12))


def test_christmas_eve_is_blocked_and_the_next_window_is_monday_after_christmas() -> None:
    assert not is_open(YEAR, at(D(2026, 12, 24), 12))
    # Wed 23.12. 20:00 → Thu 24 and Fri 25 blocked, Sat-Sun not weekdays → Mon 28.12. 10:00.
    assert next_open(YEAR, at(D(2026, 12, 23), 20)) == at(D(2026, 12, 28), 10)


def test_holidays_are_open_when_the_schedule_does_not_block_them() -> None:
    schedule = CallSchedule(D(2026, 12, 1), D(2026, 12, 31), block_holidays=False)
    assert is_open(schedule, at(D(2026, 12, 24), 12))


def test_an_extra_blocked_date_is_closed() -> None:
    schedule = CallSchedule(
        D(2026, 12, 1), D(2026, 12, 31), blocked_dates=frozenset({D(2026, 12, 8)})
    )
    assert not is_open(schedule, at(D(2026, 12, 8), 12))
    assert next_open(schedule, at(D(2026, 12, 8), 12)) == at(D(2026, 12, 9), 10)


# --- windows and next_open ----------------------------------------------------------------


def test_a_friday_evening_waits_for_monday_ten_oclock() -> None:
    # Fri 4.12.2026 20:30 → Sat 5, Sun 6 not weekdays → Mon 7.12. 10:00.
    assert next_open(YEAR, at(D(2026, 12, 4), 20, 30)) == at(D(2026, 12, 7), 10)


def test_the_window_includes_its_start_and_excludes_its_end() -> None:
    assert is_open(YEAR, at(D(2026, 12, 7), 10))
    assert not is_open(YEAR, at(D(2026, 12, 7), 20))
    assert not is_open(YEAR, at(D(2026, 12, 7), 9, 59))
    assert next_open(YEAR, at(D(2026, 12, 7), 15)) == at(D(2026, 12, 7), 15)


def test_a_moment_in_utc_is_judged_by_helsinki_hours() -> None:
    # 8:30 UTC in December is 10:30 EET (+2): open; 7:30 UTC is 9:30: closed.
    assert is_open(YEAR, datetime.datetime(2026, 12, 7, 8, 30, tzinfo=UTC))
    assert not is_open(YEAR, datetime.datetime(2026, 12, 7, 7, 30, tzinfo=UTC))


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        is_open(YEAR, datetime.datetime(2026, 12, 7, 12))


def test_the_spring_dst_switch_keeps_ten_oclock_local() -> None:
    # Last Sunday of March 2026 is 29.3.: clocks go 03:00 EET → 04:00 EEST.
    schedule = CallSchedule(D(2026, 3, 28), D(2026, 3, 29), weekdays=frozenset(range(1, 8)))
    (sat_start, sat_end), (sun_start, sun_end) = windows(schedule)
    assert sat_start.astimezone(UTC) == datetime.datetime(2026, 3, 28, 8, tzinfo=UTC)  # 10 - 2
    assert sun_start.astimezone(UTC) == datetime.datetime(2026, 3, 29, 7, tzinfo=UTC)  # 10 - 3
    assert sun_end - sun_start == datetime.timedelta(hours=10)
    assert sun_start.hour == 10
    # From Saturday 20:00 the next moment is Sunday 10:00 EEST: 18:00 UTC → 07:00 UTC = 13 h.
    after = next_open(schedule, sat_end)
    assert after == sun_start
    assert after is not None
    assert after.astimezone(UTC) - sat_end.astimezone(UTC) == datetime.timedelta(hours=13)


def test_the_autumn_dst_switch_keeps_ten_oclock_local() -> None:
    # Last Sunday of October 2026 is 25.10.: clocks go 04:00 EEST → 03:00 EET.
    schedule = CallSchedule(D(2026, 10, 24), D(2026, 10, 25), weekdays=frozenset(range(1, 8)))
    (sat_start, _), (sun_start, sun_end) = windows(schedule)
    assert sat_start.astimezone(UTC) == datetime.datetime(2026, 10, 24, 7, tzinfo=UTC)  # 10 - 3
    assert sun_start.astimezone(UTC) == datetime.datetime(2026, 10, 25, 8, tzinfo=UTC)  # 10 - 2
    assert sun_end.astimezone(UTC) - sun_start.astimezone(UTC) == datetime.timedelta(hours=10)


def test_no_window_is_left_after_the_end_date() -> None:
    assert next_open(YEAR, at(D(2026, 12, 30), 20)) is None  # 31.12. blocked, then the end
    assert windows(YEAR)[-1] == (at(D(2026, 12, 30), 10), at(D(2026, 12, 30), 20))


def test_a_moment_before_the_start_date_waits_for_the_first_window() -> None:
    schedule = parse_schedule(VALID)
    assert next_open(schedule, at(D(2026, 11, 1), 12)) == at(D(2026, 12, 7), 10)


# --- retries ------------------------------------------------------------------------------
# The window 10-20 splits in thirds of 3 h 20 min: morning 10:00-13:20, afternoon 13:20-16:40,
# evening 16:40-20:00. Tuesday 8.12.2026 is an ordinary weekday.
TUE = D(2026, 12, 8)
POLICY = RetryPolicy()


def test_the_parts_of_the_day_are_thirds_of_the_window() -> None:
    assert part_of_day(YEAR, at(TUE, 13, 19)) == "morning"
    assert part_of_day(YEAR, at(TUE, 13, 20)) == "afternoon"
    assert part_of_day(YEAR, at(TUE, 16, 40)) == "evening"
    assert part_of_day(YEAR, at(TUE, 8)) == "morning"
    assert part_of_day(YEAR, at(TUE, 21)) == "evening"


def test_a_busy_line_is_tried_again_in_fifteen_minutes() -> None:
    assert next_attempt_at(YEAR, POLICY, at(TUE, 11), "busy", set()) == at(TUE, 11, 15)


def test_a_busy_line_at_the_end_of_the_day_waits_for_the_next_window() -> None:
    # 19:50 + 15 min = 20:05, closed → Wed 9.12. 10:00.
    assert next_attempt_at(YEAR, POLICY, at(TUE, 19, 50), "busy", set()) == at(D(2026, 12, 9), 10)


def test_a_technical_failure_is_tried_again_in_thirty_minutes_and_no_input_in_an_hour() -> None:
    assert next_attempt_at(YEAR, POLICY, at(TUE, 11), "technical", set()) == at(TUE, 11, 30)
    assert next_attempt_at(YEAR, POLICY, at(TUE, 11), "no_input", set()) == at(TUE, 12)


def test_no_answer_in_the_morning_is_tried_again_in_the_afternoon() -> None:
    # 11:00 + 2 h = 13:00, still morning → the afternoon starts 13:20.
    got = next_attempt_at(YEAR, POLICY, at(TUE, 11), "no_answer", {"morning"})
    assert got == at(TUE, 13, 20)


def test_a_machine_in_the_afternoon_after_a_morning_try_is_tried_in_the_evening() -> None:
    # 14:00 + 2 h = 16:00 (afternoon, tried) → the evening starts 16:40.
    got = next_attempt_at(YEAR, POLICY, at(TUE, 14), "machine", {"morning", "afternoon"})
    assert got == at(TUE, 16, 40)


def test_no_answer_after_all_parts_tried_goes_to_another_part_at_least_two_hours_later() -> None:
    # 17:00 (evening) + 2 h = 19:00, still evening → Wed 9.12. morning 10:00.
    got = next_attempt_at(
        YEAR, POLICY, at(TUE, 17), "no_answer", {"morning", "afternoon", "evening"}
    )
    assert got == at(D(2026, 12, 9), 10)


def test_a_declined_call_is_not_retried_in_the_same_part_of_the_day() -> None:
    # 10:30 (morning) + 2 h = 12:30, morning → 13:20 afternoon.
    assert next_attempt_at(YEAR, POLICY, at(TUE, 10, 30), "declined", set()) == at(TUE, 13, 20)
    # 18:00 (evening) + 2 h = 20:00 → Wed morning 10:00 (another part).
    got = next_attempt_at(YEAR, POLICY, at(TUE, 18), "declined", set())
    assert got == at(D(2026, 12, 9), 10)


def test_no_attempt_is_planned_when_the_campaign_has_no_window_left() -> None:
    schedule = CallSchedule(TUE, TUE)
    assert next_attempt_at(schedule, POLICY, at(TUE, 19, 50), "busy", set()) is None
    assert next_attempt_at(schedule, POLICY, at(TUE, 17), "machine", {"morning"}) is None


def test_an_unknown_outcome_is_refused() -> None:
    with pytest.raises(ValueError, match="outcome"):
        next_attempt_at(YEAR, POLICY, at(TUE, 11), "answered", set())


# --- properties ---------------------------------------------------------------------------
MOMENTS = st.datetimes(
    min_value=datetime.datetime(2025, 12, 1),
    max_value=datetime.datetime(2027, 1, 31),
    timezones=st.just(HKI),
)


@settings(max_examples=200)
@given(MOMENTS)
def test_next_open_is_an_open_moment_at_or_after_the_given_one(moment: datetime.datetime) -> None:
    found = next_open(YEAR, moment)
    if found is None:
        assert moment >= windows(YEAR)[-1][1]
    else:
        assert found >= moment
        assert is_open(YEAR, found)
        if is_open(YEAR, moment):
            assert found == moment


@settings(max_examples=200)
@given(
    MOMENTS,
    st.sampled_from(["busy", "no_answer", "machine", "declined", "technical", "no_input"]),
    st.sets(st.sampled_from(["morning", "afternoon", "evening"])),
)
def test_the_next_attempt_is_open_later_and_a_declined_one_in_another_part(
    moment: datetime.datetime, outcome: str, tried: set[str]
) -> None:
    found = next_attempt_at(YEAR, POLICY, moment, outcome, tried)
    if found is not None:
        assert found > moment
        assert is_open(YEAR, found)
        if outcome in {"declined", "no_answer", "machine"}:
            assert part_of_day(YEAR, found) != part_of_day(YEAR, moment)
