"""`kuntarobo audit export | purge`: the audit trail out of the system (CSV or JSON Lines), and
the retention purge, the only way events ever leave the database."""

from __future__ import annotations

import datetime
import os
import tempfile
from argparse import ArgumentParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, no_translations
from django.db.models import QuerySet
from django.utils import timezone

from kuntarobo.accounts.models import Municipality, Permission
from kuntarobo.audit.export import FORMATS, export_events
from kuntarobo.audit.models import AuditEvent
from kuntarobo.audit.retention import purge_events_before
from kuntarobo.audit.trail import record
from kuntarobo.core.inputs import MAX_DATE, MIN_DATE
from kuntarobo.runtime.cli import acting_user, fail, operator_label

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def one_year_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def parse_day(raw: str, option: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is None or not MIN_DATE <= day <= MAX_DATE:
        fail(
            f"{option} must be a date of the form YYYY-MM-DD from {MIN_DATE.isoformat()} "
            f"to {MAX_DATE.isoformat()}, not {raw!r:.100}"
        )
    return day


class Command(BaseCommand):
    help = "Export the audit trail, or purge events older than the retention period."

    def add_arguments(self, parser: ArgumentParser) -> None:
        verbs = parser.add_subparsers(dest="action", required=True, metavar="{export,purge}")
        export = verbs.add_parser(
            "export",
            help="Write the audit trail as CSV or JSON Lines.",
            description="Write the audit trail, oldest first, to --output or stdout. With "
            "--user, only the municipalities whose audit trail that user may see. The export "
            "is itself recorded in the audit trail.",
        )
        export.add_argument("--format", required=True, choices=FORMATS, dest="fmt")
        export.add_argument("--municipality", default=None, help="Only this municipality.")
        export.add_argument("--user", default=None, help="Export as this user, with its rights.")
        export.add_argument("--output", default=None, help="File to write (default: stdout).")
        purge = verbs.add_parser(
            "purge",
            help="Delete events recorded before a date (retention).",
            description="Delete audit events recorded before 00:00 (Helsinki time) of --before. "
            "Dates less than a year ago are refused unless --force is given.",
        )
        purge.add_argument("--before", required=True, metavar="YYYY-MM-DD")
        purge.add_argument("--yes", action="store_true", help="Confirm: deleted events are gone.")
        purge.add_argument(
            "--force", action="store_true", help="Allow a date less than a year ago."
        )

    @no_translations  # operators' messages in English, like --help
    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            self.export(options)
        else:
            self.purge(options)

    def _scope(self, options: dict[str, Any]) -> tuple[User | str, list[Municipality] | None]:
        """(actor, municipalities) — None means every event, system events included."""
        municipalities = Municipality.objects.all()
        actor: User | str = operator_label()
        if options["user"]:
            actor = acting_user(options["user"])
            municipalities = Municipality.objects.for_user(actor, Permission.VIEW_AUDIT)
            if not municipalities.exists():
                fail(f"user '{options['user']}' may not see the audit trail of any municipality")
        if options["municipality"]:
            chosen = municipalities.filter(slug=options["municipality"]).first()
            if chosen is None:
                fail(f"unknown municipality '{options['municipality']}'")
            return actor, [chosen]
        return actor, list(municipalities) if options["user"] else None

    def export(self, options: dict[str, Any]) -> None:
        actor, scope = self._scope(options)
        target = Path(options["output"]).expanduser() if options["output"] else None
        if target is not None and (target.is_dir() or not target.parent.is_dir()):
            fail(f"--output {target}: not a file in an existing folder")
        events: QuerySet[AuditEvent] = AuditEvent.objects.order_by("at", "id")
        if scope is not None:
            events = events.filter(municipality__in=scope)
        count = events.count()
        chunks = export_events(events, options["fmt"])
        if target is None:
            for chunk in chunks:
                self.stdout.write(chunk, ending="")
        else:
            # Written beside the target and renamed: a failed export leaves no half a file.
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
            try:
                with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                    for chunk in chunks:
                        stream.write(chunk)
                Path(temporary).replace(target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        details = {
            "format": options["fmt"],
            "events": count,
            "output": str(target) if target else "stdout",
        }
        exported: list[Municipality | None] = [None] if scope is None else list(scope)
        for municipality in exported:
            record(
                "audit.export", actor=actor, municipality=municipality, via="cli", details=details
            )
        if target is not None:
            self.stderr.write(f"{count} audit events written to {target}")

    def purge(self, options: dict[str, Any]) -> None:
        before = parse_day(options["before"], "--before")
        today = timezone.localdate()
        if before > today:
            fail(f"--before {before} is in the future")
        if before > one_year_before(today) and not options["force"]:
            fail(
                f"--before {before} is less than a year ago; events are kept at least a year "
                "(give --force to purge them anyway)"
            )
        if not options["yes"]:
            fail("purged audit events cannot be brought back: give --yes to confirm")
        cutoff = timezone.make_aware(datetime.datetime.combine(before, datetime.time()))
        removed = purge_events_before(cutoff, actor=operator_label())
        self.stdout.write(f"removed {removed} audit events recorded before {before}")
