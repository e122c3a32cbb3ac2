"""The states of runs and work items. No model imports: robots, pure modules and the SDK name
statuses without loading the database layer."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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


class ItemStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    NEEDS_REVIEW = "needs_review", _("Needs review")
    APPROVED = "approved", _("Approved")
    DONE = "done", _("Done")
    REJECTED = "rejected", _("Rejected")
    FAILED_BUSINESS = "failed_business", _("Failed — business")
    FAILED_APPLICATION = "failed_application", _("Failed — application")
    ABANDONED = "abandoned", _("Abandoned")


OPEN_STATUSES = (ItemStatus.NEW, ItemStatus.IN_PROGRESS, ItemStatus.APPROVED)
WAITING_FOR_PERSON = (
    ItemStatus.NEEDS_REVIEW,
    ItemStatus.FAILED_BUSINESS,
    ItemStatus.FAILED_APPLICATION,
)
FINAL_STATUSES = (ItemStatus.DONE, ItemStatus.REJECTED, ItemStatus.ABANDONED)
