"""The business cases' pages: the list of the user's municipalities' cases, a case with its
result by the Ministry of Finance's rules, the form with its table of years, and a calculator
that evaluates without saving. Every change goes through kuntarobo.portfolio.business_cases;
its InputError is shown beside the field it names, in the user's language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import formset_factory
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kuntarobo.accounts.models import Municipality, Permission, has_permission
from kuntarobo.core.business_case import BusinessCaseError, BusinessCaseResult, Rules, parse
from kuntarobo.core.explanation import Line
from kuntarobo.portfolio.business_cases import (
    case_json,
    delete_business_case,
    evaluate_case,
    input_error,
    save_business_case,
)
from kuntarobo.portfolio.models import BusinessCase, Idea
from kuntarobo.runtime.actions import PermissionDeniedError
from kuntarobo.runtime.declarations import InputError
from kuntarobo.web.forms import BaseForm
from kuntarobo.web.scoping import require_somewhere

if TYPE_CHECKING:
    from django.forms.formsets import BaseFormSet

_NUMBER = re.compile(r"-?\d+\.\d+")
MONEY = {"decimal_places": 2, "max_digits": 12, "min_value": 0, "localize": True}
YEAR = {"min_value": 1990, "max_value": 2100}


class CaseForm(BaseForm):
    """The case's own fields; `with_case` False leaves the calculator's figures only."""

    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.none(), label=gettext_lazy("Municipality")
    )
    title = forms.CharField(label=gettext_lazy("title"), max_length=200)
    idea = forms.ModelChoiceField(
        queryset=Idea.objects.none(), label=gettext_lazy("linked idea"), required=False
    )
    start_year = forms.IntegerField(label=gettext_lazy("start year"), **YEAR)  # type: ignore[arg-type]
    horizon_year = forms.IntegerField(label=gettext_lazy("horizon year"), **YEAR)  # type: ignore[arg-type]
    hourly_cost = forms.DecimalField(
        label=gettext_lazy("hourly cost (€)"),
        required=False,
        help_text=gettext_lazy(
            "The hourly cost of the staff whose work is saved, with overheads: used where a "
            "year's gross benefit is derived from cases and minutes saved."
        ),
        **MONEY,  # type: ignore[arg-type]
    )
    payback_max_years = forms.DecimalField(
        label=gettext_lazy("payback at most (years)"),
        decimal_places=2,
        max_digits=4,
        min_value=0,
        localize=True,
    )
    benefit_ratio_min = forms.DecimalField(
        label=gettext_lazy("benefit ratio at least"),
        decimal_places=2,
        max_digits=5,
        min_value=0,
        localize=True,
    )
    ratio_years = forms.IntegerField(
        label=gettext_lazy("years of the benefit ratio"), min_value=1, max_value=30
    )

    def __init__(
        self, *args: Any, municipalities: QuerySet[Municipality] | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if municipalities is None:  # the calculator, or an existing case's fixed municipality
            del self.fields["municipality"]
        else:
            field = self.fields["municipality"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = municipalities
        self.order_fields(["municipality", "title", "idea"])

    def limit_ideas(self, municipalities: QuerySet[Municipality]) -> None:
        field = self.fields["idea"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Idea.objects.filter(municipality__in=municipalities).order_by("title")


class CalculatorForm(CaseForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, municipalities=None, **kwargs)
        del self.fields["title"]
        del self.fields["idea"]


class YearForm(BaseForm):
    year = forms.IntegerField(label=gettext_lazy("year"), **YEAR)  # type: ignore[arg-type]
    development_cost = forms.DecimalField(
        label=gettext_lazy("development costs (€)"),
        required=False,
        **MONEY,  # type: ignore[arg-type]
    )
    running_cost = forms.DecimalField(
        label=gettext_lazy("running costs (€)"),
        required=False,
        **MONEY,  # type: ignore[arg-type]
    )
    gross_benefit = forms.DecimalField(
        label=gettext_lazy("gross benefits (€)"),
        required=False,
        **MONEY,  # type: ignore[arg-type]
    )
    volume = forms.IntegerField(
        label=gettext_lazy("cases"), required=False, min_value=0, max_value=100_000_000
    )
    minutes_saved = forms.DecimalField(
        label=gettext_lazy("minutes saved per case"),
        required=False,
        decimal_places=2,
        max_digits=7,
        min_value=0,
        localize=True,
    )


YearFormSet = formset_factory(YearForm, extra=0, can_delete=True, max_num=60, absolute_max=60)
EXTRA_ROWS = 2


@dataclass
class Figures:
    """What a form and its years say, in the action's input shape, and which form row each
    of the input's years came from (to put an error beside its field)."""

    data: dict[str, Any]
    rows: list[int]


