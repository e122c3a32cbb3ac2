"""The audit trail is append-only: the model, querysets and the database itself refuse to change
or delete an event; only the retention purge removes old events, and it is audited itself."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from kuntarobo.audit.models import AppendOnlyError, AuditEvent, AuditPurgePermit
from kuntarobo.audit.retention import purge_events_before
from kuntarobo.audit.trail import record

pytestmark = pytest.mark.django_db

TABLE = AuditEvent._meta.db_table


def event(action: str = "run.start", **details) -> AuditEvent:
    return record(action, actor="test", details=details or {"n": 1})


def raw_sql(statement: str, params: list[int] | None = None) -> None:
    """Run SQL in a savepoint, so that the test's transaction survives the refusal."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def test_an_audit_event_cannot_be_changed_or_deleted_through_the_model():
    first = event()
    first.action = "run.forged"
    with pytest.raises(AppendOnlyError):
        first.save()
    with pytest.raises(AppendOnlyError):
        first.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=first.pk).update(action="run.forged")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=first.pk).delete()
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEvent.objects.bulk_update([first], ["action"])
    assert AuditEvent.objects.get(pk=first.pk).action == "run.start"


@pytest.mark.parametrize(
    "statement",
    [
        f"UPDATE {TABLE} SET action = 'run.forged'",
        f"UPDATE {TABLE} SET details = '{{}}' WHERE id = %s",
        f"DELETE FROM {TABLE}",
        f"DELETE FROM {TABLE} WHERE id = %s",
    ],
)
def test_the_database_refuses_raw_sql_that_changes_or_deletes_audit_events(statement):
    first = event()
    params = [first.pk] if "%s" in statement else []
    with pytest.raises(DatabaseError, match="append-only"):
        raw_sql(statement, params)
    kept = AuditEvent.objects.get(pk=first.pk)
    assert (kept.action, kept.details) == ("run.start", {"n": 1})


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_to_truncate_the_audit_trail():
    event()
    with pytest.raises(DatabaseError, match="append-only"):
        raw_sql(f"TRUNCATE {TABLE}")
    assert AuditEvent.objects.count() == 1


def test_the_retention_purge_removes_only_old_events_and_is_audited_itself():
    now = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=now - datetime.timedelta(days=800)):
        old = [event(n=n) for n in range(3)]
    recent = event(n=99)
    cutoff = now - datetime.timedelta(days=365)

    assert purge_events_before(cutoff, actor="retention") == 3

    assert not AuditEvent.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEvent.objects.filter(pk=recent.pk).exists()
    purge = AuditEvent.objects.get(action="audit.purge")
    assert purge.details == {"before": cutoff.isoformat(), "removed": 3}
    assert purge.actor_label == "retention"
    assert not AuditPurgePermit.objects.exists()
    # The permit was the purge's alone: afterwards the database refuses deletes again.
    with pytest.raises(DatabaseError, match="append-only"):
        raw_sql(f"DELETE FROM {TABLE}")
    assert AuditEvent.objects.count() == 2
