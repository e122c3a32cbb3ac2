"""The HR robot's municipal settings: how the municipality's payroll export names its sheets,
columns and codes, and the early-support thresholds. Declared as a schema, so the platform's
settings page, `kuntarobo settings` and the API edit them with the same checks."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from django.utils.translation import gettext_lazy as _

from kuntarobo.robots.hr_reports.early_support import Thresholds
from kuntarobo.robots.hr_reports.exchange import ColumnMapping
from kuntarobo.sdk import InputError, Text
from kuntarobo.sdk.settings import Setting, SettingsSchema

DEFAULTS = Thresholds()
THRESHOLD_NAMES = tuple(item.name for item in fields(Thresholds))
THRESHOLD_LABELS = {
    "window_months": Text(
        fi="Jakso, jolta sairauspoissaolot lasketaan yhteen (kuukautta)",
        sv="Period över vilken sjukfrånvaron summeras (månader)",
        en="Window over which sickness absence is summed (months)",
    ),
    "notify_occupational_health_days": Text(
        fi="30 päivän sääntö: sairauspoissaolopäivät, joiden jälkeen ilmoitetaan "
        "työterveyshuoltoon",
        sv="30-dagarsregeln: sjukfrånvarodagar innan företagshälsovården underrättas",
        en="30-day rule: days of sickness absence before occupational health care is notified",
    ),
    "discussion_spells": Text(
        fi="Varhaisen tuen keskustelu: poissaolojen määrä",
        sv="Samtal om tidigt stöd: antal frånvaron",
        en="Early-support discussion: number of absences",
    ),
    "discussion_days": Text(
        fi="Varhaisen tuen keskustelu: poissaolopäivät",
        sv="Samtal om tidigt stöd: frånvarodagar",
        en="Early-support discussion: days of absence",
    ),
    "occupational_health_spells": Text(
        fi="Yhteys työterveyshuoltoon: poissaolojen määrä",
        sv="Kontakt med företagshälsovården: antal frånvaron",
        en="Contact occupational health care: number of absences",
    ),
    "occupational_health_days": Text(
        fi="Yhteys työterveyshuoltoon: poissaolopäivät",
        sv="Kontakt med företagshälsovården: frånvarodagar",
        en="Contact occupational health care: days of absence",
    ),
}
# The stronger threshold must not be below the weaker one (as Thresholds requires).
AT_LEAST = {
    "occupational_health_spells": "discussion_spells",
    "occupational_health_days": "discussion_days",
}
MAPPING = "column_mapping"


def check(values: dict[str, Any]) -> None:
    """The checks across settings; the column mapping is stored as its reader normalises it."""
    for stronger, weaker in AT_LEAST.items():
        if values[stronger] < values[weaker]:
            raise InputError(
                _("“%(label)s” must not be below “%(other)s” (%(value)d)."),
                field=stronger,
                label=THRESHOLD_LABELS[stronger],
                other=THRESHOLD_LABELS[weaker],
                value=values[weaker],
            )
    try:
        Thresholds.from_json({name: values[name] for name in THRESHOLD_NAMES})
    except (ValueError, TypeError) as error:
        raise InputError("%(problem)s", field="window_months", problem=str(error)) from None
    if values[MAPPING] != {}:  # {} is the standard names; [] or 0 must be refused
        try:
            values[MAPPING] = ColumnMapping.from_json(values[MAPPING]).to_json()
        except (ValueError, TypeError) as error:
            raise InputError(
                _("The column mapping was refused: %(problem)s"), field=MAPPING, problem=str(error)
            ) from None


SCHEMA = SettingsSchema(
    title=Text(
        fi="Sarakkeiden vastaavuudet ja varhaisen tuen rajat",
        sv="Kolumnmappning och gränser för tidigt stöd",
        en="Column mapping and early-support thresholds",
    ),
    settings=(
        *(
            Setting(
                name,
                THRESHOLD_LABELS[name],
                kind="integer",
                default=getattr(DEFAULTS, name),
                minimum=1,
                maximum=10_000,
            )
            for name in THRESHOLD_NAMES
        ),
        Setting(
            MAPPING,
            Text(
                fi="Sarakkeiden vastaavuudet (JSON)",
                sv="Kolumnmappning (JSON)",
                en="Column mapping (JSON)",
            ),
            kind="json",
            default={},
            help=Text(
                fi="Aineistonne välilehtien ja sarakkeiden nimet sekä koodit: objekti, jonka "
                "avaimet ovat ”sheets”, ”columns” ja ”codes”. Jätä tyhjäksi, niin käytetään "
                "vakionimiä.",
                sv="Exportens bladnamn, kolumnnamn och koder: ett objekt med nycklarna "
                "”sheets”, ”columns” och ”codes”. Lämna tomt för att använda standardnamnen.",
                en="Your export's sheet names, column names and codes: an object with the keys "
                "“sheets”, “columns” and “codes”. Leave empty to use the standard names.",
            ),
        ),
    ),
    check=check,
)


def mapping_and_thresholds(values: dict[str, Any]) -> tuple[ColumnMapping | None, Thresholds]:
    """What the robot reads the export with: None for the standard column names."""
    mapping = ColumnMapping.from_json(values[MAPPING]) if values.get(MAPPING) else None
    thresholds = Thresholds.from_json(
        {name: values[name] for name in THRESHOLD_NAMES if name in values}
    )
    return mapping, thresholds
