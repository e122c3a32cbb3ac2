"""The scheduler: cron in Helsinki time, Finnish working-day rules, one run per tick however many
scheduler passes race for it, and one run to catch up however many ticks were missed."""

from __future__ import annotations

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kuntarobo.audit.models import AuditEvent
from kuntarobo.runtime import actions, scheduling, tasks
from kuntarobo.runtime.declarations import Schedule
from kuntarobo.runtime.models import RobotDeployment, Run, RunStatus, Trigger, WorkItem
from tests.factories import RobotDeploymentFactory
from tests.runtime.helpers import drain, read_inputs

pytestmark = pytest.mark.django_db(transaction=True)

ZONE = ZoneInfo("Europe/Helsinki")
UTC = datetime.UTC


def helsinki(year: int, month: int, day: int, hour: int = 0, minute: int = 0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=ZONE)


def deploy(municipality, last, cron="0 7 * * *", rule="working_days") -> RobotDeployment:
    return RobotDeploymentFactory(
        municipality=municipality,
        robot_slug="test_noop",
        schedule_enabled=True,
        cron=cron,
        calendar_rule=rule,
        last_scheduled_for=last,
        parameters={"count": 1},
    )


def ticks_of_runs() -> list[datetime.datetime]:
    return [r.scheduled_for for r in Run.objects.order_by("scheduled_for")]


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [(datetime.date(2027, 1, 11), 5), (datetime.date(2027, 6, 14), 4)],
    ids=["winter", "summer"],
)
def test_a_schedule_fires_at_its_hour_in_helsinki_time(municipality, day, utc_hour):
    deployment = deploy(municipality, helsinki(day.year, day.month, day.day, 6))
    before = helsinki(day.year, day.month, day.day, 6, 59)
    assert scheduling.run_due_schedules(now=before) == []
    [run] = scheduling.run_due_schedules(now=helsinki(day.year, day.month, day.day, 7))
    tick = helsinki(day.year, day.month, day.day, 7)
    assert run.scheduled_for == tick
    assert run.scheduled_for.astimezone(UTC).hour == utc_hour
    assert run.trigger == Trigger.SCHEDULE
    assert run.status == RunStatus.STARTING  # read by a worker, not by the scheduler
    assert read_inputs() == 1
    run.refresh_from_db()
    assert (run.status, run.items_created) == (RunStatus.RUNNING, 1)
    deployment.refresh_from_db()
    assert deployment.last_scheduled_for == tick


@pytest.mark.parametrize(
    "day",
    [
        datetime.date(2027, 1, 1),  # New Year's Day
        datetime.date(2027, 1, 6),  # Epiphany
        datetime.date(2027, 3, 26),  # Good Friday
        datetime.date(2027, 3, 29),  # Easter Monday
        datetime.date(2026, 5, 1),  # May Day
        datetime.date(2027, 5, 6),  # Ascension Day
        datetime.date(2027, 6, 25),  # Midsummer Eve
        datetime.date(2027, 12, 6),  # Independence Day
        datetime.date(2027, 12, 24),  # Christmas Eve
        datetime.date(2026, 12, 25),  # Christmas Day
        datetime.date(2029, 12, 26),  # St Stephen's Day
        datetime.date(2027, 1, 9),  # a Saturday
        datetime.date(2027, 1, 10),  # a Sunday
    ],
)
def test_working_days_skip_weekends_and_finnish_holidays(municipality, day):
    deploy(municipality, helsinki(day.year, day.month, day.day, 6))
    assert scheduling.run_due_schedules(now=helsinki(day.year, day.month, day.day, 8)) == []
    assert Run.objects.count() == 0


