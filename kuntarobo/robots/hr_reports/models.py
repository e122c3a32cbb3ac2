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
