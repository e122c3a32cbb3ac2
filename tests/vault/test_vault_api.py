"""The vault's API: administrators add, read, change and delete assets with the same actions
as the pages; secrets are write-only, in no answer, not even an error's."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from kuntarobo.audit.models import AuditEvent
from kuntarobo.vault import keys
from kuntarobo.vault.models import Asset
from tests.factories import AssetFactory
from tests.vault.conftest import SECRET

URL = "/api/v1/vault/assets"


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def send(client: Client, method: str, url: str, body: dict) -> object:
    call = getattr(client, method.lower())
    return call(url, data=json.dumps(body), content_type="application/json")


def test_an_administrator_stores_a_credential_and_the_answer_says_only_when_and_by_whom(place):
    response = send(
        client_of(place.admin),
        "POST",
        URL,
        {
            "municipality": "esimerkkila",
            "name": "talous",
            "kind": "credential",
            "username": "robo",
            "secret": SECRET,
            "robot": "invoice_check",
        },
    )
    assert response.status_code == 201, response.content
    answer = response.json()
    assert SECRET not in response.content.decode()
    assert answer["secret"]["set"] is True
    assert answer["secret"]["changed_by"].endswith("(admin)")
    assert (answer["username"], answer["robot"], answer["value"]) == ("robo", "invoice_check", None)
    asset = Asset.objects.get(pk=answer["id"])
    assert keys.decrypt(asset.secret) == SECRET
    assert AuditEvent.objects.get(action="vault.asset_created").via == "api"


def test_no_listing_or_reading_ever_holds_the_secret(place):
    asset = AssetFactory(
        municipality=place.municipality, name="talous", credential=True, plain_secret=SECRET
    )
    AssetFactory(municipality=place.municipality, name="raja", kind="number", value="5000")
    client = client_of(place.admin)
    listing = client.get(URL)
    assert listing.status_code == 200
    assert [row["name"] for row in listing.json()["results"]] == ["raja", "talous"]
    detail = client.get(f"{URL}/{asset.pk}")
    for response in (listing, detail):
        assert SECRET not in response.content.decode()
        assert asset.secret not in response.content.decode()  # nor its token


def test_a_bad_field_on_an_update_is_refused_naming_it_without_echoing_the_secret(place):
    asset = AssetFactory(municipality=place.municipality, credential=True)
    client = client_of(place.admin)
    response = send(client, "PATCH", f"{URL}/{asset.pk}", {"secret": SECRET, "value": "x"})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "value"
    assert SECRET not in response.content.decode()
    response = send(client, "PATCH", f"{URL}/{asset.pk}", {"secret": "abc12"})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "secret"
    assert "abc12" not in response.content.decode()
    response = send(client, "PATCH", f"{URL}/{asset.pk}", {"secret": SECRET, "colour": "red"})
    assert (response.status_code, response.json()["error"]["code"]) == (400, "unknown_field")
    assert SECRET not in response.content.decode()
    asset.refresh_from_db()
    assert keys.decrypt(asset.secret) == "Salainen-Tunnus-42"


def test_a_new_secret_by_the_api_rotates_it_and_is_audited(place):
    asset = AssetFactory(municipality=place.municipality, credential=True)
    response = send(client_of(place.admin), "PATCH", f"{URL}/{asset.pk}", {"secret": SECRET})
    assert response.status_code == 200
    asset.refresh_from_db()
    assert keys.decrypt(asset.secret) == SECRET
    event = AuditEvent.objects.get(action="vault.secret_rotated")
    assert (event.via, event.details) == ("api", {"name": asset.name, "robot": ""})


def test_without_a_key_the_api_answers_503_naming_the_setting(place, settings):
    settings.KUNTAROBO_VAULT_KEYS = []
    settings.KUNTAROBO_VAULT_KEY_FILE = ""
    response = send(
        client_of(place.admin),
        "POST",
        URL,
        {
            "municipality": "esimerkkila",
            "name": "talous",
            "kind": "credential",
            "username": "robo",
            "secret": SECRET,
        },
    )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "vault_unavailable"
    assert "KUNTAROBO_VAULT_KEYS" in response.json()["error"]["message"]
    assert SECRET not in response.content.decode()


@pytest.mark.parametrize(("who", "status"), [("coordinator", 403), ("viewer", 403)])
def test_a_member_who_is_not_an_administrator_is_refused(place, who, status):
    asset = AssetFactory(municipality=place.municipality, credential=True)
    client = client_of(place.user(who))
    assert client.get(URL).status_code == status
    assert client.get(f"{URL}/{asset.pk}").status_code == status
    assert client.delete(f"{URL}/{asset.pk}").status_code == status
    assert Asset.objects.filter(pk=asset.pk).exists()


def test_another_municipalitys_administrator_finds_nothing(place):
    asset = AssetFactory(municipality=place.municipality, credential=True)
    client = client_of(place.neighbour)
    assert client.get(f"{URL}/{asset.pk}").status_code == 404
    assert client.get(URL).json()["results"] == []
    response = client.get(URL + "?municipality=esimerkkila")
    assert response.status_code == 400
