"""Early-support alerts: the worked figures of the thresholds and their configuration."""

from __future__ import annotations

import datetime
from datetime import date

import pytest

from kuntarobo.robots.hr_reports.dataset import Absence, Dataset, Employee, Unit
from kuntarobo.robots.hr_reports.early_support import (
    Alert,
    Thresholds,
    alerts_for_employee,
    alerts_for_units,
)

DAY = datetime.timedelta(days=1)
AS_OF = date(2025, 4, 30)
TODAY = date(2025, 5, 5)


def sick(start: date, days: int, employee_id: str = "E1", kind: str = "sickness") -> Absence:
    return Absence(
        employee_id=employee_id,
        start_date=start,
        end_date=start + (days - 1) * DAY,
        type=kind,
        paid=True,
    )


def spells(count: int, days: int, employee_id: str = "E1") -> list[Absence]:
    """`count` separate spells of `days` days, a month apart, inside the window."""
    return [sick(date(2024, 6 + i, 3), days, employee_id) for i in range(count)]


def rules(alerts: list[Alert]) -> list[str]:
    return [a.rule for a in alerts]


def alerts(items: list[Absence], thresholds: Thresholds | None = None) -> list[Alert]:
    return alerts_for_employee(
        "E1", items, as_of=AS_OF, thresholds=thresholds or Thresholds(), today=TODAY
    )


def test_five_spells_of_two_days_call_for_a_supervisor_discussion():
    (alert,) = alerts(spells(5, 2))
    assert alert.rule == "discussion"
    assert (alert.days, alert.spells, alert.level) == (10, 5, 1)
    assert (alert.window_start, alert.window_end) == (date(2024, 5, 1), AS_OF)
    assert "5 spells ≥ 5" in alert.explanation[-1]
    assert "Supervisor discussion threshold (5 spells or 20 days)" in alert.explanation[-1]
    assert "10 days in 5 spells" in alert.explanation[0]


def test_four_spells_of_four_days_call_for_nothing():
    assert alerts(spells(4, 4)) == []


def test_twenty_days_in_one_spell_call_for_a_discussion_by_days():
    (alert,) = alerts([sick(date(2025, 1, 1), 20)])
    assert alert.rule == "discussion"
    assert "20 days ≥ 20" in alert.explanation[-1]
    assert "spells ≥" not in alert.explanation[-1]


def test_thirty_one_days_fire_the_thirty_day_rule_and_occupational_health_only():
    result = alerts([sick(date(2025, 1, 1), 31)])
    assert rules(result) == ["thirty_day_rule", "occupational_health"]
    thirty, health = result
    assert (thirty.days, thirty.spells, thirty.level) == (31, 1, 3)
    assert "31 days ≥ 30" in thirty.explanation[-1]
    assert "notify occupational health care" in thirty.explanation[-1]
    assert health.level == 2
    assert "31 days ≥ 30" in health.explanation[1]


def test_thirty_days_summed_over_short_spells_reach_the_thirty_day_rule():
    result = alerts(spells(6, 5))
    assert rules(result) == ["thirty_day_rule", "occupational_health"]
    assert result[0].days == 30


def test_ten_short_spells_call_for_occupational_health_without_the_thirty_day_rule():
    items = [sick(date(2024, 5, 6) + i * 30 * DAY, 1) for i in range(10)]
    (alert,) = alerts(items)
    assert alert.rule == "occupational_health"
    assert (alert.days, alert.spells) == (10, 10)
    assert "10 spells ≥ 10" in alert.explanation[1]


def test_overlapping_records_are_one_spell_and_their_days_count_once():
    items = [sick(date(2025, 1, 1), 15), sick(date(2025, 1, 10), 10)]  # 1–19 Jan, not 25 days
    assert alerts(items) == []
    (alert,) = alerts([*items, sick(date(2025, 1, 20), 1)])  # adjacent: still one spell
    assert (alert.rule, alert.days, alert.spells) == ("discussion", 20, 1)


def test_sickness_before_the_window_and_other_absences_do_not_count():
    items = [
        sick(date(2024, 3, 1), 40),  # ends 9 April 2024, before 1 May 2024
        sick(date(2025, 1, 1), 60, kind="annual_leave"),
        sick(date(2025, 1, 1), 60, "E2"),  # someone else
    ]
    assert alerts(items) == []


