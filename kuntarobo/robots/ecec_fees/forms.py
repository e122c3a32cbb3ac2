"""The public fee estimate: what a family types in, in euros and hours, checked field by field."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kuntarobo.sdk.inputs import DATE_VALIDATORS

MAX_CHILDREN = 4
# <input type="date"> takes only ISO dates: the Finnish 15.01.2025 would leave it empty.
ISO_DATE = "%Y-%m-%d"
_SPACES = re.compile(r"[\s\u00a0\u202f€]")
_SEPARATORS = re.compile(r"[,.]")


class EuroField(forms.DecimalField):
    """Euros as people type them, in every language alike: "6 000,50 €" as the page itself
    writes amounts, spaces of any kind as thousands separators, the euro sign ignored, and a
    comma or a point as the decimal separator ("2500,50" and "2500.50" are the same amount).
    An amount whose reading depends on the language is refused with a clear message rather
    than guessed: both separators ("2,500.50" is 2 500,50 € in English and nonsense in
    Finnish), a separator repeated, or one followed by exactly three digits ("2,500")."""

    default_error_messages = {
        "ambiguous": _(
            "Write the amount without a thousands separator, with a comma or a point before "
            "the cents, e.g. 2500,50 or 2500.50."
        ),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(
            min_value=Decimal(0), max_digits=9, decimal_places=2, localize=True, **kwargs
        )

    # django-stubs' DecimalField.to_python itself overrides IntegerField's incompatibly.
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if not isinstance(value, str):
            return super().to_python(value)
        value = _SPACES.sub("", value)
        separators = _SEPARATORS.findall(value)
        if len(separators) > 1 or re.fullmatch(r"\d+[,.]\d{3}", value):
            raise forms.ValidationError(self.error_messages["ambiguous"], code="ambiguous")
        if not value:
            return None
        try:
            amount = Decimal(value.replace(",", "."))
        except ArithmeticError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not amount.is_finite():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return amount


class EstimateForm(forms.Form):
    required_css_class = "required"  # the label's visible marker (kuntarobo.css)
    date = forms.DateField(
        label=_("Fees for the month starting"),
        help_text=_("The fee rules in force on this day are used."),
        widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date"}),
        validators=DATE_VALIDATORS,
    )
    family_size = forms.IntegerField(
        label=_("Family size (adults and their minor children living together)"),
        min_value=2,
        max_value=20,
    )
    accepts_max_fee = forms.BooleanField(
        label=_("We accept the maximum fee and do not report our incomes"), required=False
    )
    income_1 = EuroField(label=_("Gross income of the first adult (€/month)"), required=False)
    income_2 = EuroField(label=_("Gross income of the second adult (€/month)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number in range(1, MAX_CHILDREN + 1):
            self.fields[f"child_{number}_birth_date"] = forms.DateField(
                label=_("Child %(number)d: date of birth") % {"number": number},
                required=number == 1,
                widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date"}),
                validators=DATE_VALIDATORS,
            )
            self.fields[f"child_{number}_hours"] = forms.IntegerField(
                label=_("Child %(number)d: hours of ECEC per month") % {"number": number},
                min_value=1,
                max_value=744,
                required=number == 1,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            not data.get("accepts_max_fee")
            and data.get("income_1") is None
            and not self.has_error("income_1")
        ):
            self.add_error("income_1", _("Give the income, or accept the maximum fee."))
        day = data.get("date")
        for number in range(1, MAX_CHILDREN + 1):
            birth = data.get(f"child_{number}_birth_date")
            hours = data.get(f"child_{number}_hours")
            if (
                (birth is None) != (hours is None)
                and not self.has_error(f"child_{number}_birth_date")
                and not self.has_error(f"child_{number}_hours")
            ):
                missing = f"child_{number}_hours" if hours is None else f"child_{number}_birth_date"
                self.add_error(missing, _("Give both the date of birth and the hours."))
            if birth and isinstance(day, datetime.date) and birth > day:
                self.add_error(
                    f"child_{number}_birth_date", _("The date of birth is after the month.")
                )
        children = sum(1 for n in range(1, MAX_CHILDREN + 1) if data.get(f"child_{n}_birth_date"))
        size = data.get("family_size")
        if size is not None and children and size < children + 1:
            self.add_error(
                "family_size", _("The family has at least one adult and the children given.")
            )
        return data

    def children(self) -> list[tuple[int, datetime.date, int]]:
        """(number on the form, date of birth, hours a month) of each child given."""
        data = self.cleaned_data
        return [
            (n, data[f"child_{n}_birth_date"], data[f"child_{n}_hours"])
            for n in range(1, MAX_CHILDREN + 1)
            if data.get(f"child_{n}_birth_date") and data.get(f"child_{n}_hours")
        ]
