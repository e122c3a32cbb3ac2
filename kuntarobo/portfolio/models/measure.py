"""The measured side of the portfolio: a monthly roll-up of the run data (`RobotMonth`, kept by
kuntarobo.portfolio.realised) so that a dashboard reads a few hundred rows instead of grouping
millions of work items, and the running costs a coordinator enters per robot and month."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kuntarobo.accounts.models import Municipality
from kuntarobo.portfolio.models.ideas import PortfolioQuerySet


class RobotMonth(models.Model):
    """The figures of one robot in one municipality for the items whose run started in one
    month (Helsinki time), computed from the work items in one go, never adjusted by deltas.
    A month whose items are all in a final status is settled and kept as it is (also after
    housekeeping empties the items); one with items still open is computed again when their
    statuses changed (kuntarobo.portfolio.realised.refresh)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="robot_months"
    )
    robot_slug = models.CharField(max_length=50)
    month = models.DateField()  # the first day of the month
    # Items by status (the open ones' statuses are the month's signature), and `repeated_work`
    # (runtime.impact.REPEATED) of those done or approved.
    counts = models.JSONField(default=dict)
    items = models.PositiveIntegerField(default=0)
    open_items = models.PositiveIntegerField(default=0)  # not in a final status
    attention_items = models.PositiveIntegerField(default=0)  # flagged, not failed_business
    corrected_items = models.PositiveIntegerField(default=0)
    # Lead times of the done items, created → finished: exact sum and count, and counts by
    # bucket (its lower bound in seconds) for the median of any span of months.
    lead_count = models.PositiveIntegerField(default=0)
    lead_seconds = models.BigIntegerField(default=0)
    lead_buckets = models.JSONField(default=dict)
    last_run_id = models.BigIntegerField(default=0)  # the newest run the figures include
    refreshed_at = models.DateTimeField()

    objects = PortfolioQuerySet["RobotMonth"].as_manager()

    class Meta:
        ordering = ["month", "robot_slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "robot_slug", "month"], name="robot_month_once"
            )
        ]
        indexes = [models.Index(fields=["open_items"], name="robot_month_open")]

    def __str__(self) -> str:
        return f"{self.robot_slug} {self.month:%Y-%m}"


class RollupMark(models.Model):
    """How far the refresh has looked at runs: every run up to `last_run_id` has its month in
    the roll-up. One row."""

    name = models.CharField(max_length=20, primary_key=True)
    last_run_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_run_id}"


class RunningCost(models.Model):
    """What running a robot cost a municipality in one month (licences, servers, upkeep), in
    cents, as entered by a coordinator: the realised running costs of a business case."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="running_costs"
    )
    robot_slug = models.CharField(_("robot"), max_length=50)
    month = models.DateField(_("month"))  # the first day of the month
    cents = models.BigIntegerField(pgettext_lazy("measure", "cost"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = PortfolioQuerySet["RunningCost"].as_manager()

    class Meta:
        ordering = ["-month", "robot_slug"]
        verbose_name = pgettext_lazy("measure", "running cost")
        verbose_name_plural = pgettext_lazy("measure", "running costs")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "robot_slug", "month"], name="running_cost_once"
            ),
            models.CheckConstraint(condition=models.Q(cents__gte=0), name="running_cost_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.robot_slug} {self.month:%Y-%m}"
