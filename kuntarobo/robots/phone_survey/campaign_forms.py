"""The campaign forms of the staff pages, checked field by field in the user's language.

The schedule goes through the same `parse_schedule` the robot and the CLI use, so a schedule
the form accepts is one the dialler can run; its problem is shown beside the field at fault."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kuntarobo.core.call_windows import HELSINKI, parse_schedule
from kuntarobo.core.respondents import normalise_phone
from kuntarobo.core.strict_json import StrictJsonError
from kuntarobo.robots.phone_survey.models import Campaign, Dialler, Questionnaire
from kuntarobo.sdk import message
from kuntarobo.sdk.inputs import DATE_VALIDATORS
from kuntarobo.sdk.models import Municipality

ISO_DATE = "%Y-%m-%d"
WEEKDAYS = (
    ("1", _("Monday")),
    ("2", _("Tuesday")),
    ("3", _("Wednesday")),
    ("4", _("Thursday")),
    ("5", _("Friday")),
    ("6", _("Saturday")),
    ("7", _("Sunday")),
)
MAX_QUOTAS = 200
FINNISH_PREFIX = "+358"  # Finland and Åland

# The schedule's problems (kuntarobo.core.call_windows, strict_json codes) in the user's words.
SCHEDULE_TEXTS: dict[str, Any] = {
    "before_start": _("The end date must not be before the start date %(min)s."),
    "span_too_long": _("A campaign may call for at most %(max)s days."),
    "not_time": _("Give the time as HH:MM, e.g. 10:00; got %(value)s."),
    "not_after_from": _("The calls must end later than they begin."),
    "unknown_timezone": _("%(value)s is not a known time zone (e.g. Europe/Helsinki)."),
    "too_few": _("Choose at least one weekday."),
    "duplicate": _("A weekday is chosen twice."),
}
SCHEDULE_FIELDS = {
    "schedule.start_date": "start_date",
    "schedule.end_date": "end_date",
    "schedule.weekdays": "weekdays",
    "schedule.from": "call_from",
    "schedule.to": "call_to",
    "schedule.timezone": "timezone",
}


def schedule_error_field(path: str) -> str | None:
    """The form field of a schedule problem's path (`schedule.weekdays[2]` → weekdays)."""
    return SCHEDULE_FIELDS.get(path.split("[", 1)[0])


def schedule_error_text(error: StrictJsonError) -> Any:
    text = SCHEDULE_TEXTS.get(error.code)
    if text is None:
        return message(_("The schedule is not valid: %(reason)s"), reason=error.message)
    return message(text, **dict(error.params))


def parse_quotas(text: str) -> list[dict[str, Any]]:
    """Quota rows "age group; gender; area; target", one a line; an empty part matches anyone.
    Raises ValidationError naming the line."""
    quotas: list[dict[str, Any]] = []
    seen: dict[tuple[str, str, str], int] = {}
    errors: list[Any] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(";")]
        if len(parts) != 4:
            errors.append(
                message(
                    _(
                        "Line %(line)s: write age group; gender; area; target "
                        "(four parts, an empty part matches anyone)."
                    ),
                    line=number,
                )
            )
            continue
        age_group, gender, area, target_text = parts
        if not (age_group or gender or area):
            errors.append(
                message(
                    _("Line %(line)s: name at least one of age group, gender and area."),
                    line=number,
                )
            )
            continue
        try:
            target = int(target_text)
        except ValueError:
            target = 0
        if target < 1:
            errors.append(
                message(
                    _(
                        "Line %(line)s: the target must be a whole number of at least 1, "
                        "got %(value)s."
                    ),
                    line=number,
                    value=target_text or "–",
                )
            )
            continue
        if len(age_group) > 20 or len(gender) > 20 or len(area) > 100:
            errors.append(
                message(
                    _(
                        "Line %(line)s: a name is too long (age group and gender 20, area "
                        "100 characters)."
                    ),
                    line=number,
                )
            )
            continue
        bucket = (age_group, gender, area)
        if bucket in seen:
            errors.append(
                message(
                    _("Line %(line)s: the same group as on line %(first)s."),
                    line=number,
                    first=seen[bucket],
                )
            )
            continue
        seen[bucket] = number
        quotas.append({"age_group": age_group, "gender": gender, "area": area, "target": target})
    if len(quotas) > MAX_QUOTAS:
        errors.append(message(_("At most %(max)s quota rows are allowed."), max=MAX_QUOTAS))
    if errors:
        raise forms.ValidationError(errors)
    return quotas


