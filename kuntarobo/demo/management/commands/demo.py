"""`kuntarobo demo` (what `make demo` runs): migrate, load the demo, and run the web server, a
worker and the scheduler together until Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from kuntarobo.demo.data import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Run the whole system on the embedded database with the demo municipality."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", verbosity=0, interactive=False)
        users = load_demo()
        command = [sys.executable, "-m", "kuntarobo"]
        processes = {
            "web": subprocess.Popen(
                [*command, "web", "--host", options["host"], "--port", str(options["port"])]
            ),
            "worker": subprocess.Popen([*command, "worker"]),
            "scheduler": subprocess.Popen([*command, "scheduler"]),
        }
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(f"\nkuntarobo is running at {url}\n")
        self.stdout.write(f"Demo users, all with the password '{DEMO_PASSWORD}':")
        for user in users:
            self.stdout.write(f"  {user.username:15} {', '.join(user.roles)} ({user.municipality})")
        self.stdout.write("Press Ctrl-C to stop.\n")

        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(
                            f"{name} stopped (exit {process.returncode}); stopping the rest"
                        )
                        stopping = True
                time.sleep(0.5)
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 15
            for process in processes.values():
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
            self.stdout.write("stopped")
