"""The weights of the open suitability method (kuntarobo.core.suitability) as parameters: a
municipality's own, or the installation's default. A change adds a row (the latest is in force),
so the history of weights stays readable; each assessment keeps the weights it used."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kuntarobo.accounts.models import Municipality


class ScoringWeights(models.Model):
    # None: the installation's default, used by municipalities without weights of their own.
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="scoring_weights",
        verbose_name=_("municipality"),
    )
    weights = models.JSONField(
        pgettext_lazy("scoring", "weights")
    )  # criterion → weight as a decimal string
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_by_label = models.CharField(max_length=200, blank=True)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        get_latest_by = ["changed_at", "pk"]
        verbose_name = _("weights of the suitability method")
        verbose_name_plural = _("weights of the suitability method")
        indexes = [models.Index(fields=["municipality", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.municipality_id or '-'}: {self.weights}"
