"""A finished run's month of the roll-up is computed again once the run's end is committed,
so a dashboard shows a run's figures without waiting for `kuntarobo portfolio-refresh`; and the
scheduler's pass brings the whole roll-up up to date every KUNTAROBO_PORTFOLIO_REFRESH_SECONDS,
so reviews and retries after a run's end reach the dashboards without a cron job."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from kuntarobo.runtime.models import Run
from kuntarobo.runtime.signals import scheduler_pass_done
from kuntarobo.runtime.statuses import RunStatus

logger = logging.getLogger(__name__)


@receiver(post_save, sender=Run, dispatch_uid="portfolio_run_finished")
def run_finished(sender: type[Run], instance: Run, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if instance.status != RunStatus.FINISHED or (
        update_fields is not None and "finished_at" not in update_fields
    ):
        return
    run_id = instance.pk

    def refresh() -> None:
        from kuntarobo.portfolio.realised import refresh_run_month

        run = Run.objects.filter(pk=run_id).first()
        if run is None:
            return
        try:
            refresh_run_month(run)
        except Exception:  # a report must never stop the robot; the next refresh catches up
            logger.exception("the roll-up of run %s was not refreshed", run_id)

    transaction.on_commit(refresh)


LAST_REFRESH = "portfolio_refreshed_at"


@receiver(scheduler_pass_done, dispatch_uid="portfolio_scheduler_refresh")
def refresh_on_schedule(sender: object, state: dict[str, Any], **kwargs: Any) -> None:
    every = settings.KUNTAROBO_PORTFOLIO_REFRESH_SECONDS
    now = time.monotonic()
    if not every or now - state.get(LAST_REFRESH, -every) < every:
        return
    state[LAST_REFRESH] = now
    from kuntarobo.portfolio.realised import refresh

    refresh()
