"""The form in which an administrator completes or adds a dated row of the act's figures, in
euros and percentages as the ministry's notice prints them; checked field by field in the
user's language before the action (the one the CLI uses) stores it in cents."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kuntarobo.robots.ecec_fees.fees import THRESHOLD_SIZES
from kuntarobo.robots.ecec_fees.forms import ISO_DATE, EuroField
from kuntarobo.robots.ecec_fees.models import FeeParameterRow
from kuntarobo.sdk.inputs import DATE_VALIDATORS


def _cents(euros: Decimal) -> int:
    return int((euros * 100).to_integral_value())


class ParameterRowForm(forms.Form):
    valid_from = forms.DateField(
        label=_("In force from"),
        help_text=_("The first day the notice's figures apply, e.g. 1 August."),
        widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date"}),
        validators=DATE_VALIDATORS,
    )
    threshold_2 = EuroField(label=_("Income threshold, family of 2 persons (€/month)"))
    threshold_3 = EuroField(label=_("Income threshold, family of 3 persons (€/month)"))
    threshold_4 = EuroField(label=_("Income threshold, family of 4 persons (€/month)"))
    threshold_5 = EuroField(label=_("Income threshold, family of 5 persons (€/month)"))
    threshold_6 = EuroField(label=_("Income threshold, family of 6 persons (€/month)"))
    increase_per_further_child = EuroField(
        label=_("Threshold increase for each further child of a larger family (€/month)")
    )
    max_fee = EuroField(label=_("Maximum full-time fee (€/month)"))
    min_fee = EuroField(label=_("Smallest fee charged (€/month)"))
    income_percentage = forms.DecimalField(
        label=_("Fee percentage of the income above the threshold (%)"),
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    sibling_second = forms.IntegerField(
        label=_("Fee of the second child (percent of the youngest child's fee)"),
        min_value=1,
        max_value=100,
    )
    sibling_further = forms.IntegerField(
        label=_("Fee of each further child (percent of the youngest child's fee)"),
        min_value=1,
        max_value=100,
    )
    source = forms.CharField(
        label=_("Source"),
        help_text=_(
            "The notice or act the figures come from, with its number and where it was "
            "published, e.g. the ministry's notice 1028/2025 in Finlex."
        ),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        previous: Decimal | None = None
        for size in THRESHOLD_SIZES:
            name = f"threshold_{size}"
            value = data.get(name)
            if value is None:
                previous = None
                continue
            if previous is not None and value < previous:
                self.add_error(
                    name,
                    _("The threshold of a larger family cannot be below that of a smaller one."),
                )
            previous = value
        max_fee, min_fee = data.get("max_fee"), data.get("min_fee")
        if max_fee is not None and max_fee <= 0:
            self.add_error("max_fee", _("The maximum fee must be above zero."))
        if max_fee is not None and min_fee is not None and min_fee > max_fee:
            self.add_error("min_fee", _("The smallest fee cannot be above the maximum fee."))
        second, further = data.get("sibling_second"), data.get("sibling_further")
        if second is not None and further is not None and further > second:
            self.add_error(
                "sibling_further",
                _("The fee of a further child cannot be a larger share than the second child's."),
            )
        if not str(data.get("source") or "").strip():
            self.add_error("source", _("Give the source of the figures."))
        return data

    def parameters(self) -> dict[str, object]:
        """The figures in the calculator's shape (cents), for the action."""
        data = self.cleaned_data
        return {
            "income_percentage": str(data["income_percentage"]),
            "income_thresholds": {
                str(size): _cents(data[f"threshold_{size}"]) for size in THRESHOLD_SIZES
            },
            "threshold_increase_per_further_child": _cents(data["increase_per_further_child"]),
            "max_fee": _cents(data["max_fee"]),
            "min_fee": _cents(data["min_fee"]),
            "sibling_percentages": [100, data["sibling_second"], data["sibling_further"]],
        }


def initial_for(row: FeeParameterRow) -> dict[str, Any]:
    """What the form shows to complete `row`: the figures it has, the missing ones empty."""
    initial: dict[str, Any] = {
        "valid_from": row.valid_from,
        "max_fee": Decimal(row.max_fee) / 100,
        "min_fee": Decimal(row.min_fee) / 100,
        "income_percentage": Decimal(row.income_percentage).normalize(),
    }
    percentages = list(row.sibling_percentages)
    if len(percentages) >= 2:
        initial["sibling_second"] = percentages[1]
    if len(percentages) >= 3:
        initial["sibling_further"] = percentages[2]
    for size, cents in (row.income_thresholds or {}).items():
        initial[f"threshold_{size}"] = Decimal(int(cents)) / 100
    if row.threshold_increase_per_further_child is not None:
        initial["increase_per_further_child"] = (
            Decimal(row.threshold_increase_per_further_child) / 100
        )
    return initial
