"""Work nothing would otherwise finish: a run left `starting` because its reading ended without
recording anything, and items claimed by a command line (`--inline`) that died mid-item."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kuntarobo.audit.models import AuditEvent
from kuntarobo.runtime import actions, execution, recovery, tasks
from kuntarobo.runtime.models import (
    ItemStatus,
    Run,
    RunLogEntry,
    RunStatus,
    WorkerProcess,
    WorkItem,
)
from kuntarobo.testing.robots import COMPLETION, GatedRobot
from tests.runtime.helpers import database_url, drain, read_inputs, worker_beating

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _open_gate() -> Iterator[None]:
    GatedRobot.gate.set()
    yield
    GatedRobot.gate.set()


def later(seconds: float = 0) -> datetime.datetime:
    """A moment past the grace period of runs stored now."""
    return timezone.now() + datetime.timedelta(
        seconds=settings.KUNTAROBO_READING_GRACE_SECONDS + 1 + seconds
    )


def grow_old(run: Run) -> None:
    """Move the run's start back past the grace period (the processes' heartbeats stay now)."""
    Run.objects.filter(pk=run.pk).update(
        created_at=timezone.now()
        - datetime.timedelta(seconds=settings.KUNTAROBO_READING_GRACE_SECONDS + 1)
    )


def start_in_background(municipality, content: bytes = b"a\nb\n") -> Run:
    return actions.start_run(
        "test",
        municipality,
        "test_gated",
        input_file=ContentFile(content, name="in.csv"),
        via="api",
        background=True,
    ).run


def readings(run: Run) -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(
            task_path=tasks.produce_run.module_path, args_kwargs__args__0=run.pk
        ).order_by("enqueued_at")
    )


def reading_ended_without_a_result(run: Run) -> None:
    """What a reading task that failed while the database was down leaves: the task ended, the
    run still `starting`."""
    DBTaskResult.objects.filter(
        task_path=tasks.produce_run.module_path, args_kwargs__args__0=run.pk
    ).update(status=TaskResultStatus.FAILED)


def test_a_run_whose_reading_ended_without_a_result_is_read_again_after_the_grace_period(
    municipality,
):
    run = start_in_background(municipality)
    reading_ended_without_a_result(run)
    assert recovery.recover_stalled_readings() == 0  # within the grace period
    assert recovery.recover_stalled_readings(now=later()) == 1
    [_, again] = readings(run)
    assert (again.status, again.args_kwargs["args"]) == (TaskResultStatus.READY, [run.pk, "api"])
    assert RunLogEntry.objects.filter(run=run, message__contains="read again").exists()
    assert recovery.recover_stalled_readings(now=later()) == 0  # the new reading is queued
    assert read_inputs() == 1
    run.refresh_from_db()
    assert (run.status, run.items_created) == (RunStatus.RUNNING, 2)


def test_a_run_whose_reading_task_row_was_lost_is_read_again(municipality):
    run = start_in_background(municipality)
    DBTaskResult.objects.filter(task_path=tasks.produce_run.module_path).delete()
    assert recovery.recover_stalled_readings(now=later()) == 1
    drain()
    run.refresh_from_db()
    assert (run.status, run.items_created) == (RunStatus.FINISHED, 2)


@pytest.mark.parametrize("status", [TaskResultStatus.READY, TaskResultStatus.RUNNING])
def test_a_run_whose_reading_is_queued_or_running_is_left_to_it(municipality, status):
    run = start_in_background(municipality)
    DBTaskResult.objects.filter(task_path=tasks.produce_run.module_path).update(status=status)
    assert recovery.recover_stalled_readings(now=later(3600)) == 0
    assert len(readings(run)) == 1
    assert Run.objects.get(pk=run.pk).status == RunStatus.STARTING


def test_a_run_whose_readings_keep_ending_without_a_result_fails_with_its_input_deleted(
    municipality,
):
    run = start_in_background(municipality)
    input_path = Path(run.input_file.path)
    for _reading in range(recovery.MAX_READINGS - 1):
        reading_ended_without_a_result(run)
        assert recovery.recover_stalled_readings(now=later()) == 1
    reading_ended_without_a_result(run)
    assert len(readings(run)) == recovery.MAX_READINGS
    assert recovery.recover_stalled_readings(now=later()) == 1
    run.refresh_from_db()
    assert (run.status, run.input_file.name) == (RunStatus.FAILED, "")
    assert not input_path.exists()
    assert "3 times without a result" in run.error["technical"]
    assert len(readings(run)) == recovery.MAX_READINGS  # not read a fourth time
    [failure] = AuditEvent.objects.filter(action="run.fail", object_id=str(run.pk))
    assert failure.details["input"] == "in.csv"
    assert recovery.recover_stalled_readings(now=later()) == 0


def test_the_scheduler_pass_reads_a_stalled_run_again(municipality, settings):
    from kuntarobo.runtime.management.commands.scheduler import scheduler_pass

    settings.KUNTAROBO_READING_GRACE_SECONDS = 0
    run = start_in_background(municipality)
    reading_ended_without_a_result(run)
    assert scheduler_pass()["finished"] == 1
    assert read_inputs() == 1
    assert Run.objects.get(pk=run.pk).status == RunStatus.RUNNING


def test_a_run_that_cannot_be_recovered_does_not_keep_the_others_stalled(
    municipality, monkeypatch, caplog
):
    first = start_in_background(municipality)
    second = start_in_background(municipality, b"c\n")
    reading_ended_without_a_result(first)
    reading_ended_without_a_result(second)
    real = recovery._recover_stalled_reading

    def broken_for_the_first(run_id, stale_before):
        if run_id == first.pk:
            raise ValueError("a bug")
        return real(run_id, stale_before)

    monkeypatch.setattr(recovery, "_recover_stalled_reading", broken_for_the_first)
    assert recovery.recover_stalled_readings(now=later()) == 1
    assert [reading.status for reading in readings(second)][-1] == TaskResultStatus.READY
    assert f"run {first.pk}: a stalled reading could not be recovered" in caplog.text


def test_a_run_read_inline_by_a_live_command_line_is_left_to_it(municipality):
    run = start_in_background(municipality)
    DBTaskResult.objects.all().delete()
    worker_beating("inline:read-host-1-abc", seconds_ago=0)
    Run.objects.filter(pk=run.pk).update(summary={"reader": "inline:read-host-1-abc"})
    grow_old(run)
    assert recovery.recover_stalled_readings() == 0
    assert Run.objects.get(pk=run.pk).status == RunStatus.STARTING


def test_a_run_whose_inline_reader_died_fails_with_a_masked_message_and_its_input_deleted(
    municipality,
):
    run = start_in_background(municipality)
    input_path = Path(run.input_file.path)
    DBTaskResult.objects.all().delete()
    # A process named with an identity code, to show the message is masked.
    reader = "inline:read-131052-308T-1"
    worker_beating(reader, seconds_ago=settings.KUNTAROBO_WORKER_STALE_SECONDS + 60)
    Run.objects.filter(pk=run.pk).update(summary={"reader": reader})
    grow_old(run)
    assert recovery.recover_stalled_readings() == 1
    run.refresh_from_db()
    assert (run.status, run.input_file.name) == (RunStatus.FAILED, "")
    assert not input_path.exists()
    assert "start the run again" in run.error["technical"]
    assert "131052-308T" not in run.error["technical"]
    assert readings(run) == []  # not read by a worker: the command line audited no start


def test_an_inline_reading_names_its_reader_and_beats_while_it_reads(municipality):
    seen: list[tuple[str, bool]] = []
    hook_robot = actions.get_robot("test_noop")
    real_produce = hook_robot.produce

    def produce_and_look(self, context):
        reader = Run.objects.get(pk=context.run_id).summary["reader"]
        seen.append((reader, WorkerProcess.objects.filter(worker_id=reader).exists()))
        return real_produce(self, context)

    hook_robot.produce = produce_and_look  # type: ignore[method-assign]
    try:
        started = actions.start_run("test", municipality, "test_noop", parameters={"count": 2})
    finally:
        hook_robot.produce = real_produce  # type: ignore[method-assign]
    [(reader, registered)] = seen
    assert reader.startswith("inline:read-")
    assert registered
    assert not WorkerProcess.objects.filter(worker_id=reader).exists()  # gone when done
    assert "reader" not in Run.objects.get(pk=started.run.pk).summary
    assert recovery.recover_stalled_readings(now=later()) == 0


def inline_claim(municipality, claimant: str) -> WorkItem:
    run = actions.start_run("test", municipality, "test_noop", parameters={"count": 1}).run
    item = WorkItem.objects.get(run=run)
    WorkItem.objects.filter(pk=item.pk).update(
        status=ItemStatus.IN_PROGRESS, claim_token="t", claimed_by=claimant, attempts=1
    )
    return item


def test_an_item_claimed_by_a_command_line_that_stopped_beating_goes_back_to_the_queue(
    municipality,
):
    claimant = "inline:cli-host-4242-abcd"
    item = inline_claim(municipality, claimant)
    worker_beating(claimant, seconds_ago=settings.KUNTAROBO_WORKER_STALE_SECONDS + 5)
    assert recovery.recover_lost_work() == 1
    item.refresh_from_db()
    assert (item.status, item.claimed_by) == (ItemStatus.NEW, "")
    drain()
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE
    assert Run.objects.get(pk=item.run_id).status == RunStatus.FINISHED


def test_an_item_claimed_by_a_command_line_still_beating_is_left_to_it(municipality):
    claimant = "inline:cli-host-4242-abcd"
    item = inline_claim(municipality, claimant)
    worker_beating(claimant, seconds_ago=0)
    assert recovery.recover_lost_work() == 0
    item.refresh_from_db()
    assert (item.status, item.claimed_by) == (ItemStatus.IN_PROGRESS, claimant)


def test_an_inline_run_registers_its_process_while_it_works_and_leaves_none_behind(
    municipality,
):
    run = actions.start_run("test", municipality, "test_noop", parameters={"count": 3}).run
    execution.process_run_inline(run.pk)
    assert not WorkerProcess.objects.exists()
    claimants = set(WorkItem.objects.filter(run=run).values_list("claimed_by", flat=True))
    assert claimants == {""}
    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED


def subprocess_env(settings) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "KUNTAROBO_EXTRA_APPS": "kuntarobo.testing",
        "KUNTAROBO_WORKER_HEARTBEAT_SECONDS": "1",
        "KUNTAROBO_WORKER_STALE_SECONDS": "4",
        "KUNTAROBO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "KUNTAROBO_MUNICIPALITY_ROOT": str(settings.KUNTAROBO_MUNICIPALITY_ROOT),
        "LOG_LEVEL": "WARNING",
    }


@pytest.mark.postgres_only
@pytest.mark.slow
def test_a_command_line_killed_while_reading_leaves_a_run_the_sweep_fails(
    municipality, tmp_path, settings
):
    """A real process reading an input inline (the gated robot waits for a gate no one opens),
    killed with SIGKILL: the sweep leaves the run while the process beats, then fails it and
    deletes its input once the process is silent."""
    settings.KUNTAROBO_WORKER_STALE_SECONDS = 4
    settings.KUNTAROBO_READING_GRACE_SECONDS = 0
    source = tmp_path / "in.csv"
    source.write_text("a\nb\n")
    code = (
        "from pathlib import Path; from kuntarobo.runtime import actions; "
        "from kuntarobo.accounts.models import Municipality; "
        "from kuntarobo.testing.robots import GatedRobot; GatedRobot.wait_seconds = 120; "
        f"actions.start_run('cli', Municipality.objects.get(pk={municipality.pk}), "
        f"'test_gated', input_file=Path({str(source)!r}))"
    )
    log = tmp_path / "reader.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "kuntarobo", "shell", "-c", code],
        env=subprocess_env(settings),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not Run.objects.filter(robot_slug="test_gated").exists():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the run was never stored"
            time.sleep(0.2)
        run = Run.objects.get(robot_slug="test_gated")
        assert run.summary["reader"].startswith("inline:read-")
        stored = Path(run.input_file.path)
        assert stored.exists()
        time.sleep(5)  # past the stale period, but the reader beats
        assert recovery.recover_stalled_readings() == 0
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    deadline = time.monotonic() + 30
    while not recovery.recover_stalled_readings():
        assert time.monotonic() < deadline, "the killed reader's run was never failed"
        time.sleep(0.5)
    run.refresh_from_db()
    assert (run.status, run.input_file.name) == (RunStatus.FAILED, "")
    assert "start the run again" in run.error["technical"]
    assert not stored.exists()
    assert source.exists()  # the command line's own file is not the stored copy


HELD = "item-00002"


@pytest.mark.postgres_only
@pytest.mark.slow
def test_a_command_line_run_killed_mid_item_is_finished_by_a_worker_exactly_once(
    municipality, tmp_path, settings
):
    """A real `--inline` process (`process_run_inline`), killed with SIGKILL while an item's
    handler blocks: after the stale period its item goes back to the queue, and a worker
    finishes the run, every item completed exactly once."""
    settings.KUNTAROBO_WORKER_STALE_SECONDS = 4
    run = actions.start_run(
        "test",
        municipality,
        "test_counting",
        parameters={"count": 4, "sleep_ms": 0, "hold_reference": HELD, "hold_seconds": 120},
    ).run
    env = subprocess_env(settings)
    code = f"from kuntarobo.runtime import execution; execution.process_run_inline({run.pk})"
    log = tmp_path / "inline.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "kuntarobo", "shell", "-c", code],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not WorkItem.objects.filter(
            run=run, reference=HELD, status=ItemStatus.IN_PROGRESS
        ).exists():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the held item was never taken"
            time.sleep(0.2)
        held = WorkItem.objects.get(run=run, reference=HELD)
        assert held.claimed_by.startswith("inline:cli-")
        time.sleep(5)  # longer than the stale period: the beating process is not judged dead
        assert recovery.recover_lost_work() == 0
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    deadline = time.monotonic() + 30
    while not recovery.recover_lost_work():
        assert time.monotonic() < deadline, "the killed process's item was never recovered"
        time.sleep(0.5)
    held.refresh_from_db()
    assert (held.status, held.claimed_by) == (ItemStatus.NEW, "")
    assert Run.objects.get(pk=run.pk).status == RunStatus.RUNNING
    drain()
    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED
    assert set(WorkItem.objects.filter(run=run).values_list("status", flat=True)) == {"done"}
    completions = Counter(
        RunLogEntry.objects.filter(run=run, message__startswith=COMPLETION).values_list(
            "item_id", flat=True
        )
    )
    assert sorted(completions.values()) == [1, 1, 1, 1]
    held.refresh_from_db()
    assert held.attempts == 2
