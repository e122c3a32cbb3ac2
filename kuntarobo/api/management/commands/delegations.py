"""`kuntarobo delegations list|grant|end`: who may decide a robot's decisions in a municipality,
with the title their decisions print. Granting and ending need the acting user (--user) to be
the municipality's administrator; every change is in the audit trail."""

from __future__ import annotations

import datetime
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, no_translations

from kuntarobo.accounts.models import Delegation, Permission
from kuntarobo.decisions.delegations import end_delegation, grant_delegation
from kuntarobo.runtime.actions import PermissionDeniedError, get_municipality, require
from kuntarobo.runtime.cli import acting_user, fail, write_table
from kuntarobo.runtime.declarations import InputError


def _date(value: str, option: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        fail(f"{option} must be a date as YYYY-MM-DD, not {value!r}")


class Command(BaseCommand):
    help = "List, grant and end deciding officials' delegations (the title a decision prints)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        verbs = parser.add_subparsers(dest="action", required=True, metavar="{list,grant,end}")
        listing = verbs.add_parser("list", help="The municipality's delegations.")
        listing.add_argument("--municipality", required=True)
        listing.add_argument("--user", required=True, help="Who asks (an administrator).")
        grant = verbs.add_parser(
            "grant",
            help="Record that an official may decide a robot's decisions.",
            description="Record a delegation: --official may decide --robot's decisions in "
            "--municipality from --valid-from, printed with the given titles.",
        )
        grant.add_argument("--municipality", required=True)
        grant.add_argument("--user", required=True, help="Who records it (an administrator).")
        grant.add_argument("--official", required=True, help="The deciding official's user name.")
        grant.add_argument("--robot", required=True, help="The matter: the robot's slug.")
        grant.add_argument("--title-fi", required=True)
        grant.add_argument("--title-sv", default="")
        grant.add_argument("--title-en", default="")
        grant.add_argument(
            "--basis", required=True, help="The delegation decision: body, date and §."
        )
        grant.add_argument("--valid-from", required=True, help="YYYY-MM-DD")
        grant.add_argument("--valid-to", default="", help="YYYY-MM-DD, the last day (optional)")
        end = verbs.add_parser("end", help="End a delegation (its id, see `list`) on a date.")
        end.add_argument("id")
        end.add_argument("--user", required=True, help="Who ends it (an administrator).")
        end.add_argument("--valid-to", required=True, help="YYYY-MM-DD, the last day")

    @no_translations  # operators' messages in English, like --help
    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, options["action"])(options)
        except InputError as error:
            fail(str(error))
        except PermissionDeniedError as error:
            fail(str(error))

    def list(self, options: dict[str, Any]) -> None:
        user = acting_user(options["user"])
        municipality = get_municipality(options["municipality"])
        require(user, municipality, Permission.MANAGE_USERS)
        rows = [
            (
                d.pk,
                d.user.get_username(),
                d.matter,
                " / ".join(t for t in (d.title_fi, d.title_sv, d.title_en) if t),
                d.basis,
                d.valid_from.isoformat(),
                d.valid_to.isoformat() if d.valid_to else "-",
            )
            for d in Delegation.objects.filter(municipality=municipality)
            .select_related("user")
            .order_by("pk")
        ]
        write_table(
            self.stdout, ("ID", "OFFICIAL", "ROBOT", "TITLE", "BASIS", "FROM", "UNTIL"), rows
        )

    def grant(self, options: dict[str, Any]) -> None:
        user = acting_user(options["user"])
        municipality = get_municipality(options["municipality"])
        delegation = grant_delegation(
            user,
            municipality,
            username=options["official"],
            matter=options["robot"],
            title_fi=options["title_fi"],
            title_sv=options["title_sv"],
            title_en=options["title_en"],
            basis=options["basis"],
            valid_from=_date(options["valid_from"], "--valid-from"),
            valid_to=_date(options["valid_to"], "--valid-to") if options["valid_to"] else None,
        )
        self.stdout.write(
            f"delegation {delegation.pk}: {delegation.user.get_username()} decides "
            f"{delegation.matter} in {municipality.slug} as {delegation.title_fi}"
        )

    def end(self, options: dict[str, Any]) -> None:
        user = acting_user(options["user"])
        raw = options["id"]
        if not raw.isdigit():
            fail(f"delegation id must be a whole number, not {raw!r}")
        delegation = Delegation.objects.select_related("municipality", "user").filter(pk=int(raw))
        found = delegation.first()
        if found is None:
            fail(f"no delegation {raw}")
        end_delegation(user, found, valid_to=_date(options["valid_to"], "--valid-to"))
        self.stdout.write(f"delegation {found.pk} ends on {found.valid_to}")
