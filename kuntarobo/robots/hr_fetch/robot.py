"""The HR fetch robot (class A): on the first working day of the month it logs in to the payroll
system with the municipality's stored credential, downloads the month just ended as the HR data
set (an .xlsx workbook) and hands it to the HR reports robot, which mails every supervisor.

In Uusikaupunki a robot did this through the payroll system's screens once a month; here the
screens are those of the practice system in the demo and the tests (`kuntarobo.practice`)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any, cast

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kuntarobo.robots.hr_fetch import months
from kuntarobo.robots.hr_fetch.municipal_settings import (
    CREDENTIAL,
    DEFAULT_CREDENTIAL,
    SCHEMA,
    SYSTEM_URL,
)
from kuntarobo.robots.hr_fetch.screens import Fetched, fetch_month
from kuntarobo.sdk import (
    Chain,
    Document,
    InputError,
    ItemSpec,
    ItemView,
    Outcome,
    OutputField,
    Parameter,
    PathDescription,
    PathStep,
    Robot,
    RobotClass,
    RunContext,
    Schedule,
    Text,
    message,
    register,
)
from kuntarobo.sdk.browser import in_browser
from kuntarobo.sdk.settings import current_settings
from kuntarobo.sdk.vault import credential

SLUG = "hr_fetch"
# How the browser runtime names the system in its messages: a lazy text, so each reader of the
# log and the error sees it in their language (the runtime's own default is one too).
SYSTEM = cast(str, _("the payroll system"))
# Where the path document says the robot's steps happen.
PAYROLL_SYSTEM = Text(fi="palkkajärjestelmä", sv="lönesystemet", en="payroll system")


@register
class HrFetchRobot(Robot):
    slug = SLUG
    name = Text(
        fi="Palkka-aineiston nouto",
        sv="Hämtning av löneexporten",
        en="Payroll export fetch",
    )
    description = Text(
        fi="Kuukauden ensimmäisenä arkipäivänä robotti kirjautuu palkkajärjestelmään kunnan "
        "holviin tallennetulla tunnuksella, lataa edellisen kuukauden henkilöstöaineiston ja "
        "käynnistää sillä henkilöstöraporttien robotin.",
        sv="Månadens första vardag loggar roboten in i lönesystemet med kommunens konto i valvet, "
        "hämtar föregående månads personalexport och startar robotten för personalrapporter "
        "med den.",
        en="On the first working day of the month the robot logs in to the payroll system with "
        "the municipality's credential from the vault, downloads the previous month's HR data "
        "set and starts the HR reports robot with it.",
    )
    robot_class = RobotClass.ASSISTS
    systems = (
        Text(
            fi="palkkajärjestelmä (demossa harjoitusjärjestelmä)",
            sv="lönesystemet (i demon övningssystemet)",
            en="payroll system (the practice system in the demo)",
        ),
        Text(fi="holvi (tunnukset)", sv="valvet (konton)", en="vault (credentials)"),
    )
    # Our estimate, not a measurement: a person logs in, picks the units, the month and the
    # report, checks the row count, downloads the workbook, saves it where the HR reports robot
    # reads it and starts that robot: about 10 minutes once a month.
    manual_minutes_per_item = Decimal("10")
    municipal_settings = SCHEMA
    chains = (Chain("hr_reports", ".xlsx", (("month", "month"),)),)
    schedule = Schedule(
        cron="0 5 * * *",
        calendar="first_working_day_of_month",
        description=Text(
            fi="Kuukauden ensimmäisenä arkipäivänä klo 5",
            sv="Månadens första vardag kl. 5",
            en="First working day of the month at 05:00",
        ),
    )
    parameters = (
        Parameter(
            "month",
            Text(fi="Kuukausi", sv="Månad", en="Month"),
            kind="month",
            help=Text(
                fi="Oletuksena edellinen kalenterikuukausi",
                sv="Som standard föregående kalendermånad",
                en="By default the previous calendar month",
            ),
        ),
    )
    output_fields = (
        OutputField("month", Text(fi="Kuukausi", sv="Månad", en="Month")),
        OutputField("rows", Text(fi="Rivejä", sv="Rader", en="Rows"), "integer"),
        OutputField(
            "pages", Text(fi="Tulossivuja", sv="Resultatsidor", en="Result pages"), "integer"
        ),
        OutputField("file", Text(fi="Tiedosto", sv="Fil", en="File")),
        OutputField(
            "size_bytes", Text(fi="Koko (tavua)", sv="Storlek (byte)", en="Size (bytes)"), "integer"
        ),
    )
    input_fields = (OutputField("month", Text(fi="Kuukausi", sv="Månad", en="Month")),)
    path = PathDescription(
        summary=Text(
            fi="Robotti hakee kuukauden henkilöstöaineiston palkkajärjestelmän näytöiltä ja "
            "antaa sen henkilöstöraporttien robotille.",
            sv="Roboten hämtar månadens personalexport från lönesystemets skärmar och ger den "
            "till robotten för personalrapporter.",
            en="The robot fetches the month's HR data set through the payroll system's screens "
            "and hands it to the HR reports robot.",
        ),
        steps=(
            PathStep(
                Text(
                    fi="Hae tunnus holvista",
                    sv="Hämta kontot ur valvet",
                    en="Take the credential from the vault",
                ),
                "robot",
                Text(fi="holvi", sv="valvet", en="vault"),
            ),
            PathStep(
                Text(fi="Kirjaudu sisään (kerran)", sv="Logga in (en gång)", en="Log in (once)"),
                "robot",
                PAYROLL_SYSTEM,
            ),
            PathStep(
                Text(
                    fi="Valitse raportit: kaikki yksiköt, kuukausi, henkilöstöaineisto",
                    sv="Välj rapporter: alla enheter, månaden, personalexporten",
                    en="Choose the reports: every unit, the month, the HR data set",
                ),
                "robot",
                PAYROLL_SYSTEM,
            ),
            PathStep(
                Text(
                    fi="Selaa tulossivut ja tarkista rivimäärä",
                    sv="Bläddra igenom resultatsidorna och kontrollera antalet rader",
                    en="Page through the results and check the row count",
                ),
                "robot",
                PAYROLL_SYSTEM,
            ),
            PathStep(
                Text(
                    fi="Lataa Excel-tiedosto ja kirjaudu ulos",
                    sv="Ladda ner Excel-filen och logga ut",
                    en="Download the Excel file and log out",
                ),
                "robot",
                PAYROLL_SYSTEM,
            ),
            PathStep(
                Text(
                    fi="Käynnistä henkilöstöraporttien robotti aineistolla",
                    sv="Starta robotten för personalrapporter med exporten",
                    en="Start the HR reports robot with the export",
                ),
                "robot",
                Text(fi="Kuntarobo", sv="Kuntarobo", en="Kuntarobo"),
            ),
        ),
        inputs=(
            Text(
                fi="Kuukausi; palkkajärjestelmän osoite ja tunnuksen nimi kunnan asetuksissa",
                sv="Månaden; lönesystemets adress och kontots namn i kommunens inställningar",
                en="The month; the payroll system's address and the credential's name in the "
                "municipality's settings",
            ),
        ),
        outputs=(
            Text(
                fi="Henkilöstöaineisto (xlsx) tehtävän liitteenä ja henkilöstöraporttien ajo",
                sv="Personalexporten (xlsx) med uppgiften och en körning av personalrapporterna",
                en="The HR data set (xlsx) kept with the item, and a run of the HR reports robot",
            ),
        ),
        rules=(
            Text(
                fi="Yksi kirjautumisyritys tehtävän yritystä kohden: väärää salasanaa ei yritetä "
                "uudelleen, joten tunnus ei lukitu",
                sv="Ett inloggningsförsök per försök av uppgiften: ett fel lösenord prövas inte "
                "igen, så kontot låses inte",
                en="One login attempt per attempt of the item: a wrong password is never tried "
                "again, so the account is not locked",
            ),
            Text(
                fi="Tulossivujen rivien on oltava yhteensä järjestelmän ilmoittama rivimäärä",
                sv="Resultatsidornas rader ska sammanlagt vara det antal systemet anger",
                en="The result pages' rows must add up to the row count the system shows",
            ),
        ),
        business_exceptions=(
            Text(
                fi="Väärä käyttäjätunnus tai salasana, tai tunnus on lukittu: henkilö korjaa "
                "tunnuksen holvissa",
                sv="Fel användarnamn eller lösenord, eller kontot är låst: en person rättar "
                "kontot i valvet",
                en="Wrong user name or password, or the account is locked: a person fixes the "
                "credential in the vault",
            ),
            Text(
                fi="Tunnusta ei ole holvissa",
                sv="Kontot finns inte i valvet",
                en="The credential is not in the vault",
            ),
            Text(
                fi="Kuukaudelta ei ole aineistoa (palkka-ajo tekemättä)",
                sv="Månaden har inga uppgifter (lönekörningen inte gjord)",
                en="No data for the month (the payroll has not been run)",
            ),
        ),
        technical_exceptions=(
            Text(
                fi="Näyttö on muuttunut (kenttä puuttuu tai nimi on vaihtunut): kuvakaappaus ja "
                "sivun HTML tallennetaan tehtävään, ja yritetään myöhemmin uudelleen",
                sv="Skärmen har ändrats (ett fält saknas eller har bytt namn): en skärmbild och "
                "sidans HTML sparas med uppgiften, och ett nytt försök görs senare",
                en="A changed screen (a field missing or renamed): a screenshot and the page's "
                "HTML are kept with the item, and it is tried again later",
            ),
            Text(
                fi="Järjestelmä ei vastaa tai aikakatkaisu",
                sv="Systemet svarar inte eller tidsgränsen överskrids",
                en="The system does not answer, or a time-out",
            ),
            Text(
                fi="Ladattu tiedosto ei ole Excel-työkirja tai rivimäärä ei täsmää",
                sv="Den hämtade filen är ingen Excel-arbetsbok eller antalet rader stämmer inte",
                en="The download is not an Excel workbook, or the row count does not match",
            ),
        ),
        human_role=Text(
            fi="Henkilöstöhallinto pitää tunnuksen holvissa ajan tasalla ja hoitaa "
            "liiketoimintapoikkeukset; esihenkilöt saavat raportit.",
            sv="Personalförvaltningen håller kontot i valvet aktuellt och sköter "
            "affärsundantagen; cheferna får rapporterna.",
            en="HR keeps the credential in the vault up to date and handles the business "
            "exceptions; the supervisors get the reports.",
        ),
        volume=Text(
            fi="Kerran kuussa, yksi nouto kunnalle",
            sv="En gång i månaden, en hämtning per kommun",
            en="Monthly, one fetch per municipality",
        ),
    )

    def produce(self, context: RunContext) -> Iterator[ItemSpec]:
        month = str(context.parameters.get("month") or months.default_month(timezone.localdate()))
        values = current_settings(context.municipality_slug, type(self))
        if not values.get(SYSTEM_URL):
            raise InputError(
                _(
                    "the payroll system's address is not set: a coordinator sets it on the "
                    "robot's settings page"
                ),
                field=SYSTEM_URL,
            )
        yield ItemSpec(
            reference=months.reference(month),
            payload={"month": month},
            title=message(_("Payroll export %(month)s"), month=month),
        )

    def handle(self, item: ItemView, context: RunContext) -> Outcome:
        month = months.check_month(str(item.payload["month"]))
        values = current_settings(context.municipality_slug, type(self))
        url = str(values[SYSTEM_URL])
        login = credential(context, str(values.get(CREDENTIAL) or DEFAULT_CREDENTIAL), item=item)

        def work(page: Any) -> Fetched:
            return fetch_month(page, url, login.username, login.secret.reveal(), month)

        fetched = in_browser(context, item, work, system=SYSTEM)
        name = months.file_name(month)
        context.log(
            message(
                _("%(reference)s: %(rows)d rows on %(pages)d result pages, %(file)s downloaded"),
                reference=item.reference,
                rows=fetched.rows,
                pages=fetched.pages,
                file=name,
            )
        )
        return Outcome(
            output={
                "month": month,
                "rows": fetched.rows,
                "pages": fetched.pages,
                "file": name,
                "size_bytes": len(fetched.content),
                # Every screen the browser loaded (login, menu, form, result pages, logout).
                "screens": fetched.screens,
            },
            explanation=[
                message(
                    _("Logged in to the payroll system as %(username)s (credential %(name)s)."),
                    username=login.username,
                    name=login.name,
                ),
                message(
                    _(
                        "Every unit, %(month)s, the HR data set: %(rows)d rows on %(pages)d "
                        "result pages, as many as the system's row count."
                    ),
                    month=month,
                    rows=fetched.rows,
                    pages=fetched.pages,
                ),
                message(
                    _("Downloaded %(file)s (%(size)d bytes); the HR reports robot reads it next."),
                    file=name,
                    size=len(fetched.content),
                ),
            ],
            documents=[Document(name, fetched.content, months.XLSX_CONTENT_TYPE)],
        )
