"""`kuntarobo items approve|reject|retry|abandon --user U [--reason R] ID ...`: the review actions
for scripts, with the same rules as the web UI and the API."""

from __future__ import annotations

from argparse import ArgumentParser, ArgumentTypeError
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, no_translations
from django.utils import translation

from kuntarobo.accounts.models import Municipality, Permission
from kuntarobo.runtime import actions
from kuntarobo.runtime.cli import acting_user, fail, to_json
from kuntarobo.runtime.declarations import InputError

Action = Callable[[Any, list[int], str], actions.ReviewResult]

ACTIONS: dict[str, tuple[str, Action]] = {
    "approve": (
        "Approve robot proposals that wait for review.",
        lambda user, ids, text: actions.approve_items(user, ids, note=text, via="cli"),
    ),
    "reject": (
        "Reject items (a reason is required).",
        lambda user, ids, text: actions.reject_items(user, ids, reason=text, via="cli"),
    ),
    "retry": (
        "Send failed items back to the robot.",
        lambda user, ids, text: actions.retry_items(user, ids, note=text, via="cli"),
    ),
    "abandon": (
        "Give up on items (a reason is required).",
        lambda user, ids, text: actions.abandon_items(user, ids, reason=text, via="cli"),
    ),
}


def item_id(raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        raise ArgumentTypeError(f"{raw!r} is not a work item id")
    return int(raw)


class Command(BaseCommand):
    help = (
        "Approve, reject, retry or abandon work items as --user. Prints JSON: the ids done, "
        "and for each refused id the reason."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        verbs = parser.add_subparsers(
            dest="action", required=True, metavar="{" + ",".join(ACTIONS) + "}"
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
            verb.add_argument("ids", nargs="+", type=item_id, metavar="ID")

    @no_translations  # operators' messages in English, like --help
    def handle(self, *args: Any, **options: Any) -> None:
        user = acting_user(options["user"])
        if not Municipality.objects.for_user(user, Permission.REVIEW).exists():
            fail(f"user '{user.get_username()}' may not review work items in any municipality")
        _, action = ACTIONS[options["action"]]
        try:
            with translation.override("en"):  # refusal reasons name statuses; keep them stable
                result = action(user, options["ids"], options["reason"])
        except InputError as error:
            fail(str(error))
        refused = {str(k): v for k, v in result.refused.items()}
        self.stdout.write(to_json({"done": result.done, "refused": refused}))
