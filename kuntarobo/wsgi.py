"""WSGI entry point for waitress (embedded) or gunicorn (scale-out)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kuntarobo.settings")
application = get_wsgi_application()
