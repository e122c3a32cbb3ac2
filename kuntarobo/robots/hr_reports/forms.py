"""The HR robot's settings page: the early-support thresholds as numbers and the column mapping
as JSON, checked by the same validation the CLI uses, with each problem next to its field."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kuntarobo.robots.hr_reports import actions as hr_actions
from kuntarobo.robots.hr_reports.early_support import Thresholds
from kuntarobo.sdk import InputError

DEFAULTS = Thresholds()
THRESHOLD_LABELS = {
    "window_months": _("Window over which sickness absence is summed (months)"),
    "notify_occupational_health_days": _(
        "30-day rule: days of sickness absence before occupational health care is notified"
    ),
    "discussion_spells": _("Early-support discussion: number of absences"),
    "discussion_days": _("Early-support discussion: days of absence"),
    "occupational_health_spells": _("Contact occupational health care: number of absences"),
    "occupational_health_days": _("Contact occupational health care: days of absence"),
}
# The stronger threshold must not be below the weaker one (as Thresholds requires).
AT_LEAST = {
    "occupational_health_spells": "discussion_spells",
    "occupational_health_days": "discussion_days",
}


def pretty_json(data: object) -> str:
    """JSON as people read and edit it: indented, with ä and å as they are, keys sorted (PostgreSQL
    keeps jsonb keys in its own order, SQLite in the order written)."""
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True)


class HrSettingsForm(forms.Form):
    """Empty number fields take the default; an empty mapping means the standard names."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in hr_actions.THRESHOLD_NAMES:
            label = THRESHOLD_LABELS[name]
            default = getattr(DEFAULTS, name)
            self.fields[name] = forms.IntegerField(
                label=label,
                required=False,
                min_value=1,
                help_text=format_lazy(_("Default: {default}."), default=default),
                error_messages={
                    "min_value": format_lazy(
                        _("“{label}” must be a whole number of at least 1."), label=label
                    ),
                    "invalid": format_lazy(_("“{label}” must be a whole number."), label=label),
                },
            )
        self.fields["mapping"] = forms.CharField(
            label=_("Column mapping (JSON)"),
            required=False,
            strip=True,
            widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
            help_text=_(
                "Your export's sheet names, column names and codes: an object with the keys "
                "“sheets”, “columns” and “codes”. Leave empty to use the standard names."
            ),
        )

    def clean_mapping(self) -> dict[str, Any]:
        text = self.cleaned_data.get("mapping") or ""
        if not text:
            data: object = {}
        else:
            try:
                data = json.loads(text)
            except json.JSONDecodeError as error:
                raise forms.ValidationError(
                    _(
                        "The column mapping is not valid JSON: %(problem)s "
                        "(line %(line)d, column %(column)d)."
                    ),
                    code="json",
                    params={"problem": error.msg, "line": error.lineno, "column": error.colno},
                ) from None
        try:
            mapping, _thresholds = hr_actions.validate_settings(mapping=data)
        except InputError as error:
            raise forms.ValidationError(
                _("The column mapping was refused: %(problem)s"),
                code="mapping",
                params={"problem": str(error)},
            ) from None
        assert mapping is not None
        return mapping

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        names = hr_actions.THRESHOLD_NAMES
        if any(self.has_error(name) for name in names):
            return data
        values = {
            name: data[name] if data.get(name) is not None else getattr(DEFAULTS, name)
            for name in names
        }
        for stronger, weaker in AT_LEAST.items():
            if values[stronger] < values[weaker]:
                self.add_error(
                    stronger,
                    _("“%(label)s” must not be below “%(other)s” (%(value)d).")
                    % {
                        "label": THRESHOLD_LABELS[stronger],
                        "other": THRESHOLD_LABELS[weaker],
                        "value": values[weaker],
                    },
                )
        if any(self.has_error(name) for name in names):
            return data
        try:
            _mapping, thresholds = hr_actions.validate_settings(thresholds=values)
        except InputError as error:  # what the checks above did not foresee
            self.add_error_from(error)
            return data
        data["thresholds"] = thresholds
        return data

    def add_error_from(self, error: InputError) -> None:
        """An action's refusal next to the field it names (`thresholds.<name>`, `mapping`)."""
        name = (error.field or "").removeprefix("thresholds.")
        self.add_error(
            name if name in self.fields else None,
            _("The settings were not saved: %(reason)s") % {"reason": error},
        )

    def threshold_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in hr_actions.THRESHOLD_NAMES]
