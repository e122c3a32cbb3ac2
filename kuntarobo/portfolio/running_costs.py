"""Running costs of a robot in a municipality, entered per month: the realised running costs
of a business case (kuntarobo.portfolio.planned_realised). One action for web and CLI, audited."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import pgettext_lazy

from kuntarobo.accounts.models import Municipality, Permission
from kuntarobo.audit.trail import record
from kuntarobo.portfolio.models import RunningCost
from kuntarobo.runtime.actions import require
from kuntarobo.runtime.declarations import InputError

if TYPE_CHECKING:
    from kuntarobo.audit.trail import Actor

# No month's running cost of one robot reaches ten million euros; a bigger one is a typo.
MAX_CENTS = 1_000_000_000


def set_running_cost(
    actor: Actor,
    municipality: Municipality,
    robot_slug: str,
    month: datetime.date,
    cents: int | None,
    *,
    note: str = "",
    via: str,
) -> RunningCost | None:
    """Enter (or change) the running cost of a robot for a month; None as the cost removes the
    month's entry. Portfolio managers of the municipality only."""
    require(actor, municipality, Permission.MANAGE_PORTFOLIO)
    robot_slug = robot_slug.strip()
    if not robot_slug:
        raise InputError(pgettext_lazy("measure", "the robot is required"), field="robot_slug")
    if cents is not None and not 0 <= cents < MAX_CENTS:
        raise InputError(
            pgettext_lazy("measure", "the cost must be between 0 and %(max)s euros"),
            field="cost",
            max=MAX_CENTS // 100,
        )
    month = month.replace(day=1)
    with transaction.atomic():
        existing = RunningCost.objects.filter(
            municipality=municipality, robot_slug=robot_slug, month=month
        ).first()
        before = None if existing is None else existing.cents
        if cents is None:
            if existing is None:
                return None
            existing.delete()
            cost = None
        else:
            cost = existing or RunningCost(
                municipality=municipality, robot_slug=robot_slug, month=month
            )
            cost.cents, cost.note = cents, note.strip()[:500]
            if actor is not None and not isinstance(actor, str) and actor.is_authenticated:
                cost.entered_by = actor
            cost.save()
        record(
            "portfolio.running_cost_set" if cents is not None else "portfolio.running_cost_removed",
            actor=actor,
            municipality=municipality,
            obj=cost,
            details={
                "robot": robot_slug,
                "month": month.isoformat(),
                "before_cents": before,
                "after_cents": cents,
            },
            via=via,
        )
    return cost
