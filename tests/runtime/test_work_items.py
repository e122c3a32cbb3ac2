"""A work item's life through the real queue: created once, retried with back-off, failed for a
person, claimed by one worker at a time, and returned to the queue when its worker stops."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus

from kuntarobo.core.localized import pick
from kuntarobo.runtime import actions, execution, recovery
from kuntarobo.runtime.models import ItemStatus, RunLogEntry, RunStatus, WorkerProcess, WorkItem
from kuntarobo.testing.robots import ScriptedRobot
from tests.factories import MunicipalityFactory
from tests.runtime.helpers import (
    drain,
    queue_entries,
    script,
    take_queue_entry,
    worker_beating,
)

pytestmark = pytest.mark.django_db(transaction=True)


def start(municipality, *items):
    return actions.start_run("test", municipality, "test_scripted", parameters=script(*items))


def item(reference: str) -> WorkItem:
    return WorkItem.objects.get(reference=reference)


@pytest.fixture
def completions():
    """Every status the scripted robot's `on_status` hook saw, as (reference, status, attempt)."""
    seen: list[tuple[str, str, int]] = []
    ScriptedRobot.status_hook = lambda view, status: seen.append(
        (view.reference, status, view.attempt)
    )
    return seen


# --- idempotency -------------------------------------------------------------------------------


def test_a_reference_already_known_never_becomes_a_second_item(municipality):
    first = start(municipality, {"reference": "a"}, {"reference": "b"}, {"reference": "b"})
    assert (first.created, first.duplicates) == (2, 1)
    drain()
    second = start(municipality, {"reference": "a"}, {"reference": "b"}, {"reference": "c"})
    assert (second.created, second.duplicates) == (1, 2)
    drain()
    again = start(municipality, {"reference": "a"}, {"reference": "b"}, {"reference": "c"})
    assert (again.created, again.duplicates) == (0, 3)
    assert sorted(WorkItem.objects.values_list("reference", flat=True)) == ["a", "b", "c"]
    assert item("a").run_id == first.run.pk
    assert item("c").run_id == second.run.pk
    assert item("a").attempts == 1
    again.run.refresh_from_db()
    assert again.run.status == RunStatus.FINISHED  # nothing to do: finished at once
    assert again.run.items_duplicate == 3


def test_the_same_reference_in_another_municipality_is_another_item(municipality):
    start(municipality, {"reference": "a"})
    other = start(MunicipalityFactory(slug="naapurila"), {"reference": "a"})
    assert other.created == 1
    assert WorkItem.objects.filter(reference="a").count() == 2


# --- the robot's record data ------------------------------------------------------------------


def test_the_robots_record_data_is_kept_beside_the_output_and_handed_back_to_on_status(
    municipality,
):
    """`Outcome.record` is the robot's own data for its records: stored on the item, not in
    its output, what `on_status` sees as `ItemView.record`, and in the item's view later."""
    seen: list[tuple[str, dict[str, object]]] = []
    ScriptedRobot.status_hook = lambda view, status: seen.append((status, dict(view.record)))
    start(municipality, {"reference": "a", "record": {"basis": "b1", "lines": [1, 2]}})
    drain()
    stored = item("a")
    assert stored.status == ItemStatus.DONE
    assert stored.record == {"basis": "b1", "lines": [1, 2]}
    assert "basis" not in stored.output
    assert seen == [(ItemStatus.DONE, {"basis": "b1", "lines": [1, 2]})]
    assert execution.item_view(stored).record == {"basis": "b1", "lines": [1, 2]}


# --- business and application exceptions --------------------------------------------------------


def test_a_business_exception_fails_the_item_at_once_with_its_message(municipality, completions):
    started = start(
        municipality,
        {"reference": "x", "behaviour": "business", "message": "IBAN is missing"},
    )
    drain()
    x = item("x")
    assert x.status == ItemStatus.FAILED_BUSINESS
    assert x.error_message == "IBAN is missing"
    assert x.attempts == 1
    assert x.finished_at is not None
    assert completions == [("x", ItemStatus.FAILED_BUSINESS, 1)]
    assert queue_entries(x.pk, TaskResultStatus.READY) == []
    assert RunLogEntry.objects.filter(
        item=x, level="warning", message="x: IBAN is missing"
    ).exists()
    started.run.refresh_from_db()
    assert started.run.status == RunStatus.FINISHED
    assert started.run.summary["failed_business"] == 1


