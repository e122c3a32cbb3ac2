"""`kuntarobo help`: the platform's commands and each robot's, grouped, instead of Django's raw
list of every app's commands (`flush`, `dbshell`, … and a robot's command twice, as
`ecec-fees` and its module `ecec_fees`).

Robots are read from the registry and a command belongs to the robot whose app holds it, so a
robot installed through KUNTAROBO_EXTRA_APPS gets its group with no edit here. Django's own
commands still run when named; a short group lists those an operator needs, and
`kuntarobo help --all` gives Django's full list.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.apps import apps
from django.core.management import ManagementUtility, get_commands, load_command_class

from kuntarobo.runtime.declarations import Robot, all_robots

# Django's and its add-ons' commands an operator of kuntarobo needs (docs/operations.md).
OPERATOR_COMMANDS = (
    "migrate",
    "showmigrations",
    "createsuperuser",
    "changepassword",
    "check",
    "compilemessages",
    "shell",
    "axes_reset_username",
    "axes_reset_ip",
)
PLATFORM_PACKAGE = "kuntarobo."
LINE_WIDTH = 100


def is_alias(name: str, app: str, commands: Mapping[str, str]) -> bool:
    """`ecec_fees` beside `ecec-fees` of the same app: the module behind the documented
    hyphenated name, which runs when named but is not listed."""
    hyphenated = name.replace("_", "-")
    return hyphenated != name and commands.get(hyphenated) == app


def robot_apps() -> dict[str, type[Robot]]:
    """The app (its dotted name) of each registered robot."""
    found: dict[str, type[Robot]] = {}
    for robot in all_robots():
        config = apps.get_containing_app_config(robot.__module__)
        if config is not None:
            found.setdefault(config.name, robot)
    return found


def groups(commands: Mapping[str, str]) -> list[tuple[str, list[str]]]:
    """(heading, command names) for the platform, each robot that has commands, and the
    operator's Django commands; the rest (Django's other commands, aliases) are left out."""
    owners = robot_apps()
    platform: list[str] = []
    by_robot: dict[str, list[str]] = {}
    operator = [name for name in OPERATOR_COMMANDS if name in commands]
    for name, app in sorted(commands.items()):
        if is_alias(name, app, commands):
            continue
        if app in owners:
            by_robot.setdefault(owners[app].slug, []).append(name)
        elif app.startswith(PLATFORM_PACKAGE):
            platform.append(name)
    listed = [("Platform", platform)]
    for robot in all_robots():
        if robot.slug in by_robot:
            listed.append((f"Robot: {robot.name.get('en')} ({robot.slug})", by_robot[robot.slug]))
    listed.append(("Django (for operators)", operator))
    return [(heading, names) for heading, names in listed if names]


def summary(app: str, name: str, width: int) -> str:
    """The first sentence of the command's own help, shortened to `width` characters."""
    try:
        text = str(load_command_class(app, name).help or "")
    except Exception as error:  # the list shows the other commands all the same
        return f"(cannot be loaded: {type(error).__name__})"
    line = " ".join(text.strip().split("\n\n", 1)[0].split())
    sentence = line.split(". ", 1)[0].rstrip(".")
    return sentence if len(sentence) <= width else sentence[: width - 1] + "…"


def grouped_help(prog: str) -> str:
    commands = get_commands()
    listed = groups(commands)
    width = max((len(name) for _, names in listed for name in names), default=0)
    lines = [f"Usage: {prog} <command> [options]", ""]
    for heading, names in listed:
        lines.append(f"{heading}:")
        lines += [
            f"  {name:<{width}}  {summary(commands[name], name, LINE_WIDTH - width - 4)}".rstrip()
            for name in names
        ]
        lines.append("")
    lines.append(f"'{prog} help <command>' shows a command's options and subcommands.")
    lines.append(f"'{prog} help --all' lists every command, all of Django's included.")
    return "\n".join(lines)


class Utility(ManagementUtility):
    """Django's command-line utility with the grouped list as its main help."""

    def main_help_text(self, commands_only: bool = False) -> str:
        if commands_only or "--all" in self.argv[2:] or not apps.ready:
            # Bash completion's list, the full list, or settings that failed to load (Django's
            # text then says why).
            return str(super().main_help_text(commands_only))
        return grouped_help(self.prog_name)
