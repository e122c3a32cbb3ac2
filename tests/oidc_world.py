"""A real identity provider on loopback for the single sign-on tests, and kuntarobo's
configuration of it as two providers ("a" serves Esimerkkilä, "b" serves Naapurila).

Import the fixtures into a test module: `from tests.oidc_world import identity_provider`."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser

import pytest

from kuntarobo.accounts.oidc_config import parse_providers
from kuntarobo.testing.oidc_provider.process import running_provider

PASSWORDS = {"maija": "maija-salasana-1", "ville": "ville-salasana-1", "nea": "nea-salasana-1"}
USERS = [
    {
        "username": "maija",
        "first_name": "Maija",
        "last_name": "Meikäläinen",
        "email": "maija.meikalainen@esimerkkila.example",
        "groups": ["kuntarobo-esimerkkila-tarkastajat", "kuntarobo-esimerkkila-katselijat"],
    },
    # Signs in fine at the provider, but is in no group kuntarobo knows.
    {"username": "ville", "first_name": "Ville", "last_name": "Vailla", "groups": ["kirjasto"]},
    # In groups of both municipalities.
    {
        "username": "nea",
        "first_name": "Nea",
        "last_name": "Naapuri",
        "groups": ["kuntarobo-esimerkkila-katselijat", "kuntarobo-naapurila-paakayttajat"],
    },
]
SECRETS = {"a": "client-secret-a-0123456789", "b": "client-secret-b-0123456789"}


def providers_json(issuer: str) -> str:
    import json

    return json.dumps(
        {
            "a": {
                "display_name": {
                    "fi": "Esimerkkilän tunnus",
                    "sv": "Exempelbys konto",
                    "en": "Esimerkkilä account",
                },
                "issuer": issuer,
                "client_id": "kuntarobo-a",
                "client_secret": SECRETS["a"],
                "municipalities": ["esimerkkila"],
                "roles": [
                    {
                        "claim": "groups",
                        "value": "kuntarobo-esimerkkila-tarkastajat",
                        "municipality": "esimerkkila",
                        "role": "reviewer",
                    },
                    {
                        "value": "kuntarobo-esimerkkila-katselijat",
                        "municipality": "esimerkkila",
                        "role": "viewer",
                    },
                ],
            },
            "b": {
                "display_name": "Naapurila",
                "issuer": issuer,
                "client_id": "kuntarobo-b",
                "client_secret": SECRETS["b"],
                "municipalities": ["naapurila"],
                "roles": [
                    {
                        "value": "kuntarobo-naapurila-paakayttajat",
                        "municipality": "naapurila",
                        "role": "administrator",
                    }
                ],
            },
        }
    )


class _Forms(HTMLParser):
    """The fields of the page's forms, as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, object]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self.forms.append({"action": values.get("action") or "", "fields": {}})
        elif (
            tag == "input" and self.forms and values.get("name") and values.get("type") != "submit"
        ):
            self.forms[-1]["fields"][values["name"]] = values.get("value") or ""  # type: ignore[index]


def form_fields(html: str) -> dict[str, str]:
    parser = _Forms()
    parser.feed(html)
    return dict(parser.forms[-1]["fields"])  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def identity_provider(live_server, tmp_path_factory) -> Iterator[str]:
    """The provider's issuer URL; its clients call back to the live server."""
    config = {
        "clients": [
            {
                "client_id": f"kuntarobo-{name}",
                "client_secret": SECRETS[name],
                "name": f"Kuntarobo ({name})",
                "redirect_uris": [f"{live_server.url}/auth/oidc/{name}/callback/"],
            }
            for name in ("a", "b")
        ],
        "users": [{**user, "password": PASSWORDS[user["username"]]} for user in USERS],
    }
    with running_provider(config, tmp_path_factory.mktemp("oidc-provider")) as issuer:
        yield issuer


@pytest.fixture
def sso_settings(settings, identity_provider: str) -> str:
    settings.KUNTAROBO_OIDC_PROVIDERS = parse_providers(providers_json(identity_provider))
    return identity_provider
