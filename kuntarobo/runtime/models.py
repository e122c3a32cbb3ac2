"""Runs and work items: the durable state of robot work, and the queue's source of truth."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Self, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kuntarobo.accounts.models import Municipality, Permission
from kuntarobo.runtime.statuses import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    WAITING_FOR_PERSON,
    ItemAction,
    ItemStatus,
    RunStatus,
    Trigger,
)

__all__ = [
    "FINAL_STATUSES",
    "OPEN_STATUSES",
    "WAITING_FOR_PERSON",
    "ItemAction",
    "ItemDocument",
    "ItemStatus",
    "LogLevel",
    "ReviewSample",
    "RobotDeployment",
    "RobotSettings",
    "Run",
    "RunLogEntry",
    "RunStatus",
    "ScopedQuerySet",
    "Trigger",
    "WorkItem",
    "WorkerProcess",
]

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


_M = TypeVar("_M", bound=models.Model)


class ScopedQuerySet(models.QuerySet[_M]):
    """Every query of municipal data goes through `for_user`: no other way to list it in views."""

    def for_user(self, user: User | AnonymousUser, permission: str = Permission.VIEW) -> Self:
        return self.filter(municipality__in=Municipality.objects.for_user(user, permission))


class RobotDeployment(models.Model):
    """A robot switched on in one municipality, with its schedule and parameter values."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="deployments"
    )
    robot_slug = models.CharField(_("robot"), max_length=50)
    enabled = models.BooleanField(_("in use"), default=True)
    schedule_enabled = models.BooleanField(_("runs on schedule"), default=False)
    cron = models.CharField(_("schedule (cron)"), max_length=100, blank=True)
    calendar_rule = models.CharField(_("calendar rule"), max_length=40, blank=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    last_scheduled_for = models.DateTimeField(null=True, blank=True)
    # Class C (automatic decisions) preconditions, chapter 8 b of the Administrative Procedure Act.
    automation_decision = models.CharField(
        _("deployment decision (reference)"), max_length=200, blank=True
    )
    responsible_official = models.CharField(_("responsible official"), max_length=200, blank=True)
    public_description_url = models.URLField(_("published description"), blank=True)
    approved_rule_version = models.CharField(
        _("approved processing rules version"), max_length=50, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "robot_slug"], name="deployment_unique_robot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.robot_slug} @ {self.municipality.slug}"


class Run(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="runs")
    robot_slug = models.CharField(_("robot"), max_length=50, db_index=True)
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    input_file = models.FileField(_("input file"), upload_to="inputs/%Y/%m/", blank=True)
    input_name = models.CharField(_("input file name"), max_length=255, blank=True)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    rule_version = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(_("started"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    items_created = models.PositiveIntegerField(default=0)
    items_duplicate = models.PositiveIntegerField(default=0)
    # Of the input's items: corrections that replaced failed items of the same reference (also
    # counted in items_created), and references already done (also in items_duplicate).
    items_corrected = models.PositiveIntegerField(default=0)
    items_already_done = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    # The work item of another robot whose finishing started this run (`Chain`), if any.
    started_by = models.ForeignKey(
        "WorkItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chained_runs",
        verbose_name=_("started by the work item"),
    )
    # Why the input was refused ({"fi", "sv", "en", "field"}, rendered at refusal so each viewer
    # reads it in their language), or a crash's masked technical error ({"technical"}).
    error = models.JSONField(default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "robot_slug", "scheduled_for"],
                condition=Q(scheduled_for__isnull=False),
                name="run_unique_schedule_tick",
            ),
            # A finished item starts each robot of its chain once, however often it is asked.
            models.UniqueConstraint(
                fields=["started_by", "robot_slug"],
                condition=Q(started_by__isnull=False),
                name="run_unique_chain_step",
            ),
        ]
        verbose_name = _("run")
        verbose_name_plural = _("runs")

    def __str__(self) -> str:
        return f"{self.robot_slug} #{self.pk}"


class WorkItem(models.Model):
    # No index of their own: every index is written again whenever an item's status changes
    # (twice per item), and the composite indexes below begin with these columns.
    run = models.ForeignKey(Run, on_delete=models.PROTECT, related_name="items", db_index=False)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="work_items", db_index=False
    )
    robot_slug = models.CharField(_("robot"), max_length=50)
    reference = models.CharField(_("reference"), max_length=200)
    title = models.CharField(_("title"), max_length=300, blank=True)
    payload = models.JSONField(_("input"), default=dict)
    status = models.CharField(
        _("status"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.NEW
    )
    priority = models.SmallIntegerField(_("priority"), default=0)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    output = models.JSONField(_("output"), default=dict, blank=True)
    # The robot's own data for its records (`Outcome.record`): never shown as output.
    record = models.JSONField(_("robot's record data"), default=dict, blank=True, editable=False)
    explanation = models.JSONField(_("explanation"), default=list, blank=True)
    attention = models.JSONField(_("needs attention"), default=list, blank=True)
    error_message = models.TextField(_("error"), blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    # A waiting item (status "waiting"): until when (None: until an outside event resumes it),
    # why, and what the event that resumed it brought (the robot reads it on its next turn).
    wait_until = models.DateTimeField(_("waits until"), null=True, blank=True)
    wait_reason = models.CharField(_("waiting for"), max_length=300, blank=True)
    resume_payload = models.JSONField(_("resumed with"), default=dict, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    # A failed item a corrected input replaced (status "superseded") names the item made of
    # the correction; only the current item of a reference holds it (the unique constraint).
    superseded_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supersedes",
        verbose_name=_("replaced by"),
    )
    # Whether the item's manual time counts as saved (`runtime.impact`): not for a repeat of
    # work already counted (a resend, `ItemSpec.saves_time`).
    saves_time = models.BooleanField(default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-priority", "id"]
        constraints = [
            # One current item a reference; the failed ones corrections replaced stay beside it.
            models.UniqueConstraint(
                fields=["municipality", "robot_slug", "reference"],
                condition=~Q(status="superseded"),
                name="workitem_unique_current_reference",
            )
        ]
        indexes = [
            models.Index(fields=["run", "status"]),
            models.Index(fields=["municipality", "status"]),
            # Only the items claimed right now (a worker's batch each): what recovery looks
            # through, without an index entry for every item ever done.
            models.Index(
                fields=["claimed_by"], condition=~Q(claim_token=""), name="workitem_claimed"
            ),
            # Only the waiting items with a time: what the timer's sweep looks through.
            models.Index(
                fields=["wait_until"],
                condition=Q(status="waiting", wait_until__isnull=False),
                name="workitem_waiting_until",
            ),
        ]
        verbose_name = _("work item")
        verbose_name_plural = _("work items")

    def __str__(self) -> str:
        return f"{self.robot_slug}:{self.reference}"


class ReviewSample(models.Model):
    """One proposal drawn at random into a reviewer's sample of a bulk approval ("approve all
    without flags" of a class B robot, GDPR art. 22: meaningful human review). Drawn once and
    kept, so reloading the inbox shows the same sample; `opened_at` is set when the reviewer
    opens the item (`runtime/review_sample.py`)."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="review_samples")
    drawn_at = models.DateTimeField(_("drawn"), auto_now_add=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reviewer", "item"], name="review_sample_unique_item")
        ]
        verbose_name = _("review sample item")
        verbose_name_plural = _("review sample items")

    def __str__(self) -> str:
        return f"{self.reviewer_id} / {self.item_id}"


class ItemDocument(models.Model):
    item = models.ForeignKey(WorkItem, on_delete=models.PROTECT, related_name="documents")
    name = models.CharField(_("name"), max_length=255)
    content_type = models.CharField(max_length=100)
    file = models.FileField(upload_to="documents/%Y/%m/")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class LogLevel(models.TextChoices):
    INFO = "info", _("Info")
    WARNING = "warning", _("Warning")
    ERROR = "error", _("Error")


class RunLogEntry(models.Model):
    """A run's log, masked of identity codes before it is written."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="log_entries")
    item = models.ForeignKey(
        WorkItem, null=True, blank=True, on_delete=models.CASCADE, related_name="log_entries"
    )
    at = models.DateTimeField(auto_now_add=True)
    level = models.CharField(max_length=10, choices=LogLevel.choices, default=LogLevel.INFO)
    message = models.TextField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%H:%M:%S} {self.level} {self.message[:80]}"


class WorkerProcess(models.Model):
    """A live worker's heartbeat: when it stops, its items are given to other workers."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"


class RobotSettingsQuerySet(models.QuerySet["RobotSettings"]):
    def in_force(
        self, municipality_id: int, robot_slug: str, day: datetime.date | None = None
    ) -> RobotSettings | None:
        """The row in force on `day` (dated settings) or the latest saved (undated)."""
        rows = self.filter(municipality_id=municipality_id, robot_slug=robot_slug)
        if day is not None:
            rows = rows.filter(valid_from__lte=day)
        return rows.order_by("-valid_from", "-created_at", "-id").first()


class RobotSettings(models.Model):
    """A municipality's settings of one robot, as its schema declares them. Never edited: a
    change is a new row, so the history answers which settings were in force when."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="robot_settings"
    )
    robot_slug = models.CharField(_("robot"), max_length=50)
    # Dated settings are in force from this day; undated ones from when they were saved.
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    values = models.JSONField(_("settings"), default=dict)
    saved_by = models.CharField(_("saved by"), max_length=150)
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)

    objects = RobotSettingsQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "robot_slug", "valid_from"],
                condition=Q(valid_from__isnull=False),
                name="robot_settings_one_row_a_day",
            )
        ]
        indexes = [models.Index(fields=["municipality", "robot_slug", "valid_from"])]
        verbose_name = _("robot settings")
        verbose_name_plural = _("robot settings")

    def __str__(self) -> str:
        since = self.valid_from or self.created_at
        return f"{self.robot_slug} @ {self.municipality_id} from {since}"
