"""`kuntarobo settings show|set|history ROBOT --municipality M`: a robot's municipal settings
from the command line, checked and audited by the same action as the settings page and API."""

from __future__ import annotations

import datetime
import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, no_translations

from kuntarobo.accounts.models import Permission
from kuntarobo.runtime import actions
from kuntarobo.runtime.cli import acting_user, fail, to_json
from kuntarobo.runtime.declarations import InputError, Robot, all_robots, get_robot
from kuntarobo.runtime.models import RobotSettings
from kuntarobo.runtime.settings_actions import current_settings, save_robot_settings

MAX_FILE_BYTES = 1_000_000


def _robot(slug: str) -> type[Robot]:
    try:
        robot = get_robot(slug)
    except InputError as error:
        fail(str(error))
    if robot.municipal_settings is None:
        having = ", ".join(r.slug for r in all_robots() if r.municipal_settings) or "none"
        fail(f"robot {slug} has no municipal settings (robots that have: {having})")
    return robot


def _values(options: dict[str, Any]) -> dict[str, Any]:
    """The values of --file (a JSON object) and of each --set name=JSON-or-text."""
    values: dict[str, Any] = {}
    if options["file"]:
        path = Path(options["file"]).expanduser()
        if not path.is_file():
            fail(f"--file {path}: no such file")
        if path.stat().st_size > MAX_FILE_BYTES:
            fail(f"--file {path}: larger than {MAX_FILE_BYTES} bytes")
        try:
            values = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            fail(f"--file {path}: not JSON in UTF-8 ({error})")
        if not isinstance(values, dict):
            fail(f"--file {path}: must hold a JSON object of setting names and values")
    for pair in options["set"] or []:
        name, separator, text = pair.partition("=")
        if not separator or not name.strip():
            fail(f"--set {pair!r}: write it as name=value")
        try:
            values[name.strip()] = json.loads(text)
        except ValueError:
            values[name.strip()] = text
    if not values:
        fail("give the settings with --file FILE or --set name=value")
    return values


class Command(BaseCommand):
    help = "Show, change and list the history of a robot's municipal settings."

    def add_arguments(self, parser: ArgumentParser) -> None:
        verbs = parser.add_subparsers(dest="action", required=True, metavar="{show,set,history}")
        for verb, text in (
            ("show", "The settings in force, as JSON."),
            ("set", "Check and save settings (a new version; audited)."),
            ("history", "The saved versions, newest first, as JSON lines."),
        ):
            sub = verbs.add_parser(verb, help=text)
            sub.add_argument("robot")
            sub.add_argument("--municipality", required=True)
            sub.add_argument("--user", required=True, help="whose roles allow it")
            if verb == "show":
                sub.add_argument("--on", help="the day (YYYY-MM-DD) of dated settings")
            if verb == "set":
                sub.add_argument("--file", help="a JSON object of setting names and values")
                sub.add_argument(
                    "--set", action="append", metavar="NAME=VALUE", help="one setting (JSON)"
                )
                sub.add_argument("--valid-from", help="the day dated settings take effect")
                sub.add_argument(
                    "--partial", action="store_true", help="settings not given keep their value"
                )

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        robot = _robot(options["robot"])
        user = acting_user(options["user"])
        try:
            municipality = actions.get_municipality(options["municipality"])
            actions.require(user, municipality, Permission.CONFIGURE)
        except (InputError, actions.PermissionDeniedError) as error:
            fail(str(error))
        if options["action"] == "show":
            day = _day(options.get("on"), "--on")
            self.stdout.write(to_json(current_settings(municipality, robot, day)))
        elif options["action"] == "history":
            for row in RobotSettings.objects.filter(
                municipality=municipality, robot_slug=robot.slug
            ).order_by("-created_at", "-id"):
                self.stdout.write(
                    to_json(
                        {
                            "saved": row.created_at,
                            "saved_by": row.saved_by,
                            "valid_from": row.valid_from,
                            "values": row.values,
                        }
                    )
                )
        else:
            try:
                row = save_robot_settings(
                    user,
                    municipality,
                    robot,
                    _values(options),
                    valid_from=_day(options.get("valid_from"), "--valid-from"),
                    partial=options["partial"],
                    via="cli",
                )
            except (InputError, actions.PermissionDeniedError) as error:
                fail(str(error))
            values = row.values if row else current_settings(municipality, robot)
            self.stdout.write(to_json({"saved": row.created_at if row else None, "values": values}))


def _day(text: str | None, option: str) -> datetime.date | None:
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        fail(f"{option} {text!r}: not a date of the form YYYY-MM-DD")
