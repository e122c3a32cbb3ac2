"""A robot's municipal settings declared as a schema: typed fields with fi/sv/en labels and
help, texts per language, tables of rows, optionally in force from a date.

The platform gives every robot that declares one a settings page, a CLI command and an API
endpoint, all checking values here and storing them through one audited action
(`kuntarobo.runtime.settings_actions.save_robot_settings`). Values are stored as JSON: decimals
as text, a translated text as {"fi": …, "sv": …, "en": …}, a table as a list of objects."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from kuntarobo.runtime.declarations import (
    INVALID_VALUE,
    PARAMETER_KINDS,
    InputError,
    Parameter,
    Text,
    message,
)

SETTING_KINDS = (
    *(k for k in PARAMETER_KINDS if k not in ("folder", "month")),
    "translated",
    "rows",
    "group",
    "json",
)
LANGUAGES = ("fi", "sv", "en")
MAX_ROWS = 100
MAX_JSON_CHARS = 100_000


@dataclass(frozen=True)
class Setting:
    """One setting. `columns` are the fields of each row of a "rows" setting, or the
    sub-settings of a "group" (its value a dict of them, e.g. a contact person's name, title and
    phone); `languages` the ones a "translated" text is asked in (the first is required when the
    setting is)."""

    name: str
    label: Text
    kind: str = "text"
    help: Text | None = None
    default: Any = None
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: Decimal | int | None = None
    maximum: Decimal | int | None = None
    columns: tuple[Setting, ...] = ()
    languages: tuple[str, ...] = ("fi", "sv")

    def __post_init__(self) -> None:
        if self.kind not in SETTING_KINDS:
            raise ValueError(f"setting {self.name}: unknown kind {self.kind!r}")
        if (self.kind in ("rows", "group")) != bool(self.columns):
            raise ValueError(
                f"setting {self.name}: a table (rows) or a group and only they have columns"
            )
        if self.kind == "group" and any(c.kind in ("rows", "group") for c in self.columns):
            raise ValueError(f"setting {self.name}: a group holds no tables or groups")
        if any(language not in LANGUAGES for language in self.languages):
            raise ValueError(f"setting {self.name}: languages must be among {LANGUAGES}")

    def parse(self, raw: Any, path: str = "") -> Any:
        """The value as stored, or InputError naming the setting (`path`, e.g. bands[2].hours)."""
        path = path or self.name
        if self.kind == "translated":
            return self._translated(raw, path)
        if self.kind == "rows":
            return self._rows(raw, path)
        if self.kind == "group":
            return self._group(raw, path)
        if self.kind == "json":
            return self._json(raw, path)
        parameter = Parameter(
            name=path,
            label=self.label,
            kind=self.kind,
            default=self.default,
            required=self.required,
            choices=self.choices,
        )
        if self.required and self.default is None and (raw is None or str(raw).strip() == ""):
            raise InputError(
                _("“%(label)s” (%(name)s) is required"), field=path, label=self.label, name=path
            )
        try:
            value = parameter.parse(raw)
        except InputError:
            expected = (
                message(_("one of %(choices)s"), choices=", ".join(self.choices))
                if self.kind == "choice"
                else INVALID_VALUE.get(self.kind, INVALID_VALUE["text"])
            )
            raise self.refusal(path, expected) from None
        if value is not None and self.kind in ("integer", "decimal"):
            self._check_range(Decimal(str(value)), path)
        return value

    def _check_range(self, number: Decimal, path: str) -> None:
        low, high = self.minimum, self.maximum
        if low is not None and number < low:
            raise InputError(
                _("“%(label)s” (%(name)s) must be at least %(low)s, not %(value)s"),
                field=path,
                label=self.label,
                name=path,
                low=str(low),
                value=str(number),
            )
        if high is not None and number > high:
            raise InputError(
                _("“%(label)s” (%(name)s) must be at most %(high)s, not %(value)s"),
                field=path,
                label=self.label,
                name=path,
                high=str(high),
                value=str(number),
            )

    def refusal(self, path: str, expected: Any) -> InputError:
        """The setting, by its label in the reader's language and its name, and what it must be."""
        return InputError(
            _("“%(label)s” (%(name)s) must be %(expected)s"),
            field=path,
            label=self.label,
            name=path,
            expected=expected,
        )

    def _translated(self, raw: Any, path: str) -> dict[str, str]:
        if raw in (None, ""):
            raw = {}
        if isinstance(raw, str):
            raw = {self.languages[0]: raw}
        if not isinstance(raw, Mapping):
            raise self.refusal(path, _("a text in each language"))
        unknown = sorted(set(raw) - set(self.languages))
        if unknown:
            raise self.refusal(f"{path}.{unknown[0]}", _("one of the languages of this setting"))
        texts: dict[str, str] = {}
        for language in self.languages:
            value = raw.get(language)
            text = "" if value is None else value
            if not isinstance(text, str) or len(text) > 2000:
                raise self.refusal(f"{path}.{language}", _("a text of at most 2000 characters"))
            texts[language] = text.strip()
        if self.required and not texts[self.languages[0]]:
            where = f"{path}.{self.languages[0]}"
            raise InputError(
                _("“%(label)s” (%(name)s) is required"), field=where, label=self.label, name=where
            )
        return texts

    def _rows(self, raw: Any, path: str) -> list[dict[str, Any]]:
        if raw in (None, ""):
            raw = self.default if self.default is not None else []
        if not isinstance(raw, list) or len(raw) > MAX_ROWS:
            raise self.refusal(path, _("a table of at most 100 rows"))
        if self.required and not raw:
            raise InputError(
                _("“%(label)s” (%(name)s) is required"), field=path, label=self.label, name=path
            )
        rows = []
        for number, row in enumerate(raw, start=1):
            where = f"{path}[{number}]"
            if not isinstance(row, Mapping):
                raise self.refusal(where, _("a row of the table"))
            known = {column.name for column in self.columns}
            unknown = sorted(set(row) - known)
            if unknown:
                raise self.refusal(
                    where,
                    message(
                        _("a row with the columns %(columns)s"), columns=", ".join(sorted(known))
                    ),
                )
            rows.append(
                {
                    column.name: column.parse(row.get(column.name), f"{where}.{column.name}")
                    for column in self.columns
                }
            )
        return rows

    def _group(self, raw: Any, path: str) -> dict[str, Any]:
        if raw in (None, ""):
            raw = self.default if self.default is not None else {}
        if not isinstance(raw, Mapping):
            raise self.refusal(path, _("a group of settings"))
        unknown = sorted(set(raw) - {sub.name for sub in self.columns})
        if unknown:
            raise InputError(
                _("unknown setting '%(name)s'"), field=f"{path}.{unknown[0]}", name=unknown[0]
            )
        return {
            sub.name: sub.parse(raw.get(sub.name), f"{path}.{sub.name}") for sub in self.columns
        }

    def _json(self, raw: Any, path: str) -> Any:
        if isinstance(raw, str):
            if not raw.strip():
                return self.default if self.default is not None else {}
            if len(raw) > MAX_JSON_CHARS:
                raise self.refusal(path, _("JSON of at most 100,000 characters"))
            try:
                return json.loads(raw)
            except ValueError as error:
                raise InputError(
                    _("“%(label)s” (%(name)s) is not valid JSON: %(problem)s"),
                    field=path,
                    label=self.label,
                    name=path,
                    problem=str(error),
                ) from None
        if raw is None:
            return self.default if self.default is not None else {}
        return raw


