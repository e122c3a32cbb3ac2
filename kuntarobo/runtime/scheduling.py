"""Turning schedules into runs: cron in Helsinki time, filtered by the Finnish working-day calendar.

A tick is started at most once (unique run per robot, municipality and tick), so two schedulers
running by mistake, or a scheduler restarted, never start the same run twice.
"""

from __future__ import annotations

import datetime
import logging
from zoneinfo import ZoneInfo

from croniter import CroniterBadCronError, croniter
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kuntarobo.core.calendar import HELSINKI, day_matches_rule
from kuntarobo.core.masking import mask_identity_codes
from kuntarobo.runtime import actions, execution, recovery
from kuntarobo.runtime.declarations import InputError, Robot, Schedule, get_robot
from kuntarobo.runtime.models import RobotDeployment, Run, RunStatus, Trigger, WorkItem
from kuntarobo.runtime.statuses import UNFINISHED_STATUSES

logger = logging.getLogger(__name__)
ZONE = ZoneInfo(HELSINKI)
MAX_TICKS_PER_PASS = 50
MAX_STEPS_BACK = 100_000  # days a scheduler may have been down, and then some


def effective_schedule(robot: type[Robot], deployment: RobotDeployment) -> Schedule | None:
    if deployment.cron:
        return Schedule(cron=deployment.cron, calendar=deployment.calendar_rule or "any_day")
    if robot.schedule is None:
        return None
    if deployment.calendar_rule:
        return Schedule(cron=robot.schedule.cron, calendar=deployment.calendar_rule)
    return robot.schedule


def cron_from(schedule: Schedule, start: datetime.datetime) -> croniter:
    """The schedule's cron iterator from `start` in Helsinki time; a bad expression is an
    InputError naming it."""
    try:
        return croniter(schedule.cron, start.astimezone(ZONE))
    except CroniterBadCronError as error:
        raise InputError(
            _("schedule %(cron)s: %(problem)s"),
            field="cron",
            cron=repr(schedule.cron),
            problem=str(error),
        ) from error


def ticks_between(
    schedule: Schedule,
    after: datetime.datetime,
    until: datetime.datetime,
    limit: int | None = MAX_TICKS_PER_PASS,
) -> list[datetime.datetime]:
    """Fire times in (after, until], local Helsinki time, that the calendar rule keeps: the
    first `limit` of them (all with None)."""
    iterator = cron_from(schedule, after)
    ticks: list[datetime.datetime] = []
    while limit is None or len(ticks) < limit:
        tick = iterator.get_next(datetime.datetime)
        if tick > until:
            break
        if day_matches_rule(tick.date(), schedule.calendar):
            ticks.append(tick)
    return ticks


def latest_tick(
    schedule: Schedule, after: datetime.datetime, until: datetime.datetime
) -> datetime.datetime | None:
    """The last fire time in (after, until] that the calendar rule keeps, found backwards from
    `until`: a day the rule excludes is skipped whole, so a long outage costs one step a day."""
    after = after.astimezone(ZONE)
    until = until.astimezone(ZONE)
    cursor = until + datetime.timedelta(seconds=1)  # get_prev excludes its starting point
    for _step in range(MAX_STEPS_BACK):
        tick = cron_from(schedule, cursor).get_prev(datetime.datetime)
        if tick > until:  # a seconds field can fire within that last second
            cursor = tick
            continue
        if tick <= after:
            return None
        if day_matches_rule(tick.date(), schedule.calendar):
            return tick
        cursor = datetime.datetime.combine(tick.date(), datetime.time(), tzinfo=ZONE)
    return None


def next_tick(schedule: Schedule, after: datetime.datetime) -> datetime.datetime | None:
    iterator = cron_from(schedule, after)
    for _step in range(5000):
        tick = iterator.get_next(datetime.datetime)
        if day_matches_rule(tick.date(), schedule.calendar):
            return tick
    return None


def run_due_schedules(now: datetime.datetime | None = None) -> list[Run]:
    """Start every run whose tick has come; a missed tick (scheduler down) runs once, late.

    The runs are returned `starting`: their inputs are read by the workers (`produce_run`), and
    a refused input ends its run `refused`, audited, like a refusal of an upload."""
    now = now or timezone.now()
    started: list[Run] = []
    for deployment in RobotDeployment.objects.filter(
        enabled=True, schedule_enabled=True
    ).select_related("municipality"):
        try:
            robot = get_robot(deployment.robot_slug)
        except InputError:
            logger.error("deployment %s names an unknown robot", deployment)
            continue
        schedule = effective_schedule(robot, deployment)
        if schedule is None:
            continue
        after = deployment.last_scheduled_for or now
        # Catching up means one run, for the latest tick, however many were missed.
        tick = latest_tick(schedule, after, now)
        if tick is None:
            continue
        try:
            result = actions.start_run(
                f"scheduler ({robot.slug})",
                deployment.municipality,
                robot.slug,
                trigger=Trigger.SCHEDULE,
                scheduled_for=tick,
                via="scheduler",
                # A worker reads the input: a large one must not hold up this loop (other
                # schedules, the recovery of lost work, housekeeping).
                background=True,
            )
            started.append(result.run)
        except InputError as error:
            logger.error(
                "scheduled run of %s failed to start: %s",
                deployment,
                mask_identity_codes(str(error)),
            )
        # Never backwards: a slow pass must not hand a later pass's tick out again.
        RobotDeployment.objects.filter(pk=deployment.pk).filter(
            Q(last_scheduled_for__isnull=True) | Q(last_scheduled_for__lt=tick)
        ).update(last_scheduled_for=tick)
    return started


def sweep_runs() -> int:
    """Safety nets: read again (or fail) the inputs of runs left `starting`, and finish runs
    whose last item completed while the finishing check was missed; returns how many runs
    either touched."""
    finished = recovery.recover_stalled_readings()
    for run_id in Run.objects.filter(status=RunStatus.RUNNING).values_list("pk", flat=True):
        if not WorkItem.objects.filter(run_id=run_id, status__in=UNFINISHED_STATUSES).exists():
            finished += execution.finish_run_if_done(run_id)
    return finished