def test_an_ongoing_sickness_counts_to_today():
    ongoing = Absence("E1", date(2025, 4, 1), None, "sickness", True)
    assert rules(
        alerts_for_employee("E1", [ongoing], as_of=AS_OF, thresholds=Thresholds(), today=TODAY)
    ) == ["thirty_day_rule", "occupational_health"]
    early = alerts_for_employee(
        "E1", [ongoing], as_of=AS_OF, thresholds=Thresholds(), today=date(2025, 4, 10)
    )
    # Ten days so far, but the spell goes on: it is alerted now, due on 30 April, not a
    # month late.
    (due,) = early
    assert (due.rule, due.days, due.due) == ("thirty_day_rule", 10, date(2025, 4, 30))
    assert "still going on" in due.explanation[-1]


def test_local_thresholds_three_short_absences_in_four_months_have_their_own_window():
    local = Thresholds(discussion_window_months=4, discussion_spells=3, discussion_days=20)
    items = [sick(date(2025, 1, 2), 1), sick(date(2025, 2, 2), 1), sick(date(2025, 3, 2), 1)]
    (alert,) = alerts(items, local)
    assert alert.rule == "discussion"
    assert alert.window_start == date(2025, 1, 1)
    old = [sick(date(2024, 12, 2), 1), *items[1:]]
    assert alerts(old, local) == []


def test_thresholds_round_trip_through_json_and_take_defaults():
    local = Thresholds(discussion_spells=3, occupational_health_days=40)
    assert Thresholds.from_json(local.to_json()) == local
    assert Thresholds.from_json({}) == Thresholds()
    assert Thresholds().to_json()["notify_occupational_health_days"] == 30


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "JSON object"),
        ({"discussion_days": 0}, "discussion_days must be a positive integer"),
        ({"window_months": "12"}, "window_months must be a positive integer"),
        ({"window_months": True}, "window_months must be a positive integer"),
        ({"discussion_spells": 2.5}, "discussion_spells must be a positive integer"),
        ({"discusion_days": 20, "other": 1}, "unknown thresholds: discusion_days, other"),
        ({"occupational_health_spells": 4}, "occupational_health_spells must not be below"),
        ({"discussion_days": 31}, "occupational_health_days must not be below"),
    ],
)
def test_invalid_thresholds_are_refused_with_the_reason(data, message):
    with pytest.raises(ValueError, match=message):
        Thresholds.from_json(data)


def dataset(absences: list[Absence]) -> Dataset:
    return Dataset(
        units=(
            Unit("U1", "Päiväkoti Vekara", "Maija Esimies", "maija@kunta.fi", "fi"),
            Unit("U2", "Kirjasto", "Kalle Johtaja", "kalle@kunta.fi", "sv"),
        ),
        employees=(
            Employee("E1", "Virtanen", "Aino", "U1"),
            Employee("E2", "Korhonen", "Eero", "U1"),
            Employee("E3", "Nieminen", "Liisa", "U2"),
        ),
        absences=tuple(absences),
    )


def test_alerts_for_units_group_by_the_employees_unit_the_30_day_rule_as_of_the_run():
    data = dataset([*spells(5, 2, "E1"), sick(date(2025, 4, 1), 31, "E2")])
    result = alerts_for_units(data, year=2025, month=4, thresholds=Thresholds(), today=TODAY)
    assert set(result) == {"U1", "U2"}
    assert result["U2"] == []
    assert [(a.employee_id, a.rule) for a in result["U1"]] == [
        ("E1", "discussion"),
        ("E2", "thirty_day_rule"),
        ("E2", "occupational_health"),
    ]
    # The local thresholds as of the month's end; the 30-day rule as of the run itself.
    assert {a.rule: a.window_end for a in result["U1"]} == {
        "discussion": date(2025, 4, 30),
        "thirty_day_rule": TODAY,
        "occupational_health": date(2025, 4, 30),
    }


def test_alerts_for_the_current_month_are_as_of_today():
    data = dataset([sick(date(2025, 4, 1), 60, "E3")])  # to 30 May
    result = alerts_for_units(
        data, year=2025, month=5, thresholds=Thresholds(), today=date(2025, 5, 10)
    )
    assert {a.window_end for a in result["U2"]} == {date(2025, 5, 10)}
    assert result["U2"][0].days == 40
    march = alerts_for_units(data, year=2025, month=3, thresholds=Thresholds(), today=TODAY)
    assert march["U2"] == []


