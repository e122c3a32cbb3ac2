"""A Robot Framework browser robot: checks that a web form opens and is the page expected
(class A, assists). The example of docs/browser-robots.md: SeleniumLibrary drives Debian's
Chromium through Debian's chromedriver, both given to the suite as ${CHROMIUM} and
${CHROMEDRIVER} from the settings KUNTAROBO_CHROMIUM and KUNTAROBO_CHROMEDRIVER."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kuntarobo.sdk import (
    InputError,
    ItemSpec,
    Parameter,
    PathDescription,
    PathStep,
    RobotClass,
    RunContext,
    Text,
    register,
)
from kuntarobo.sdk.robotframework import RobotFrameworkRobot

SLUG = "web_form_check_rf"
_WEB = Text(fi="verkkolomake", sv="webbformulär", en="web form")


@register
class WebFormCheckRobot(RobotFrameworkRobot):
    slug = SLUG
    suite = Path(__file__).with_name("check_form.robot")
    name = Text(fi="Verkkolomakkeen tarkistus", sv="Kontroll av webbformulär", en="Web form check")
    description = Text(
        fi="Avaa verkkolomakkeen selaimessa ja tarkistaa sen otsikon ja pääotsikon. "
        "Robot Framework -selainrobotin esimerkki.",
        sv="Öppnar ett webbformulär i webbläsaren och kontrollerar dess titel och "
        "huvudrubrik. Ett exempel på en webbläsarrobot i Robot Framework.",
        en="Opens a web form in the browser and checks its title and main heading. "
        "The example of a Robot Framework browser robot.",
    )
    robot_class = RobotClass.ASSISTS
    systems = (_WEB,)
    manual_minutes_per_item = Decimal("3")
    parameters = (
        Parameter(
            "page_address",
            Text(fi="Sivun osoite", sv="Sidans adress", en="Page address"),
            required=True,
            help=Text(
                fi="http- tai https-osoite",
                sv="En http- eller https-adress",
                en="An http or https address",
            ),
        ),
        Parameter(
            "expected_title",
            Text(fi="Odotettu otsikko", sv="Förväntad titel", en="Expected title"),
        ),
        Parameter(
            "expected_heading",
            Text(fi="Odotettu pääotsikko", sv="Förväntad huvudrubrik", en="Expected heading"),
        ),
    )
    path = PathDescription(
        summary=Text(
            fi="Lomake avataan selaimessa ja sen otsikot tarkistetaan.",
            sv="Formuläret öppnas i webbläsaren och dess rubriker kontrolleras.",
            en="The form is opened in the browser and its headings are checked.",
        ),
        steps=(
            PathStep(
                Text(fi="Avaa lomake", sv="Öppna formuläret", en="Open the form"),
                "robot",
                _WEB,
            ),
            PathStep(
                Text(
                    fi="Tarkista otsikko ja pääotsikko",
                    sv="Kontrollera titeln och huvudrubriken",
                    en="Check the title and the heading",
                ),
                "robot",
                _WEB,
            ),
        ),
        business_exceptions=(
            Text(
                fi="Sivu kertoo palvelun olevan suljettu",
                sv="Sidan säger att tjänsten är stängd",
                en="The page says the service is closed",
            ),
        ),
        technical_exceptions=(
            Text(
                fi="Sivu ei avaudu tai on muuttunut",
                sv="Sidan öppnas inte eller har ändrats",
                en="The page does not open or has changed",
            ),
        ),
        human_role=Text(
            fi="Korjaa lomake tai päivitä odotetut otsikot.",
            sv="Rätta formuläret eller uppdatera de förväntade rubrikerna.",
            en="Fix the form or update the expected headings.",
        ),
    )

    def produce(self, context: RunContext) -> Iterator[ItemSpec]:
        # The worker's browser opens only web pages: no file:, data: or chrome: addresses.
        address = str(context.parameters.get("page_address") or "")
        parts = urlsplit(address)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError(
                _("the page address must be an http or https address"), field="page_address"
            )
        yield from super().produce(context)

    def variables(self, context: RunContext) -> list[str]:
        """The parameters, and where Debian's Chromium and chromedriver are."""
        return [
            *super().variables(context),
            f"CHROMIUM:{settings.KUNTAROBO_CHROMIUM}",
            f"CHROMEDRIVER:{settings.KUNTAROBO_CHROMEDRIVER}",
        ]