@pytest.mark.parametrize(
    "day",
    [datetime.date(2027, 1, 7), datetime.date(2027, 3, 25), datetime.date(2027, 12, 31)],
)
def test_working_days_run_on_an_ordinary_weekday(municipality, day):
    deploy(municipality, helsinki(day.year, day.month, day.day, 6))
    [run] = scheduling.run_due_schedules(now=helsinki(day.year, day.month, day.day, 8))
    assert run.scheduled_for == helsinki(day.year, day.month, day.day, 7)


@pytest.mark.parametrize(
    ("rule", "month_start", "expected"),
    [
        # 1 January 2027 is a Friday: then a weekend.
        ("first_working_day_of_month", datetime.date(2027, 1, 1), datetime.date(2027, 1, 4)),
        # May Day 2026 is a Friday.
        ("first_working_day_of_month", datetime.date(2026, 5, 1), datetime.date(2026, 5, 4)),
        # 1 April 2024 was Easter Monday.
        ("first_working_day_of_month", datetime.date(2024, 4, 1), datetime.date(2024, 4, 2)),
        # The end of March 2024: Good Friday on the 29th, then Easter weekend.
        ("last_working_day_of_month", datetime.date(2024, 3, 20), datetime.date(2024, 3, 28)),
        # December 2027: Christmas Eve on Friday; the 31st is a Friday and a working day.
        ("last_working_day_of_month", datetime.date(2027, 12, 20), datetime.date(2027, 12, 31)),
    ],
)
def test_a_monthly_rule_runs_once_on_the_right_working_day(
    municipality, rule, month_start, expected
):
    """One scheduler pass a day at 08:00, as a scheduler that is up all the time makes."""
    start = month_start - datetime.timedelta(days=1)
    deploy(municipality, helsinki(start.year, start.month, start.day, 8), rule=rule)
    for offset in range(15):
        day = month_start + datetime.timedelta(days=offset)
        scheduling.run_due_schedules(now=helsinki(day.year, day.month, day.day, 8))
    assert ticks_of_runs() == [helsinki(expected.year, expected.month, expected.day, 7)]


def test_missed_ticks_catch_up_as_one_run_for_the_latest_tick(municipality):
    """The scheduler was down for three days; the robot runs every five minutes."""
    now = helsinki(2027, 2, 12, 9, 31)
    deployment = deploy(
        municipality, now - datetime.timedelta(days=3), cron="*/5 * * * *", rule="any_day"
    )
    [run] = scheduling.run_due_schedules(now=now)
    assert run.scheduled_for == helsinki(2027, 2, 12, 9, 30)
    assert scheduling.run_due_schedules(now=now) == []
    assert scheduling.run_due_schedules(now=now + datetime.timedelta(minutes=2)) == []
    deployment.refresh_from_db()
    assert deployment.last_scheduled_for == run.scheduled_for
    assert Run.objects.count() == 1


def test_missed_ticks_over_easter_catch_up_on_the_next_working_day_only(municipality):
    deploy(municipality, helsinki(2027, 3, 25, 8))  # Maundy Thursday, after the day's run
    [run] = scheduling.run_due_schedules(now=helsinki(2027, 3, 30, 8))
    assert run.scheduled_for == helsinki(2027, 3, 30, 7)


def test_a_second_pass_that_read_the_schedule_before_the_first_one_wrote_starts_nothing(
    municipality,
):
    last = helsinki(2027, 1, 11, 6)
    deployment = deploy(municipality, last)
    now = helsinki(2027, 1, 11, 8)
    [run] = scheduling.run_due_schedules(now=now)
    # The second pass saw the deployment as it was before the first pass updated it.
    RobotDeployment.objects.filter(pk=deployment.pk).update(last_scheduled_for=last)
    assert scheduling.run_due_schedules(now=now) == []
    assert ticks_of_runs() == [run.scheduled_for]
    deployment.refresh_from_db()
    assert deployment.last_scheduled_for == run.scheduled_for


