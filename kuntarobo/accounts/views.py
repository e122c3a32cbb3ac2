"""Sign-in pages: the password form with the identity providers' buttons, and the two steps of
a single sign-on (to the provider, and back)."""

from __future__ import annotations

import logging
from typing import Any

import requests
from authlib.integrations.base_client.errors import OAuthError
from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kuntarobo.accounts import oidc
from kuntarobo.accounts.oidc_config import Provider
from kuntarobo.audit.trail import record

log = logging.getLogger(__name__)
SESSION_KEY = "kuntarobo_oidc"


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        language = get_language() or "fi"
        context["oidc_providers"] = [
            (name, provider.label(language)) for name, provider in oidc.providers().items()
        ]
        context["password_login_superusers_only"] = (
            settings.KUNTAROBO_PASSWORD_LOGIN == "superusers"  # noqa: S105
        )
        return context


def _provider(name: str) -> Provider:
    provider = oidc.providers().get(name)
    if provider is None:
        raise Http404(_("No identity provider of that name."))
    return provider


def _safe_next(request: HttpRequest, target: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _refusal(request: HttpRequest, provider: Provider, reason: str, status: int) -> HttpResponse:
    messages = {
        "no_role": _(
            "You signed in at %(provider)s, but you have no role in Kuntarobo in the "
            "municipalities it serves. Ask your municipality's administrator to add you to "
            "a Kuntarobo group."
        ),
        "inactive": _(
            "Your Kuntarobo account has been closed. Ask your municipality's administrator."
        ),
        "unverified": _(
            "The answer from %(provider)s could not be verified, so you were not signed in. "
            "Start the sign-in again."
        ),
        "unreachable": _(
            "%(provider)s could not be reached, so you were not signed in. Try again in a while; "
            "if it goes on, tell your municipality's IT support."
        ),
    }
    label = provider.label(get_language() or "fi")
    return render(
        request,
        "accounts/sign_in_refused.html",
        {"message": messages[reason] % {"provider": label}, "provider": label},
        status=status,
    )


def oidc_login(request: HttpRequest, name: str) -> HttpResponse:
    """Step 1: remember the provider and where to go afterwards, and send the browser there."""
    provider = _provider(name)
    request.session[SESSION_KEY] = {
        "provider": name,
        "next": _safe_next(request, request.GET.get("next", "")),
    }
    redirect_uri = request.build_absolute_uri(reverse("oidc_callback", args=[name]))
    try:
        response: HttpResponse = oidc.client_for(provider).authorize_redirect(request, redirect_uri)
    except (requests.RequestException, OAuthError, ValueError, KeyError) as error:
        log.warning("OIDC provider %s unreachable: %s", name, error)
        return _refusal(request, provider, "unreachable", 502)
    return response


def oidc_callback(request: HttpRequest, name: str) -> HttpResponse:
    """Step 2: verify the provider's answer (state, code, ID token), map its claims to the
    user's memberships, and sign the user in, or refuse with the reason."""
    provider = _provider(name)
    started = request.session.pop(SESSION_KEY, None)
    if not started or started.get("provider") != name:
        # Not started here, or started with another provider: an answer nobody asked for.
        record(
            "auth.oidc_failed",
            actor="anonymous",
            details={"provider": name, "reason": "not started with this provider"},
            via="web",
        )
        return _refusal(request, provider, "unverified", 400)
    try:
        token = oidc.client_for(provider).authorize_access_token(request)
        claims = dict(token.get("userinfo") or {})
        if not claims.get("sub") or not claims.get("iss"):
            raise OAuthError(error="no_id_token", description="no verified ID token")
    except OAuthError as error:
        record(
            "auth.oidc_failed",
            actor="anonymous",
            details={"provider": name, "reason": f"{error.error}: {error.description or ''}"},
            via="web",
        )
        return _refusal(request, provider, "unverified", 400)
    except requests.RequestException as error:
        log.warning("OIDC provider %s unreachable: %s", name, error)
        return _refusal(request, provider, "unreachable", 502)
    try:
        outcome = oidc.sign_in_from_claims(provider, claims)
    except IntegrityError:
        # The same person's first sign-in in two tabs at once: the other one created the user.
        outcome = oidc.sign_in_from_claims(provider, claims)
    if outcome.user is None:
        return _refusal(request, provider, outcome.refused, 403)
    request.kuntarobo_sign_in = {"method": "oidc", "provider": name}  # type: ignore[attr-defined]
    login(request, outcome.user, backend="kuntarobo.accounts.backends.OidcBackend")
    return HttpResponseRedirect(started.get("next") or reverse(settings.LOGIN_REDIRECT_URL))
