"""A class A robot that greets: one work item per name, its greeting as the output."""

from __future__ import annotations

from collections.abc import Iterable

from extra_robot.greetings import greeting
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
    register,
)
from kuntarobo.sdk.settings import Setting, SettingsSchema

SLUG = "extra_robot"


@register
class ExtraRobot(Robot):
    slug = SLUG
    name = Text(fi="Lisärobotti", sv="Extrarobot", en="Extra robot")
    description = Text(
        fi="Tervehtii annettua nimeä.", sv="Hälsar på det givna namnet.", en="Greets a name."
    )
    robot_class = RobotClass.ASSISTS
    path = PathDescription(
        summary=Text(fi="Tervehdys", sv="Hälsning", en="A greeting"),
        steps=(PathStep(Text(fi="Tervehdi", sv="Hälsa", en="Greet"), "robot"),),
    )
    parameters = (Parameter("name", Text(fi="Nimi", sv="Namn", en="Name"), required=True),)
    urls = "extra_robot.urls"
    municipal_settings = SettingsSchema(
        settings=(
            Setting(
                "salutation",
                Text(fi="Tervehdyssana", sv="Hälsningsord", en="Salutation"),
                default="Hello",
            ),
        )
    )
    api_urls = "extra_robot.api_urls"

    def produce(self, context: RunContext) -> Iterable[ItemSpec]:
        name = context.parameters["name"]
        yield ItemSpec(reference=name, payload={"name": name}, title=name)

    def handle(self, item: ItemView, context: RunContext) -> Outcome:
        text = greeting(item.payload["name"])
        return Outcome(output={"greeting": text}, explanation=[f"greeted: {text}"])
