"""WSGI entry point for waitress (embedded) or gunicorn (scale-out)."""

import os

from django.core.wsgi import get_wsgi_application

from kuntarobo.deployment import restrict_new_files

restrict_new_files()  # under gunicorn too, files this process writes are private

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kuntarobo.settings")
application = get_wsgi_application()
