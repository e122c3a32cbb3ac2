"""The providers' configuration: every mistake stops the start with a message naming the
provider and the field; the claims grant only what the provider's rules and municipalities
allow."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from kuntarobo.accounts.oidc_config import (
    Provider,
    ProviderConfigError,
    RoleRule,
    grants,
    parse_providers,
)


def config(**changes) -> dict:
    provider = {
        "display_name": {"fi": "Esimerkkilän tunnus", "sv": "Exempelbys konto"},
        "issuer": "https://login.microsoftonline.com/tenant-id/v2.0",
        "client_id": "client",
        "client_secret": "secret",
        "municipalities": ["esimerkkila"],
        "roles": [{"value": "g-reviewers", "municipality": "esimerkkila", "role": "reviewer"}],
    }
    provider.update(changes)
    return {"entra": provider}


def test_a_provider_is_read_with_its_defaults():
    provider = parse_providers(json.dumps(config()))["entra"]
    assert provider.discovery_url == (
        "https://login.microsoftonline.com/tenant-id/v2.0/.well-known/openid-configuration"
    )
    assert provider.scopes == "openid profile email"
    assert provider.pkce
    assert provider.rules == (RoleRule("groups", "g-reviewers", "esimerkkila", "reviewer"),)
    assert provider.label("sv") == "Exempelbys konto"
    assert provider.label("en") == "Esimerkkilän tunnus"


def test_no_configuration_is_no_providers():
    assert parse_providers("") == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "must be a JSON object"),
        (json.dumps({"Entra ID": config()["entra"]}), "lower-case letters"),
        (json.dumps(config(client_id="")), "'client_id' must be a non-empty string"),
        (json.dumps(config(issuer="http://idp.example")), "'issuer' must be an https:// URL"),
        (json.dumps(config(municipalities=[])), "'municipalities' must list"),
        (json.dumps(config(roles=[])), "'roles' must be a non-empty list"),
        (json.dumps(config(scopes="profile")), "must include openid"),
        (json.dumps(config(secret="x")), "unknown field(s) secret"),
        (
            json.dumps(
                config(roles=[{"value": "g", "municipality": "esimerkkila", "role": "boss"}])
            ),
            "roles[1]: role 'boss' is not one of",
        ),
        (
            json.dumps(
                config(roles=[{"value": "g", "municipality": "naapurila", "role": "viewer"}])
            ),
            "roles[1]: municipality 'naapurila' is not among the provider's 'municipalities'",
        ),
    ],
)
def test_a_wrong_configuration_is_refused_naming_the_provider_and_the_field(text, message):
    with pytest.raises(ProviderConfigError) as caught:
        parse_providers(text)
    assert message in str(caught.value)


def test_the_server_does_not_start_with_a_wrong_configuration():
    environment = {**os.environ, "KUNTAROBO_OIDC_PROVIDERS": json.dumps(config(client_id=""))}
    result = subprocess.run(
        [sys.executable, "-m", "kuntarobo", "check"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "KUNTAROBO_OIDC_PROVIDERS: provider 'entra': 'client_id'" in result.stderr


def test_claims_grant_the_roles_of_matching_rules_as_a_list_or_a_single_value():
    provider = parse_providers(
        json.dumps(
            config(
                municipalities=["esimerkkila", "naapurila"],
                roles=[
                    {"value": "g-reviewers", "municipality": "esimerkkila", "role": "reviewer"},
                    {"value": "g-admins", "municipality": "naapurila", "role": "administrator"},
                    {
                        "claim": "roles",
                        "value": "Kuntarobo.Viewer",
                        "municipality": "esimerkkila",
                        "role": "viewer",
                    },
                ],
            )
        )
    )["entra"]
    assert grants(provider, {"groups": ["g-reviewers", "other"]}) == {("esimerkkila", "reviewer")}
    assert grants(provider, {"groups": "g-admins", "roles": ["Kuntarobo.Viewer"]}) == {
        ("naapurila", "administrator"),
        ("esimerkkila", "viewer"),
    }
    assert grants(provider, {"groups": None}) == set()
    assert grants(provider, {}) == set()


def test_a_rule_outside_the_providers_municipalities_grants_nothing_even_if_built_by_hand():
    provider = Provider(
        name="a",
        display_name={"fi": "A"},
        issuer="https://a.example",
        client_id="a",
        client_secret="s",
        municipalities=frozenset({"esimerkkila"}),
        rules=(RoleRule("groups", "g", "naapurila", "administrator"),),
    )
    assert grants(provider, {"groups": ["g"]}) == set()
