"""The portfolio's records: programmes, workshops, ideas with their stage history, suitability
assessments and business cases. Money in cents; every change goes through an action function
(kuntarobo.portfolio.*_actions) that writes the audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self, TypeVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kuntarobo.accounts.models import Municipality, Permission

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

_M = TypeVar("_M", bound=models.Model)


class SharingScope(models.TextChoices):
    """Who besides the owning municipality sees a record: nobody, the municipalities of the
    record's programme, or everyone signed in to the installation. Never personal data."""

    PRIVATE = "private", _("Own municipality only")
    PROGRAMME = "programme", _("The programme's municipalities")
    INSTALLATION = "installation", _("All municipalities of the installation")


class PortfolioQuerySet(models.QuerySet[_M]):
    """Municipal portfolio records a user may see: their own municipalities' (with the
    permission), and what others shared with them (`shared_with`, on models that have it)."""

    def for_user(self, user: User | AnonymousUser, permission: str = Permission.VIEW) -> Self:
        return self.filter(municipality__in=Municipality.objects.for_user(user, permission))

    def visible_to(self, user: User | AnonymousUser) -> Self:
        """Own municipalities' records and records shared with the user's municipalities."""
        own = Municipality.objects.for_user(user, Permission.VIEW)
        if not user.is_authenticated:
            return self.none()
        shared = Q(shared_with=SharingScope.INSTALLATION) | Q(
            shared_with=SharingScope.PROGRAMME,
            municipality__programmes__municipalities__in=own,
        )
        return self.filter(Q(municipality__in=own) | shared).distinct()


