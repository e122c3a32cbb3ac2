"""The HR robot's own records: each municipality's column mapping and alert thresholds, and
which unit got which month's report (written with the item's status, exactly once)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kuntarobo.sdk.models import Municipality, WorkItem


class ExportMapping(models.Model):
    """How this municipality's payroll export names its columns, and its early-support
    thresholds; empty JSON means the standard columns and the default thresholds."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="hr_export_mapping"
    )
    column_mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    thresholds = models.JSONField(_("early-support thresholds"), default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("HR export mapping")
        verbose_name_plural = _("HR export mappings")

    def __str__(self) -> str:
        return f"HR export mapping @ {self.municipality.slug}"


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
