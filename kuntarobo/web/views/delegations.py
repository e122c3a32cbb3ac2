"""Deciding officials' delegations for a municipality's administrator: who may decide which
robot's decisions, with what title, under which delegation decision. Granting and ending go
through `decisions.delegations` (the manage-users permission, audited), as the CLI does."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kuntarobo.accounts.models import Delegation, Municipality, Permission
from kuntarobo.decisions.delegations import end_delegation, grant_delegation
from kuntarobo.runtime.actions import PermissionDeniedError
from kuntarobo.runtime.declarations import InputError, all_robots
from kuntarobo.web.forms import BaseForm, DateInput
from kuntarobo.web.scoping import require_somewhere


class DelegationForm(BaseForm):
    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.none(), label=gettext_lazy("Municipality")
    )
    official = forms.ChoiceField(label=gettext_lazy("Official"))
    matter = forms.ChoiceField(label=gettext_lazy("Decisions of the robot"))
    title_fi = forms.CharField(label=gettext_lazy("title in Finnish"), max_length=200)
    title_sv = forms.CharField(
        label=gettext_lazy("title in Swedish"), max_length=200, required=False
    )
    title_en = forms.CharField(
        label=gettext_lazy("title in English"), max_length=200, required=False
    )
    basis = forms.CharField(
        label=gettext_lazy("delegation decision"),
        max_length=300,
        help_text=gettext_lazy(
            "The decision that delegated the power, e.g. its body, date and section."
        ),
    )
    valid_from = forms.DateField(label=gettext_lazy("valid from"), widget=DateInput())
    valid_to = forms.DateField(
        label=gettext_lazy("valid until"), widget=DateInput(), required=False
    )

    def __init__(self, *args: Any, municipalities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = municipalities
        members = (
            get_user_model()
            .objects.filter(memberships__municipality__in=municipalities, is_active=True)
            .distinct()
            .order_by("username")
        )
        official = self.fields["official"]
        assert isinstance(official, forms.ChoiceField)
        official.choices = [
            (user.username, f"{user.get_full_name() or user.username} ({user.username})")
            for user in members
        ]
        matter = self.fields["matter"]
        assert isinstance(matter, forms.ChoiceField)
        matter.choices = [(robot.slug, robot.name.get()) for robot in all_robots()]


@login_required
def delegations(request: HttpRequest) -> HttpResponse:
    managed = require_somewhere(request.user, Permission.MANAGE_USERS)
    form = DelegationForm(
        request.POST if request.method == "POST" else None,
        municipalities=managed,
        initial={"valid_from": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grant_delegation(
                request.user,
                data["municipality"],
                username=data["official"],
                matter=data["matter"],
                title_fi=data["title_fi"],
                title_sv=data["title_sv"],
                title_en=data["title_en"],
                basis=data["basis"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                via="web",
            )
        except PermissionDeniedError:
            raise PermissionDenied from None
        except InputError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Delegation recorded."))
            return redirect("delegations")
    listed = (
        Delegation.objects.filter(municipality__in=managed)
        .select_related("user", "municipality")
        .order_by("municipality__name_fi", "matter", "-valid_from", "pk")
    )
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "delegations": listed, "today": timezone.localdate()}
    return render(request, "web/delegations.html", context, status=status)


@login_required
@require_POST
def delegation_end(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = (
        Delegation.objects.filter(
            municipality__in=Municipality.objects.for_user(request.user, Permission.MANAGE_USERS)
        )
        .select_related("municipality", "user")
        .filter(pk=pk)
        .first()
    )
    if delegation is None:
        raise Http404(_("Not found."))
    try:
        end_delegation(request.user, delegation, valid_to=timezone.localdate(), via="web")
    except PermissionDeniedError:
        raise PermissionDenied from None
    except InputError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The delegation ends today."))
    return redirect("delegations")
