"""The manual handling time a robot's work stands for: one definition for the run page, the API,
the run's stored summary and the impact reports."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q

from kuntarobo.runtime.declarations import InputError, get_robot
from kuntarobo.runtime.models import ItemStatus

# Items whose preparation a person no longer does: finished, or accepted and being delivered.
SAVED_TIME_STATUSES = (ItemStatus.DONE, ItemStatus.APPROVED)
# The key, beside the counts by status, of such items whose time was counted already: a repeat
# of work (a report sent again, `ItemSpec.saves_time`). A correction that replaced a failed
# item is not one: the failed item saved nothing, so the reference counts once, by it.
REPEATED = "repeated_work"
REPEATED_ITEMS = Q(status__in=SAVED_TIME_STATUSES, saves_time=False)


def manual_minutes_saved(robot_slug: str, counts: dict[str, int]) -> Decimal:
    """The robot's minutes per item for each item whose preparation a person no longer does,
    once per reference: `counts` by status, and `REPEATED` of those that repeat work."""
    try:
        per_item = get_robot(robot_slug).manual_minutes_per_item
    except InputError:  # the robot's app was removed since; its runs count for nothing new
        return Decimal(0)
    saving = sum(counts.get(status, 0) for status in SAVED_TIME_STATUSES) - counts.get(REPEATED, 0)
    return per_item * saving
