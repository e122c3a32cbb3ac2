"""Forms of the web UI. They check what they can with translated messages; the action functions
check again and have the last word (their InputError becomes a form error)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from croniter import croniter
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kuntarobo.accounts.audit_visibility import SYSTEM_WIDE
from kuntarobo.accounts.models import Municipality
from kuntarobo.core.calendar import CALENDAR_RULES
from kuntarobo.runtime.declarations import InputError, Parameter, Robot, Text
from kuntarobo.runtime.limit_errors import DATE_VALIDATORS
from kuntarobo.runtime.models import ItemStatus, RobotDeployment
from kuntarobo.web import labels

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PARAMETER_PREFIX = "param_"

KIND_ERRORS = {
    "text": _("The text is too long (at most 2000 characters)."),
    "integer": _("Enter a whole number, for example 30."),
    "decimal": _("Enter a number, for example 5000 or 1234,50."),
    "boolean": _("Choose yes or no."),
    "date": _("Enter a date, for example 2025-03-31."),
    "email": _("Enter an email address, for example name@municipality.fi."),
    "choice": _("Choose one of the options."),
    "month": _("Enter a month in the form YYYY-MM, for example 2025-03."),
    "folder": _(
        "Enter a folder inside the robot's own storage folder as a relative path, for example "
        "inbox or archive/2026."
    ),
}


class MonthInput(forms.TextInput):
    input_type = "month"


class DateInput(forms.DateInput):
    """The browser's date picker wants ISO dates whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def _label(value: Text) -> str:
    return value.get()


class BaseForm(forms.Form):
    """Labels without a trailing colon: the layout sets them apart."""

    required_css_class = "required"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def parameter_field(parameter: Parameter, *, optional: bool) -> forms.Field:
    """A form field for a robot parameter; values stay text so `Parameter.parse` decides."""
    help_text = parameter.help.get() if parameter.help else ""
    required = parameter.required and parameter.default is None and not optional
    if parameter.kind in ("boolean", "choice"):
        choices: list[tuple[str, StrOrPromise]]
        if parameter.kind == "boolean":
            choices = [("true", _("yes")), ("false", _("no"))]
        else:
            choices = [(c, c) for c in parameter.choices]
        empty = _("(municipality's setting)") if optional else _("(default)")
        return forms.ChoiceField(
            label=_label(parameter.label),
            choices=[("", empty), *choices],
            required=required,
            help_text=help_text,
        )
    widget: forms.Widget
    if parameter.kind == "date":
        widget = DateInput()
    elif parameter.kind == "month":
        widget = MonthInput()
    elif parameter.kind == "email":
        widget = forms.EmailInput()
    elif parameter.kind in ("integer", "decimal"):
        widget = forms.TextInput(attrs={"inputmode": "decimal"})
    else:
        widget = forms.TextInput()
    return forms.CharField(
        label=_label(parameter.label),
        required=required,
        max_length=2000,
        help_text=help_text,
        widget=widget,
        error_messages={"max_length": KIND_ERRORS["text"]},
    )


class ParameterFormMixin(BaseForm):
    """Adds one field per robot parameter and checks each value with the robot's own parser."""

    robot: type[Robot]

    def add_parameter_fields(
        self, parameters: tuple[Parameter, ...], *, optional: bool, initial: dict[str, Any]
    ) -> None:
        for parameter in parameters:
            name = PARAMETER_PREFIX + parameter.name
            self.fields[name] = parameter_field(parameter, optional=optional)
            value = initial.get(parameter.name)
            if value is not None:
                self.initial[name] = (
                    ("true" if value else "false") if isinstance(value, bool) else str(value)
                )

    def clean_parameters(self, parameters: tuple[Parameter, ...]) -> dict[str, str]:
        raw: dict[str, str] = {}
        for parameter in parameters:
            name = PARAMETER_PREFIX + parameter.name
            value = self.cleaned_data.get(name)
            if value is None or value == "":
                continue
            try:
                parameter.parse(value)
            except InputError:
                self.add_error(name, KIND_ERRORS[parameter.kind])
                continue
            raw[parameter.name] = value
        return raw

    def field_of(self, error: InputError) -> str | None:
        """The form field an action's refusal is about (a folder leading out of the robot's
        root, say), so the error shows at that field; None for the form as a whole."""
        name = PARAMETER_PREFIX + error.field if error.field else ""
        return name if name in self.fields else None

    def parameter_bound_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(PARAMETER_PREFIX)]


