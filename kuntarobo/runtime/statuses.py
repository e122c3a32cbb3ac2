"""The states of runs and work items, and which action takes a work item from which status to
which. No model imports: robots, pure modules and the SDK name statuses without loading the
database layer.

The transitions are declared once, here (`TRANSITIONS`): the actions refuse what the table does
not allow, and the web's buttons, the API's `actions` of an item and the command line ask the
same table, so none of them can offer what another refuses.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class RunStatus(models.TextChoices):
    STARTING = "starting", _("Reading the input")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    REFUSED = "refused", _("Input refused")
    FAILED = "failed", _("Failed")


class Trigger(models.TextChoices):
    MANUAL = "manual", _("Started by hand")
    SCHEDULE = "schedule", _("Schedule")
    API = "api", _("API")
    CLI = "cli", _("Command line")
    CHAIN = "chain", _("Another robot's run")


class ItemAction(models.TextChoices):
    """What may be done to a work item from outside the worker's own processing."""

    APPROVE = "approve", _("approve")
    CORRECT = "correct", _("correct and approve")
    REJECT = "reject", _("reject")
    RETRY = "retry", _("retry")
    ABANDON = "abandon", _("abandon")
    WAIT = "wait", _("wait")
    RESUME = "resume", _("resume")
    SUPERSEDE = "supersede", _("replace with a corrected input")


class ItemStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting")
    NEEDS_REVIEW = "needs_review", _("Needs review")
    APPROVED = "approved", _("Approved")
    DONE = "done", _("Done")
    REJECTED = "rejected", _("Rejected")
    FAILED_BUSINESS = "failed_business", _("Failed — business")
    FAILED_APPLICATION = "failed_application", _("Failed — application")
    ABANDONED = "abandoned", _("Abandoned")
    SUPERSEDED = "superseded", _("Replaced by a correction")

    def allows(self, action: str) -> bool:
        """Whether `action` may be done to an item in this status."""
        return self.value in TRANSITIONS.get(action, {})

    def after(self, action: str) -> ItemStatus:
        """The status `action` gives an item in this status (KeyError if it may not)."""
        return TRANSITIONS[action][self.value]

    def actions(self) -> tuple[ItemAction, ...]:
        """The actions an item in this status accepts, in the table's order."""
        return tuple(action for action in ItemAction if self.allows(action))

    @classmethod
    def accepting(cls, action: str) -> tuple[ItemStatus, ...]:
        """The statuses from which `action` is allowed."""
        return tuple(cls(status) for status in TRANSITIONS.get(action, {}))


_S = ItemStatus
_FAILED = (_S.FAILED_BUSINESS, _S.FAILED_APPLICATION)

TRANSITIONS: dict[str, dict[str, ItemStatus]] = {
    # A reviewer's decision on a robot's proposal.
    ItemAction.APPROVE: {_S.NEEDS_REVIEW: _S.APPROVED},
    ItemAction.CORRECT: {_S.NEEDS_REVIEW: _S.APPROVED},
    ItemAction.REJECT: dict.fromkeys((_S.NEEDS_REVIEW, *_FAILED), _S.REJECTED),
    # Back to the robot after its source data was fixed.
    ItemAction.RETRY: dict.fromkeys(_FAILED, _S.NEW),
    # Given up by a person: anything not finished and not in the robot's hands right now (an
    # approved item being delivered is refused by its claim, `actions.refusal`).
    ItemAction.ABANDON: dict.fromkeys(
        (_S.NEW, _S.WAITING, _S.NEEDS_REVIEW, _S.APPROVED, *_FAILED), _S.ABANDONED
    ),
    # The robot's handle() asks to wait for an outside event or a time; the event (or the
    # time) brings the item back to the robot.
    ItemAction.WAIT: {_S.IN_PROGRESS: _S.WAITING},
    ItemAction.RESUME: {_S.WAITING: _S.NEW},
    # A corrected input of the same reference (a new upload or run) replaces a failed item: the
    # failed one is kept as "superseded", linked to the new item the robot does instead. A done
    # item is never replaced this way: its reference stays known.
    ItemAction.SUPERSEDE: dict.fromkeys(_FAILED, _S.SUPERSEDED),
}