class Programme(models.Model):
    """A programme of several municipalities (Helmi: 16, 12/2020–8/2022), led by one of them,
    whose administrators and coordinators keep its follow-up."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    lead = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="led_programmes",
        verbose_name=_("lead municipality"),
    )
    municipalities = models.ManyToManyField(
        Municipality, related_name="programmes", verbose_name=_("municipalities")
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="programme_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Workshop(models.Model):
    """A process workshop (Helmi work package 1) whose ideas a facilitator captures live."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="workshops"
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.SET_NULL, null=True, blank=True, related_name="workshops"
    )
    department = models.CharField(_("department"), max_length=200)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"))
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("facilitator"),
    )
    is_open = models.BooleanField(_("capturing ideas"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PortfolioQuerySet["Workshop"].as_manager()

    class Meta:
        ordering = ["-held_on", "title"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")

    def __str__(self) -> str:
        return self.title


class Stage(models.TextChoices):
    """An idea's way to production. The allowed moves are declared here, once: the actions,
    the forms and the API ask `can_move_to`."""

    IDEA = "idea", _("Idea")
    ASSESSED = "assessed", _("Assessed")
    APPROVED = "approved", _("Approved")
    IN_DEVELOPMENT = "in_development", _("In development")
    IN_PRODUCTION = "in_production", _("In production")
    RETIRED = "retired", _("Retired")

    @property
    def allowed_next(self) -> tuple[Stage, ...]:
        return STAGE_MOVES[self]

    def can_move_to(self, other: Stage | str) -> bool:
        return Stage(other) in STAGE_MOVES[self]


# Forward one stage, back one stage (a plan revisited), or retired from anywhere; a retired
# idea may be taken up again as an idea.
STAGE_MOVES: dict[Stage, tuple[Stage, ...]] = {
    Stage.IDEA: (Stage.ASSESSED, Stage.RETIRED),
    Stage.ASSESSED: (Stage.APPROVED, Stage.IDEA, Stage.RETIRED),
    Stage.APPROVED: (Stage.IN_DEVELOPMENT, Stage.ASSESSED, Stage.RETIRED),
    Stage.IN_DEVELOPMENT: (Stage.IN_PRODUCTION, Stage.APPROVED, Stage.RETIRED),
    Stage.IN_PRODUCTION: (Stage.RETIRED,),
    Stage.RETIRED: (Stage.IDEA,),
}


class Idea(models.Model):
    """An automation idea of a municipality's department: what the work is, how much of it
    there is and who would gain. Carries no personal data (the proposer is a name of staff,
    shown only inside the municipality; sharing leaves it out)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="ideas")
    department = models.CharField(_("department"), max_length=200)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    process = models.CharField(_("process"), max_length=200, blank=True)
    systems = models.CharField(_("systems"), max_length=500, blank=True)
    volume_per_year = models.PositiveIntegerField(_("cases per year"), null=True, blank=True)
    manual_minutes_per_case = models.DecimalField(
        _("manual minutes per case"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    rework_share_percent = models.DecimalField(
        _("rework share (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    beneficiaries = models.CharField(_("who benefits"), max_length=500, blank=True)
    proposer = models.CharField(_("proposer"), max_length=200, blank=True)
    workshop = models.ForeignKey(
        Workshop, on_delete=models.SET_NULL, null=True, blank=True, related_name="ideas"
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.IDEA)
    # The bundled or installed robot this idea became (its slug), once in development.
    robot_slug = models.CharField(_("robot"), max_length=50, blank=True, db_index=True)
    shared_with = models.CharField(
        _("shared with"), max_length=20, choices=SharingScope.choices, default=SharingScope.PRIVATE
    )
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PortfolioQuerySet["Idea"].as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        indexes = [models.Index(fields=["municipality", "stage"])]

    def __str__(self) -> str:
        return self.title


class IdeaStageChange(models.Model):
    """Who moved an idea from which stage to which, and when: never edited."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_by_label = models.CharField(max_length=200)
    changed_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_stage or '-'} → {self.to_stage}"


class Assessment(models.Model):
    """One scoring of an idea by the open method (kuntarobo.core.suitability): the scores and
    weights used are kept, so a later change of weights never rewrites an earlier result. The
    latest assessment of an idea is its current one."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="assessments")
    method_version = models.CharField(max_length=20)
    scores = models.JSONField(_("scores"))  # criterion → 1..5
    weights = models.JSONField(_("weights"))  # criterion → weight used
    suitability = models.DecimalField(_("suitability score"), max_digits=5, decimal_places=2)
    automation_potential = models.DecimalField(
        _("automation potential (%)"), max_digits=5, decimal_places=2
    )
    ease = models.DecimalField(_("ease of implementation"), max_digits=5, decimal_places=2)
    hours_per_year = models.DecimalField(_("hours saved per year"), max_digits=12, decimal_places=2)
    reasoning = models.JSONField(_("reasoning"), default=list)
    note = models.TextField(_("note"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assessed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_at", "-pk"]
        get_latest_by = ["assessed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.idea_id}: {self.suitability}"


class BusinessCase(models.Model):
    """A business case by the Ministry of Finance's rules (kuntarobo.core.business_case), the
    plan of an idea; once the idea's robot runs, the realised side is computed beside it."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="business_cases"
    )
    idea = models.ForeignKey(
        Idea, on_delete=models.SET_NULL, null=True, blank=True, related_name="business_cases"
    )
    title = models.CharField(_("title"), max_length=200)
    start_year = models.PositiveSmallIntegerField(_("start year"))
    horizon_year = models.PositiveSmallIntegerField(_("horizon year"))
    payback_max_years = models.DecimalField(
        _("payback at most (years)"), max_digits=4, decimal_places=2, default=3
    )
    benefit_ratio_min = models.DecimalField(
        _("benefit ratio at least"), max_digits=5, decimal_places=2, default=2
    )
    ratio_years = models.PositiveSmallIntegerField(_("years of the benefit ratio"), default=6)
    # For gross benefits derived from work saved: the hourly cost of the staff, with overheads.
    hourly_cost_cents = models.PositiveIntegerField(_("hourly cost"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PortfolioQuerySet["BusinessCase"].as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("business case")
        verbose_name_plural = _("business cases")
        constraints = [
            models.CheckConstraint(
                condition=Q(horizon_year__gte=models.F("start_year")),
                name="business_case_horizon_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title


class BusinessCaseYear(models.Model):
    """One year of a business case's plan, in cents. The gross benefit is entered, or derived
    from the volume and minutes saved at the case's hourly cost (then kept here as computed)."""

    case = models.ForeignKey(BusinessCase, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("year"))
    development_cost_cents = models.BigIntegerField(_("development costs"), default=0)
    running_cost_cents = models.BigIntegerField(_("running costs"), default=0)
    gross_benefit_cents = models.BigIntegerField(_("gross benefits"), default=0)
    volume = models.PositiveIntegerField(_("cases"), null=True, blank=True)
    minutes_saved = models.DecimalField(
        _("minutes saved per case"), max_digits=7, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["case", "year"], name="business_case_year_once"),
            models.CheckConstraint(
                condition=Q(development_cost_cents__gte=0)
                & Q(running_cost_cents__gte=0)
                & Q(gross_benefit_cents__gte=0),
                name="business_case_year_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return str(self.year)
