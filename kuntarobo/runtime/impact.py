"""The manual handling time a robot's work stands for: one definition for the run page, the API,
the run's stored summary and the impact reports."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from kuntarobo.runtime.declarations import InputError, get_robot
from kuntarobo.runtime.models import ItemStatus

# Items whose preparation a person no longer does: finished, or accepted and being delivered.
SAVED_TIME_STATUSES = (ItemStatus.DONE, ItemStatus.APPROVED)


def manual_minutes_saved(
    robot_slug: str, counts: dict[str, int], parameters: Mapping[str, Any] | None = None
) -> Decimal:
    """The run's items that were finished times the robot's minutes per item for the run's
    `parameters` (a resend counts nothing: `Robot.manual_minutes_for_run`)."""
    try:
        per_item = get_robot(robot_slug).manual_minutes_for_run(parameters or {})
    except InputError:  # the robot's app was removed since; its runs count for nothing new
        return Decimal(0)
    return per_item * sum(counts.get(status, 0) for status in SAVED_TIME_STATUSES)
