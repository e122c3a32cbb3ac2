"""`kuntarobo web`: the web server (waitress) for the embedded mode and small installations."""

from __future__ import annotations

import os
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve the web UI and API."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings
        from waitress import serve

        # Static files are served from the apps' folders (WHITENOISE_USE_FINDERS) until
        # collectstatic fills STATIC_ROOT; WhiteNoise warns when the folder is missing at all.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        # The same application kuntarobo/wsgi.py gives gunicorn (this process already keeps
        # its new files private: __main__ set the umask).
        from django.core.wsgi import get_wsgi_application

        application = get_wsgi_application()

        try:
            port = int(options["port"])
        except ValueError:
            raise CommandError(f"port must be a number, not {options['port']!r}") from None
        self.stdout.write(f"serving on http://{options['host']}:{port}/")
        serve(
            application,
            host=options["host"],
            port=port,
            threads=options["threads"],
            ident="kuntarobo",
            # waitress drops the X-Forwarded-* headers of proxies it was not told to trust, but
            # behind a configured proxy Django needs them: the header SECURE_PROXY_SSL_HEADER
            # names (HTTPS), and X-Forwarded-For for the sign-in lock's client address.
            clear_untrusted_proxy_headers=not (
                settings.SECURE_PROXY_SSL_HEADER or settings.KUNTAROBO_TRUSTED_PROXY_COUNT > 0
            ),
        )
