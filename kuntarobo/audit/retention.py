"""The retention purge: the only way audit events leave the database, and itself audited."""

from __future__ import annotations

import datetime

from django.db import connection, transaction

from kuntarobo.audit.models import AuditEvent, AuditPurgePermit
from kuntarobo.audit.trail import record


def purge_events_before(cutoff: datetime.datetime, *, actor: str) -> int:
    with transaction.atomic():
        permit = AuditPurgePermit.objects.create(reason=f"retention purge before {cutoff}")
        table = AuditEvent._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE at < %s", [cutoff])  # noqa: S608
            removed: int = cursor.rowcount
        AuditPurgePermit.objects.filter(pk=permit.pk).delete()
        record(
            "audit.purge", actor=actor, details={"before": cutoff.isoformat(), "removed": removed}
        )
    return removed


def purge_all_for_test_flush() -> None:
    """Tests end by flushing the database; the permit stays so PostgreSQL's TRUNCATE is let
    through, and the events go first so SQLite's row triggers have nothing to refuse."""
    AuditPurgePermit.objects.create(reason="test database flush")
    AuditEvent.objects.all()._raw_delete(AuditEvent.objects.db)
