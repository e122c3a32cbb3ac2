"""Municipalities, and who may do what in each: every query of municipal data goes through here."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    COORDINATOR = "coordinator", _("Automation coordinator")
    REVIEWER = "reviewer", _("Reviewer")
    DEVELOPER = "developer", _("Robot developer")
    VIEWER = "viewer", _("Viewer")


class Permission(models.TextChoices):
    """What a role allows; views, API and CLI ask for these, never for role names."""

    VIEW = "view", _("See robots, runs and work items")
    VIEW_PERSONAL_DATA = "view_personal_data", _("See work items' personal data")
    REVIEW = "review", _("Approve, reject and correct work items")
    RUN = "run", _("Start robot runs")
    CONFIGURE = "configure", _("Change robots' schedules and parameters")
    VIEW_LOGS = "view_logs", _("See run logs and technical errors")
    VIEW_AUDIT = "view_audit", _("See and export the audit trail")
    MANAGE_USERS = "manage_users", _("Manage users and roles")
    # Ideas, scoring, business cases, result cards and programme follow-up (find and measure).
    MANAGE_PORTFOLIO = "manage_portfolio", _("Manage the automation portfolio")
    # The vault's assets and credentials (kuntarobo.vault): administrators only.
    MANAGE_VAULT = "manage_vault", _("Manage the vault's assets and credentials")


ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset(Permission.values),
    Role.COORDINATOR: frozenset(
        {
            Permission.VIEW,
            Permission.RUN,
            Permission.CONFIGURE,
            Permission.VIEW_LOGS,
            Permission.VIEW_PERSONAL_DATA,
            Permission.MANAGE_PORTFOLIO,
        }
    ),
    Role.REVIEWER: frozenset({Permission.VIEW, Permission.REVIEW, Permission.VIEW_PERSONAL_DATA}),
    Role.DEVELOPER: frozenset({Permission.VIEW, Permission.RUN, Permission.VIEW_LOGS}),
    Role.VIEWER: frozenset({Permission.VIEW}),
}


class MunicipalityQuerySet(models.QuerySet["Municipality"]):
    def for_user(
        self, user: User | AnonymousUser, permission: str = Permission.VIEW
    ) -> MunicipalityQuerySet:
        """The municipalities in which `user` holds a role granting `permission`."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        roles = [role for role, perms in ROLE_PERMISSIONS.items() if permission in perms]
        return self.filter(memberships__user=user, memberships__role__in=roles).distinct()


# Slugs with a meaning of their own where a municipality's slug is expected: "system" filters the
# audit trail to the system-wide events.
RESERVED_SLUGS = frozenset({"system"})


def validate_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(_("“%(slug)s” is reserved; choose another."), params={"slug": value})


class Municipality(models.Model):
    slug = models.SlugField(
        _("identifier"), unique=True, max_length=50, validators=[validate_not_reserved]
    )
    name_fi = models.CharField(_("name in Finnish"), max_length=200)
    name_sv = models.CharField(_("name in Swedish"), max_length=200, blank=True)
    business_id = models.CharField(
        _("business ID"),
        max_length=9,
        blank=True,
        validators=[RegexValidator(r"^\d{7}-\d$", _("Business ID has the form 1234567-8."))],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        ordering = ["name_fi"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name_fi

    def name_in(self, language: str) -> str:
        if language == "sv" and self.name_sv:
            return self.name_sv
        return self.name_fi


class Membership(models.Model):
    """One role of one user in one municipality; a user may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality", "role"], name="membership_unique_role"
            )
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} / {self.municipality} / {self.role}"


def permissions_in(user: User | AnonymousUser, municipality: Municipality) -> set[str]:
    if not user.is_authenticated or not user.is_active:
        return set()
    roles = Membership.objects.filter(user=user, municipality=municipality).values_list(
        "role", flat=True
    )
    granted: set[str] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return granted


def has_permission(user: User | AnonymousUser, municipality: Municipality, permission: str) -> bool:
    return permission in permissions_in(user, municipality)


class OidcIdentity(models.Model):
    """A user's identity at an identity provider: the issuer and subject (`iss`, `sub`) are the
    stable key. E-mail addresses and user names change hands; they never link accounts."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_identities"
    )
    provider = models.CharField(_("identity provider"), max_length=50)
    issuer = models.CharField(max_length=500)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="oidc_identity_unique")
        ]
        verbose_name = _("single sign-on identity")
        verbose_name_plural = _("single sign-on identities")

    def __str__(self) -> str:
        return f"{self.provider}: {self.subject}"


class DelegationQuerySet(models.QuerySet["Delegation"]):
    def in_force(self, day: datetime.date) -> DelegationQuerySet:
        return self.filter(valid_from__lte=day).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day)
        )


class Delegation(models.Model):
    """A user's power to decide a kind of matter in a municipality, delegated to them by the
    municipality's administrative rules (hallintosääntö, kuntalaki 410/2015 91 §) or a decision
    made under them: the title a decision prints after their name comes from here, never from
    a default. `matter` is the robot (its slug) whose decisions the delegation covers."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations"
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="delegations"
    )
    matter = models.CharField(_("matter (robot)"), max_length=50)
    title_fi = models.CharField(_("title in Finnish"), max_length=200)
    title_sv = models.CharField(_("title in Swedish"), max_length=200, blank=True)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    basis = models.CharField(
        _("delegation decision"),
        max_length=300,
        help_text=_("The decision that delegated the power, e.g. its body, date and section."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(_("made by"), max_length=150)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        ordering = ["municipality", "matter", "valid_from"]
        indexes = [models.Index(fields=["user", "municipality", "matter"])]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")

    def __str__(self) -> str:
        return f"{self.user} / {self.municipality} / {self.matter} / {self.title_fi}"

    def title(self, language: str) -> str:
        """The title in `language`; empty when it was not given in that language."""
        return {"fi": self.title_fi, "sv": self.title_sv, "en": self.title_en}.get(language, "")
