"""The vault's pages: administrators of the municipality only (a coordinator or a viewer is
refused, another municipality's administrator finds nothing), in the reader's language, and
never showing a secret, not on the list, not in a form sent back with an error, not on a
server error's page."""

from __future__ import annotations

import logging

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.views.debug import ExceptionReporter

from kuntarobo.audit.models import AuditEvent
from kuntarobo.vault import keys
from kuntarobo.vault.models import Asset
from tests.factories import AssetFactory
from tests.vault.conftest import SECRET

WHO = ["admin", "coordinator", "viewer", "neighbour"]
EXPECTED = {"admin": 200, "coordinator": 403, "viewer": 403, "neighbour": 404}


def client_of(user, language: str = "fi") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def pages(asset: Asset) -> dict[str, str]:
    slug = asset.municipality.slug
    return {
        "list": reverse("vault:assets", args=[slug]),
        "create": reverse("vault:asset_create", args=[slug]),
        "edit": reverse("vault:asset_edit", args=[slug, asset.pk]),
        "rotate": reverse("vault:asset_rotate", args=[slug, asset.pk]),
        "delete": reverse("vault:asset_delete", args=[slug, asset.pk]),
    }


@pytest.mark.parametrize("who", WHO)
def test_only_the_municipalitys_administrators_open_the_vaults_pages(place, who):
    asset = AssetFactory(municipality=place.municipality, credential=True, plain_secret=SECRET)
    client = client_of(place.user(who))
    for name, url in pages(asset).items():
        response = client.get(url)
        assert response.status_code == EXPECTED[who], (name, response.status_code)
        assert SECRET.encode() not in response.content
    index = client.get(reverse("vault:index"))
    assert index.status_code == (403 if who in ("coordinator", "viewer") else 302)


@pytest.mark.parametrize("who", ["coordinator", "viewer", "neighbour"])
def test_a_refused_user_changes_nothing_by_posting(place, who):
    asset = AssetFactory(municipality=place.municipality, credential=True)
    client = client_of(place.user(who))
    urls = pages(asset)
    client.post(urls["rotate"], {"secret": "Uusi-Salasana-1"})
    client.post(urls["delete"])
    client.post(urls["create"], {"name": "uusi", "kind": "text", "value": "x"})
    assert list(Asset.objects.all()) == [asset]
    assert not AuditEvent.objects.filter(action__startswith="vault.").exists()


def test_the_navigation_links_the_vault_for_administrators_only(place):
    link = reverse("vault:index").encode()
    assert link in client_of(place.admin).get(reverse("dashboard")).content
    assert link not in client_of(place.coordinator).get(reverse("dashboard")).content
    assert link not in client_of(place.viewer).get(reverse("dashboard")).content


def test_an_administrator_stores_a_credential_and_sees_only_when_and_by_whom(place):
    client = client_of(place.admin)
    response = client.post(
        reverse("vault:asset_create", args=["esimerkkila"]),
        {"name": "talous", "kind": "credential", "username": "robo", "secret": SECRET},
    )
    assert response.status_code == 302
    asset = Asset.objects.get()
    assert keys.decrypt(asset.secret) == SECRET
    listing = client.get(reverse("vault:assets", args=["esimerkkila"])).content.decode()
    assert SECRET not in listing
    assert "talous" in listing
    assert "salasana asetettu" in listing
    assert "(admin)" in listing
    edit = client.get(reverse("vault:asset_edit", args=["esimerkkila", asset.pk])).content.decode()
    assert SECRET not in edit
    assert 'autocomplete="new-password"' in edit


