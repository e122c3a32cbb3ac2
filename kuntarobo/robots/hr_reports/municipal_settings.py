"""The HR robot's municipal settings: how the municipality's payroll export names its sheets,
columns and codes, and the early-support thresholds. Declared as a schema, so the platform's
settings page, `kuntarobo settings` and the API edit them with the same checks."""

from __future__ import annotations

import re
from dataclasses import fields
from typing import Any

from django.utils.translation import gettext_lazy as _

from kuntarobo.robots.hr_reports.early_support import LEGAL_LIMIT_DAYS, Thresholds
from kuntarobo.robots.hr_reports.exchange import ColumnMapping
from kuntarobo.sdk import InputError, Text
from kuntarobo.sdk.settings import Setting, SettingsSchema

DEFAULTS = Thresholds()
THRESHOLD_NAMES = tuple(item.name for item in fields(Thresholds))
THRESHOLD_LABELS = {
    "window_months": Text(
        fi="30 päivän sääntö: jakso, jolta sairauspoissaolot lasketaan yhteen (kuukautta)",
        sv="30-dagarsregeln: period över vilken sjukfrånvaron summeras (månader)",
        en="30-day rule: window over which sickness absence is summed (months)",
    ),
    "notify_occupational_health_days": Text(
        fi="30 päivän sääntö: sairauspoissaolopäivät, joiden jälkeen ilmoitetaan "
        "työterveyshuoltoon (enintään 30)",
        sv="30-dagarsregeln: sjukfrånvarodagar innan företagshälsovården underrättas (högst 30)",
        en="30-day rule: days of sickness absence before occupational health care is notified "
        "(at most 30)",
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
    "discussion_window_months": Text(
        fi="Varhaisen tuen keskustelu: tarkastelujakso (kuukautta)",
        sv="Samtal om tidigt stöd: granskningsperiod (månader)",
        en="Early-support discussion: window (months)",
    ),
    "occupational_health_window_months": Text(
        fi="Yhteys työterveyshuoltoon: tarkastelujakso (kuukautta)",
        sv="Kontakt med företagshälsovården: granskningsperiod (månader)",
        en="Contact occupational health care: window (months)",
    ),
}
# The law's limit (työterveyshuoltolaki 1383/2001 10 a §) may be lowered, never raised.
MAXIMUM = {"notify_occupational_health_days": LEGAL_LIMIT_DAYS}
THRESHOLD_HELP = {
    "notify_occupational_health_days": Text(
        fi="Työterveyshuoltolain (1383/2001) 10 a §:n mukaan työnantajan on ilmoitettava "
        "työterveyshuoltoon viimeistään, kun poissaolo on jatkunut kuukauden. Yhtäjaksoinen "
        "poissaolo hälyttää aina koko kalenterikuukauden (esim. 1.–28.2.) tai tämän "
        "päivämäärän kohdalla; rajaa voi vain alentaa.",
        sv="Enligt 10 a § i lagen om företagshälsovård (1383/2001) ska arbetsgivaren meddela "
        "företagshälsovården senast när frånvaron har pågått en månad. En sammanhängande "
        "frånvaro larmar alltid efter en hel kalendermånad (t.ex. 1–28.2) eller vid detta "
        "antal dagar; gränsen kan bara sänkas.",
        en="Under section 10 a of the Occupational Health Care Act (1383/2001) the employer "
        "must notify occupational health care at the latest when the absence has continued a "
        "month. A continuous absence always alerts after a whole calendar month (e.g. "
        "1–28 Feb) or at this number of days; the limit can only be lowered.",
    ),
    "discussion_window_months": Text(
        fi="Esimerkiksi ”3 poissaoloa 4 kuukaudessa”: poissaolojen määrä 3, jakso 4.",
        sv="Till exempel ”3 frånvaron på 4 månader”: antal frånvaron 3, period 4.",
        en="For example “3 absences in 4 months”: number of absences 3, window 4.",
    ),
}
DOMAINS = "allowed_email_domains"
ATTACHMENT = "attachment_by_email"
_DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def allowed_domains(values: dict[str, Any]) -> tuple[str, ...]:
    """The domains the reports may be sent to, lower case, from the setting's text (commas,
    spaces or lines between them)."""
    text = str(values.get(DOMAINS) or "")
    parts = (part.strip().lower().lstrip("@") for part in re.split(r"[,;\s]+", text))
    return tuple(dict.fromkeys(part for part in parts if part))


# The stronger threshold must not be below the weaker one (as Thresholds requires).
AT_LEAST = {
    "occupational_health_spells": "discussion_spells",
    "occupational_health_days": "discussion_days",
}
MAPPING = "column_mapping"
DOMAINS_LABEL = Text(
    fi="Sallitut sähköpostin verkkotunnukset",
    sv="Tillåtna e-postdomäner",
    en="Allowed e-mail domains",
)


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
    for domain in allowed_domains(values):
        if not _DOMAIN.fullmatch(domain):
            raise InputError(
                _("“%(label)s”: %(domain)s is not a domain name such as esimerkkila.fi"),
                field=DOMAINS,
                label=DOMAINS_LABEL,
                domain=repr(domain),
            )
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
                maximum=MAXIMUM.get(name, 10_000),
                help=THRESHOLD_HELP.get(name),
            )
            for name in THRESHOLD_NAMES
        ),
        Setting(
            DOMAINS,
            DOMAINS_LABEL,
            kind="text",
            default="",
            help=Text(
                fi="Raportit lähetetään vain näiden verkkotunnusten osoitteisiin, esim. "
                "”esimerkkila.fi, edu.esimerkkila.fi”. Jos tyhjä, raportteja ei lähetetä.",
                sv="Rapporterna skickas bara till adresser i dessa domäner, t.ex. "
                "”esimerkkila.fi, edu.esimerkkila.fi”. Om tomt skickas inga rapporter.",
                en="Reports are sent only to addresses in these domains, e.g. "
                "“esimerkkila.fi, edu.esimerkkila.fi”. When empty, no report is sent.",
            ),
        ),
        Setting(
            ATTACHMENT,
            Text(
                fi="Lähetä työkirja sähköpostin liitteenä (vain salatulla yhteydellä)",
                sv="Skicka arbetsboken som bilaga i e-post (endast över krypterad förbindelse)",
                en="Send the workbook as an e-mail attachment (only over encrypted connection)",
            ),
            kind="boolean",
            default=False,
            help=Text(
                fi="Oletuksena esihenkilö saa sähköpostissa vain linkin raporttiin, joka avataan "
                "kirjautumalla Kuntaroboon. Liite lähetetään vain, jos sähköpostipalvelimen "
                "yhteys on salattu (STARTTLS tai TLS, varmenne tarkistettu); muuten käytetään "
                "linkkiä.",
                sv="Som standard får chefen bara en länk till rapporten i e-posten, och den "
                "öppnas genom att logga in i Kuntarobo. Bilagan skickas bara om förbindelsen "
                "till e-postservern är krypterad (STARTTLS eller TLS, certifikatet kontrollerat); "
                "annars används länken.",
                en="By default the supervisor's e-mail holds only a link to the report, opened "
                "by signing in to Kuntarobo. The attachment is sent only when the connection to "
                "the mail server is encrypted (STARTTLS or TLS, certificate verified); otherwise "
                "the link is used.",
            ),
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
