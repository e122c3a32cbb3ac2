"""/health for load balancers and monitoring: no login, no personal data."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_tasks_db.models import DBTaskResult

from kuntarobo.runtime.models import WorkerProcess


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """200 while the database answers; the worker and queue figures tell whether work moves."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        stale_before = timezone.now() - datetime.timedelta(
            seconds=settings.KUNTAROBO_WORKER_STALE_SECONDS
        )
        # Command lines working inline beat too, but take nothing from the queue.
        workers = (
            WorkerProcess.objects.filter(heartbeat_at__gte=stale_before)
            .exclude(worker_id__startswith="inline:")
            .count()
        )
        queued = DBTaskResult.objects.ready().count()
    except DatabaseError:
        return JsonResponse(
            {"status": "error", "database": "error", "workers": None, "queued": None}, status=503
        )
    return JsonResponse({"status": "ok", "database": "ok", "workers": workers, "queued": queued})