def test_an_application_exception_is_retried_with_exponential_back_off_then_fails(
    municipality, settings, completions
):
    settings.KUNTAROBO_RETRY_BASE_SECONDS = 30
    settings.KUNTAROBO_RETRY_MAX_SECONDS = 3600
    started = start(
        municipality,
        {"reference": "x", "behaviour": "application", "message": "the register is down"},
    )
    for attempt, delay in ((1, 30), (2, 60)):
        before = timezone.now()
        drain()
        after = timezone.now()
        x = item("x")
        assert (x.status, x.attempts) == (ItemStatus.NEW, attempt)
        assert "the register is down" in x.error_message
        assert (
            before + datetime.timedelta(seconds=delay)
            <= x.retry_at
            <= after + datetime.timedelta(seconds=delay)
        )
        [retry] = queue_entries(x.pk, TaskResultStatus.READY)
        assert retry.run_after == x.retry_at  # the queue holds the retry until then
        drain()  # nothing is ready before the back-off has passed
        assert item("x").attempts == attempt
        started.run.refresh_from_db()
        assert started.run.status == RunStatus.RUNNING
        # The back-off passes.
        type(retry).objects.filter(pk=retry.pk).update(run_after=timezone.now())
    drain()
    x = item("x")
    assert (x.status, x.attempts) == (ItemStatus.FAILED_APPLICATION, 3)
    assert x.retry_at is None
    assert x.finished_at is not None
    assert queue_entries(x.pk, TaskResultStatus.READY) == []
    assert completions == [
        ("x", ItemStatus.NEW, 1),
        ("x", ItemStatus.NEW, 2),
        ("x", ItemStatus.FAILED_APPLICATION, 3),
    ]
    messages = [
        pick(message, "en")  # a translatable line is kept in every language
        for message in RunLogEntry.objects.filter(item=x).values_list("message", flat=True)
    ]
    assert any("attempt 1 failed" in m and "retry in 30 s" in m for m in messages)
    assert any("attempt 2 failed" in m and "retry in 60 s" in m for m in messages)
    assert any("failed, attempts: 3" in m for m in messages)
    started.run.refresh_from_db()
    assert started.run.status == RunStatus.FINISHED


def test_an_unexpected_error_is_retried_and_the_item_done_when_the_system_recovers(
    municipality, completions
):
    start(municipality, {"reference": "x", "behaviour": "crash", "fail_times": 1})
    drain()  # the retry is due at once: the tests' back-off base is 0 s
    x = item("x")
    assert (x.status, x.attempts, x.error_message) == (ItemStatus.DONE, 2, "")
    assert x.output == {"attempt": 2}
    assert completions == [("x", ItemStatus.NEW, 1), ("x", ItemStatus.DONE, 2)]


# --- runs finish --------------------------------------------------------------------------------


def test_a_run_finishes_when_its_last_item_completes_and_not_before(municipality):
    started = start(municipality, *({"reference": f"r{n}"} for n in range(3)))
    call_command("worker", batch=True, interval=0, max_tasks=2, verbosity=0)
    started.run.refresh_from_db()
    assert started.run.status == RunStatus.RUNNING
    assert started.run.finished_at is None
    drain()
    started.run.refresh_from_db()
    assert started.run.status == RunStatus.FINISHED
    assert started.run.finished_at >= WorkItem.objects.get(reference="r2").finished_at
    assert started.run.summary["done"] == 3
    assert started.run.summary["total"] == 3


# --- the claim token ----------------------------------------------------------------------------


def test_a_completion_after_the_claim_was_lost_is_discarded_and_the_item_completes_once(
    municipality, completions
):
    """Worker A is thought dead while its handler runs: recovery gives the item to worker B,
    which completes it. When A's handler returns, A's result is discarded."""
    start(municipality, {"reference": "x"})
    x = item("x")

    def worker_a_stalls(view):
        if view.attempt == 1:
            worker_beating("worker-a", seconds_ago=3600)
            assert recovery.recover_lost_work() == 1
            drain("worker-b")

    ScriptedRobot.handle_hook = worker_a_stalls
    assert execution.execute(x.pk, "worker-a") == "stale"
    x.refresh_from_db()
    assert (x.status, x.attempts, x.claim_token, x.claimed_by) == (ItemStatus.DONE, 2, "", "")
    assert x.output == {"attempt": 2}
    assert completions == [("x", ItemStatus.DONE, 2)]
    assert RunLogEntry.objects.filter(item=x, message__contains="worker worker-a stopped").exists()


def test_an_item_is_claimed_by_one_worker_only(municipality):
    start(municipality, {"reference": "x"})
    x = item("x")
    claimed = execution._claim(x.pk, "worker-a", execution.PROCESS)
    assert claimed is not None
    assert execution._claim(x.pk, "worker-b", execution.PROCESS) is None
    claimed_item, token, _ = claimed
    x.refresh_from_db()
    assert (x.status, x.claimed_by, x.claim_token, x.attempts) == (
        ItemStatus.IN_PROGRESS,
        "worker-a",
        token,
        1,
    )
    assert claimed_item.attempts == 1
    assert execution.execute(x.pk, "worker-b") == "skipped"


# --- workers that stop --------------------------------------------------------------------------