def test_an_edit_with_an_empty_secret_keeps_it_and_a_new_one_rotates_it(place):
    asset = AssetFactory(municipality=place.municipality, credential=True)
    client = client_of(place.admin)
    url = reverse("vault:asset_edit", args=["esimerkkila", asset.pk])
    client.post(url, {"username": "robo2", "secret": "", "value": "", "description": ""})
    asset.refresh_from_db()
    assert (asset.username, keys.decrypt(asset.secret)) == ("robo2", "Salainen-Tunnus-42")
    client.post(reverse("vault:asset_rotate", args=["esimerkkila", asset.pk]), {"secret": SECRET})
    asset.refresh_from_db()
    assert keys.decrypt(asset.secret) == SECRET
    assert AuditEvent.objects.filter(action="vault.secret_rotated").count() == 1


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fi", "Salasana on liian lyhyt"), ("sv", "Hemligheten är för kort")],
)
def test_a_refused_secret_is_explained_beside_its_field_in_the_readers_language(
    place, language, expected
):
    asset = AssetFactory(municipality=place.municipality, credential=True)
    response = client_of(place.admin, language).post(
        reverse("vault:asset_rotate", args=["esimerkkila", asset.pk]), {"secret": "abc"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert expected in page
    assert 'class="field has-error"' in page


def test_a_form_sent_back_with_an_error_never_echoes_the_secret(place):
    response = client_of(place.admin).post(
        reverse("vault:asset_create", args=["esimerkkila"]),
        {"name": "Väärä Nimi", "kind": "credential", "username": "robo", "secret": SECRET},
    )
    assert response.status_code == 400
    assert SECRET.encode() not in response.content
    assert "Käytä pieniä kirjaimia" in response.content.decode()
    assert not Asset.objects.exists()


def test_without_a_key_the_form_says_which_setting_is_missing(place, settings):
    settings.KUNTAROBO_VAULT_KEYS = []
    settings.KUNTAROBO_VAULT_KEY_FILE = ""
    response = client_of(place.admin).post(
        reverse("vault:asset_create", args=["esimerkkila"]),
        {"name": "talous", "kind": "credential", "username": "robo", "secret": SECRET},
    )
    assert response.status_code == 400
    assert "KUNTAROBO_VAULT_KEYS" in response.content.decode()
    assert SECRET.encode() not in response.content


@override_settings(KUNTAROBO_VAULT_KEYS=12345)  # a broken setting: a server error
def test_a_server_errors_page_and_its_error_report_never_show_the_posted_secret(place, caplog):
    client = client_of(place.admin)
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.post(
            reverse("vault:asset_create", args=["esimerkkila"]),
            {"name": "talous", "kind": "credential", "username": "robo", "secret": SECRET},
        )
    assert response.status_code == 500
    assert SECRET.encode() not in response.content
    (logged,) = [r for r in caplog.records if r.name == "django.request"]
    # The report the administrators' error mail carries: the request's data and every frame's
    # local variables, as Django's filter leaves them outside DEBUG.
    report = ExceptionReporter(logged.request, *logged.exc_info, is_email=True)
    text = report.get_traceback_text()
    assert "TypeError" in text
    assert "secret" in text
    assert SECRET not in text
    assert SECRET not in report.get_traceback_html()
    assert SECRET not in logging.Formatter().format(logged)


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_every_vault_page_and_its_errors_are_in_the_readers_language(place, language):
    from tests.web.test_untranslated_text import untranslated, visible_text

    asset = AssetFactory(municipality=place.municipality, name="talous", credential=True)
    AssetFactory(municipality=place.municipality, name="raja", kind="number", value="5000")
    client = client_of(place.admin, language)
    client.cookies["django_language"] = language
    shown = [client.get(url).content.decode() for url in pages(asset).values()]
    shown.append(
        client.post(
            reverse("vault:asset_create", args=["esimerkkila"]),
            {"name": "Väärä", "kind": "credential", "secret": "abc"},
        ).content.decode()
    )
    shown.append(client.post(pages(asset)["rotate"], {"secret": "abc"}).content.decode())
    for page in shown:
        text = visible_text(page)
        assert not untranslated(text, language), untranslated(text, language)
