"""`insert_rows`: the run's start inserts its items and queue entries through it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from kuntarobo.runtime.bulk import insert_rows
from kuntarobo.runtime.models import Trigger, WorkItem
from tests.factories import RunFactory, WorkItemFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _template(municipality) -> WorkItem:
    run = RunFactory(municipality=municipality, robot_slug="test_noop", trigger=Trigger.CLI)
    return WorkItem(
        run=run, municipality=municipality, robot_slug=run.robot_slug, created_at=timezone.now()
    )


def test_rows_get_their_own_values_and_the_templates_for_the_rest_and_their_keys_in_order(
    municipality,
):
    template = _template(municipality)
    rows = [{"reference": f"r-{n}", "payload": {"n": n}, "priority": n % 3} for n in range(1200)]

    ids = insert_rows(template, rows, returning_ids=True)

    stored = {item.pk: item for item in WorkItem.objects.all()}
    assert len(ids) == 1200
    assert set(ids) == set(stored)
    for key, row in zip(ids, rows, strict=True):
        item = stored[key]
        assert (item.reference, item.payload, item.priority) == (
            row["reference"],
            row["payload"],
            row["priority"],
        )
        assert (item.status, item.attempts, item.output, item.run_id) == (
            "new",
            0,
            {},
            template.run_id,
        )


def test_the_orms_way_gives_the_same_keys_where_the_database_cannot_return_them(
    municipality, monkeypatch
):
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)
    template = _template(municipality)

    ids = insert_rows(template, [{"reference": "a"}, {"reference": "b"}], returning_ids=True)

    assert [WorkItem.objects.get(pk=key).reference for key in ids] == ["a", "b"]


def test_a_field_the_model_does_not_have_is_refused_before_anything_is_written(municipality):
    template = _template(municipality)

    with pytest.raises(ValueError, match=r"runtime.WorkItem has no insertable field \['colour'\]"):
        insert_rows(template, [{"reference": "a"}, {"reference": "b", "colour": "red"}])

    assert not WorkItem.objects.exists()


def test_awkward_text_and_json_come_back_exactly_as_given(municipality):
    template = _template(municipality)
    awkward = 'quote " backslash \\ tab \t newline \n return \r null-ish \\N åäö € 😀'
    rows = [
        {"reference": f"r-{n}", "title": awkward, "payload": {awkward: [awkward, n, None]}}
        for n in range(3)
    ]

    ids = insert_rows(template, rows, returning_ids=True)

    for key, row in zip(ids, rows, strict=True):
        item = WorkItem.objects.get(pk=key)
        assert (item.title, item.payload) == (row["title"], row["payload"])


def test_a_row_saved_afterwards_gets_a_key_of_its_own(municipality):
    template = _template(municipality)

    ids = insert_rows(template, [{"reference": f"r-{n}"} for n in range(5)], returning_ids=True)
    later = WorkItemFactory(run=template.run, reference="x")

    assert later.pk not in ids
    assert later.pk > max(ids)


def test_the_insert_shows_in_djangos_query_log_as_one_statement_on_either_database(municipality):
    from django.test.utils import CaptureQueriesContext

    template = _template(municipality)
    with CaptureQueriesContext(connection) as captured:
        insert_rows(template, [{"reference": f"r-{n}"} for n in range(3)], returning_ids=True)

    writes = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith(("INSERT", "COPY"))
    ]
    assert len(writes) == 1
    assert WorkItem._meta.db_table in writes[0]
