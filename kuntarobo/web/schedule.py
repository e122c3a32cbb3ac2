"""Schedules in words: a cron expression and calendar rule explained, and the next run times."""

from __future__ import annotations

import datetime
import re

from croniter import CroniterBadCronError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kuntarobo.runtime.declarations import Schedule
from kuntarobo.runtime.scheduling import next_tick


def _weekday(number: int) -> str:
    names = {
        0: _("Sunday"),
        1: _("Monday"),
        2: _("Tuesday"),
        3: _("Wednesday"),
        4: _("Thursday"),
        5: _("Friday"),
        6: _("Saturday"),
        7: _("Sunday"),
    }
    return names[number]


def _weekdays(field: str) -> str | None:
    """'1-5' → 'Monday–Friday', '1,3' → 'Monday, Wednesday'; None when not that simple."""
    if field == "*":
        return ""
    match = re.fullmatch(r"([0-7])-([0-7])", field)
    if match:
        return f"{_weekday(int(match[1]))}–{_weekday(int(match[2]))}"
    if re.fullmatch(r"[0-7](,[0-7])*", field):
        return ", ".join(_weekday(int(day)) for day in field.split(","))
    return None


def describe_cron(cron: str) -> str | None:
    """Plain words for the common forms of cron; None for anything fancier (shown raw)."""
    fields = cron.split()
    if len(fields) != 5:
        return None
    minute, hour, day, month, weekday = fields
    if day != "*" or month != "*":
        return None
    days = _weekdays(weekday)
    if days is None:
        return None
    every = re.fullmatch(r"\*/(\d+)", minute)
    if every and hour == "*":
        text = _("every %(n)s minutes") % {"n": every[1]}
    elif minute.isdigit() and re.fullmatch(r"\d+(,\d+)*", hour):
        times = [
            formats.time_format(datetime.time(int(h), int(minute)), "TIME_FORMAT")
            for h in hour.split(",")
            if int(h) < 24 and int(minute) < 60
        ]
        if not times:
            return None
        text = _("at %(times)s") % {"times": ", ".join(times)}
    else:
        return None
    if days:
        return _("%(days)s, %(when)s") % {"days": days, "when": text}
    return text


def upcoming(
    schedule: Schedule, count: int = 3, after: datetime.datetime | None = None
) -> list[datetime.datetime]:
    """The next `count` run times of a schedule (Helsinki time), by `scheduling.next_tick`."""
    moment = after or timezone.now()
    ticks: list[datetime.datetime] = []
    while len(ticks) < count:
        try:
            tick = next_tick(schedule, moment)
        except (CroniterBadCronError, ValueError):
            break
        if tick is None:
            break
        ticks.append(tick)
        moment = tick
    return ticks
