"""The act's figures as dated rows, for the staff: every row with its source, whether it is
complete, example figures or already used by decisions; and, for those who may enter the
national figures (superusers and users granted the permission), the form that completes an
incomplete row or adds the next notice's row. The same action as the CLI stores it and writes
the audit trail; a row a decision used is never changed, only followed by a new row."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kuntarobo.robots.ecec_fees import actions as fee_actions
from kuntarobo.robots.ecec_fees.models import (
    FeeParameterRow,
    may_manage_parameters,
    used_parameter_dates,
)
from kuntarobo.robots.ecec_fees.parameter_forms import ParameterRowForm, initial_for
from kuntarobo.sdk import InputError
from kuntarobo.sdk.permissions import Permission, PermissionDeniedError
from kuntarobo.sdk.web import require_somewhere

# Fields of the action's errors → the form's fields, so that the message sits by the field.
_ERROR_FIELDS = {
    "valid_from": "valid_from",
    "source": "source",
    "parameters.max_fee": "max_fee",
    "parameters.min_fee": "min_fee",
    "parameters.income_percentage": "income_percentage",
    "parameters.threshold_increase_per_further_child": "increase_per_further_child",
}


def _may_view(request: HttpRequest) -> bool:
    if may_manage_parameters(request.user):
        return True
    require_somewhere(request.user, Permission.VIEW)  # the figures are public, the page is not
    return True


def _form_for(request: HttpRequest, rows: list[FeeParameterRow]) -> ParameterRowForm:
    asked = request.GET.get("valid_from", "")
    chosen = next((row for row in rows if row.valid_from.isoformat() == asked), None)
    if chosen is None:
        chosen = next((row for row in rows if not row.complete), None)
    if chosen is not None:
        return ParameterRowForm(initial=initial_for(chosen))
    latest = rows[-1] if rows else None
    initial: dict[str, Any] = initial_for(latest) if latest else {}
    # A new notice: its date and its figures are the administrator's to type in.
    for name in list(initial):
        if name.startswith("threshold_") or name in ("valid_from", "max_fee", "min_fee"):
            initial.pop(name)
    initial.pop("increase_per_further_child", None)
    return ParameterRowForm(initial=initial)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def parameters(request: HttpRequest) -> HttpResponse:
    _may_view(request)
    may_manage = may_manage_parameters(request.user)
    rows = list(FeeParameterRow.objects.order_by("valid_from"))
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        form = ParameterRowForm(request.POST)
        if form.is_valid():
            valid_from: datetime.date = form.cleaned_data["valid_from"]
            try:
                row = fee_actions.add_parameter_row(
                    request.user,
                    form.parameters(),
                    valid_from=valid_from,
                    source=form.cleaned_data["source"],
                    via="web",
                )
            except PermissionDeniedError:
                raise PermissionDenied from None
            except InputError as error:
                field = _ERROR_FIELDS.get(error.field or "")
                if field is None and (error.field or "").startswith(
                    "parameters.income_thresholds."
                ):
                    field = "threshold_" + (error.field or "").rsplit(".", 1)[-1]
                form.add_error(field if field in form.fields else None, str(error))
            else:
                messages.success(
                    request,
                    _("The fee figures from %(date)s are saved.")
                    % {"date": row.valid_from.strftime("%-d.%-m.%Y")},
                )
                return redirect("ecec_fees_staff:parameters")
    else:
        form = _form_for(request, rows)
    used = used_parameter_dates()
    context = {
        "rows": [
            {
                "row": row,
                "used": row.valid_from in used,
                "missing": row.missing_fields,
                "thresholds": [
                    (size, (row.income_thresholds or {}).get(str(size))) for size in (2, 3, 4, 5, 6)
                ],
            }
            for row in reversed(rows)
        ],
        "form": form if may_manage else None,
        "may_manage": may_manage,
    }
    return render(request, "ecec_fees/parameters.html", context)
