"""Satisfaction on Helmi's human axes: staff survey rounds before and after a robot's
deployment, and customers' one-question feedback per municipality and robot.

Anonymity is by construction: an invitation keeps only the hash of its one-time token and
when it was used, never the address it went to (the address lives only in the e-mail's
delivery record, which names no token); a response keeps no link to its invitation. Changes go
through kuntarobo.portfolio.surveys and kuntarobo.portfolio.feedback, which write the audit
trail."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kuntarobo.accounts.models import Municipality
from kuntarobo.portfolio.models.ideas import PortfolioQuerySet


class SurveyPhase(models.TextChoices):
    BEFORE = "before", _("Before deployment")
    AFTER = "after", _("After deployment")


class SurveyLanguage(models.TextChoices):
    FINNISH = "fi", _("Finnish")
    SWEDISH = "sv", _("Swedish")
    ENGLISH = "en", _("English")


class SurveySettings(models.Model):
    """A municipality's settings for staff surveys: the e-mail domains invitations may go to
    (empty: none may be sent, as with the HR robot's reports)."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="survey_settings"
    )
    allowed_email_domains = models.CharField(
        _("Allowed e-mail domains"), max_length=1000, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = PortfolioQuerySet["SurveySettings"].as_manager()

    def __str__(self) -> str:
        return self.allowed_email_domains


class SurveyRound(models.Model):
    """One round of the staff questionnaire for one robot in one municipality, before or after
    its deployment, in one language (the recipient may switch)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="survey_rounds"
    )
    robot_slug = models.CharField(_("robot"), max_length=50, db_index=True)
    phase = models.CharField(_("phase"), max_length=10, choices=SurveyPhase.choices)
    language = models.CharField(
        _("language"), max_length=2, choices=SurveyLanguage.choices, default=SurveyLanguage.FINNISH
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PortfolioQuerySet["SurveyRound"].as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")

    def __str__(self) -> str:
        return self.title or f"{self.robot_slug} ({self.phase})"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class SurveyInvitation(models.Model):
    """One person's one-time link: only the token's SHA-256 and whether it was used. Nothing
    here says who got it (invitations are made in a shuffled order, so not even their order
    matches the sending order)."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"invitation {self.pk}"


class SurveyResponse(models.Model):
    """One anonymous answer: the scores per statement (1–5, keyed as in
    kuntarobo.core.satisfaction.STATEMENTS) and a free comment. No link to the invitation, and
    only the day, not the time, of answering."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="responses")
    phase = models.CharField(_("phase"), max_length=10, choices=SurveyPhase.choices)
    scores = models.JSONField(_("scores"))
    comment = models.TextField(_("comment"), blank=True)
    answered_on = models.DateField(_("answered on"))

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"response {self.pk}"


class CustomerFeedbackLink(models.Model):
    """The public link of one robot's customer feedback in one municipality: one token for
    everyone (not per person), switched on or off by the municipality's portfolio managers.
    Switching off and on again keeps the token, so letters already sent keep working."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="customer_feedback_links"
    )
    robot_slug = models.CharField(_("robot"), max_length=50)
    token = models.CharField(max_length=64, unique=True)
    enabled = models.BooleanField(_("in use"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PortfolioQuerySet["CustomerFeedbackLink"].as_manager()

    class Meta:
        ordering = ["robot_slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "robot_slug"], name="customer_feedback_link_once"
            )
        ]

    def __str__(self) -> str:
        return self.robot_slug


class FeedbackSource(models.TextChoices):
    LINK = "link", _("Feedback link")
    IMPORT = "import", _("Imported")


class CustomerFeedback(models.Model):
    """One customer's answer to "how satisfied were you with how your matter was handled?",
    given through the link or imported from another survey. Nothing about the customer."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="customer_feedback"
    )
    robot_slug = models.CharField(_("robot"), max_length=50)
    given_on = models.DateField(_("date"))
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)
    source = models.CharField(_("source"), max_length=10, choices=FeedbackSource.choices)

    objects = PortfolioQuerySet["CustomerFeedback"].as_manager()

    class Meta:
        ordering = ["-given_on", "-pk"]
        indexes = [models.Index(fields=["municipality", "robot_slug", "given_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1) & models.Q(score__lte=5),
                name="customer_feedback_score_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.robot_slug} {self.given_on}: {self.score}"
