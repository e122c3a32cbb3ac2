"""Migration 0011: decisions made before it get what their letter says from their work item's
`output["_decision"]`, decided ones too (their guards are dropped for it and made again after
the migrate), and that blob moves from the output to the item's record data."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from kuntarobo.decisions import guards
from kuntarobo.robots.ecec_fees.models import FeeDecision
from kuntarobo.runtime.models import WorkItem
from tests.robots.ecec_fees.factories import FeeDecisionFactory

pytestmark = pytest.mark.django_db(transaction=True)

MIGRATION = "kuntarobo.robots.ecec_fees.migrations.0011_decision_keeps_its_letter"
BLOB = {
    "family_id": "F-1",
    "valid_until": "2025-02-28",
    "supersedes_text": "VAKA-2025-00001 (1.1.2025)",
    "changes": ["Tulot muuttuivat.", "Lapsen palveluntarve muuttui."],
}


def migrate_forward() -> None:
    migration = importlib.import_module(MIGRATION)
    state = MigrationExecutor(connection).loader.project_state(
        [("ecec_fees", "0011_decision_keeps_its_letter")]
    )
    try:
        with connection.schema_editor() as editor:
            migration.forward(state.apps, editor)
    finally:
        guards.install(FeeDecision, connection)  # what post_migrate does


def test_decided_and_draft_decisions_get_their_letters_values_and_the_blob_moves():
    sent = FeeDecisionFactory(sent=True)
    draft = FeeDecisionFactory()
    first = FeeDecisionFactory(approved=True)
    WorkItem.objects.filter(pk=sent.work_item_id).update(
        output={"total_fee": sent.total_fee, "_decision": BLOB}
    )
    WorkItem.objects.filter(pk=draft.work_item_id).update(
        output={"total_fee": 1, "_decision": {**BLOB, "valid_until": None, "changes": []}}
    )
    WorkItem.objects.filter(pk=first.work_item_id).update(output={"total_fee": 2})

    migrate_forward()
    migrate_forward()  # a second run changes nothing more

    sent.refresh_from_db()
    assert sent.letter_valid_until == datetime.date(2025, 2, 28)
    assert sent.letter_supersedes == BLOB["supersedes_text"]
    assert sent.letter_changes == BLOB["changes"]
    draft.refresh_from_db()
    assert (draft.letter_valid_until, draft.letter_changes) == (None, [])
    assert draft.letter_supersedes == BLOB["supersedes_text"]
    first.refresh_from_db()
    assert (first.letter_valid_until, first.letter_supersedes, first.letter_changes) == (
        None,
        "",
        [],
    )
    item = WorkItem.objects.get(pk=sent.work_item_id)
    assert item.output == {"total_fee": sent.total_fee}
    assert item.record == BLOB
    assert WorkItem.objects.get(pk=first.work_item_id).record == {}
    # Guarded again, the new columns too.
    with pytest.raises(DatabaseError), transaction.atomic():
        FeeDecision.objects.filter(pk=sent.pk).update(letter_changes=[])