def quotas_text(quotas: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{q.get('age_group', '')}; {q.get('gender', '')}; {q.get('area', '')}; {q.get('target')}"
        for q in quotas
    )


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    questionnaire = forms.ModelChoiceField(
        label=_("Questionnaire"), queryset=Questionnaire.objects.none()
    )
    dialler = forms.ChoiceField(
        label=_("Calls"),
        choices=Dialler.choices,
        initial=Dialler.SIMULATED,
        help_text=_("Simulated calls cost nothing: use them to plan before real calls."),
    )
    start_date = forms.DateField(
        label=_("First day of calls"),
        widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date"}),
        validators=DATE_VALIDATORS,
    )
    end_date = forms.DateField(
        label=_("Last day of calls"),
        widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date"}),
        validators=DATE_VALIDATORS,
    )
    weekdays = forms.MultipleChoiceField(
        label=_("Weekdays of calls"),
        choices=WEEKDAYS,
        initial=["1", "2", "3", "4", "5"],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Public holidays and their eves are never called."),
    )
    call_from = forms.CharField(label=_("Calls from (HH:MM)"), initial="10:00", max_length=5)
    call_to = forms.CharField(label=_("Calls until (HH:MM)"), initial="20:00", max_length=5)
    timezone = forms.CharField(label=_("Time zone"), initial=HELSINKI, max_length=64)
    max_attempts = forms.IntegerField(
        label=_("Attempts per number at most"), min_value=1, max_value=10, initial=3
    )
    lines = forms.IntegerField(
        label=_("Simultaneous calls at most"), min_value=1, max_value=500, initial=5
    )
    price_per_minute_cents = forms.IntegerField(
        label=_("Price per minute (cents)"), min_value=0, max_value=100_000, initial=0
    )
    target_completes = forms.IntegerField(
        label=_("Target of complete interviews"), min_value=1, required=False
    )
    quotas = forms.CharField(
        label=_("Quotas"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One group a line: age group; gender; area; target of completes. An empty part "
            "matches anyone, e.g. 18-29; ; ; 100."
        ),
    )
    caller_id = forms.CharField(
        label=_("Caller number shown"),
        max_length=30,
        required=False,
        help_text=_(
            "A Finnish number that accepts call-backs, e.g. the city's switchboard. Required "
            "for real calls; never hidden."
        ),
    )
    notice_fi = forms.CharField(
        label=_("Advance notice in Finnish"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notice_sv = forms.CharField(
        label=_("Advance notice in Swedish"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notice_en = forms.CharField(
        label=_("Advance notice in English"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    sms_notice = forms.BooleanField(label=_("Send the advance notice by SMS"), required=False)
    notice_days_before = forms.IntegerField(
        label=_("Days of notice before the first call"), min_value=0, max_value=60, initial=3
    )
    offer_web = forms.BooleanField(
        label=_("Offer the web form"),
        required=False,
        initial=True,
        help_text=_("A personal link to the same questionnaire, e.g. to those who refuse a call."),
    )

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        field = self.fields["questionnaire"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Questionnaire.objects.filter(municipality=municipality)

    def clean_caller_id(self) -> str:
        raw: str = self.cleaned_data.get("caller_id", "").strip()
        if not raw:
            return ""
        phone = normalise_phone(raw)
        if phone is None:
            raise forms.ValidationError(_("This is not a valid phone number."))
        if not phone.startswith(FINNISH_PREFIX):
            raise forms.ValidationError(
                _(
                    "The caller number must be a Finnish number (+358) that accepts call-backs: "
                    "people do not answer or call back an unknown foreign number."
                )
            )
        return phone

    def clean_quotas(self) -> list[dict[str, Any]]:
        return parse_quotas(self.cleaned_data.get("quotas", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("dialler") == Dialler.SIP
            and not data.get("caller_id")
            and "caller_id" not in self.errors
        ):
            self.add_error(
                "caller_id",
                _("Real calls need a caller number: a Finnish number that accepts call-backs."),
            )
        if data.get("sms_notice") and not (data.get("notice_fi") or "").strip():
            self.add_error("notice_fi", _("An SMS notice needs its text, at least in Finnish."))
        self._check_schedule(data)
        return data

    def _check_schedule(self, data: dict[str, Any]) -> None:
        names = ("start_date", "end_date", "call_from", "call_to", "timezone")
        if any(name in self.errors for name in names) or any(name not in data for name in names):
            return  # the field's own problem is shown already
        try:
            self.schedule = self.schedule_dict(data)
            parse_schedule(self.schedule)
        except StrictJsonError as error:
            self.add_error(schedule_error_field(error.path), schedule_error_text(error))

    @staticmethod
    def schedule_dict(data: dict[str, Any]) -> dict[str, Any]:
        start: datetime.date = data["start_date"]
        end: datetime.date = data["end_date"]
        return {
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "weekdays": sorted(int(day) for day in data.get("weekdays") or []),
            "from": data["call_from"].strip(),
            "to": data["call_to"].strip(),
            "timezone": data["timezone"].strip() or HELSINKI,
        }

    def apply(self, campaign: Campaign) -> Campaign:
        """The cleaned values onto the campaign (not saved)."""
        data = self.cleaned_data
        campaign.municipality = self.municipality
        campaign.name = data["name"]
        campaign.questionnaire = data["questionnaire"]
        campaign.dialler = data["dialler"]
        campaign.schedule = self.schedule_dict(data)
        campaign.max_attempts = data["max_attempts"]
        campaign.lines = data["lines"]
        campaign.price_per_minute_cents = data["price_per_minute_cents"]
        campaign.target_completes = data["target_completes"]
        campaign.quotas = data["quotas"]
        campaign.caller_id = data["caller_id"]
        campaign.notice_text = {
            language: data[f"notice_{language}"].strip()
            for language in ("fi", "sv", "en")
            if data[f"notice_{language}"].strip()
        }
        campaign.sms_notice = data["sms_notice"]
        campaign.notice_days_before = data["notice_days_before"]
        campaign.offer_web = data["offer_web"]
        return campaign


def initial_for(campaign: Campaign) -> dict[str, Any]:
    schedule = campaign.schedule or {}
    notice = campaign.notice_text or {}
    return {
        "name": campaign.name,
        "questionnaire": campaign.questionnaire_id,
        "dialler": campaign.dialler,
        "start_date": schedule.get("start_date"),
        "end_date": schedule.get("end_date"),
        "weekdays": [str(day) for day in schedule.get("weekdays", [])],
        "call_from": schedule.get("from", "10:00"),
        "call_to": schedule.get("to", "20:00"),
        "timezone": schedule.get("timezone", HELSINKI),
        "max_attempts": campaign.max_attempts,
        "lines": campaign.lines,
        "price_per_minute_cents": campaign.price_per_minute_cents,
        "target_completes": campaign.target_completes,
        "quotas": quotas_text(campaign.quotas or []),
        "caller_id": campaign.caller_id,
        "notice_fi": notice.get("fi", ""),
        "notice_sv": notice.get("sv", ""),
        "notice_en": notice.get("en", ""),
        "sms_notice": campaign.sms_notice,
        "notice_days_before": campaign.notice_days_before,
        "offer_web": campaign.offer_web,
    }


class RespondentsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Respondents file (CSV or XLSX)"),
        help_text=_(
            "Columns: phone (required); age_group, gender, area and language (fi, sv or en) "
            "if known. The first row names the columns."
        ),
    )
    replace = forms.BooleanField(
        label=_("Replace the campaign's current respondents"), required=False
    )


class DoNotCallForm(forms.Form):
    phone = forms.CharField(label=_("Phone number"), max_length=30)

    def clean_phone(self) -> str:
        phone = normalise_phone(self.cleaned_data["phone"].strip())
        if phone is None:
            raise forms.ValidationError(_("This is not a valid phone number."))
        return phone


NO_FINAL_CODE = "none"


class RespondentFilterForm(forms.Form):
    """The respondents list's filters; the choices are the values the campaign really has, so
    a filter never offers an empty result."""

    final_code = forms.ChoiceField(label=_("Final code"), required=False)
    disposition = forms.ChoiceField(label=_("Disposition"), required=False)
    age_group = forms.ChoiceField(label=_("Age group"), required=False)

    def __init__(
        self,
        data: Any,
        *,
        codes: list[tuple[str, str]],
        dispositions: list[tuple[str, str]],
        age_groups: list[str],
    ) -> None:
        super().__init__(data)
        everyone = ("", _("All"))
        self._choose("final_code", [everyone, (NO_FINAL_CODE, _("No final code yet")), *codes])
        self._choose("disposition", [everyone, *dispositions])
        self._choose("age_group", [everyone, *((group, group) for group in age_groups)])

    def _choose(self, name: str, choices: list[tuple[str, Any]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