class StartRunForm(ParameterFormMixin):
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none(), to_field_name="slug"
    )

    def __init__(
        self, *args: Any, robot: type[Robot], municipalities: QuerySet[Municipality], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.robot = robot
        self.fields["municipality"].queryset = municipalities  # type: ignore[attr-defined]
        if municipalities.count() == 1:
            self.initial["municipality"] = municipalities.first()
        if robot.accepts_upload:
            suffixes = ", ".join(robot.upload_suffixes)
            self.fields["input_file"] = forms.FileField(
                label=_("Input file"),
                required=robot.requires_upload,
                help_text=(
                    _("Allowed file types: %(types)s.") % {"types": suffixes} if suffixes else ""
                ),
                widget=forms.ClearableFileInput(
                    attrs={"accept": ",".join(robot.upload_suffixes)} if suffixes else {}
                ),
            )
        self.add_parameter_fields(robot.parameters, optional=True, initial={})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("input_file")
        if upload and self.robot.upload_suffixes:
            suffix = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
            if suffix not in self.robot.upload_suffixes:
                self.add_error(
                    "input_file",
                    _("The file “%(name)s” is not of an allowed type (%(types)s).")
                    % {"name": upload.name, "types": ", ".join(self.robot.upload_suffixes)},
                )
        cleaned["parameters"] = self.clean_parameters(self.robot.parameters)
        return cleaned


class DeploymentForm(ParameterFormMixin):
    enabled = forms.BooleanField(
        label=_("The robot is in use in this municipality"), required=False
    )
    schedule_enabled = forms.BooleanField(label=_("Run on schedule"), required=False)
    cron = forms.CharField(
        label=_("Schedule (cron)"),
        required=False,
        max_length=100,
        help_text=_(
            "Five fields in Helsinki time: minute hour day month weekday, for example "
            "“0 7 * * 1-5” is 07:00 Monday to Friday. Leave empty to use the robot's own schedule."
        ),
    )
    calendar_rule = forms.ChoiceField(label=_("Calendar rule"), required=False)

    def __init__(
        self, *args: Any, robot: type[Robot], deployment: RobotDeployment | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.robot = robot
        self.fields["calendar_rule"].choices = [  # type: ignore[attr-defined]
            ("", _("(the robot's own rule)")),
            *((rule, labels.CALENDAR_RULES[rule]) for rule in CALENDAR_RULES),
        ]
        if deployment is not None:
            self.initial.update(
                enabled=deployment.enabled,
                schedule_enabled=deployment.schedule_enabled,
                cron=deployment.cron,
                calendar_rule=deployment.calendar_rule,
            )
        else:
            self.initial.update(enabled=True)
        self.add_parameter_fields(
            robot.parameters,
            optional=False,
            initial=deployment.parameters if deployment is not None else {},
        )

    def clean_cron(self) -> str:
        cron = " ".join(str(self.cleaned_data.get("cron") or "").split())
        if cron and not croniter.is_valid(cron):
            raise forms.ValidationError(
                _(
                    "“%(cron)s” is not a valid schedule. Give five fields: minute hour day "
                    "month weekday, for example “0 7 * * 1-5”."
                ),
                params={"cron": cron},
            )
        return cron

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            cleaned.get("schedule_enabled")
            and not cleaned.get("cron")
            and self.robot.schedule is None
            and "cron" not in self.errors
        ):
            self.add_error(
                "cron", _("This robot has no schedule of its own: give one to run it on schedule.")
            )
        cleaned["parameters"] = self.clean_parameters(self.robot.parameters)
        return cleaned


class ReasonForm(BaseForm):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Give a reason.")},
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(_("Give a reason."))
        return reason


class CorrectionForm(ParameterFormMixin):
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, robot: type[Robot], output: dict[str, Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.robot = robot
        self.add_parameter_fields(robot.correctable_fields, optional=False, initial=output)
        # The note goes last, after the fields being corrected.
        self.fields["note"] = self.fields.pop("note")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["corrections"] = self.clean_parameters(self.robot.correctable_fields)
        if not cleaned["corrections"] and not self.errors:
            raise forms.ValidationError(_("Give at least one corrected value."))
        return cleaned


class ItemFilterForm(BaseForm):
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            ("", _("All")),
            *ItemStatus.choices,
        ]


class AuditMunicipalityField(forms.ModelChoiceField[Municipality]):
    """A municipality by slug or, when `allow_system_wide` is set, SYSTEM_WIDE: system-wide
    events belong to no municipality, so the queryset alone cannot offer them."""

    allow_system_wide = False

    def to_python(self, value: Any) -> Any:
        if self.allow_system_wide and value == SYSTEM_WIDE:
            return SYSTEM_WIDE
        return super().to_python(value)


class AuditFilterForm(BaseForm):
    municipality = AuditMunicipalityField(
        label=_("Municipality"),
        queryset=Municipality.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("All"),
    )
    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.CharField(label=_("Actor"), required=False, max_length=200)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=DateInput(), validators=DATE_VALIDATORS
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=DateInput(), validators=DATE_VALIDATORS
    )

    def __init__(
        self,
        *args: Any,
        municipalities: QuerySet[Municipality],
        actions: list[str],
        system_wide: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        field.queryset = municipalities  # type: ignore[attr-defined]
        if system_wide:
            field.allow_system_wide = True  # type: ignore[attr-defined]
            everything, *named = field.choices  # type: ignore[attr-defined]
            field.choices = [everything, (SYSTEM_WIDE, _("System-wide")), *named]  # type: ignore[attr-defined]
        known = sorted(set(actions) | set(labels.AUDIT_ACTIONS))
        self.fields["action"].choices = [  # type: ignore[attr-defined]
            ("", _("All")),
            *((code, labels.audit_action_label(code)) for code in known),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start: datetime.date | None = cleaned.get("date_from")
        end: datetime.date | None = cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned
