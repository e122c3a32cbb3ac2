"""`kuntarobo demo` (what `make demo` runs): migrate, load the demo, and run the web server, a
worker and the scheduler together until Ctrl-C, starting again any of them that ends."""

from __future__ import annotations

import os
import signal
import sys
import threading
from argparse import ArgumentParser
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from kuntarobo.demo.data import DEMO_PASSWORD, load_demo
from kuntarobo.demo.supervisor import Supervisor


class Command(BaseCommand):
    help = "Run the whole system on the embedded database with the demo municipality."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", verbosity=0, interactive=False)
        users = load_demo()
        command = [sys.executable, "-m", "kuntarobo"]
        children: dict[str, Sequence[str]] = {
            "web": [*command, "web", "--host", options["host"], "--port", str(options["port"])],
            "worker": [*command, "worker"],
            "scheduler": [*command, "scheduler"],
        }
        if settings.KUNTAROBO_MAIL_CATCHER_DIR:
            # The robots' e-mail goes to a catcher on loopback (settings: EMAIL_HOST/PORT) and
            # is read on the page "Demo e-mail"; nothing leaves the machine.
            port = str(settings.KUNTAROBO_MAIL_CATCHER_PORT)
            children["mail"] = [*command, "mail_catcher", "--port", port]
        # The practice system: the imitation payroll system the HR fetch robot logs in to
        # (its address is in the robot's demo settings, `demo.data.load_hr_fetch`).
        practice_port = str(settings.KUNTAROBO_PRACTICE_PORT)
        children["practice"] = [
            *command,
            "practice_system",
            "--host",
            "127.0.0.1",
            "--port",
            practice_port,
        ]
        supervisor = Supervisor(children, log=self.stderr.write)
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(f"\nkuntarobo is running at {url}\n")
        self.stdout.write(f"Demo users, all with the password '{DEMO_PASSWORD}':")
        for user in users:
            self.stdout.write(f"  {user.username:15} {', '.join(user.roles)} ({user.municipality})")
        if settings.KUNTAROBO_MAIL_CATCHER_DIR:
            self.stdout.write(
                f"E-mail is caught on 127.0.0.1:{settings.KUNTAROBO_MAIL_CATCHER_PORT}; read it at "
                f"{url}demo-mail/ (as paakayttaja)."
            )
        self.stdout.write(
            f"The practice system (the HR fetch robot's payroll system) is at "
            f"http://127.0.0.1:{practice_port}/; start a run of "
            f"'Palkka-aineiston nouto' to fetch the month and mail the HR reports."
        )
        self.stdout.write("Press Ctrl-C to stop.\n")

        stop = threading.Event()

        def request_stop(signum: int, frame: Any) -> None:
            stop.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        supervisor.run(stop)
        self.stdout.write("stopped")
