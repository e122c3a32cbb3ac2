"""The phone survey robot (class A: it collects opinions and decides nothing): it calls a
campaign's sampled residents in the call windows, runs the keypad questionnaire, tries again by
the retry rules, and gives every number its AAPOR disposition.

Each respondent is one work item of the campaign's run; between attempts it waits on a durable
timer (`Wait(until=…)`), so attempts and timers survive restarts."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from kuntarobo.sdk import (
    ItemSpec,
    ItemView,
    Outcome,
    Parameter,
    PathDescription,
    PathStep,
    Robot,
    RobotClass,
    RunContext,
    Text,
    Wait,
    register,
)


@register
class PhoneSurveyRobot(Robot):
    slug = "phone_survey"
    name = Text(fi="Puhelinkyselyrobotti", sv="Telefonenkätrobot", en="Phone survey robot")
    description = Text(
        fi="Soittaa kyselykampanjan asukkaille soittoaikoina, kysyy kysymykset näppäimillä "
        "vastattavina ja tallentaa vastaukset ja jokaisen soittoyrityksen tuloksen.",
        sv="Ringer en enkätkampanjs invånare under samtalstiderna, ställer frågorna som besvaras "
        "med knapparna och sparar svaren och varje samtalsförsöks resultat.",
        en="Calls a survey campaign's residents in the call windows, asks the questions to be "
        "answered with the keypad, and keeps the answers and every attempt's outcome.",
    )
    robot_class = RobotClass.ASSISTS
    systems = (
        Text(fi="puhelinoperaattori (SIP)", sv="teleoperatör (SIP)", en="phone operator (SIP)"),
    )
    # A human interviewer's minutes per number handled (see docs/phone-survey.md).
    manual_minutes_per_item = Decimal("0")
    parameters = (
        Parameter(
            "campaign",
            Text(fi="Kampanja", sv="Kampanj", en="Campaign"),
            kind="integer",
            required=True,
        ),
    )
    path = PathDescription(
        summary=Text(
            fi="Kyselykampanjan puhelut ja vastaukset.",
            sv="Enkätkampanjens samtal och svar.",
            en="A survey campaign's calls and answers.",
        ),
        steps=(
            PathStep(
                Text(fi="Kampanjan laatiminen", sv="Kampanjen görs", en="The campaign is set up"),
                "person",
            ),
            PathStep(Text(fi="Soitot", sv="Samtal", en="Calls"), "robot"),
        ),
    )
    urls = "kuntarobo.robots.phone_survey.staff_urls"
    public_urls = (("kysely/", "kuntarobo.robots.phone_survey.public_urls"),)

    def produce(self, context: RunContext) -> Iterator[ItemSpec]:
        raise NotImplementedError  # the robot's rules: another step of issue 18

    def handle(self, item: ItemView, context: RunContext) -> Outcome | Wait:
        raise NotImplementedError
