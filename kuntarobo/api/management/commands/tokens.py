"""`kuntarobo tokens create|list|revoke`: API tokens. A token is shown once, when it is made;
only its hash is kept. Making and revoking tokens is written to the audit trail."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, no_translations
from django.db import transaction
from django.utils import timezone

from kuntarobo.api.models import ApiToken
from kuntarobo.audit.trail import record
from kuntarobo.runtime.cli import acting_user, fail, operator_label, write_table


def _when(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "-"


class Command(BaseCommand):
    help = "Create, list and revoke API tokens."

    def add_arguments(self, parser: ArgumentParser) -> None:
        verbs = parser.add_subparsers(dest="action", required=True, metavar="{create,list,revoke}")
        create = verbs.add_parser(
            "create",
            help="Make a token for a user; prints it once.",
            description="Make a token that acts as --user with that user's roles. The token "
            "is printed on stdout once and cannot be shown again.",
        )
        create.add_argument("--user", required=True)
        create.add_argument("--name", required=True, help="What the token is for.")
        listing = verbs.add_parser("list", help="A user's tokens (never the tokens themselves).")
        listing.add_argument("--user", required=True)
        revoke = verbs.add_parser("revoke", help="Revoke a token by its id (see `list`).")
        revoke.add_argument("id")

    @no_translations  # operators' messages in English, like --help
    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, options["action"])(options)

    def create(self, options: dict[str, Any]) -> None:
        user = acting_user(options["user"])
        name = options["name"].strip()
        if not name or len(name) > 100:
            fail("--name must be 1–100 characters")
        with transaction.atomic():
            token, secret = ApiToken.issue(user, name)
            record(
                "token.create",
                actor=operator_label(),
                obj=token,
                via="cli",
                details={"user": user.get_username(), "name": name},
            )
        self.stderr.write(
            f"token {token.pk} for {user.get_username()}: store it now, it is not shown again"
        )
        self.stdout.write(secret)

    def list(self, options: dict[str, Any]) -> None:
        user = acting_user(options["user"])
        rows = [
            (
                token.pk,
                token.name,
                _when(token.created_at),
                _when(token.last_used_at),
                "revoked" if token.revoked else "active",
            )
            for token in ApiToken.objects.filter(user=user).order_by("pk")
        ]
        write_table(self.stdout, ("ID", "NAME", "CREATED", "LAST USED", "STATUS"), rows)

    def revoke(self, options: dict[str, Any]) -> None:
        raw = options["id"]
        if not raw.isdigit():
            fail(f"token id must be a whole number, not {raw!r}")
        with transaction.atomic():
            token = ApiToken.objects.select_for_update().filter(pk=int(raw)).first()
            if token is None:
                fail(f"no token {raw}")
            if token.revoked:
                self.stdout.write(f"token {token.pk} was already revoked")
                return
            token.revoked = True
            token.save(update_fields=["revoked"])
            record(
                "token.revoke",
                actor=operator_label(),
                obj=token,
                via="cli",
                details={"user": token.user.get_username(), "name": token.name},
            )
        self.stdout.write(f"token {token.pk} ({token.name}) revoked")
