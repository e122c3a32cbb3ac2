"""A finished run's month of the roll-up is computed again once the run's end is committed,
so a dashboard shows a run's figures without waiting for `kuntarobo portfolio-refresh`."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from kuntarobo.runtime.models import Run
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
