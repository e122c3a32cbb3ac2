"""The fee robot's municipal settings declared as a schema: the platform's settings page,
`kuntarobo settings` and the API edit them, stored in dated rows (a decision records the date
of the row it used). The values are the JSON of `municipal.MunicipalFeeSettings`, whose reader
stays the authority on what is valid: the schema's check runs it."""

from __future__ import annotations

import datetime
import re
from typing import Any

from kuntarobo.robots.ecec_fees.municipal import (
    DEFAULT_BANDS,
    MunicipalFeeSettings,
    SettingsError,
)
from kuntarobo.sdk import InputError, Text
from kuntarobo.sdk.models import RobotSettings
from kuntarobo.sdk.settings import Setting, SettingsSchema

SLUG = "ecec_fees"

_BAND = re.compile(r"service_need_bands\[(\d+)\](?:\.(\w+))?")


def _field(path: str, problem: str) -> str:
    """The schema's path of a reader's: its bands count from 0, the schema's rows from 1."""
    match = _BAND.fullmatch(path)
    if match is None:
        return path
    column = match.group(2) or ("coefficient" if "coefficient" in problem else "max_hours")
    return f"service_need_bands[{int(match.group(1)) + 1}].{column}"


def check(values: dict[str, Any]) -> None:
    """The settings as the fee robot reads them, or InputError at the setting at fault."""
    try:
        MunicipalFeeSettings.from_json(values)
    except SettingsError as error:
        raise InputError(
            "%(error)s", field=_field(error.path, str(error)), error=str(error)
        ) from None


_NAME = Text(fi="Nimi", sv="Namn", en="Name")
_STREET = Text(fi="Katuosoite", sv="Gatuadress", en="Street address")
_POSTAL_CODE = Text(fi="Postinumero", sv="Postnummer", en="Postal code")
_CITY = Text(fi="Postitoimipaikka", sv="Postanstalt", en="City")
_EMAIL = Text(fi="Sähköposti", sv="E-post", en="E-mail")