# What a person (web, API, command line) may do to an item; `wait` is asked by the robot only,
# `supersede` by a corrected input (`actions.produce_run`).
PERSON_ACTIONS = (
    ItemAction.APPROVE,
    ItemAction.CORRECT,
    ItemAction.REJECT,
    ItemAction.RETRY,
    ItemAction.ABANDON,
    ItemAction.RESUME,
)

# Why an action was refused, naming the item and its status; %(allowed)s lists the statuses
# the table allows, so the message cannot drift from the rule.
REFUSALS = {
    ItemAction.APPROVE: _(
        "work item %(item)s cannot be approved: its status is “%(status)s” (allowed: %(allowed)s)"
    ),
    ItemAction.CORRECT: _(
        "work item %(item)s cannot be corrected: its status is “%(status)s” (allowed: %(allowed)s)"
    ),
    ItemAction.REJECT: _(
        "work item %(item)s cannot be rejected: its status is “%(status)s” (allowed: %(allowed)s)"
    ),
    ItemAction.RETRY: _(
        "work item %(item)s cannot be retried: its status is “%(status)s” (allowed: %(allowed)s)"
    ),
    ItemAction.ABANDON: _(
        "work item %(item)s cannot be abandoned: its status is “%(status)s” (allowed: %(allowed)s)"
    ),
    ItemAction.WAIT: _(
        "work item %(item)s cannot wait: its status is “%(status)s” (allowed: %(allowed)s)"
    ),
    ItemAction.RESUME: _(
        "work item %(item)s cannot be resumed: its status is “%(status)s” (allowed: %(allowed)s)"
    ),
    ItemAction.SUPERSEDE: _(
        "work item %(item)s cannot be replaced by a corrected input: its status is “%(status)s” "
        "(allowed: %(allowed)s)"
    ),
}


def refusal_text(action: str, item: int | str, status: str) -> str:
    """The refusal of `action` for an item in `status`, in the active language."""
    allowed = ", ".join(f"“{s.label}”" for s in ItemStatus.accepting(action))
    return str(REFUSALS[ItemAction(action)]) % {
        "item": item,
        "status": ItemStatus(status).label,
        "allowed": allowed,
    }


# The robot has work left on these items: their run is not finished while any is left.
UNFINISHED_STATUSES = (ItemStatus.NEW, ItemStatus.IN_PROGRESS, ItemStatus.WAITING)
OPEN_STATUSES = (ItemStatus.NEW, ItemStatus.IN_PROGRESS, ItemStatus.APPROVED)
WAITING_FOR_PERSON = (
    ItemStatus.NEEDS_REVIEW,
    ItemStatus.FAILED_BUSINESS,
    ItemStatus.FAILED_APPLICATION,
)
FINAL_STATUSES = (
    ItemStatus.DONE,
    ItemStatus.REJECTED,
    ItemStatus.ABANDONED,
    ItemStatus.SUPERSEDED,
)

# A finished run whose items include failed ones is never shown as a plain success: its outcome
# is "finished with failures", named with the number of failed items wherever a run's status is
# shown (web, API, command line).
FAILED_STATUSES = (ItemStatus.FAILED_BUSINESS, ItemStatus.FAILED_APPLICATION)
FINISHED_WITH_FAILURES = "finished_with_failures"


def failed_count(counts: dict[str, int]) -> int:
    """The failed items among a run's counts by status."""
    return sum(counts.get(status, 0) for status in FAILED_STATUSES)


def run_outcome(status: str, failed: int) -> str:
    """A run's status as shown: `finished_with_failures` for a finished run with failed items,
    otherwise the status itself."""
    if status == RunStatus.FINISHED and failed > 0:
        return FINISHED_WITH_FAILURES
    return status


def run_outcome_label(status: str, failed: int) -> str:
    """The outcome in words, in the active language: "Finished, 2 failed" or the status's own
    label."""
    if run_outcome(status, failed) == FINISHED_WITH_FAILURES:
        return ngettext("Finished, %(count)d failed", "Finished, %(count)d failed", failed) % {
            "count": failed
        }
    try:
        return str(RunStatus(status).label)
    except ValueError:
        return status
