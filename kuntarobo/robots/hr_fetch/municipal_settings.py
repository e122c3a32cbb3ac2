"""The fetch robot's municipal settings: where the payroll system is and which of the vault's
credentials the robot logs in with. The password itself is never a setting: it stays in the
vault, encrypted, and the robot asks for it by name when it logs in."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

from kuntarobo.sdk import InputError, Text
from kuntarobo.sdk.settings import Setting, SettingsSchema

SYSTEM_URL = "system_url"
CREDENTIAL = "credential_name"
DEFAULT_CREDENTIAL = "palkkajarjestelma"
SYSTEM_URL_LABEL = Text(
    fi="Palkkajärjestelmän osoite",
    sv="Lönesystemets adress",
    en="Address of the payroll system",
)


def url_problem(url: str) -> str | None:
    """Why `url` cannot be the login screen's address (None: it can)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "not an http or https address"
    if parts.username or parts.password:
        return "a password in the address"
    return None


def check(values: dict[str, Any]) -> None:
    url = str(values.get(SYSTEM_URL) or "").strip()
    values[SYSTEM_URL] = url
    values[CREDENTIAL] = str(values.get(CREDENTIAL) or "").strip() or DEFAULT_CREDENTIAL
    if url and url_problem(url):
        raise InputError(
            _("“%(label)s” must be an http or https address without a user name or password"),
            field=SYSTEM_URL,
            label=SYSTEM_URL_LABEL,
        )


SCHEMA = SettingsSchema(
    title=Text(
        fi="Palkkajärjestelmä ja tunnus",
        sv="Lönesystemet och kontot",
        en="Payroll system and account",
    ),
    settings=(
        Setting(
            SYSTEM_URL,
            SYSTEM_URL_LABEL,
            kind="text",
            default="",
            help=Text(
                fi="Kirjautumissivun osoite, esim. https://palkat.esimerkkila.fi/. Jos tyhjä, "
                "robotti ei käynnisty.",
                sv="Inloggningssidans adress, t.ex. https://loner.exempelby.fi/. Om tom startar "
                "roboten inte.",
                en="The login page's address, e.g. https://payroll.esimerkkila.fi/. When empty, "
                "the robot does not start.",
            ),
        ),
        Setting(
            CREDENTIAL,
            Text(
                fi="Tunnuksen nimi holvissa",
                sv="Kontots namn i valvet",
                en="Name of the credential in the vault",
            ),
            kind="text",
            default=DEFAULT_CREDENTIAL,
            help=Text(
                fi="Robotti kirjautuu holviin tallennetulla tunnuksella ja salasanalla; salasana "
                "ei näy asetuksissa eikä lokeissa.",
                sv="Roboten loggar in med kontot och lösenordet i valvet; lösenordet syns inte i "
                "inställningarna eller i loggarna.",
                en="The robot logs in with the user name and password stored in the vault under "
                "this name; the password shows in no setting and no log.",
            ),
        ),
    ),
    check=check,
)