def _year_rows(formset: BaseFormSet[YearForm]) -> Figures:
    years: list[dict[str, Any]] = []
    rows: list[int] = []
    for index, form in enumerate(formset.forms):
        data = form.cleaned_data
        if not data or data.get("DELETE") or data.get("year") is None:
            continue
        entry: dict[str, Any] = {
            "year": data["year"],
            "development_cost": data.get("development_cost") or Decimal(0),
            "running_cost": data.get("running_cost") or Decimal(0),
        }
        if data.get("gross_benefit") is not None:
            entry["gross_benefit"] = data["gross_benefit"]
        for key in ("volume", "minutes_saved"):
            if data.get(key) is not None:
                entry[key] = data[key]
        years.append(entry)
        rows.append(index)
    return Figures({"years": years}, rows)


def _figures(form: CaseForm, formset: BaseFormSet[YearForm], *, with_case: bool) -> Figures:
    figures = _year_rows(formset)
    data = form.cleaned_data
    figures.data.update(
        start_year=data["start_year"],
        horizon_year=data["horizon_year"],
        rules={
            "payback_max_years": data["payback_max_years"],
            "benefit_ratio_min": data["benefit_ratio_min"],
            "ratio_years": data["ratio_years"],
        },
    )
    if with_case:
        figures.data.update(
            title=data["title"],
            idea=data["idea"].pk if data.get("idea") else None,
            hourly_cost=data.get("hourly_cost"),
        )
    elif data.get("hourly_cost") is not None:
        # The calculator keeps the case's hourly cost on each derived year, as stored cases do.
        for entry in figures.data["years"]:
            if "gross_benefit" not in entry and ("volume" in entry or "minutes_saved" in entry):
                entry["hourly_cost"] = data["hourly_cost"]
    return figures


_PATH = re.compile(r"years\[(\d+)\]\.(\w+)")


def _show_error(
    error: InputError, form: CaseForm, formset: BaseFormSet[YearForm], rows: list[int]
) -> None:
    """Put the action's problem beside the field it names: a form field, a year's cell, or the
    top of the form."""
    message = str(error)
    where = error.field or ""
    where = where.removeprefix("rules.")
    matched = _PATH.fullmatch(where)
    if matched and int(matched[1]) < len(rows):
        row = formset.forms[rows[int(matched[1])]]
        if matched[2] in row.fields:
            row.add_error(matched[2], message)
            return
        if matched[2] == "hourly_cost" and "hourly_cost" in form.fields:
            form.add_error("hourly_cost", message)
            return
    if where in form.fields:
        form.add_error(where, message)
    else:
        form.add_error(None, message)


def _localized(value: str) -> str:
    """A figure of an explanation line in the reader's notation (decimal comma in Finnish)."""
    if _NUMBER.fullmatch(value):
        return formats.number_format(
            Decimal(value), decimal_pos=2, use_l10n=True, force_grouping=True
        )
    return value


def explanation(lines: tuple[Line, ...]) -> list[str]:
    """The explanation lines in the user's language: each English msgid translated, then filled."""
    return [_(line.text) % {k: _localized(v) for k, v in line.params.items()} for line in lines]


def result_context(result: BusinessCaseResult) -> dict[str, Any]:
    rows = [
        {
            "year": year,
            "net": result.net_benefit[year],
            "cumulative": result.cumulative_net_benefit[year],
        }
        for year in result.net_benefit
    ]
    return {"result": result, "result_rows": rows, "explanation": explanation(result.explanation)}


def _initial_years(start: int, count: int = 6) -> list[dict[str, Any]]:
    return [{"year": start + offset} for offset in range(count)]


def _rules_initial() -> dict[str, Any]:
    rules = Rules()
    return {
        "payback_max_years": rules.payback_max_years,
        "benefit_ratio_min": rules.benefit_ratio_min,
        "ratio_years": rules.ratio_years,
    }


