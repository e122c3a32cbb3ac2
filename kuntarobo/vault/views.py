"""The vault's staff pages: a municipality's administrators list, add, change, rotate and delete
its assets and credentials. A municipality the user does not see is unknown (404); seen but
without `manage_vault` (a coordinator, a viewer) it is refused (403). Secrets are never shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from kuntarobo.accounts.models import Municipality, Permission, has_permission
from kuntarobo.runtime.actions import PermissionDeniedError
from kuntarobo.runtime.declarations import InputError
from kuntarobo.vault import actions
from kuntarobo.vault.forms import AssetForm, RotateSecretForm
from kuntarobo.vault.keys import VaultKeyError
from kuntarobo.vault.models import Asset


def _municipality(request: HttpRequest, slug: str) -> Municipality:
    municipality = Municipality.objects.for_user(request.user).filter(slug=slug).first()
    if municipality is None:
        raise Http404(_("Not found."))
    if not has_permission(request.user, municipality, Permission.MANAGE_VAULT):
        raise PermissionDenied
    return municipality


def _asset(municipality: Municipality, pk: int) -> Asset:
    asset = Asset.objects.filter(municipality=municipality, pk=pk).first()
    if asset is None:
        raise Http404(_("Not found."))
    return asset


def _refused(form: forms.Form, error: Exception) -> None:
    """An action's refusal as a form error beside its field, in the reader's language."""
    if isinstance(error, VaultKeyError):
        form.add_error(
            None, _("The vault cannot keep secrets now: %(problem)s") % {"problem": error}
        )
    elif isinstance(error, InputError) and error.field in form.fields:
        form.add_error(error.field, str(error))
    else:
        form.add_error(None, str(error))


@login_required
def vault_index(request: HttpRequest) -> HttpResponse:
    managed = Municipality.objects.for_user(request.user, Permission.MANAGE_VAULT)
    if not managed.exists():
        raise PermissionDenied
    if managed.count() == 1:
        only = managed.first()
        assert only is not None
        return redirect("vault:assets", municipality=only.slug)
    return render(request, "vault/index.html", {"municipalities": managed})


@login_required
def asset_list(request: HttpRequest, municipality: str) -> HttpResponse:
    place = _municipality(request, municipality)
    assets = Asset.objects.filter(municipality=place).order_by("name", "robot_slug")
    return render(request, "vault/assets.html", {"municipality": place, "assets": assets})


@sensitive_post_parameters("secret")
@sensitive_variables()
@login_required
def asset_create(request: HttpRequest, municipality: str) -> HttpResponse:
    place = _municipality(request, municipality)
    form = AssetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = _act(
            request,
            form,
            place,
            lambda: actions.create_asset(
                request.user,
                place,
                name=data["name"],
                kind=data["kind"],
                robot_slug=data["robot_slug"],
                value=data["value"],
                username=data["username"],
                secret=data["secret"],
                description=data["description"],
                via="web",
            ),
            _("Saved in the vault."),
        )
        if saved is not None:
            return saved
    return _form_page(request, place, form, None)


@sensitive_post_parameters("secret")
@sensitive_variables()
@login_required
def asset_edit(request: HttpRequest, municipality: str, pk: int) -> HttpResponse:
    place = _municipality(request, municipality)
    asset = _asset(place, pk)
    initial = {
        "name": asset.name,
        "robot_slug": asset.robot_slug,
        "kind": asset.kind,
        "value": asset.value,
        "username": asset.username,
        "description": asset.description,
    }
    form = AssetForm(
        request.POST if request.method == "POST" else None, initial=initial, editing=True
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = _act(
            request,
            form,
            place,
            lambda: actions.update_asset(
                request.user,
                asset,
                value=data["value"],
                username=data["username"],
                description=data["description"],
                secret=data["secret"],
                via="web",
            ),
            _("Saved in the vault."),
        )
        if saved is not None:
            return saved
    return _form_page(request, place, form, asset)


@sensitive_variables()
def _act(
    request: HttpRequest,
    form: forms.Form,
    place: Municipality,
    action: Callable[[], object],
    done: str,
) -> HttpResponse | None:
    """Do a form's vault action: back to the list when it is done, else None with the
    refusal beside its field (a permission refused is a 403, as for every page)."""
    try:
        action()
    except PermissionDeniedError:
        raise PermissionDenied from None
    except (InputError, VaultKeyError) as error:
        _refused(form, error)
        return None
    messages.success(request, done)
    return redirect("vault:assets", municipality=place.slug)


def _form_page(
    request: HttpRequest, place: Municipality, form: forms.Form, asset: Asset | None
) -> HttpResponse:
    status = 400 if request.method == "POST" else 200
    context: dict[str, Any] = {"municipality": place, "form": form, "asset": asset}
    return render(request, "vault/asset_form.html", context, status=status)


@sensitive_post_parameters("secret")
@sensitive_variables()
@login_required
def asset_rotate(request: HttpRequest, municipality: str, pk: int) -> HttpResponse:
    place = _municipality(request, municipality)
    asset = _asset(place, pk)
    if not asset.is_credential:
        raise Http404(_("Not found."))
    form = RotateSecretForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        secret = form.cleaned_data["secret"]
        saved = _act(
            request,
            form,
            place,
            lambda: actions.rotate_secret(request.user, asset, secret, via="web"),
            _("The new secret is saved."),
        )
        if saved is not None:
            return saved
    status = 400 if request.method == "POST" else 200
    context = {"municipality": place, "form": form, "asset": asset}
    return render(request, "vault/asset_rotate.html", context, status=status)


@login_required
def asset_delete(request: HttpRequest, municipality: str, pk: int) -> HttpResponse:
    place = _municipality(request, municipality)
    asset = _asset(place, pk)
    if request.method == "POST":
        try:
            actions.delete_asset(request.user, asset, via="web")
        except PermissionDeniedError:
            raise PermissionDenied from None
        messages.success(request, _("Removed from the vault."))
        return redirect("vault:assets", municipality=place.slug)
    return render(request, "vault/asset_delete.html", {"municipality": place, "asset": asset})