def test_a_full_february_spell_of_28_days_has_continued_a_month():
    """1383/2001 10 a §: "when the absence has continued a month" — a calendar month, so the 28
    days of February are a month although they are fewer than 30."""
    february = [sick(date(2027, 2, 1), 28)]
    alert, *_local = alerts_for_employee(
        "E1", february, as_of=date(2027, 2, 28), thresholds=Thresholds(), today=date(2027, 3, 1)
    )
    assert (alert.rule, alert.days, alert.due) == ("thirty_day_rule", 28, None)
    assert alert.key == "spell:2027-02-01"
    assert "has continued a month" in alert.explanation[-1]
    assert {"code": "month_reached", "start": "2027-02-01", "on": "2027-02-28", "limit": 30} in (
        alert.reasons
    )
    one_short = [sick(date(2027, 2, 1), 27)]
    assert "thirty_day_rule" not in rules(
        alerts_for_employee(
            "E1", one_short, as_of=date(2027, 2, 28), thresholds=Thresholds(), today=TODAY
        )
    )


def test_a_spell_from_mid_january_is_a_month_on_the_day_before_the_same_date_in_february():
    items = [sick(date(2027, 1, 15), 31)]  # to 14 February
    alert, *_local = alerts_for_employee(
        "E1", items, as_of=date(2027, 2, 28), thresholds=Thresholds(), today=date(2027, 3, 1)
    )
    assert "on 2027-02-13" in alert.explanation[1]  # 30 days come a day before the month


def test_an_ongoing_spell_is_alerted_at_this_run_with_the_date_it_becomes_a_month():
    """A run on 1 December for November: the spell from 10 November goes on; it reaches a
    month on 9 December, before the next run, so it is alerted now and not in January."""
    data = dataset([Absence("E1", date(2026, 11, 10), None, "sickness", True)])
    result = alerts_for_units(
        data, year=2026, month=11, thresholds=Thresholds(), today=date(2026, 12, 1)
    )
    alert, discussion = result["U1"]
    assert (alert.rule, alert.due, alert.days) == ("thirty_day_rule", date(2026, 12, 9), 22)
    assert discussion.rule == "discussion"  # 21 days in November ≥ 20
    assert "notify occupational health care by 2026-12-09 at the latest" in alert.explanation[-1]
    ended = dataset([sick(date(2026, 11, 10), 15)])  # ended on 24 November: no month
    assert alerts_for_units(
        ended, year=2026, month=11, thresholds=Thresholds(), today=date(2026, 12, 1)
    ) == {"U1": [], "U2": []}
    old_month = alerts_for_units(  # an old month is read as of its end, without looking ahead
        data, year=2026, month=11, thresholds=Thresholds(), today=date(2027, 3, 1)
    )
    assert rules(old_month["U1"]) == ["discussion"]


def test_the_legal_limit_cannot_be_raised_but_can_be_lowered():
    with pytest.raises(ValueError, match="notify_occupational_health_days must not be above"):
        Thresholds(notify_occupational_health_days=31)
    lowered = Thresholds(notify_occupational_health_days=20)
    (alert,) = alerts([sick(date(2025, 3, 1), 20)], lowered)[:1]
    assert (alert.rule, alert.days) == ("thirty_day_rule", 20)


def test_each_rule_fires_at_most_once_per_employee_however_many_spells_reach_it():
    items = [sick(date(2025, 1, 1), 31), sick(date(2025, 3, 1), 31)]  # two spells of a month
    result = alerts(items)
    assert rules(result) == ["thirty_day_rule", "occupational_health"]
    assert result[0].key == "spell:2025-01-01"  # the first spell that reached a month


def test_an_alert_reported_earlier_is_not_raised_again_but_a_new_occurrence_is():
    from kuntarobo.robots.hr_reports.early_support import split_reported

    spell = Alert("E1", "thirty_day_rule", 3, 31, 1, AS_OF, AS_OF, key="spell:2025-01-01")
    window = Alert("E1", "discussion", 1, 20, 5, AS_OF, AS_OF)
    reported = {
        ("E1", "thirty_day_rule", "spell:2025-01-01"): ("2025-01", "2025-01"),
        ("E1", "discussion", "window"): ("2025-02", "2025-03"),
    }
    new, earlier = split_reported([spell, window], reported, "2025-04")
    assert new == []
    assert earlier == [(spell, "2025-01"), (window, "2025-02")]
    # A month went by without the discussion threshold: reached again, it is new.
    new, earlier = split_reported([spell, window], reported, "2025-05")
    assert new == [window]
    # Another spell of a month is another occurrence.
    other = Alert("E1", "thirty_day_rule", 3, 31, 1, AS_OF, AS_OF, key="spell:2025-03-01")
    assert split_reported([other], reported, "2025-04") == ([other], [])
    # The same month again (a resend) shows its alerts again.
    assert split_reported([window], reported, "2025-02") == ([window], [])
