"""The public fee estimate page: a family works out its ECEC fee with the same engine and the
same parameters the decisions use, in Finnish, Swedish or English. Nothing is stored."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kuntarobo.robots.ecec_fees import calculator, fees, service
from kuntarobo.robots.ecec_fees.forms import EstimateForm
from kuntarobo.robots.ecec_fees.models import FeeParameterRow
from kuntarobo.robots.ecec_fees.municipal import MunicipalFeeSettings
from kuntarobo.robots.ecec_fees.municipal_settings import settings_of
from kuntarobo.robots.ecec_fees.robot import EcecFeeRobot
from kuntarobo.sdk.models import Municipality
from kuntarobo.sdk.settings import settings_row_in_force


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def estimate(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = get_object_or_404(Municipality, slug=slug)
    today = timezone.localdate()
    settings_row = settings_row_in_force(municipality, EcecFeeRobot, today)
    if settings_row is None:
        raise Http404("this municipality has not set up its ECEC fees")
    settings = settings_of(settings_row)
    language = (get_language() or "fi")[:2]
    result: dict[str, Any] | None = None
    if request.method == "POST":
        form = EstimateForm(request.POST)
        if form.is_valid():
            # The municipality's bands in force on the day asked about, as the decision would
            # use; before its first settings, those in force today.
            on_day = settings_row_in_force(municipality, EcecFeeRobot, form.cleaned_data["date"])
            result = _estimate(form, settings_of(on_day or settings_row), language)
    else:
        form = EstimateForm(initial={"date": default_date(today), "family_size": 3})
    in_force_today = FeeParameterRow.objects.in_force_on(today)
    context = {
        "municipality": municipality,
        "municipality_name": municipality.name_in(language),
        "form": form,
        "result": result,
        "unconfirmed_from": (
            in_force_today.valid_from
            if in_force_today is not None and not in_force_today.complete
            else None
        ),
        "bands": [
            (limit, _share(coefficient)) for limit, coefficient in settings.service_need_bands
        ],
    }
    return render(request, "ecec_fees/estimate.html", context)


def default_date(today: datetime.date) -> datetime.date:
    """The form's own date, which always computes: today when the figures in force today are
    complete; while a new notice's income thresholds are not entered, the first day of the last
    month the previous figures cover (the page says why)."""
    row = FeeParameterRow.objects.in_force_on(today)
    if row is not None and row.complete:
        return today
    for earlier in FeeParameterRow.objects.filter(valid_from__lte=today).order_by("-valid_from"):
        if earlier.complete and earlier.valid_to is not None:
            last = min(earlier.valid_to, today)
            return max(last.replace(day=1), earlier.valid_from)
    return today


def _share(coefficient: Decimal) -> str:
    percent = (coefficient * 100).quantize(Decimal(1))
    return f"{percent} %"


def _estimate(
    form: EstimateForm, settings: MunicipalFeeSettings, language: str
) -> dict[str, Any] | None:
    data = form.cleaned_data
    incomes: list[dict[str, Any]] = []
    if not data["accepts_max_fee"]:
        for name in ("income_1", "income_2"):
            if data.get(name) is not None:
                incomes.append({"amount": int((data[name] * 100).to_integral_value())})
    request = {
        "date": data["date"].isoformat(),
        "language": language if language in fees.LANGUAGES else "fi",
        "family": {
            "size": data["family_size"],
            "accepts_max_fee": bool(data["accepts_max_fee"]),
            "incomes": incomes,
            "children": [
                {
                    "id": str(number),
                    "birth_date": birth.isoformat(),
                    "service_need_coefficient": str(settings.coefficient_for_hours(hours)),
                }
                for number, birth, hours in form.children()
            ],
        },
    }
    try:
        answer = service.calculate(request)
    except calculator.CalculatorInputError as error:
        # The calculator's messages are in English and written for programs and operators:
        # the family is told in its own language what to change.
        if error.field == "date":
            if FeeParameterRow.objects.in_force_on(data["date"]) is None:
                message = _("No fee rules are known for this date: choose a later date.")
            else:
                message = _(
                    "The income limits for this date are not confirmed yet: choose an "
                    "earlier date, or try again later."
                )
            form.add_error("date", message)
        else:
            form.add_error(None, _("The fee could not be worked out from these details."))
        return None
    # The engine lists the children youngest first; the page in the order of the form, each
    # under its number there (its explanation tells its place among the siblings).
    children = {str(number): (birth, hours) for number, birth, hours in form.children()}
    row = FeeParameterRow.objects.in_force_on(data["date"])
    return {
        "example_figures": bool(row is not None and row.example_figures),
        "total": fees.format_euros(int(answer["total_fee"]), language),
        "explanation": answer["explanation"],
        "children": [
            {
                "number": int(child["id"]),
                "birth_date": children[child["id"]][0],
                "hours": children[child["id"]][1],
                "fee": fees.format_euros(int(child["final_fee"]), language),
                "explanation": child["explanation"],
            }
            for child in sorted(answer["children"], key=lambda child: int(child["id"]))
        ],
    }