@dataclass(frozen=True)
class SettingsSchema:
    """What a robot's settings are. `check` sees the parsed values together (a stronger
    threshold not below a weaker one …) and raises InputError naming the field; `dated`
    settings are kept as rows in force from a date, so a decision can cite the ones it used."""

    settings: tuple[Setting, ...]
    title: Text | None = None
    dated: bool = False
    check: Callable[[dict[str, Any]], None] | None = None

    def __post_init__(self) -> None:
        names = [setting.name for setting in self.settings]
        if len(names) != len(set(names)):
            raise ValueError("two settings share a name")

    def defaults(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for setting in self.settings:
            if setting.required:
                continue
            try:
                values[setting.name] = setting.parse(None)
            except InputError:  # a group whose sub-settings have no defaults
                continue
        return values

    def parse(
        self, raw: Mapping[str, Any], *, partial_of: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """All settings parsed; with `partial_of`, those not given keep the stored value."""
        if not isinstance(raw, Mapping):
            raise InputError(_("the settings must be a JSON object of setting names and values"))
        known = {setting.name for setting in self.settings}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise InputError(_("unknown setting '%(name)s'"), field=unknown[0], name=unknown[0])
        values: dict[str, Any] = {}
        for setting in self.settings:
            if partial_of is not None and setting.name not in raw and setting.name in partial_of:
                values[setting.name] = partial_of[setting.name]
                continue
            values[setting.name] = setting.parse(raw.get(setting.name))
        if self.check is not None:
            self.check(values)
        return values