@pytest.mark.postgres_only
def test_two_scheduler_passes_racing_for_a_tick_start_one_run(municipality, monkeypatch):
    deploy(municipality, helsinki(2027, 1, 11, 6))
    now = helsinki(2027, 1, 11, 8)
    both_computed_the_tick = threading.Barrier(2, timeout=30)
    real_start_run = actions.start_run

    def start_run_together(*args, **kwargs):
        both_computed_the_tick.wait()
        return real_start_run(*args, **kwargs)

    monkeypatch.setattr(actions, "start_run", start_run_together)
    results: list[list[Run]] = []
    errors: list[BaseException] = []

    def scheduler_pass() -> None:
        try:
            results.append(scheduling.run_due_schedules(now=now))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler_pass) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(len(started) for started in results) == [0, 1]
    assert ticks_of_runs() == [helsinki(2027, 1, 11, 7)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.datetimes(datetime.datetime(2024, 1, 1), datetime.datetime(2030, 12, 31)),
    hours=st.integers(0, 24 * 40),
    cron=st.sampled_from(["0 7 * * *", "30 */6 * * *", "15 8 * * 1-5", "0 0 1 * *"]),
    rule=st.sampled_from(
        ["any_day", "working_days", "first_working_day_of_month", "last_working_day_of_month"]
    ),
)
def test_the_latest_tick_is_the_last_one_a_forward_walk_finds(start, hours, cron, rule):
    after = start.replace(tzinfo=ZONE)
    until = after + datetime.timedelta(hours=hours)
    schedule = Schedule(cron=cron, calendar=rule)
    walk = scheduling.ticks_between(schedule, after, until, limit=None)
    assert scheduling.latest_tick(schedule, after, until) == (walk[-1] if walk else None)
    assert all(after < tick <= until for tick in walk)


def test_a_scheduled_run_is_read_by_a_worker_so_a_slow_reader_does_not_hold_up_the_scheduler(
    municipality, monkeypatch
):
    deploy(municipality, helsinki(2027, 1, 11, 6), rule="any_day")
    robot = actions.get_robot("test_noop")
    read_in: list[str] = []
    real_produce = robot.produce

    def produce_and_note(self, context):
        read_in.append(threading.current_thread().name)
        return real_produce(self, context)

    monkeypatch.setattr(robot, "produce", produce_and_note)
    [run] = scheduling.run_due_schedules(now=helsinki(2027, 1, 11, 8))
    assert read_in == []  # the scheduler's pass did not read the input
    assert run.status == RunStatus.STARTING
    assert not WorkItem.objects.filter(run=run).exists()
    [reading] = DBTaskResult.objects.filter(task_path=tasks.produce_run.module_path)
    assert (reading.status, reading.args_kwargs["args"]) == (
        TaskResultStatus.READY,
        [run.pk, "scheduler"],
    )
    # The start is audited with the run, in the scheduler's pass, as before.
    [start] = AuditEvent.objects.filter(action="run.start")
    assert (start.actor_label, start.via) == ("scheduler (test_noop)", "scheduler")
    drain()
    assert len(read_in) == 1
    run.refresh_from_db()
    assert (run.status, run.items_created) == (RunStatus.FINISHED, 1)
    assert AuditEvent.objects.filter(action="run.read").count() == 1


def test_a_tick_started_in_the_background_still_starts_one_run_however_many_passes(
    municipality,
):
    deployment = deploy(municipality, helsinki(2027, 1, 11, 6))
    now = helsinki(2027, 1, 11, 8)
    [run] = scheduling.run_due_schedules(now=now)
    # A second pass that read the deployment before the first one wrote it.
    RobotDeployment.objects.filter(pk=deployment.pk).update(
        last_scheduled_for=helsinki(2027, 1, 11, 6)
    )
    assert scheduling.run_due_schedules(now=now) == []
    assert ticks_of_runs() == [run.scheduled_for]
    assert DBTaskResult.objects.filter(task_path=tasks.produce_run.module_path).count() == 1
    assert AuditEvent.objects.filter(action="run.start").count() == 1
