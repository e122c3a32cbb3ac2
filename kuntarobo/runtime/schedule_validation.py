"""Checking a schedule someone gives (cron expression and calendar rule) before it is stored.

Apart from `scheduling`, which starts runs through `actions`: configuring a deployment (an
action) checks its schedule here without importing the scheduler.
"""

from __future__ import annotations

from croniter import croniter
from django.utils.translation import gettext_lazy as _

from kuntarobo.core.calendar import CALENDAR_RULES
from kuntarobo.runtime.declarations import InputError


def validate_schedule(cron: str, calendar_rule: str) -> None:
    if not croniter.is_valid(cron):
        raise InputError(
            _("schedule %(cron)s is not a valid cron expression (minute hour day month weekday)"),
            field="cron",
            cron=repr(cron),
        )
    if calendar_rule not in CALENDAR_RULES:
        raise InputError(
            _("calendar rule %(rule)s is not one of %(rules)s"),
            field="calendar_rule",
            rule=repr(calendar_rule),
            rules=", ".join(CALENDAR_RULES),
        )
