"""Identity providers (OpenID Connect) from the environment, and what their claims grant.

Pure Python (no Django): settings.py parses `KUNTAROBO_OIDC_PROVIDERS` with it at start, so a
wrong configuration stops the server with a message naming the provider and the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ROLES = frozenset({"administrator", "coordinator", "reviewer", "developer", "viewer"})
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")
LANGUAGES = ("fi", "sv", "en")


class ProviderConfigError(ValueError):
    """The providers' configuration is wrong; the message names the provider and the field."""


@dataclass(frozen=True)
class RoleRule:
    """Whoever's `claim` equals or contains `value` gets `role` in `municipality`."""

    claim: str
    value: str
    municipality: str
    role: str


@dataclass(frozen=True)
class Provider:
    name: str
    display_name: Mapping[str, str]
    issuer: str
    client_id: str
    client_secret: str
    municipalities: frozenset[str]
    rules: tuple[RoleRule, ...]
    metadata_url: str = ""
    scopes: str = "openid profile email"
    username_claim: str = "preferred_username"
    pkce: bool = True
    extra: Mapping[str, Any] = field(default_factory=dict)

    def label(self, language: str) -> str:
        return self.display_name.get(language) or self.display_name.get("fi") or self.name

    @property
    def discovery_url(self) -> str:
        return self.metadata_url or self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def grants(provider: Provider, claims: Mapping[str, Any]) -> set[tuple[str, str]]:
    """The (municipality slug, role) pairs the claims grant: only rules of the provider, and
    only in municipalities the provider may grant (checked again here, not only at start)."""
    granted: set[tuple[str, str]] = set()
    for rule in provider.rules:
        if rule.municipality not in provider.municipalities:
            continue
        value = claims.get(rule.claim)
        values = value if isinstance(value, list | tuple) else [value]
        if any(str(v) == rule.value for v in values if v is not None):
            granted.add((rule.municipality, rule.role))
    return granted


def _text(raw: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise ProviderConfigError(f"{where}: {key!r} must be a non-empty string")
    return value.strip()


def _rules(raw: Any, municipalities: frozenset[str], where: str) -> tuple[RoleRule, ...]:
    if not isinstance(raw, list) or not raw:
        raise ProviderConfigError(f"{where}: 'roles' must be a non-empty list of rules")
    rules = []
    for index, item in enumerate(raw, start=1):
        at = f"{where}, roles[{index}]"
        if not isinstance(item, Mapping):
            raise ProviderConfigError(f"{at}: a rule must be an object")
        claim = item.get("claim", "groups")
        if not isinstance(claim, str) or not claim:
            raise ProviderConfigError(f"{at}: 'claim' must be a non-empty string")
        rule = RoleRule(
            claim=claim,
            value=_text(item, "value", at),
            municipality=_text(item, "municipality", at),
            role=_text(item, "role", at),
        )
        if rule.role not in ROLES:
            raise ProviderConfigError(
                f"{at}: role {rule.role!r} is not one of {', '.join(sorted(ROLES))}"
            )
        if rule.municipality not in municipalities:
            raise ProviderConfigError(
                f"{at}: municipality {rule.municipality!r} is not among the provider's "
                f"'municipalities' ({', '.join(sorted(municipalities))})"
            )
        rules.append(rule)
    return tuple(rules)


def _provider(name: str, raw: Any) -> Provider:
    where = f"provider {name!r}"
    if not NAME.match(name):
        raise ProviderConfigError(
            f"{where}: a name has lower-case letters, digits and hyphens (it is in the URL)"
        )
    if not isinstance(raw, Mapping):
        raise ProviderConfigError(f"{where}: must be an object")
    known = {
        "display_name", "issuer", "metadata_url", "client_id", "client_secret", "scopes",
        "municipalities", "roles", "username_claim", "pkce",
    }  # fmt: skip
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ProviderConfigError(f"{where}: unknown field(s) {', '.join(unknown)}")
    display = raw.get("display_name", name)
    if isinstance(display, str):
        display = dict.fromkeys(LANGUAGES, display)
    if not isinstance(display, Mapping) or not all(
        isinstance(v, str) and v for v in display.values()
    ):
        raise ProviderConfigError(
            f"{where}: 'display_name' must be a string or an object of fi/sv/en strings"
        )
    issuer = _text(raw, "issuer", where)
    if not issuer.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise ProviderConfigError(f"{where}: 'issuer' must be an https:// URL")
    slugs = raw.get("municipalities")
    if not isinstance(slugs, list) or not slugs or not all(isinstance(s, str) for s in slugs):
        raise ProviderConfigError(
            f"{where}: 'municipalities' must list the slugs of the municipalities it may grant"
        )
    municipalities = frozenset(slugs)
    pkce = raw.get("pkce", True)
    if not isinstance(pkce, bool):
        raise ProviderConfigError(f"{where}: 'pkce' must be true or false")
    scopes = _text(raw, "scopes", where, required=False) or "openid profile email"
    if "openid" not in scopes.split():
        raise ProviderConfigError(f"{where}: 'scopes' must include openid")
    return Provider(
        name=name,
        display_name=dict(display),
        issuer=issuer,
        metadata_url=_text(raw, "metadata_url", where, required=False),
        client_id=_text(raw, "client_id", where),
        client_secret=_text(raw, "client_secret", where),
        scopes=scopes,
        municipalities=municipalities,
        rules=_rules(raw.get("roles"), municipalities, where),
        username_claim=_text(raw, "username_claim", where, required=False) or "preferred_username",
        pkce=pkce,
    )


def parse_providers(text: str) -> dict[str, Provider]:
    """`{"name": {provider}, …}` as JSON; an empty text is no providers."""
    if not text.strip():
        return {}
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise ProviderConfigError(f"not valid JSON: {error}") from None
    if not isinstance(raw, Mapping):
        raise ProviderConfigError('must be a JSON object: {"name": {provider}, …}')
    return {name: _provider(name, value) for name, value in raw.items()}
