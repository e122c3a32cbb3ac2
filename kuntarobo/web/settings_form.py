"""The generic form of a robot's municipal settings, made from its schema: a field per
setting, a field per language of a translated text, a small table for rows (with empty rows to
add more), a text area for JSON. The schema's parser has the last word; its InputError lands
next to the field it names."""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kuntarobo.runtime.declarations import InputError, Parameter
from kuntarobo.runtime.settings_schema import Setting, SettingsSchema
from kuntarobo.web.forms import BaseForm, DateInput, parameter_field

PREFIX = "s__"
LANGUAGE_NAMES = {"fi": _("in Finnish"), "sv": _("in Swedish"), "en": _("in English")}
EMPTY_ROWS = 3


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _scalar_field(setting: Setting, label: str = "") -> forms.Field:
    field = parameter_field(
        Parameter(
            name=setting.name,
            label=setting.label,
            kind=setting.kind,
            default=setting.default,
            required=setting.required,
            choices=setting.choices,
            help=setting.help,
        ),
        optional=False,
    )
    if label:
        field.label = label
    if setting.default is not None and setting.kind in ("integer", "decimal", "text", "choice"):
        default = format_lazy(_("Default: {default}."), default=setting.default)
        field.help_text = (
            format_lazy("{} {}", field.help_text, default) if field.help_text else default
        )
    return field


class RobotSettingsForm(BaseForm):
    def __init__(
        self,
        *args: Any,
        schema: SettingsSchema,
        current: dict[str, Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.schema = schema
        self.tables: list[dict[str, Any]] = []
        self.groups: list[dict[str, Any]] = []
        # The form's row number of each row given to the parser (blank rows are left out).
        self.row_numbers: dict[str, list[int]] = {}
        if schema.dated:
            self.fields["valid_from"] = forms.DateField(
                label=_("In force from"),
                widget=DateInput(),
                initial=timezone.localdate(),
                help_text=_("Decisions about days from this date on use these settings."),
            )
        for setting in schema.settings:
            value = current.get(setting.name)
            if setting.kind == "translated":
                self._add_translated(setting, PREFIX + setting.name, value)
            elif setting.kind == "group":
                self._add_group(setting, value or {})
            elif setting.kind == "rows":
                self._add_table(setting, value or [])
            elif setting.kind == "json":
                name = PREFIX + setting.name
                self.fields[name] = forms.CharField(
                    label=setting.label.get(),
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 8, "class": "code"}),
                    help_text=setting.help.get() if setting.help else "",
                )
                # Keys sorted: PostgreSQL keeps jsonb keys in its own order, SQLite as written.
                self.initial[name] = json.dumps(
                    value if value is not None else {}, indent=2, ensure_ascii=False, sort_keys=True
                )
            else:
                name = PREFIX + setting.name
                self.fields[name] = _scalar_field(setting)
                self.initial[name] = _as_text(value)

    def _add_translated(self, setting: Setting, base: str, value: Any) -> list[str]:
        names = []
        for language in setting.languages:
            name = f"{base}__{language}"
            self.fields[name] = forms.CharField(
                label=f"{setting.label.get()} ({LANGUAGE_NAMES[language]})",
                required=False,
                max_length=2000,
                help_text=setting.help.get() if setting.help else "",
            )
            self.initial[name] = (value or {}).get(language, "") if isinstance(value, dict) else ""
            names.append(name)
        return names

    def _add_group(self, setting: Setting, value: dict[str, Any]) -> None:
        names: list[str] = []
        for sub in setting.columns:
            base = f"{PREFIX}{setting.name}__{sub.name}"
            if sub.kind == "translated":
                names += self._add_translated(sub, base, value.get(sub.name))
            else:
                self.fields[base] = _scalar_field(sub)
                self.initial[base] = _as_text(value.get(sub.name))
                names.append(base)
        self.groups.append({"setting": setting, "names": names})

    def group_fields(self) -> list[dict[str, Any]]:
        """For the template: each group with its bound fields."""
        return [
            {"setting": group["setting"], "fields": [self[name] for name in group["names"]]}
            for group in self.groups
        ]

    def _add_table(self, setting: Setting, rows: list[dict[str, Any]]) -> None:
        table: dict[str, Any] = {"setting": setting, "rows": []}
        for number in range(1, len(rows) + EMPTY_ROWS + 1):
            row = rows[number - 1] if number <= len(rows) else {}
            names = []
            for column in setting.columns:
                name = f"{PREFIX}{setting.name}__{number}__{column.name}"
                field = _scalar_field(column, f"{column.label.get()} ({number})")
                field.required = False
                self.fields[name] = field
                self.initial[name] = _as_text(row.get(column.name))
                names.append(name)
            table["rows"].append(names)
        self.tables.append(table)

    def table_rows(self) -> list[dict[str, Any]]:
        """For the template: each table with its bound fields row by row."""
        return [
            {
                "setting": table["setting"],
                "rows": [[self[name] for name in names] for names in table["rows"]],
            }
            for table in self.tables
        ]

    def plain_fields(self) -> list[forms.BoundField]:
        in_tables = {name for table in self.tables for names in table["rows"] for name in names}
        in_tables |= {name for group in self.groups for name in group["names"]}
        return [self[name] for name in self.fields if name not in in_tables]

    def raw_values(self) -> dict[str, Any]:
        """What was typed, shaped as the schema's parser takes it (empty table rows left out)."""
        data = self.data
        raw: dict[str, Any] = {}
        for setting in self.schema.settings:
            base = PREFIX + setting.name
            if setting.kind == "translated":
                raw[setting.name] = {
                    language: data.get(f"{base}__{language}", "") for language in setting.languages
                }
            elif setting.kind == "group":
                raw[setting.name] = {
                    sub.name: (
                        {
                            language: data.get(f"{base}__{sub.name}__{language}", "")
                            for language in sub.languages
                        }
                        if sub.kind == "translated"
                        else data.get(f"{base}__{sub.name}", "")
                    )
                    for sub in setting.columns
                }
            elif setting.kind == "rows":
                numbers = sorted(
                    {
                        int(match.group(1))
                        for key in data
                        if (match := re.fullmatch(re.escape(base) + r"__(\d+)__\w+", key))
                    }
                )
                rows = []
                self.row_numbers[setting.name] = []
                for number in numbers:
                    row = {
                        column.name: data.get(f"{base}__{number}__{column.name}", "")
                        for column in setting.columns
                    }
                    if any(str(value).strip() for value in row.values()):
                        rows.append(row)
                        self.row_numbers[setting.name].append(number)
                raw[setting.name] = rows
            else:
                raw[setting.name] = data.get(base, "")
        return raw

    def field_of(self, error: InputError) -> str | None:
        """The form field an InputError's path (bands[2].max_hours, title.sv, contact.title.sv)
        points at."""
        path = error.field or ""
        match = re.fullmatch(r"([\w]+)\[(\d+)\]\.(\w+)", path)
        if match:
            setting, given, column = match.group(1), int(match.group(2)), match.group(3)
            numbers = self.row_numbers.get(setting, [])
            number = numbers[given - 1] if 0 < given <= len(numbers) else given
            name = f"{PREFIX}{setting}__{number}__{column}"
        elif "." in path:
            name = PREFIX + path.replace(".", "__")
        else:
            name = path if path == "valid_from" else PREFIX + path
        return name if name in self.fields else None
