"""The pages of a programme's follow-up: the list of programmes, a programme with its traffic
lights, costs, outputs, risks and milestones, and the forms that keep them. Everyone of a
member municipality sees a programme; the lead municipality's portfolio managers keep it
(others get 403; a user of no member municipality gets 404)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from kuntarobo.portfolio.models import (
    AxisChoice,
    CostKindChoice,
    LightChoice,
    OutputStatusChoice,
    Programme,
    RiskStatus,
)
from kuntarobo.portfolio.models.programmes import CONTEXT
from kuntarobo.portfolio.programmes import (
    RECORD_KINDS,
    FollowUpRecord,
    can_manage,
    delete_record,
    programmes_visible_to,
    save_record,
    set_axis_override,
    traffic_lights,
)
from kuntarobo.runtime.actions import PermissionDeniedError
from kuntarobo.runtime.declarations import InputError
from kuntarobo.web.forms import BaseForm, DateInput

SCALE = [(n, str(n)) for n in range(1, 6)]


class EuroField(forms.DecimalField):
    """Euros as people type them: 1234,50 or 1 234.50."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.replace("\xa0", "").replace(" ", "").replace(",", ".")
        return super().to_python(value)


def euro_field(label: Any, **kwargs: Any) -> forms.DecimalField:
    return EuroField(label=label, max_digits=12, decimal_places=2, min_value=Decimal(0), **kwargs)


class CostForm(BaseForm):
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=CostKindChoice.choices)
    year = forms.IntegerField(
        label=gettext_lazy("year"), required=False, min_value=1990, max_value=2100
    )
    description = forms.CharField(label=gettext_lazy("description"), max_length=300, required=False)
    planned = euro_field(gettext_lazy("planned (€)"))
    realised = euro_field(gettext_lazy("realised (€)"), initial=0)
    note = forms.CharField(label=gettext_lazy("note"), max_length=500, required=False)

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["planned_cents"] = int(data.pop("planned") * 100)
        data["realised_cents"] = int(data.pop("realised") * 100)
        return data

    @staticmethod
    def initial_of(obj: Any) -> dict[str, Any]:
        return {
            "kind": obj.kind,
            "year": obj.year,
            "description": obj.description,
            "planned": Decimal(obj.planned_cents) / 100,
            "realised": Decimal(obj.realised_cents) / 100,
            "note": obj.note,
        }


class OutputForm(BaseForm):
    title = forms.CharField(label=pgettext_lazy(CONTEXT, "output"), max_length=200)
    planned = forms.CharField(label=gettext_lazy("planned"), max_length=500, required=False)
    delivered = forms.CharField(label=gettext_lazy("delivered"), max_length=500, required=False)
    planned_quantity = forms.IntegerField(
        label=gettext_lazy("planned quantity"), required=False, min_value=0
    )
    delivered_quantity = forms.IntegerField(
        label=gettext_lazy("delivered quantity"), required=False, min_value=0
    )
    status = forms.ChoiceField(label=gettext_lazy("status"), choices=OutputStatusChoice.choices)
    note = forms.CharField(label=gettext_lazy("note"), max_length=500, required=False)

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)

    @staticmethod
    def initial_of(obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in OutputForm.base_fields}


class RiskForm(BaseForm):
    description = forms.CharField(label=gettext_lazy("risk"), max_length=500)
    likelihood = forms.TypedChoiceField(
        label=gettext_lazy("likelihood (1–5)"), choices=SCALE, coerce=int
    )
    impact = forms.TypedChoiceField(label=gettext_lazy("impact (1–5)"), choices=SCALE, coerce=int)
    mitigation = forms.CharField(
        label=gettext_lazy("mitigation"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    status = forms.ChoiceField(label=gettext_lazy("status"), choices=RiskStatus.choices)

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)

    @staticmethod
    def initial_of(obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in RiskForm.base_fields}


class MilestoneForm(BaseForm):
    title = forms.CharField(label=gettext_lazy("milestone"), max_length=200)
    planned_on = forms.DateField(label=gettext_lazy("planned date"), widget=DateInput())
    achieved_on = forms.DateField(
        label=gettext_lazy("actual date"), widget=DateInput(), required=False
    )
    note = forms.CharField(label=gettext_lazy("note"), max_length=500, required=False)

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)

    @staticmethod
    def initial_of(obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in MilestoneForm.base_fields}


FollowUpForm = CostForm | OutputForm | RiskForm | MilestoneForm
FORMS: dict[str, type[FollowUpForm]] = {
    "costs": CostForm,
    "outputs": OutputForm,
    "risks": RiskForm,
    "milestones": MilestoneForm,
}
KIND_TITLES = {
    "costs": (gettext_lazy("Add a cost line"), gettext_lazy("Edit a cost line")),
    "outputs": (gettext_lazy("Add an output"), gettext_lazy("Edit an output")),
    "risks": (gettext_lazy("Add a risk"), gettext_lazy("Edit a risk")),
    "milestones": (gettext_lazy("Add a milestone"), gettext_lazy("Edit a milestone")),
}