def test_recovery_returns_a_dead_workers_item_to_the_queue_and_fails_its_task(municipality):
    started = start(municipality, {"reference": "lost"}, {"reference": "kept"})
    lost, kept = item("lost"), item("kept")
    worker_beating("dead-worker", seconds_ago=3600)
    worker_beating("live-worker", seconds_ago=1)
    dead_entry = take_queue_entry("dead-worker", lost.pk)
    assert execution._claim(lost.pk, "dead-worker", execution.PROCESS) is not None
    live_entry = take_queue_entry("live-worker", kept.pk)
    assert execution._claim(kept.pk, "live-worker", execution.PROCESS) is not None

    assert recovery.recover_lost_work() == 1

    lost.refresh_from_db()
    assert (lost.status, lost.claim_token, lost.claimed_by, lost.attempts) == (
        ItemStatus.NEW,
        "",
        "",
        1,
    )
    dead_entry.refresh_from_db()
    assert dead_entry.status == TaskResultStatus.FAILED
    assert dead_entry.exception_class_path.endswith("WorkerLostError")
    assert "dead-worker" in dead_entry.traceback
    assert len(queue_entries(lost.pk, TaskResultStatus.READY)) == 1
    assert not WorkerProcess.objects.filter(worker_id="dead-worker").exists()
    assert RunLogEntry.objects.filter(
        item=lost, level="warning", message__contains="worker dead-worker stopped"
    ).exists()
    # The live worker's item and task are left alone.
    kept.refresh_from_db()
    live_entry.refresh_from_db()
    assert (kept.status, kept.claimed_by) == (ItemStatus.IN_PROGRESS, "live-worker")
    assert live_entry.status == TaskResultStatus.RUNNING

    drain()
    lost.refresh_from_db()
    assert (lost.status, lost.attempts) == (ItemStatus.DONE, 2)
    started.run.refresh_from_db()
    assert started.run.status == RunStatus.RUNNING  # "kept" is still in progress

    worker_beating("live-worker", seconds_ago=3600)  # now it stops too
    assert recovery.recover_lost_work() == 1
    drain()
    kept.refresh_from_db()
    assert (kept.status, kept.attempts) == (ItemStatus.DONE, 2)
    started.run.refresh_from_db()
    assert started.run.status == RunStatus.FINISHED


def test_an_item_whose_worker_stopped_before_claiming_it_goes_back_to_the_queue(municipality):
    """The worker took the task from the queue and stopped before it claimed the item: the item
    is still new, but its only task is "running" for a dead worker."""
    started = start(municipality, {"reference": "x"})
    x = item("x")
    worker_beating("dead-worker", seconds_ago=3600)
    entry = take_queue_entry("dead-worker", x.pk)
    assert queue_entries(x.pk, TaskResultStatus.READY) == []

    assert recovery.recover_lost_work() == 1

    entry.refresh_from_db()
    assert entry.status == TaskResultStatus.FAILED
    assert len(queue_entries(x.pk, TaskResultStatus.READY)) == 1
    drain()
    x.refresh_from_db()
    assert (x.status, x.attempts) == (ItemStatus.DONE, 1)
    started.run.refresh_from_db()
    assert started.run.status == RunStatus.FINISHED


def test_a_task_lost_after_its_item_was_completed_does_not_run_the_item_again(
    municipality, completions
):
    start(municipality, {"reference": "done"}, {"reference": "retried", "behaviour": "crash"})
    done, retried = item("done"), item("retried")
    worker_beating("dead-worker", seconds_ago=3600)
    entries = [take_queue_entry("dead-worker", i.pk) for i in (done, retried)]
    # The worker completed both items, then stopped before marking its tasks finished.
    assert execution.execute(done.pk, "dead-worker") == ItemStatus.DONE
    assert execution.execute(retried.pk, "dead-worker") == ItemStatus.NEW

    assert recovery.recover_lost_work() == 0

    for entry in entries:
        entry.refresh_from_db()
        assert entry.status == TaskResultStatus.FAILED
    assert queue_entries(done.pk, TaskResultStatus.READY) == []
    [retry] = queue_entries(retried.pk, TaskResultStatus.READY)  # only the back-off's own
    retried.refresh_from_db()
    assert retry.run_after == retried.retry_at
    assert completions == [("done", ItemStatus.DONE, 1), ("retried", ItemStatus.NEW, 1)]


def test_an_item_whose_last_attempt_was_lost_fails_and_its_run_finishes(municipality):
    started = start(municipality, {"reference": "x"})
    x = item("x")
    WorkItem.objects.filter(pk=x.pk).update(attempts=ScriptedRobot.max_attempts - 1)
    worker_beating("dead-worker", seconds_ago=3600)
    take_queue_entry("dead-worker", x.pk)
    assert execution._claim(x.pk, "dead-worker", execution.PROCESS) is not None

    assert recovery.recover_lost_work() == 1

    x.refresh_from_db()
    assert x.status == ItemStatus.FAILED_APPLICATION
    assert pick(x.error_message, "en") == "worker dead-worker stopped during the last attempt"
    assert (
        pick(x.error_message, "fi") == "työprosessi dead-worker pysähtyi viimeisen yrityksen aikana"
    )
    assert queue_entries(x.pk, TaskResultStatus.READY) == []
    started.run.refresh_from_db()
    assert started.run.status == RunStatus.FINISHED
