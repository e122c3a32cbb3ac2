"""The vault: a municipality's assets (texts, numbers, yes/no values) and credentials for its
robots, like UiPath Orchestrator's Assets. A credential's secret is kept only as a Fernet token
(kuntarobo.vault.keys) and never shown again after it is saved."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kuntarobo.accounts.models import Municipality
from kuntarobo.runtime.models import ScopedQuerySet

NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
TRUE_WORDS = frozenset({"true", "yes", "1"})
FALSE_WORDS = frozenset({"false", "no", "0"})
NUMBER = re.compile(r"^-?\d{1,15}([.,]\d{1,10})?$")


class AssetKind(models.TextChoices):
    TEXT = "text", _("text")
    NUMBER = "number", _("number")
    BOOLEAN = "boolean", _("yes or no")
    CREDENTIAL = "credential", _("credential")


validate_asset_name = RegexValidator(
    NAME_PATTERN,
    _("Use lower-case letters a–z, digits, - and _, starting with a letter or a digit."),
)


def parse_value(kind: str, value: str) -> str | int | Decimal | bool:
    """The stored text of a plain asset as the robot gets it (a number without decimals as an
    int); ValueError when it does not fit its kind."""
    if kind == AssetKind.NUMBER:
        if not NUMBER.match(value.strip()):
            raise ValueError(value)
        if value.strip().lstrip("-").isdigit():
            return int(value.strip())
        try:
            return Decimal(value.strip().replace(",", "."))
        except InvalidOperation:
            raise ValueError(value) from None
    if kind == AssetKind.BOOLEAN:
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(value)
    return value


class Asset(models.Model):
    """One named value or credential of a municipality, for one robot or (robot_slug blank) for
    every robot of the municipality; a robot's own asset wins over the municipality-wide one."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="vault_assets"
    )
    robot_slug = models.CharField(
        _("robot"),
        max_length=50,
        blank=True,
        help_text=_("Leave empty to let every robot of the municipality use it."),
    )
    name = models.CharField(_("name"), max_length=64, validators=[validate_asset_name])
    kind = models.CharField(_("kind"), max_length=20, choices=AssetKind.choices)
    value = models.TextField(_("value"), blank=True, max_length=2000)
    username = models.CharField(_("username"), max_length=200, blank=True)
    # A Fernet token (kuntarobo.vault.keys): the secret itself is never stored.
    secret = models.TextField(blank=True, editable=False)
    description = models.TextField(_("description"), blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=200, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.CharField(max_length=200, blank=True, editable=False)
    secret_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    secret_changed_by = models.CharField(max_length=200, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["municipality__name_fi", "name", "robot_slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "robot_slug", "name"], name="vault_asset_unique_name"
            )
        ]
        verbose_name = _("vault asset")
        verbose_name_plural = _("vault assets")

    def __str__(self) -> str:
        return f"{self.name} ({self.robot_slug or '*'})"

    @property
    def is_credential(self) -> bool:
        return self.kind == AssetKind.CREDENTIAL

    @property
    def has_secret(self) -> bool:
        return bool(self.secret)

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        if self.kind == AssetKind.CREDENTIAL:
            if not self.username.strip():
                errors["username"] = ValidationError(_("A credential needs a username."))
            if self.value:
                errors["value"] = ValidationError(
                    _("A credential has a username and a secret, no value.")
                )
        else:
            if self.username:
                errors["username"] = ValidationError(_("Only a credential has a username."))
            try:
                parse_value(self.kind, self.value)
            except ValueError:
                if self.kind == AssetKind.NUMBER:
                    errors["value"] = ValidationError(
                        _("Enter a number, for example 5000 or 1234,50.")
                    )
                else:
                    errors["value"] = ValidationError(_("Enter true or false."))
        if errors:
            raise ValidationError(errors)
