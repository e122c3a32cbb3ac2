"""Path documents (polkudokumentaatio) and result cards (tuloskortti).

A path document is generated, never edited: from a robot's declaration and its runs. Its versions
are recorded here, one per change of the declaration (its fingerprint), with the declaration as
it was. A result card is a municipality's page of one robot: texts its coordinator writes, in one
language, beside figures the platform fills from the runs. Neither carries personal data, so a
card can be shared."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kuntarobo.accounts.models import Municipality
from kuntarobo.portfolio.models.ideas import PortfolioQuerySet, SharingScope

# Working hours of one person-year (henkilötyövuosi, HTV) by default, as in Helmi's reports; a
# card may use another figure.
DEFAULT_HOURS_PER_PERSON_YEAR = 1600


class PathDocumentVersion(models.Model):
    """A version of a robot's path document: a new one whenever the declaration (its steps,
    systems, rules, schedule, class, manual minutes or rule version) changes."""

    robot_slug = models.CharField(_("robot"), max_length=50)
    number = models.PositiveIntegerField(_("version"))
    fingerprint = models.CharField(max_length=64)
    rule_version = models.CharField(_("rule version"), max_length=50, blank=True)
    # The declaration as it was, in every language: an earlier version can be read again.
    content = models.JSONField(default=dict)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["robot_slug", "-number"]
        verbose_name = _("path document version")
        verbose_name_plural = _("path document versions")
        constraints = [
            models.UniqueConstraint(
                fields=["robot_slug", "number"], name="path_document_version_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.robot_slug} v{self.number}"


class CardLanguage(models.TextChoices):
    FI = "fi", _("Finnish")
    SV = "sv", _("Swedish")
    EN = "en", _("English")


class ResultCard(models.Model):
    """A robot's result card in a municipality: the coordinator's texts in the card's language;
    the figures are never stored, they are read from the runs when the card is shown."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="result_cards"
    )
    robot_slug = models.CharField(_("robot"), max_length=50)
    language = models.CharField(
        _("language of the card"), max_length=2, choices=CardLanguage.choices, default="fi"
    )
    goals = models.TextField(_("goals"), blank=True)
    benefit_1 = models.TextField(_("most important benefit 1"), blank=True)
    benefit_2 = models.TextField(_("most important benefit 2"), blank=True)
    benefit_3 = models.TextField(_("most important benefit 3"), blank=True)
    lessons = models.TextField(_("lessons learnt"), blank=True)
    what_it_does = models.TextField(_("what the robot does"), blank=True)
    systems = models.TextField(_("systems"), blank=True)
    costs = models.TextField(_("costs"), blank=True)
    # The figures' period; empty ends mean from the first run / to today.
    period_start = models.DateField(_("figures from"), null=True, blank=True)
    period_end = models.DateField(_("figures until"), null=True, blank=True)
    hours_per_person_year = models.PositiveIntegerField(
        _("working hours per person-year"),
        default=DEFAULT_HOURS_PER_PERSON_YEAR,
        validators=[MinValueValidator(1), MaxValueValidator(8760)],
    )
    shared_with = models.CharField(
        _("shared with"), max_length=20, choices=SharingScope.choices, default=SharingScope.PRIVATE
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PortfolioQuerySet["ResultCard"].as_manager()

    class Meta:
        ordering = ["municipality", "robot_slug"]
        verbose_name = _("result card")
        verbose_name_plural = _("result cards")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "robot_slug"], name="result_card_unique_robot"
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="result_card_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.robot_slug} ({self.municipality})"

    @property
    def benefits(self) -> list[str]:
        return [text for text in (self.benefit_1, self.benefit_2, self.benefit_3) if text]
