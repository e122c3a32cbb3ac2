"""The HR robot's own records: which unit got which month's report (written with the item's
status, exactly once). Its settings are the platform's (municipal_settings.py declares them)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kuntarobo.sdk.models import Municipality, WorkItem


class SentReport(models.Model):
    """A unit's monthly report was e-mailed to its supervisor (the latest send, if resent)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="hr_sent_reports"
    )
    unit_id = models.CharField(_("unit"), max_length=100)
    month = models.CharField(_("month"), max_length=7)
    recipient = models.EmailField(_("recipient"), max_length=254)
    language = models.CharField(_("language"), max_length=2)
    sent_at = models.DateTimeField(_("sent"))
    message_id = models.CharField(_("message ID"), max_length=255)
    work_item = models.ForeignKey(WorkItem, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "unit_id", "month"], name="hr_sent_report_unique_month"
            )
        ]
        verbose_name = _("sent HR report")
        verbose_name_plural = _("sent HR reports")

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month} → {self.recipient}"


class ReportedAlert(models.Model):
    """An early-support alert that reached its supervisor: one per employee, rule and
    occurrence (`key`: the spell's first day for a continuous month, "window" for a threshold
    over a window), so that the next month's run does not raise it again.

    A window rule that stays reached month after month is the same alert (`last_month` follows
    it); once a monthly report went without it, it is new when it is reached again."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="hr_reported_alerts"
    )
    employee_id = models.CharField(_("employee"), max_length=100)
    rule = models.CharField(_("rule"), max_length=40)
    key = models.CharField(_("occurrence"), max_length=40)
    first_month = models.CharField(_("first reported"), max_length=7)
    last_month = models.CharField(_("last reported"), max_length=7)
    work_item = models.ForeignKey(WorkItem, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "employee_id", "rule", "key"],
                name="hr_reported_alert_unique",
            )
        ]
        verbose_name = _("reported early-support alert")
        verbose_name_plural = _("reported early-support alerts")

    def __str__(self) -> str:
        return f"{self.employee_id} {self.rule} {self.key} ({self.first_month})"
