"""The vault's forms. The secret field is write-only: never rendered with a value, empty on an
edit keeps the stored secret. The action functions check again and have the last word."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kuntarobo.runtime.declarations import all_robots
from kuntarobo.vault.models import AssetKind


class SecretInput(forms.PasswordInput):
    """Never echoes the secret back, not even after an error; no browser autofill."""

    def __init__(self) -> None:
        super().__init__(attrs={"autocomplete": "new-password"}, render_value=False)


class VaultForm(forms.Form):
    """Labels without a trailing colon, required fields marked (as the web app's forms)."""

    required_css_class = "required"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def robot_choices() -> list[tuple[str, str]]:
    return [("", str(_("Every robot of the municipality")))] + [
        (robot.slug, robot.name.get()) for robot in all_robots()
    ]


class AssetForm(VaultForm):
    name = forms.CharField(
        label=_("name"),
        max_length=64,
        help_text=_("Lower-case letters, digits, - and _; the robot asks for the asset by it."),
    )
    robot_slug = forms.ChoiceField(label=_("robot"), required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=AssetKind.choices)
    value = forms.CharField(
        label=_("value"),
        required=False,
        max_length=2000,
        help_text=_("For a text, a number or yes/no (true or false); empty for a credential."),
    )
    username = forms.CharField(
        label=_("username"), required=False, max_length=200, help_text=_("For a credential.")
    )
    secret = forms.CharField(
        label=_("secret (password)"),
        required=False,
        strip=False,
        max_length=4096,
        widget=SecretInput(),
        help_text=_("For a credential. Never shown again after it is saved."),
    )
    description = forms.CharField(
        label=_("description"), required=False, max_length=1000, widget=forms.Textarea({"rows": 2})
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        robot = self.fields["robot_slug"]
        assert isinstance(robot, forms.ChoiceField)
        robot.choices = robot_choices()
        if editing:
            for name in ("name", "robot_slug", "kind"):
                self.fields[name].disabled = True
            self.fields["secret"].help_text = _(
                "Leave empty to keep the stored secret. Never shown again after it is saved."
            )


class RotateSecretForm(VaultForm):
    secret = forms.CharField(
        label=_("new secret (password)"), strip=False, max_length=4096, widget=SecretInput()
    )
