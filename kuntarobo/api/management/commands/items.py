"""`kuntarobo items approve|reject|retry|abandon|resume --user U [--reason R] ID ...`,
`kuntarobo items correct --user U --set NAME=VALUE ID`,
`kuntarobo items approve-unflagged --user U --up-to ID [--municipality M] [--robot R]` and
`kuntarobo items show --user U ID ...` (the item as the API shows it; opening an item of the
user's random review sample counts, as on the web): the review actions for scripts, with the
same rules as the web UI and the API (the actions' own)."""

from __future__ import annotations

import json
from argparse import ArgumentParser, ArgumentTypeError
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, no_translations
from django.utils import translation

from kuntarobo.accounts.models import Municipality, Permission
from kuntarobo.api.serializers import item_detail_data
from kuntarobo.runtime import actions
from kuntarobo.runtime.cli import acting_user, fail, to_json
from kuntarobo.runtime.declarations import InputError
from kuntarobo.runtime.models import WorkItem
from kuntarobo.runtime.personal_data import record_item_shown, sight_for

Action = Callable[[Any, list[int], str, dict[str, Any]], actions.ReviewResult]

ACTIONS: dict[str, tuple[str, Action]] = {
    "approve": (
        "Approve robot proposals that wait for review.",
        lambda user, ids, text, _: actions.approve_items(user, ids, note=text, via="cli"),
    ),
    "reject": (
        "Reject items (a reason is required).",
        lambda user, ids, text, _: actions.reject_items(user, ids, reason=text, via="cli"),
    ),
    "retry": (
        "Send failed items back to the robot.",
        lambda user, ids, text, _: actions.retry_items(user, ids, note=text, via="cli"),
    ),
    "abandon": (
        "Give up on items (a reason is required).",
        lambda user, ids, text, _: actions.abandon_items(user, ids, reason=text, via="cli"),
    ),
    "resume": (
        "Send waiting items back to the robot: what they waited for has come (--payload).",
        lambda user, ids, text, payload: actions.resume_items(
            user, ids, payload=payload, note=text, via="cli"
        ),
    ),
}
UNFLAGGED = "approve-unflagged"
SHOW = "show"
CORRECT = "correct"


def item_id(raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        raise ArgumentTypeError(f"{raw!r} is not a work item id")
    return int(raw)


def field_value(raw: str) -> tuple[str, str]:
    name, sign, value = raw.partition("=")
    if not sign or not name.strip():
        raise ArgumentTypeError(f"--set {raw!r} is not NAME=VALUE")
    return name.strip(), value


def json_object(raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError as error:
        raise ArgumentTypeError(f"--payload is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise ArgumentTypeError("--payload must be a JSON object")
    return value


class Command(BaseCommand):
    help = (
        "Approve, reject, retry, abandon or resume work items as --user, or approve every "
        "proposal without flags. Prints JSON: the ids done, and for each refused id the reason."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        verbs = parser.add_subparsers(
            dest="action",
            required=True,
            metavar="{" + ",".join([*ACTIONS, CORRECT, UNFLAGGED, SHOW]) + "}",
        )
        for name, (description, _) in ACTIONS.items():
            verb = verbs.add_parser(name, help=description, description=description)
            verb.add_argument("--user", required=True, help="Username whose roles are checked.")
            verb.add_argument(
                "--reason",
                "--note",
                dest="reason",
                default="",
                help="Why (required to reject or abandon; a note otherwise).",
            )
            if name == "resume":
                verb.add_argument(
                    "--payload",
                    type=json_object,
                    default=None,
                    help="What the outside event brought, a JSON object the robot reads.",
                )
            verb.add_argument("ids", nargs="+", type=item_id, metavar="ID")
        description = (
            "Correct a proposal's correctable fields and approve it; the robot's own rules check "
            "the correction first (a refused one changes nothing)."
        )
        verb = verbs.add_parser(CORRECT, help=description, description=description)
        verb.add_argument("--user", required=True, help="Username whose roles are checked.")
        verb.add_argument(
            "--set",
            dest="corrections",
            action="append",
            required=True,
            type=field_value,
            metavar="NAME=VALUE",
            help="A corrected field (repeatable).",
        )
        verb.add_argument("--reason", "--note", dest="reason", default="", help="A note.")
        verb.add_argument("ids", nargs=1, type=item_id, metavar="ID")
        description = (
            "Approve every proposal the robot did not flag, up to the id --up-to (the last one "
            "looked at, so nothing newer is approved unseen)."
        )
        verb = verbs.add_parser(UNFLAGGED, help=description, description=description)
        verb.add_argument("--user", required=True, help="Username whose roles are checked.")
        verb.add_argument("--up-to", required=True, type=item_id, metavar="ID")
        verb.add_argument("--municipality", default="", help="Only in this municipality.")
        verb.add_argument("--robot", default="", help="Only this robot's proposals.")
        verb.add_argument("--reason", "--note", dest="reason", default="", help="A note.")
        description = (
            "Show work items (JSON, as the API does) that the user may review; an item of the "
            "user's random sample for approving all without flags counts as opened."
        )
        verb = verbs.add_parser(SHOW, help=description, description=description)
        verb.add_argument("--user", required=True, help="Username whose roles are checked.")
        verb.add_argument("ids", nargs="+", type=item_id, metavar="ID")

    @no_translations  # operators' messages in English, like --help
    def handle(self, *args: Any, **options: Any) -> None:
        user = acting_user(options["user"])
        if not Municipality.objects.for_user(user, Permission.REVIEW).exists():
            fail(f"user '{user.get_username()}' may not review work items in any municipality")
        if options["action"] == SHOW:
            self.stdout.write(to_json(self._show(user, options["ids"])))
            return
        try:
            with translation.override("en"):  # refusal reasons name statuses; keep them stable
                if options["action"] == UNFLAGGED:
                    result = self._approve_unflagged(user, options)
                elif options["action"] == CORRECT:
                    result = actions.correct_item(
                        user,
                        options["ids"][0],
                        dict(options["corrections"]),
                        note=options["reason"],
                        via="cli",
                    )
                else:
                    _, action = ACTIONS[options["action"]]
                    result = action(
                        user, options["ids"], options["reason"], options.get("payload") or {}
                    )
        except (InputError, actions.PermissionDeniedError) as error:
            with translation.override("en"):  # a refusal's parts are read now, in English
                fail(str(error))
        refused = {str(k): v for k, v in result.refused.items()}
        self.stdout.write(to_json({"done": result.done, "refused": refused}))

    def _show(self, user: Any, ids: list[int]) -> list[dict[str, Any]]:
        found = WorkItem.objects.for_user(user, Permission.REVIEW).select_related("municipality")
        items = found.in_bulk(ids)
        missing = [str(pk) for pk in ids if pk not in items]
        if missing:
            fail(f"no work item {', '.join(missing)} that user '{user.get_username()}' may review")
        shown = []
        for pk in ids:
            view = sight_for(user).item(items[pk], full=True)
            record_item_shown(user, view, via="cli")
            opened = actions.record_sample_opening(user, items[pk], via="cli")
            data = item_detail_data(view, actions.allowed_actions(items[pk]))
            shown.append({**data, "sample_opened": opened})
        return shown

    def _approve_unflagged(self, user: Any, options: dict[str, Any]) -> actions.ReviewResult:
        municipality = None
        if options["municipality"]:
            municipality = actions.get_municipality(options["municipality"])
        return actions.approve_unflagged(
            user,
            up_to=options["up_to"],
            municipality=municipality,
            robot_slug=options["robot"],
            note=options["reason"],
            via="cli",
        )
