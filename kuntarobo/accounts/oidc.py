"""Single sign-on: the one action that turns a provider's verified claims into a user and the
user's memberships, and the Authlib clients of the configured providers."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone

from kuntarobo.accounts.models import Membership, Municipality, OidcIdentity
from kuntarobo.accounts.oidc_config import Provider, grants
from kuntarobo.audit.trail import record

if TYPE_CHECKING:
    from django.contrib.auth.models import User

log = logging.getLogger(__name__)
_clients: dict[tuple[str, ...], DjangoOAuth2App] = {}


def providers() -> dict[str, Provider]:
    configured: dict[str, Provider] = settings.KUNTAROBO_OIDC_PROVIDERS
    return configured


def client_for(provider: Provider) -> DjangoOAuth2App:
    """Authlib's client for the provider (discovery, state, nonce, PKCE, ID token checks);
    kept per configuration so the discovery document and keys are fetched once."""
    key = (provider.name, provider.client_id, provider.discovery_url, provider.scopes)
    if key not in _clients:
        client_kwargs: dict[str, Any] = {"scope": provider.scopes, "default_timeout": 20}
        if provider.pkce:
            client_kwargs["code_challenge_method"] = "S256"
        oauth = OAuth()
        _clients[key] = oauth.register(
            name=provider.name,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.discovery_url,
            client_kwargs=client_kwargs,
        )
    return _clients[key]


@dataclass
class SignIn:
    """What a sign-in came to: the user (None when refused) and why it was refused."""

    user: User | None
    granted: set[tuple[str, str]] = field(default_factory=set)
    refused: str = ""  # "no_role", "inactive"


def _username_for(provider: Provider, claims: dict[str, Any]) -> str:
    """A free user name from the provider's user name claim; never an existing account's."""
    base = str(claims.get(provider.username_claim) or claims["sub"])
    base = re.sub(r"[^\w.@+-]", "-", base)[:120] or "user"
    model = get_user_model()
    candidates = [base, f"{base}-{provider.name}"] + [
        f"{base}-{provider.name}-{n}" for n in range(2, 100)
    ]
    for candidate in candidates:
        if not model._default_manager.filter(username=candidate).exists():
            return candidate
    raise RuntimeError(f"no free user name for {base!r}")


def _identity_details(provider: Provider, claims: dict[str, Any]) -> dict[str, Any]:
    return {
        "provider": provider.name,
        "issuer": claims["iss"],
        "subject": claims["sub"],
        "username": claims.get(provider.username_claim),
    }


@transaction.atomic
def sign_in_from_claims(provider: Provider, claims: dict[str, Any]) -> SignIn:
    """Create or update the user of (iss, sub), and make their memberships in the provider's
    municipalities exactly what the claims grant (added and removed, each audited). Nothing
    else is touched: memberships in other municipalities, staff and superuser flags.

    `claims` must come from a verified ID token. A sign-in that grants no role is refused
    (and recorded), but the memberships it removed stay removed."""
    granted = grants(provider, claims)
    municipalities = {
        m.slug: m for m in Municipality.objects.filter(slug__in=provider.municipalities)
    }
    for slug in sorted({slug for slug, _ in granted} - set(municipalities)):
        log.error("OIDC provider %s grants a role in %r, which does not exist", provider.name, slug)
    granted = {(slug, role) for slug, role in granted if slug in municipalities}
    identity = (
        OidcIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=claims["iss"], subject=claims["sub"])
        .first()
    )
    if identity is None and not granted:
        record(
            "auth.oidc_refused",
            actor="anonymous",
            details={**_identity_details(provider, claims), "reason": "no_role"},
            via="web",
        )
        return SignIn(user=None, refused="no_role")
    model = get_user_model()
    if identity is None:
        user = model(username=_username_for(provider, claims))
        user.set_unusable_password()
        user.save()
        identity = OidcIdentity.objects.create(
            user=user, provider=provider.name, issuer=claims["iss"], subject=claims["sub"]
        )
        record(
            "accounts.oidc_user_created",
            actor=f"oidc:{provider.name}",
            obj=user,
            details={**_identity_details(provider, claims), "user": user.get_username()},
            via="web",
        )
    user = identity.user
    changed = False
    for attribute, claim in (
        ("first_name", "given_name"),
        ("last_name", "family_name"),
        ("email", "email"),
    ):
        model_field = model._meta.get_field(attribute)
        assert isinstance(model_field, models.CharField)  # names and e-mail: text of a length
        value = str(claims.get(claim) or "")[: model_field.max_length]
        if value and getattr(user, attribute) != value:
            setattr(user, attribute, value)
            changed = True
    if changed:
        user.save(update_fields=["first_name", "last_name", "email"])
    identity.last_sign_in_at = timezone.now()
    identity.save(update_fields=["last_sign_in_at"])

    current = Membership.objects.filter(
        user=user, municipality__slug__in=provider.municipalities
    ).select_related("municipality")
    have = {(m.municipality.slug, m.role): m for m in current}
    actor = f"oidc:{provider.name}"
    for (slug, role), membership in sorted(have.items()):
        if (slug, role) not in granted:
            membership.delete()
            record(
                "accounts.membership_removed",
                actor=actor,
                municipality=municipalities[slug],
                obj=user,
                details={"user": user.get_username(), "role": role, "provider": provider.name},
                via="web",
            )
    for slug, role in sorted(granted - set(have)):
        Membership.objects.create(user=user, municipality=municipalities[slug], role=role)
        record(
            "accounts.membership_added",
            actor=actor,
            municipality=municipalities[slug],
            obj=user,
            details={"user": user.get_username(), "role": role, "provider": provider.name},
            via="web",
        )
    refused = "" if granted else "no_role"
    if user.is_active is False:
        refused = "inactive"
    if refused:
        record(
            "auth.oidc_refused",
            actor="anonymous",
            details={**_identity_details(provider, claims), "reason": refused},
            via="web",
        )
        return SignIn(user=None, granted=granted, refused=refused)
    return SignIn(user=user, granted=granted)