def _scoped_case(request: HttpRequest, pk: int, permission: str = Permission.VIEW) -> BusinessCase:
    case = (
        BusinessCase.objects.for_user(request.user)
        .select_related("municipality", "idea")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404(_("Not found."))
    if permission != Permission.VIEW and not has_permission(
        request.user, case.municipality, permission
    ):
        raise PermissionDenied
    return case


@login_required
def business_case_list(request: HttpRequest) -> HttpResponse:
    cases = (
        BusinessCase.objects.for_user(request.user)
        .select_related("municipality", "idea")
        .order_by("municipality__name_fi", "title", "pk")
    )
    may_create = Municipality.objects.for_user(request.user, Permission.MANAGE_PORTFOLIO).exists()
    return render(
        request,
        "portfolio/business_case_list.html",
        {"cases": cases, "may_create": may_create},
    )


@login_required
def business_case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _scoped_case(request, pk)
    context = {
        "case": case,
        "plan": case_json(case),
        "may_manage": has_permission(request.user, case.municipality, Permission.MANAGE_PORTFOLIO),
        **result_context(evaluate_case(case)),
    }
    return render(request, "portfolio/business_case_detail.html", context)


def _form_page(
    request: HttpRequest,
    case: BusinessCase | None,
    managed: QuerySet[Municipality],
) -> HttpResponse:
    post = request.POST if request.method == "POST" else None
    if case is None:
        this_year = timezone.localdate().year
        initial: dict[str, Any] = {"start_year": this_year, "horizon_year": this_year + 5}
        initial.update(_rules_initial())
        years = _initial_years(this_year)
    else:
        plan = case_json(case)
        initial = {
            "title": case.title,
            "idea": case.idea_id,
            "start_year": case.start_year,
            "horizon_year": case.horizon_year,
            "hourly_cost": plan["hourly_cost"],
            **plan["rules"],
        }
        years = plan["years"]
    form = CaseForm(post, initial=initial, municipalities=managed if case is None else None)
    form.limit_ideas(
        managed if case is None else Municipality.objects.filter(pk=case.municipality_id)
    )
    formset = YearFormSet(post, initial=years, prefix="years")
    formset.extra = EXTRA_ROWS
    if post is not None and form.is_valid() and formset.is_valid():
        figures = _figures(form, formset, with_case=True)
        municipality = case.municipality if case is not None else form.cleaned_data["municipality"]
        try:
            saved = save_business_case(
                request.user, municipality, figures.data, case=case, via="web"
            )
        except PermissionDeniedError:
            raise PermissionDenied from None
        except InputError as error:
            _show_error(error, form, formset, figures.rows)
        else:
            messages.success(request, _("The business case was saved."))
            return redirect("portfolio:business-case", pk=saved.pk)
    context = {"form": form, "formset": formset, "case": case}
    return render(
        request, "portfolio/business_case_form.html", context, status=400 if post else 200
    )


@login_required
def business_case_new(request: HttpRequest) -> HttpResponse:
    managed = require_somewhere(request.user, Permission.MANAGE_PORTFOLIO)
    return _form_page(request, None, managed)


@login_required
def business_case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = _scoped_case(request, pk, Permission.MANAGE_PORTFOLIO)
    managed = Municipality.objects.filter(pk=case.municipality_id)
    return _form_page(request, case, managed)


@login_required
@require_POST
def business_case_delete(request: HttpRequest, pk: int) -> HttpResponse:
    case = _scoped_case(request, pk, Permission.MANAGE_PORTFOLIO)
    try:
        delete_business_case(request.user, case, via="web")
    except PermissionDeniedError:
        raise PermissionDenied from None
    messages.success(request, _("The business case was deleted."))
    return redirect("portfolio:business-cases")


@login_required
def business_case_calculator(request: HttpRequest) -> HttpResponse:
    """The method on figures typed in, nothing stored: for trying out a plan."""
    post = request.POST if request.method == "POST" else None
    this_year = timezone.localdate().year
    initial = {"start_year": this_year, "horizon_year": this_year + 5, **_rules_initial()}
    form = CalculatorForm(post, initial=initial)
    formset = YearFormSet(post, initial=_initial_years(this_year), prefix="years")
    formset.extra = EXTRA_ROWS
    context: dict[str, Any] = {"form": form, "formset": formset}
    status = 200
    if post is not None:
        status = 400
        if form.is_valid() and formset.is_valid():
            figures = _figures(form, formset, with_case=False)
            try:
                parsed = parse(figures.data)
            except BusinessCaseError as error:
                _show_error(input_error(error), form, formset, figures.rows)
            else:
                context.update(result_context(parsed.evaluate()))
                status = 200
    return render(request, "portfolio/business_case_calculator.html", context, status=status)
