"""`kuntarobo ideas export|import --municipality SLUG --user USERNAME --file PATH`: the idea
bank to and from an Excel workbook, by the same functions (and rights) as the web pages."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, no_translations

from kuntarobo.portfolio.idea_excel import MAX_FILE_BYTES, export_ideas, import_ideas
from kuntarobo.runtime import actions
from kuntarobo.runtime.cli import acting_user, fail, to_json
from kuntarobo.runtime.declarations import InputError


class Command(BaseCommand):
    help = "Export the idea bank of a municipality to an .xlsx workbook, or import one."

    def add_arguments(self, parser: ArgumentParser) -> None:
        verbs = parser.add_subparsers(dest="action", required=True, metavar="{export,import}")
        for verb, text in (
            ("export", "Write every idea of the municipality, every field, to --file."),
            ("import", "Create and update ideas from --file, all rows or none (audited)."),
        ):
            sub = verbs.add_parser(verb, help=text)
            sub.add_argument("--municipality", required=True)
            sub.add_argument("--user", required=True, help="whose roles allow it")
            sub.add_argument("--file", required=True, help="the .xlsx workbook")

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        user = acting_user(options["user"])
        path = Path(options["file"]).expanduser()
        try:
            municipality = actions.get_municipality(options["municipality"])
            if options["action"] == "export":
                path.write_bytes(export_ideas(user, municipality, via="cli"))
                self.stdout.write(to_json({"file": str(path)}))
                return
            if not path.is_file():
                fail(f"--file {path}: no such file")
            if path.stat().st_size > MAX_FILE_BYTES:
                fail(f"--file {path}: larger than {MAX_FILE_BYTES} bytes")
            result = import_ideas(user, municipality, path.read_bytes(), via="cli")
        except (InputError, actions.PermissionDeniedError) as error:
            fail(str(error))
        except OSError as error:
            fail(f"--file {path}: {error.strerror or error}")
        self.stdout.write(
            to_json(
                {
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                }
            )
        )
