"""The example robot end to end through the real queue: produce, process, review, deliver."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.demo.data import write_invoice_file
from kuntarobo.robots.invoice_check.robot import outbox_dir
from kuntarobo.runtime import actions
from kuntarobo.runtime.declarations import InputError
from kuntarobo.runtime.models import ItemStatus, RunStatus, WorkItem
from tests.factories import MunicipalityFactory, user_with_role

pytestmark = pytest.mark.django_db(transaction=True)


def drain() -> None:
    call_command("worker", batch=True, interval=0, verbosity=0)


@pytest.fixture
def municipality():
    return MunicipalityFactory(slug="esimerkkila")


@pytest.fixture
def invoice_file(tmp_path: Path) -> Path:
    return write_invoice_file(tmp_path / "inbox", timezone.localdate(), count=10, seed=1)


def test_a_run_prepares_proposals_and_nothing_is_paid_before_approval(municipality, invoice_file):
    coordinator = user_with_role(Role.COORDINATOR, municipality)
    started = actions.start_run(coordinator, municipality, "invoice_check", input_file=invoice_file)
    assert started.created == 10
    drain()
    statuses = {i.reference: i.status for i in WorkItem.objects.all()}
    assert sorted(set(statuses.values())) == [ItemStatus.FAILED_BUSINESS, ItemStatus.NEEDS_REVIEW]
    assert not outbox_dir(municipality.slug).exists()
    started.run.refresh_from_db()
    assert started.run.status == RunStatus.FINISHED


def test_approved_items_are_delivered_once_and_audited(municipality, invoice_file):
    coordinator = user_with_role(Role.COORDINATOR, municipality)
    reviewer = user_with_role(Role.REVIEWER, municipality)
    actions.start_run(coordinator, municipality, "invoice_check", input_file=invoice_file)
    drain()
    waiting = list(
        WorkItem.objects.filter(status=ItemStatus.NEEDS_REVIEW).values_list("pk", flat=True)
    )
    result = actions.approve_items(reviewer, waiting)
    assert result.done == waiting
    drain()
    assert set(WorkItem.objects.filter(pk__in=waiting).values_list("status", flat=True)) == {
        ItemStatus.DONE
    }
    files = sorted(outbox_dir(municipality.slug).glob("*.json"))
    assert len(files) == len(waiting)
    assert json.loads(files[0].read_text())["amount_cents"] > 0
    assert AuditEvent.objects.filter(action="item.approve").count() == len(waiting)


def test_the_same_input_twice_creates_no_second_item(municipality, invoice_file):
    coordinator = user_with_role(Role.COORDINATOR, municipality)
    first = actions.start_run(coordinator, municipality, "invoice_check", input_file=invoice_file)
    second = actions.start_run(coordinator, municipality, "invoice_check", input_file=invoice_file)
    assert (first.created, second.created, second.duplicates) == (10, 0, 10)
    assert WorkItem.objects.count() == 10


def test_a_malformed_upload_is_refused_with_the_row_and_column_and_changes_nothing(
    municipality, tmp_path
):
    coordinator = user_with_role(Role.COORDINATOR, municipality)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "invoice_id;supplier_name;business_id;iban;reference;amount;invoice_date;"
        "due_date\n1;A;0737546-2;FI2112345600000785;13;12,5;2026-13-01;2026-12-01\n"
    )
    with pytest.raises(InputError, match=r"row 2: column 'invoice_date'"):
        actions.start_run(coordinator, municipality, "invoice_check", input_file=bad)
    assert WorkItem.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_user_of_another_municipality_cannot_approve(municipality, invoice_file):
    coordinator = user_with_role(Role.COORDINATOR, municipality)
    neighbour = user_with_role(Role.REVIEWER, MunicipalityFactory(slug="naapurila"))
    actions.start_run(coordinator, municipality, "invoice_check", input_file=invoice_file)
    drain()
    item = WorkItem.objects.filter(status=ItemStatus.NEEDS_REVIEW).first()
    result = actions.approve_items(neighbour, [item.pk])
    assert result.done == []
    assert result.refused == {item.pk: f"no such work item: {item.pk}"}
    item.refresh_from_db()
    assert item.status == ItemStatus.NEEDS_REVIEW


def test_a_finished_run_keeps_its_counts_and_durations_and_time_saved_follows_approval(
    municipality, invoice_file
):
    from kuntarobo.runtime.execution import run_counts
    from kuntarobo.runtime.impact import manual_minutes_saved

    coordinator = user_with_role(Role.COORDINATOR, municipality)
    reviewer = user_with_role(Role.REVIEWER, municipality)
    run = actions.start_run(coordinator, municipality, "invoice_check", input_file=invoice_file).run
    drain()
    run.refresh_from_db()
    waiting = run.summary[ItemStatus.NEEDS_REVIEW]
    assert run.summary["total"] == 10
    assert waiting + run.summary[ItemStatus.FAILED_BUSINESS] == 10
    assert run.summary["item_ms_longest"] >= run.summary["item_ms_average"] >= 0
    assert run.summary["item_ms_total"] >= run.summary["item_ms_longest"]
    assert manual_minutes_saved("invoice_check", run_counts(run)) == 0
    ids = list(run.items.filter(status=ItemStatus.NEEDS_REVIEW).values_list("pk", flat=True))
    actions.approve_items(reviewer, ids)
    drain()
    assert manual_minutes_saved("invoice_check", run_counts(run)) == 3 * waiting
