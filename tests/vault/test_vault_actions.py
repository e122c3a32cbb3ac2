"""The vault's actions: secrets encrypted at rest under the configured keys, refused without a
key or when too short, rotated (a credential's secret, and every secret under a new key), every
change audited without the secret."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings

from kuntarobo.audit.models import AuditEvent
from kuntarobo.runtime.actions import PermissionDeniedError
from kuntarobo.runtime.declarations import InputError
from kuntarobo.vault import actions, keys
from kuntarobo.vault.models import Asset, AssetKind, parse_value
from tests.factories import AssetFactory
from tests.vault.conftest import SECRET


def raw_secret_column(asset: Asset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM vault_asset WHERE id = %s", [asset.pk])
        (value,) = cursor.fetchone()
    return value


def everything_audited() -> str:
    return json.dumps(list(AuditEvent.objects.values("action", "details", "actor_label")))


def test_a_stored_credential_is_encrypted_in_the_database_and_decrypts_to_the_secret(place):
    asset = actions.store_credential(place.admin, place.municipality, "talous", "robo", SECRET)
    stored = raw_secret_column(asset)
    assert SECRET not in stored
    assert stored.startswith("gAAAA")  # a Fernet token
    assert keys.decrypt(stored) == SECRET
    assert asset.secret_changed_by.endswith("(admin)")


def test_every_change_is_audited_and_no_event_holds_the_secret(place):
    asset = actions.store_credential(place.admin, place.municipality, "talous", "robo", SECRET)
    actions.update_asset(place.admin, asset, username="robo2", via="web")
    actions.rotate_secret(place.admin, asset, SECRET + "-uusi", via="web")
    actions.delete_asset(place.admin, asset, via="web")
    codes = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert codes == [
        "vault.asset_created",
        "vault.asset_updated",
        "vault.secret_rotated",
        "vault.asset_deleted",
    ]
    assert SECRET not in everything_audited()
    assert not Asset.objects.exists()


def test_a_new_secret_given_on_an_update_is_audited_as_a_rotation(place):
    asset = actions.store_credential(place.admin, place.municipality, "talous", "robo", SECRET)
    actions.update_asset(place.admin, asset, secret="Toinen-Salasana")
    assert AuditEvent.objects.filter(action="vault.secret_rotated").count() == 1
    assert keys.decrypt(raw_secret_column(asset)) == "Toinen-Salasana"


def test_an_empty_secret_on_an_update_keeps_the_stored_one(place):
    asset = actions.store_credential(place.admin, place.municipality, "talous", "robo", SECRET)
    before = raw_secret_column(asset)
    actions.update_asset(place.admin, asset, description="Taloushallinnon järjestelmä", secret="")
    assert raw_secret_column(asset) == before


def test_a_secret_shorter_than_six_characters_is_refused_and_nothing_is_stored(place):
    with pytest.raises(InputError) as refused:
        actions.store_credential(place.admin, place.municipality, "talous", "robo", "abc12")
    assert refused.value.field == "secret"
    assert "at least 6 characters" in str(refused.value)
    assert not Asset.objects.exists()


@override_settings(KUNTAROBO_VAULT_KEYS=[], KUNTAROBO_VAULT_KEY_FILE="")
def test_without_a_key_the_vault_refuses_to_save_a_secret_and_names_the_setting(place):
    with pytest.raises(keys.VaultKeyError) as refused:
        actions.store_credential(place.admin, place.municipality, "talous", "robo", SECRET)
    assert "KUNTAROBO_VAULT_KEYS" in str(refused.value)
    assert "KUNTAROBO_VAULT_KEY_FILE" in str(refused.value)
    assert not Asset.objects.exists()
    # Plain values need no key: the rest of the vault (and of the system) works.
    assert actions.store_value(place.admin, place.municipality, "raja", "number", "5000").pk


def test_a_secret_encrypted_under_another_key_gives_a_clear_error_naming_the_settings(
    place, new_key
):
    asset = AssetFactory(municipality=place.municipality, credential=True)
    with (
        override_settings(KUNTAROBO_VAULT_KEYS=[new_key]),
        pytest.raises(keys.VaultKeyError) as refused,
    ):
        keys.decrypt(asset.secret)
    assert "KUNTAROBO_VAULT_KEYS" in str(refused.value)


def test_a_key_that_is_not_a_fernet_key_is_refused_by_its_place_in_the_list(place, new_key):
    with (
        override_settings(KUNTAROBO_VAULT_KEYS=[new_key, "salasana"]),
        pytest.raises(keys.VaultKeyError, match="KUNTAROBO_VAULT_KEYS: key 2"),
    ):
        keys.encrypt(SECRET)


def test_the_key_file_holds_one_key_a_line_and_the_first_encrypts(tmp_path, new_key, settings):
    old = settings.KUNTAROBO_VAULT_KEY_FILE
    with open(old) as handle:
        old_key = handle.read().strip()
    token = keys.encrypt(SECRET)
    key_file = tmp_path / "keys"
    key_file.write_text(f"# new key first\n{new_key}\n\n{old_key}\n")
    settings.KUNTAROBO_VAULT_KEY_FILE = str(key_file)
    assert keys.decrypt(token) == SECRET  # the old key still decrypts
    fresh = keys.encrypt(SECRET)
    settings.KUNTAROBO_VAULT_KEY_FILE = ""
    settings.KUNTAROBO_VAULT_KEYS = [new_key]
    assert keys.decrypt(fresh) == SECRET
    with pytest.raises(keys.VaultKeyError):
        keys.decrypt(token)


def test_rotate_key_leaves_every_secret_readable_under_the_new_key_only(place, new_key, settings):
    with open(settings.KUNTAROBO_VAULT_KEY_FILE) as handle:
        old_key = handle.read().strip()
    first = AssetFactory(municipality=place.municipality, name="a", credential=True)
    second = AssetFactory(
        municipality=place.other, name="b", credential=True, plain_secret="Toinen-Salasana"
    )
    plain = AssetFactory(municipality=place.municipality, name="c")
    settings.KUNTAROBO_VAULT_KEYS = [new_key, old_key]
    assert actions.rotate_key("command line (ops)", via="cli") == 2
    settings.KUNTAROBO_VAULT_KEYS = [new_key]  # the old key removed
    assert keys.decrypt(raw_secret_column(first)) == "Salainen-Tunnus-42"
    assert keys.decrypt(raw_secret_column(second)) == "Toinen-Salasana"
    assert raw_secret_column(plain) == ""
    event = AuditEvent.objects.get(action="vault.key_rotated")
    assert event.details == {"secrets": 2}


def test_a_platform_user_may_not_rotate_the_key(place):
    with pytest.raises(PermissionDeniedError):
        actions.rotate_key(place.admin)


@pytest.mark.parametrize("who", ["coordinator", "viewer", "neighbour"])
def test_only_the_municipalitys_administrator_may_manage_its_vault(place, who):
    with pytest.raises(PermissionDeniedError):
        actions.store_credential(place.user(who), place.municipality, "talous", "robo", SECRET)
    asset = AssetFactory(municipality=place.municipality, credential=True)
    with pytest.raises(PermissionDeniedError):
        actions.rotate_secret(place.user(who), asset, SECRET)
    with pytest.raises(PermissionDeniedError):
        actions.delete_asset(place.user(who), asset)
    assert Asset.objects.get() == asset


def test_a_name_is_unique_per_municipality_and_robot(place):
    actions.store_value(place.admin, place.municipality, "raja", "number", "5000")
    actions.store_value(
        place.admin, place.municipality, "raja", "number", "7000", robot_slug="invoice_check"
    )
    with pytest.raises(InputError, match="already has an asset named raja"):
        actions.create_asset(place.admin, place.municipality, name="raja", kind="text", value="x")


@pytest.mark.parametrize(
    ("kind", "value", "field"),
    [
        ("number", "viisi", "value"),
        ("boolean", "ehkä", "value"),
        ("credential", "", "username"),
        ("colour", "", "kind"),
    ],
)
def test_a_value_that_does_not_fit_its_kind_is_refused_naming_the_field(place, kind, value, field):
    with pytest.raises(InputError) as refused:
        actions.create_asset(
            place.admin, place.municipality, name="x", kind=kind, value=value, secret=SECRET
        )
    assert refused.value.field == field


def test_a_name_with_capitals_or_spaces_is_refused(place):
    with pytest.raises(InputError) as refused:
        actions.create_asset(place.admin, place.municipality, name="Iso Nimi", kind="text")
    assert refused.value.field == "name"


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        ("number", "5000", 5000),
        ("number", "1234,50", Decimal("1234.50")),
        ("boolean", "true", True),
        ("boolean", "no", False),
        ("text", "Kirjaamo", "Kirjaamo"),
    ],
)
def test_a_plain_value_reaches_the_robot_as_its_kind(kind, text, value):
    assert parse_value(kind, text) == value
    assert type(parse_value(kind, text)) is type(value)


def test_the_kinds_are_declared_once():
    assert AssetKind.values == ["text", "number", "boolean", "credential"]
