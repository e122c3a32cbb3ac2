"""`kuntarobo vault`: the municipalities' assets and credentials from the command line. A secret
is read from standard input (--secret-stdin) or asked for without echo, never taken from the
command line (where `ps` and the shell's history would keep it)."""

from __future__ import annotations

import getpass
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, no_translations

from kuntarobo.accounts.models import Permission
from kuntarobo.runtime.actions import PermissionDeniedError, get_municipality, require
from kuntarobo.runtime.cli import acting_user, fail, operator_label, to_json, write_table
from kuntarobo.runtime.declarations import InputError
from kuntarobo.vault import actions
from kuntarobo.vault.keys import VaultKeyError
from kuntarobo.vault.models import Asset, AssetKind


def read_secret(from_stdin: bool) -> str:
    """The secret from standard input (its first line) or a prompt without echo."""
    if from_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        secret = getpass.getpass("Secret: ")
    else:
        fail(
            "no secret: give --secret-stdin and the secret on standard input, or run in a terminal"
        )
    if not secret:
        fail("the secret is empty")
    return secret


class Command(BaseCommand):
    help = "The vault: list, set and delete assets and credentials; re-encrypt under a new key."

    def add_arguments(self, parser: ArgumentParser) -> None:
        verbs = parser.add_subparsers(
            dest="action", required=True, metavar="{list,set,delete,rotate-key}"
        )
        listing = verbs.add_parser("list", help="The municipality's assets; secrets never shown.")
        listing.add_argument("--municipality", required=True)
        listing.add_argument("--json", action="store_true", help="JSON lines instead of a table")
        setting = verbs.add_parser(
            "set",
            allow_abbrev=False,  # --secret is no abbreviation of --secret-stdin
            help="Create an asset or change it.",
            description="A credential's secret comes from standard input with --secret-stdin, "
            "or from a prompt; never from the command line. Audited.",
        )
        setting.add_argument("name")
        setting.add_argument("--municipality", required=True)
        setting.add_argument("--robot", default="", help="only this robot (default: every robot)")
        setting.add_argument("--kind", required=True, choices=AssetKind.values)
        setting.add_argument("--value", help="the value of a text, number or boolean")
        setting.add_argument("--username", help="a credential's username")
        setting.add_argument("--description")
        setting.add_argument(
            "--secret-stdin", action="store_true", help="read the secret from standard input"
        )
        deleting = verbs.add_parser("delete", help="Remove an asset. Audited.")
        deleting.add_argument("name")
        deleting.add_argument("--municipality", required=True)
        deleting.add_argument("--robot", default="")
        verbs.add_parser(
            "rotate-key",
            help="Re-encrypt every secret under the first key.",
            description="Put the new key first in KUNTAROBO_VAULT_KEYS (or the key file), keep "
            "the old ones after it, run this, then remove the old keys. Audited.",
        )
        for verb in (listing, setting, deleting):
            verb.add_argument(
                "--user", help="act as this user (their roles apply); default: the operator"
            )

    @no_translations  # operators' messages in English, like --help
    def handle(self, *args: Any, **options: Any) -> None:
        actor: Any = acting_user(options["user"]) if options.get("user") else operator_label()
        try:
            if options["action"] == "rotate-key":
                count = actions.rotate_key(operator_label(), via="cli")
                self.stdout.write(to_json({"reencrypted": count}))
                return
            municipality = get_municipality(options["municipality"])
            if options["action"] == "list":
                self._list(actor, municipality, as_json=options["json"])
            elif options["action"] == "set":
                self._set(actor, municipality, options)
            else:
                found = Asset.objects.filter(
                    municipality=municipality, robot_slug=options["robot"], name=options["name"]
                ).first()
                if found is None:
                    fail(f"no asset {options['name']!r} in the vault of {municipality.slug}")
                actions.delete_asset(actor, found, via="cli")
                self.stdout.write(to_json({"deleted": options["name"]}))
        except InputError as error:
            fail(str(error))
        except (VaultKeyError, PermissionDeniedError) as error:
            fail(str(error))

    def _list(self, actor: Any, municipality: Any, *, as_json: bool) -> None:
        require(actor, municipality, Permission.MANAGE_VAULT)
        listed = Asset.objects.filter(municipality=municipality).order_by("name", "robot_slug")
        rows = []
        for asset in listed:
            if asset.is_credential:
                when = asset.secret_changed_at.date().isoformat() if asset.secret_changed_at else ""
                shown = f"{asset.username} / secret set {when} by {asset.secret_changed_by}"
            else:
                shown = asset.value
            rows.append([asset.name, asset.robot_slug or "*", asset.kind, shown])
        if as_json:
            for name, robot, kind, shown in rows:
                self.stdout.write(
                    to_json({"name": name, "robot": robot, "kind": kind, "value": shown})
                )
            return
        write_table(self.stdout, ["name", "robot", "kind", "value"], rows)

    def _set(self, actor: Any, municipality: Any, options: dict[str, Any]) -> None:
        kind = options["kind"]
        if kind == AssetKind.CREDENTIAL:
            if options["value"] is not None:
                fail("--value: a credential has a username and a secret, no value")
            if not options["username"]:
                fail("--username: a credential needs a username")
            secret = read_secret(options["secret_stdin"])
            asset = actions.store_credential(
                actor,
                municipality,
                options["name"],
                options["username"],
                secret,
                robot_slug=options["robot"],
                description=options["description"],
                via="cli",
            )
        else:
            if options["secret_stdin"]:
                fail("--secret-stdin: only a credential has a secret")
            if options["username"]:
                fail("--username: only a credential has a username")
            if options["value"] is None:
                fail(f"--value: a {kind} needs a value")
            asset = actions.store_value(
                actor,
                municipality,
                options["name"],
                kind,
                options["value"],
                robot_slug=options["robot"],
                description=options["description"],
                via="cli",
            )
        self.stdout.write(
            to_json({"saved": asset.name, "robot": asset.robot_slug, "kind": asset.kind})
        )
