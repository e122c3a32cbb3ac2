"""`kuntarobo mail_catcher`: the demo's local SMTP catcher (kuntarobo/demo/mail_catcher.py) on
loopback, storing every message under KUNTAROBO_MAIL_CATCHER_DIR until stopped."""

from __future__ import annotations

import signal
import threading
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kuntarobo.demo.mail_catcher import catcher


class Command(BaseCommand):
    help = "Run the demo's SMTP catcher on loopback: messages are kept for the Demo e-mail page."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--port", type=int, default=settings.KUNTAROBO_MAIL_CATCHER_PORT)

    def handle(self, *args: Any, **options: Any) -> None:
        folder = settings.KUNTAROBO_MAIL_CATCHER_DIR
        if not folder:
            raise CommandError(
                "KUNTAROBO_MAIL_CATCHER_DIR is not set: the mail catcher belongs to the demo"
            )
        stop = threading.Event()

        def request_stop(signum: int, frame: Any) -> None:
            stop.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        server = catcher(Path(folder), options["port"])
        try:
            server.start()
        except (OSError, RuntimeError) as error:  # the port is taken
            raise CommandError(
                f"the mail catcher cannot listen on port {options['port']}: {error}"
            ) from error
        self.stderr.write(f"mail catcher listening on 127.0.0.1:{options['port']}")
        try:
            stop.wait()
        finally:
            server.stop()
