"""`kuntarobo channels`: the delivery channels' upkeep, for an operator or a cron job."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, no_translations

from kuntarobo.channels.actions import purge_expired_documents
from kuntarobo.runtime.cli import operator_label


class Command(BaseCommand):
    help = "Delivery channels: remove the files of expired secure links."

    def add_arguments(self, parser: ArgumentParser) -> None:
        verbs = parser.add_subparsers(dest="action", required=True, metavar="{purge-expired}")
        verbs.add_parser(
            "purge-expired",
            help="Remove the stored files of secure links that have expired.",
            description="Nobody can download a document after its link has expired; this "
            "removes its file (the record stays). Audited.",
        )

    @no_translations  # operators' messages in English, like --help
    def handle(self, *args: Any, **options: Any) -> None:
        removed = purge_expired_documents(operator_label(), via="cli")
        self.stdout.write(json.dumps({"removed": removed}))