class OverrideForm(BaseForm):
    light = forms.ChoiceField(
        label=gettext_lazy("traffic light"),
        choices=[("", gettext_lazy("(computed by the rule)")), *LightChoice.choices],
        required=False,
    )
    reason = forms.CharField(
        label=gettext_lazy("reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=gettext_lazy("Required when you set the light yourself."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("light") and not str(data.get("reason", "")).strip():
            self.add_error("reason", _("Give the reason for the override."))
        return data


def _programme(request: HttpRequest, pk: int, *, manage: bool = False) -> Programme:
    programme = programmes_visible_to(request.user).select_related("lead").filter(pk=pk).first()
    if programme is None:
        raise Http404(_("Not found."))
    if manage and not can_manage(request.user, programme):
        raise PermissionDenied
    return programme


def _kind(kind: str) -> str:
    if kind not in RECORD_KINDS:
        raise Http404(_("Not found."))
    return kind


def _record(programme: Programme, kind: str, record_pk: int) -> FollowUpRecord:
    obj = RECORD_KINDS[kind].objects.filter(programme=programme, pk=record_pk).first()
    if obj is None:
        raise Http404(_("Not found."))
    return obj


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    programmes = (
        programmes_visible_to(request.user)
        .select_related("lead")
        .prefetch_related("municipalities")
        .order_by("-starts_on", "name")
    )
    return render(request, "portfolio/programme_list.html", {"programmes": programmes})


def cost_summary(programme: Programme) -> dict[str, Any]:
    """Planned vs realised per kind, with totals and the difference (realised − planned)."""
    rows: list[dict[str, Any]] = []
    lines = list(programme.costs.all())
    for kind, label in CostKindChoice.choices:
        of_kind = [c for c in lines if c.kind == kind]
        if not of_kind:
            continue
        planned = sum(c.planned_cents for c in of_kind)
        realised = sum(c.realised_cents for c in of_kind)
        rows.append(
            {"label": label, "planned": planned, "realised": realised, "diff": realised - planned}
        )
    planned = sum(r["planned"] for r in rows)
    realised = sum(r["realised"] for r in rows)
    return {
        "rows": rows,
        "lines": lines,
        "planned": planned,
        "realised": realised,
        "diff": realised - planned,
    }


@login_required
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    context = {
        "programme": programme,
        "members": programme.municipalities.order_by("name_fi"),
        "lights": traffic_lights(programme, timezone.localdate()),
        "costs": cost_summary(programme),
        "outputs": programme.outputs.all(),
        "risks": programme.risks.all(),
        "milestones": programme.milestones.all(),
        "can_manage": can_manage(request.user, programme),
    }
    return render(request, "portfolio/programme_detail.html", context)


def _edit(
    request: HttpRequest, programme: Programme, kind: str, obj: FollowUpRecord | None
) -> HttpResponse:
    form_class = FORMS[kind]
    initial = form_class.initial_of(obj) if obj is not None else None
    form = form_class(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save_record(request.user, programme, kind, form.values(), obj=obj, via="web")
        except PermissionDeniedError:
            raise PermissionDenied from None
        except InputError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("Saved."))
            return redirect("portfolio:programme_detail", pk=programme.pk)
    context = {
        "programme": programme,
        "form": form,
        "title": KIND_TITLES[kind][0 if obj is None else 1],
        "kind": kind,
        "obj": obj,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "portfolio/programme_form.html", context, status=status)


@login_required
def programme_record_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    kind = _kind(kind)
    return _edit(request, _programme(request, pk, manage=True), kind, None)


@login_required
def programme_record_edit(request: HttpRequest, pk: int, kind: str, record_pk: int) -> HttpResponse:
    kind = _kind(kind)
    programme = _programme(request, pk, manage=True)
    return _edit(request, programme, kind, _record(programme, kind, record_pk))


@login_required
@require_POST
def programme_record_delete(
    request: HttpRequest, pk: int, kind: str, record_pk: int
) -> HttpResponse:
    kind = _kind(kind)
    programme = _programme(request, pk, manage=True)
    try:
        delete_record(request.user, programme, _record(programme, kind, record_pk), via="web")
    except PermissionDeniedError:
        raise PermissionDenied from None
    messages.success(request, _("Deleted."))
    return redirect("portfolio:programme_detail", pk=programme.pk)


@login_required
def programme_axis_override(request: HttpRequest, pk: int, axis: str) -> HttpResponse:
    if axis not in AxisChoice.values:
        raise Http404(_("Not found."))
    programme = _programme(request, pk, manage=True)
    current = programme.axis_overrides.filter(axis=axis).first()
    initial = {"light": current.light, "reason": current.reason} if current else None
    form = OverrideForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            set_axis_override(
                request.user,
                programme,
                axis,
                form.cleaned_data["light"] or None,
                form.cleaned_data["reason"],
                via="web",
            )
        except PermissionDeniedError:
            raise PermissionDenied from None
        except InputError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("Saved."))
            return redirect("portfolio:programme_detail", pk=programme.pk)
    light = next(v for v in traffic_lights(programme, timezone.localdate()) if v.axis == axis)
    context = {
        "programme": programme,
        "form": form,
        "axis_label": AxisChoice(axis).label,
        "computed": light.computed,
        "computed_lines": light.lines,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "portfolio/programme_override.html", context, status=status)