SCHEMA = SettingsSchema(
    title=Text(
        fi="Viranomainen, yhteyshenkilö, oikaisuvaatimusten vastaanottaja, palveluntarpeen "
        "porrastus ja tarkastettavien tapausten rajat",
        sv="Myndighet, kontaktperson, mottagare av omprövningsbegäran, graderingen av "
        "servicebehovet och gränserna för fall som granskas",
        en="Authority, contact person, review authority, service-need bands and the limits "
        "of cases an official looks at",
    ),
    dated=True,
    check=check,
    settings=(
        Setting(
            "authority",
            Text(fi="Viranomainen", sv="Myndighet", en="Authority"),
            kind="translated",
            required=True,
            help=Text(
                fi="Päätöksen otsikossa ja lähettäjänä, esim. ”Naapurila, "
                "varhaiskasvatuspalvelut”.",
                sv="I beslutets rubrik och som avsändare, t.ex. ”Grannby, småbarnspedagogiska "
                "tjänster”.",
                en="The letter's heading and sender, e.g. “Naapurila, varhaiskasvatuspalvelut”.",
            ),
        ),
        Setting(
            "contact",
            Text(fi="Lisätietoja antaa", sv="Närmare upplysningar ger", en="Contact person"),
            kind="group",
            required=True,
            columns=(
                Setting("name", _NAME, required=True),
                Setting("title", Text(fi="Nimike", sv="Titel", en="Title"), kind="translated"),
                Setting("phone", Text(fi="Puhelin", sv="Telefon", en="Phone"), default=""),
                Setting("email", _EMAIL, default=""),
            ),
        ),
        Setting(
            "review_authority",
            Text(
                fi="Oikaisuvaatimuksen vastaanottaja",
                sv="Mottagare av omprövningsbegäran",
                en="Review authority",
            ),
            kind="group",
            required=True,
            help=Text(
                fi="Minne oikaisuvaatimus lähetetään.",
                sv="Vart omprövningsbegäran skickas.",
                en="Where a request for review is sent.",
            ),
            columns=(
                Setting("name", _NAME, kind="translated", required=True),
                Setting("street", _STREET, kind="translated", required=True),
                Setting("postal_code", _POSTAL_CODE, required=True),
                Setting("city", _CITY, kind="translated", required=True),
                Setting("email", _EMAIL, default=""),
            ),
        ),
        Setting(
            "service_need_decision",
            Text(
                fi="Palveluntarpeen mukaisten maksuosuuksien päätös",
                sv="Beslut om avgiftsandelarna enligt servicebehov",
                en="Decision on the service-need shares",
            ),
            kind="translated",
            required=True,
            help=Text(
                fi="Toimielin, päivämäärä ja pykälä, jolla kunta päätti alla olevan porrastuksen, "
                "esim. ”Kasvatus- ja opetuslautakunta 12.5.2026 § 34”. Päätöksissä mainitaan.",
                sv="Organ, datum och paragraf där kommunen beslutade graderingen nedan, t.ex. "
                "”Fostrans- och utbildningsnämnden 12.5.2026 § 34”. Anges i besluten.",
                en="The body, date and section by which the municipality decided the bands below, "
                "e.g. “Kasvatus- ja opetuslautakunta 12.5.2026 § 34”. Cited in the decisions.",
            ),
        ),
        Setting(
            "service_need_bands",
            Text(
                fi="Palveluntarpeen porrastus",
                sv="Gradering av servicebehovet",
                en="Service-need bands",
            ),
            kind="rows",
            default=[
                {"max_hours": limit, "coefficient": str(coefficient)}
                for limit, coefficient in DEFAULT_BANDS
            ],
            help=Text(
                fi="Tunnit kuukaudessa → osuus kokoaikaisen maksusta. Tunnit nousevat, osuus ei "
                "laske, viimeinen rivi on ilman ylärajaa.",
                sv="Timmar i månaden → andel av heltidsavgiften. Timmarna stiger, andelen sjunker "
                "inte, den sista raden har ingen övre gräns.",
                en="Hours a month → share of the full-time fee. Hours rise, the share never "
                "falls, the last row has no upper limit.",
            ),
            columns=(
                Setting(
                    "max_hours",
                    Text(fi="Tunteja enintään", sv="Högst timmar", en="Hours at most"),
                    kind="integer",
                ),
                Setting(
                    "coefficient",
                    Text(fi="Osuus", sv="Andel", en="Share"),
                    kind="decimal",
                    required=True,
                ),
            ),
        ),
        Setting(
            "decision_number_prefix",
            Text(
                fi="Päätösnumeron etuliite",
                sv="Prefix för beslutsnummer",
                en="Decision number prefix",
            ),
            default="VAKA",
        ),
        Setting(
            "large_change_percent",
            Text(
                fi="Suuri muutos: prosenttia",
                sv="Stor förändring: procent",
                en="Large change: percent",
            ),
            kind="decimal",
            default="20",
        ),
        Setting(
            "large_change_cents",
            Text(
                fi="Suuri muutos: senttiä",
                sv="Stor förändring: cent",
                en="Large change: cents",
            ),
            kind="integer",
            default=5000,
        ),
        Setting(
            "maximum_age_years",
            Text(fi="Enimmäisikä (vuotta)", sv="Högsta ålder (år)", en="Maximum age (years)"),
            kind="integer",
            default=7,
        ),
        Setting(
            "pre_primary_in_sibling_order",
            Text(
                fi="Pelkässä esiopetuksessa oleva lapsi lasketaan sisarusjärjestykseen",
                sv="Ett barn som endast deltar i förskoleundervisning räknas med i syskonordningen",
                en="A child in pre-primary education only counts in the sibling order",
            ),
            kind="boolean",
            default=True,
            help=Text(
                fi="Oletus kuten eVakassa (Espoo, Tampere): lasketaan.",
                sv="Standard som i eVaka (Esbo, Tammerfors): räknas med.",
                en="Default as in eVaka (Espoo, Tampere): counts.",
            ),
        ),
        Setting(
            "retroactive_limit_months",
            Text(
                fi="Takautuvuuden raja (kuukautta)",
                sv="Gräns för retroaktivitet (månader)",
                en="Retroactive limit (months)",
            ),
            kind="integer",
            default=12,
            minimum=1,
            maximum=12,
            help=Text(
                fi="Päätös, joka alkaa tätä kauempana menneisyydessä, merkitään tarkistettavaksi. "
                "Maksu voidaan korjata takautuvasti enintään vuoden ajalta.",
                sv="Ett beslut som börjar längre bak i tiden än så markeras för granskning. En "
                "avgift kan rättas retroaktivt för högst ett år.",
                en="A decision starting further back than this is flagged. A fee can be corrected "
                "backwards for at most one year.",
            ),
        ),
        Setting(
            "officials_language",
            Text(
                fi="Viranhaltijoiden kieli",
                sv="Tjänsteinnehavarnas språk",
                en="Officials' language",
            ),
            kind="choice",
            choices=("fi", "sv"),
            default="fi",
        ),
        Setting(
            "sender_address",
            Text(
                fi="Lähettäjän osoite (Suomi.fi-paperiposti)",
                sv="Avsändarens adress (Suomi.fi-pappersbrev)",
                en="Sender's address (Suomi.fi paper mail)",
            ),
            kind="group",
            columns=(
                Setting("street", _STREET, default=""),
                Setting("postal_code", _POSTAL_CODE, default=""),
                Setting("city", _CITY, default=""),
            ),
        ),
        Setting(
            "suomifi_service_id",
            Text(
                fi="Kunnan oma Suomi.fi-viestien palvelutunnus",
                sv="Kommunens egen tjänstekod i Suomi.fi-meddelanden",
                en="The municipality's own Suomi.fi Messages service id",
            ),
            default="",
            help=Text(
                fi="Tyhjä: asennuksen palvelutunnus.",
                sv="Tom: installationens tjänstekod.",
                en="Empty: the installation's service id.",
            ),
        ),
    ),
)


def row_from(municipality_id: int, valid_from: datetime.date) -> RobotSettings | None:
    """The settings row a decision names by its date (rows are never replaced)."""
    return RobotSettings.objects.filter(
        municipality_id=municipality_id, robot_slug=SLUG, valid_from=valid_from
    ).first()


def settings_of(row: RobotSettings) -> MunicipalFeeSettings:
    """The settings a stored row's values are."""
    return MunicipalFeeSettings.from_json(row.values)
