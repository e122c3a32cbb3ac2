"""A class A robot that greets: one work item per name, its greeting as the output, and a
notice by e-mail to the address the municipality's settings give."""

from __future__ import annotations

from collections.abc import Iterable

from extra_robot.greetings import greeting, split_names
from extra_robot.notices import send_notice
from kuntarobo.sdk import (
    InputError,
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
    register,
)
from kuntarobo.sdk.settings import Setting, SettingsSchema, current_settings

SLUG = "extra_robot"


@register
class ExtraRobot(Robot):
    slug = SLUG
    name = Text(fi="Lisärobotti", sv="Extrarobot", en="Extra robot")
    description = Text(
        fi="Tervehtii annettuja nimiä.", sv="Hälsar på de givna namnen.", en="Greets names."
    )
    robot_class = RobotClass.ASSISTS
    path = PathDescription(
        summary=Text(fi="Tervehdys", sv="Hälsning", en="A greeting"),
        steps=(
            PathStep(Text(fi="Tervehdi", sv="Hälsa", en="Greet"), "robot"),
            PathStep(Text(fi="Ilmoita", sv="Meddela", en="Notify"), "robot", system="e-mail"),
        ),
    )
    parameters = (
        Parameter(
            "names",
            Text(fi="Nimet", sv="Namn", en="Names"),
            required=True,
            help=Text(
                fi="Pilkuin eroteltuina", sv="Åtskilda med kommatecken", en="Comma-separated"
            ),
        ),
    )
    municipal_settings = SettingsSchema(
        settings=(
            Setting(
                "salutation",
                Text(fi="Tervehdyssana", sv="Hälsningsord", en="Salutation"),
                default="Hello",
            ),
            Setting(
                "recipient",
                Text(fi="Ilmoitusten vastaanottaja", sv="Mottagare", en="Recipient of notices"),
                kind="email",
                help=Text(fi="Tyhjä: ei ilmoituksia", sv="Tom: inga meddelanden", en="Empty: none"),
            ),
            Setting(
                "language",
                Text(fi="Ilmoitusten kieli", sv="Språk", en="Language of notices"),
                kind="choice",
                choices=("fi", "sv", "en"),
                default="fi",
            ),
            Setting(
                "notice",
                Text(fi="Ilmoituksen alku", sv="Meddelandets början", en="Opening of the notice"),
                kind="translated",
                languages=("fi", "sv", "en"),
            ),
        )
    )
    urls = "extra_robot.urls"  # staff pages, under /robots/extra_robot/
    api_urls = "extra_robot.api_urls"  # API endpoints, under /api/v1/extra-robot/

    def produce(self, context: RunContext) -> Iterable[ItemSpec]:
        try:
            names = split_names(context.parameters["names"])
        except ValueError as error:
            raise InputError(str(error), field="names") from None
        for name in names:
            yield ItemSpec(reference=name, payload={"name": name}, title=name)

    def handle(self, item: ItemView, context: RunContext) -> Outcome:
        settings = current_settings(context.municipality_slug, type(self))
        text = greeting(item.payload["name"], settings["salutation"] or "Hello")
        explanation = [f"salutation from the municipality's settings: {settings['salutation']}"]
        if settings["recipient"]:
            delivery = send_notice(item, context, settings)
            explanation.append(f"notice e-mailed to {delivery.masked_recipient}")
        return Outcome(output={"greeting": text}, explanation=explanation)
