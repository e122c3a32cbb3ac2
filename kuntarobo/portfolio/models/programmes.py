"""A programme's follow-up (seed 000, "Hankkeen mittarit"): costs planned vs realised by kind,
outputs, risks and milestones, from which kuntarobo.core.programme_follow_up computes a traffic
light per axis; an axis's light may be overridden with a reason. Money in cents. Kept by the
portfolio managers of the programme's lead municipality (kuntarobo.portfolio.programmes)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kuntarobo.core.programme_follow_up import Axis, CostKind, Light, OutputStatus
from kuntarobo.portfolio.models.ideas import Programme

# The message context of words the robots' pages use in another sense (schedule, outputs).
CONTEXT = "programme follow-up"


class CostKindChoice(models.TextChoices):
    PURCHASED_SERVICES = CostKind.PURCHASED_SERVICES.value, _("Purchased services")
    OWN_STAFF = CostKind.OWN_STAFF.value, _("Own staff")
    OTHER = CostKind.OTHER.value, _("Other costs")


class OutputStatusChoice(models.TextChoices):
    PLANNED = OutputStatus.PLANNED.value, _("Planned")
    IN_PROGRESS = OutputStatus.IN_PROGRESS.value, pgettext_lazy(CONTEXT, "In progress")
    DELIVERED = OutputStatus.DELIVERED.value, _("Delivered")
    LATE = OutputStatus.LATE.value, _("Late")
    DROPPED = OutputStatus.DROPPED.value, _("Dropped")


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class AxisChoice(models.TextChoices):
    SCHEDULE = Axis.SCHEDULE.value, pgettext_lazy(CONTEXT, "Schedule")
    COSTS = Axis.COSTS.value, _("Costs")
    OUTPUTS = Axis.OUTPUTS.value, pgettext_lazy(CONTEXT, "Outputs")
    SCOPE = Axis.SCOPE.value, _("Scope of outputs")
    STAFF = Axis.STAFF.value, _("Staff")
    RISKS = Axis.RISKS.value, _("Risks")


class LightChoice(models.TextChoices):
    GREEN = Light.GREEN.value, _("Green: on track")
    YELLOW = Light.YELLOW.value, _("Yellow: needs attention")
    RED = Light.RED.value, _("Red: off track")
    NOT_ASSESSED = Light.NOT_ASSESSED.value, _("Not assessed")


class ProgrammeCost(models.Model):
    """One cost line of a programme's budget: planned and realised, of a kind, for a year or
    the whole programme."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="costs")
    kind = models.CharField(_("kind"), max_length=30, choices=CostKindChoice.choices)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    planned_cents = models.BigIntegerField(_("planned"), default=0)
    realised_cents = models.BigIntegerField(_("realised"), default=0)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["kind", "year", "pk"]
        verbose_name = _("cost line")
        verbose_name_plural = _("cost lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_cents__gte=0) & Q(realised_cents__gte=0),
                name="programme_cost_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year or ''}".strip()


class ProgrammeOutput(models.Model):
    """Something the programme promised to deliver ("32 robots", "path documents")."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="outputs")
    title = models.CharField(pgettext_lazy(CONTEXT, "output"), max_length=200)
    planned = models.CharField(_("planned"), max_length=500, blank=True)
    delivered = models.CharField(_("delivered"), max_length=500, blank=True)
    planned_quantity = models.PositiveIntegerField(_("planned quantity"), null=True, blank=True)
    delivered_quantity = models.PositiveIntegerField(_("delivered quantity"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=OutputStatusChoice.choices,
        default=OutputStatusChoice.PLANNED,
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("output")
        verbose_name_plural = _("outputs")

    def __str__(self) -> str:
        return self.title


class ProgrammeRisk(models.Model):
    """A risk of the programme with its likelihood and impact (1–5 each) and mitigation."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="risks")
    description = models.CharField(_("risk"), max_length=500)
    likelihood = models.PositiveSmallIntegerField(
        _("likelihood (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    impact = models.PositiveSmallIntegerField(
        _("impact (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    mitigation = models.TextField(_("mitigation"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RiskStatus.choices, default=RiskStatus.OPEN
    )

    class Meta:
        ordering = ["status", "-likelihood", "-impact", "pk"]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=1)
                & Q(likelihood__lte=5)
                & Q(impact__gte=1)
                & Q(impact__lte=5),
                name="programme_risk_scale",
            )
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


class ProgrammeMilestone(models.Model):
    """A milestone of the schedule: when it was planned, and when it was reached."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    planned_on = models.DateField(_("planned date"))
    achieved_on = models.DateField(_("actual date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["planned_on", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title


class ProgrammeAxisOverride(models.Model):
    """A person's judgement that replaces an axis's computed light, with the reason; the
    computed light is still shown beside it."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="axis_overrides"
    )
    axis = models.CharField(_("axis"), max_length=20, choices=AxisChoice.choices)
    light = models.CharField(_("traffic light"), max_length=20, choices=LightChoice.choices)
    reason = models.TextField(_("reason"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    set_by_label = models.CharField(max_length=200, blank=True)
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["axis"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "axis"], name="programme_axis_once")
        ]

    def __str__(self) -> str:
        return f"{self.axis}: {self.light}"
