"""Waiting items: a robot's handle() asks to wait for an outside event (a call answered later,
a reply awaited) or a time; the item waits without spending an attempt, keeps its run open, and
comes back to the robot when the event is recorded (`resume_item`) or its time comes."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kuntarobo.audit.models import AuditEvent
from kuntarobo.core.localized import pick
from kuntarobo.runtime import actions, enqueue, tasks
from kuntarobo.runtime.models import ItemStatus, RunLogEntry, RunStatus, WorkItem
from kuntarobo.testing.robots import ScriptedRobot
from tests.runtime.helpers import drain, script

pytestmark = pytest.mark.django_db(transaction=True)


def start(municipality, *items):
    return actions.start_run("test", municipality, "test_scripted", parameters=script(*items))


def item(reference: str) -> WorkItem:
    return WorkItem.objects.get(reference=reference)


def resume_tasks() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=enqueue.RESUME_ITEM))


def test_the_queue_paths_name_the_tasks_themselves():
    assert tasks.process_item.module_path == enqueue.PROCESS_ITEM
    assert tasks.deliver_item.module_path == enqueue.DELIVER_ITEM
    assert tasks.produce_run.module_path == enqueue.PRODUCE_RUN
    assert tasks.resume_waiting_item.module_path == enqueue.RESUME_ITEM


@pytest.mark.parametrize("behaviour", ["wait", "raise_wait"])
def test_an_item_that_asks_to_wait_waits_without_spending_an_attempt(municipality, behaviour):
    seen: list[str] = []
    ScriptedRobot.status_hook = lambda view, status: seen.append(status)
    started = start(
        municipality, {"reference": "call", "behaviour": behaviour, "message": "the call back"}
    )
    drain()
    waiting = item("call")
    assert (waiting.status, waiting.attempts, waiting.wait_until) == (ItemStatus.WAITING, 0, None)
    assert (waiting.wait_reason, waiting.output) == ("the call back", {"asked": 1})
    assert waiting.claim_token == ""
    assert seen == [ItemStatus.WAITING]
    started.run.refresh_from_db()
    assert started.run.status == RunStatus.RUNNING  # the robot is not done with the item
    said = [entry.message for entry in RunLogEntry.objects.filter(item=waiting)]
    assert "call: waits: the call back" in [pick(line, "en") for line in said]
    assert "call: odottaa: the call back" in [pick(line, "fi") for line in said]
    assert resume_tasks() == []  # no time given: only an outside event ends this wait


def test_an_outside_event_resumes_the_item_and_the_robot_reads_what_it_brought(municipality):
    started = start(municipality, {"reference": "call", "behaviour": "wait"})
    drain()
    result = actions.resume_item("phone system", item("call").pk, {"answered": "yes"})
    assert result.done == [item("call").pk]
    assert (item("call").status, item("call").attempts) == (ItemStatus.NEW, 0)
    drain()
    done = item("call")
    assert done.status == ItemStatus.DONE
    assert done.attempts == 1  # the wait spent none: this was the first real attempt
    assert done.output == {"attempt": 1, "reply": {"answered": "yes"}}
    started.run.refresh_from_db()
    assert started.run.status == RunStatus.FINISHED
    event = AuditEvent.objects.get(action="item.resume")
    assert (event.actor_label, event.details["from"]) == ("phone system", ItemStatus.WAITING)


def test_a_timed_wait_resumes_when_its_time_comes(municipality):
    start(municipality, {"reference": "reply", "behaviour": "wait", "wait_seconds": 600})
    before = timezone.now()
    drain()
    waiting = item("reply")
    assert waiting.status == ItemStatus.WAITING
    assert before + datetime.timedelta(seconds=590) < waiting.wait_until
    [timer] = resume_tasks()
    assert (timer.run_after, timer.args_kwargs["args"]) == (waiting.wait_until, [waiting.pk])
    drain()
    assert item("reply").status == ItemStatus.WAITING  # its time has not come
    # Ten minutes later:
    earlier = timezone.now() - datetime.timedelta(seconds=1)
    WorkItem.objects.filter(pk=waiting.pk).update(wait_until=earlier)
    DBTaskResult.objects.filter(pk=timer.pk).update(run_after=earlier)
    drain()
    done = item("reply")
    assert (done.status, done.attempts) == (ItemStatus.DONE, 1)
    event = AuditEvent.objects.get(action="item.resume")
    assert (event.actor_label, event.via) == (actions.TIMER, "timer")


def test_the_scheduler_resumes_a_timed_wait_whose_task_was_lost(municipality):
    start(municipality, {"reference": "reply", "behaviour": "wait", "wait_seconds": 60})
    drain()
    DBTaskResult.objects.filter(task_path=enqueue.RESUME_ITEM).delete()
    assert actions.resume_due_items() == 0
    later = timezone.now() + datetime.timedelta(minutes=2)
    assert actions.resume_due_items(now=later) == 1
    assert item("reply").status == ItemStatus.NEW
    assert actions.resume_due_items(now=later) == 0


def test_an_event_before_the_time_leaves_the_timer_nothing_to_do(municipality):
    start(municipality, {"reference": "reply", "behaviour": "wait", "wait_seconds": 60})
    drain()
    [timer] = resume_tasks()
    actions.resume_item("mail robot", item("reply").pk, {"reply": "received"})
    drain()
    assert item("reply").status == ItemStatus.DONE
    assert actions.resume_due_items(item_ids=[item("reply").pk]) == 0
    assert DBTaskResult.objects.get(pk=timer.pk).status == TaskResultStatus.READY
    assert AuditEvent.objects.filter(action="item.resume").count() == 1


def test_the_timer_leaves_an_item_that_waits_for_a_later_time(municipality):
    start(municipality, {"reference": "reply", "behaviour": "wait", "wait_seconds": 3600})
    drain()
    soon = timezone.now() + datetime.timedelta(minutes=5)
    result = actions.resume_items(actions.TIMER, [item("reply").pk], via="timer", due_by=soon)
    assert result.done == []
    assert "waits for an outside event or a later time" in result.refused[item("reply").pk]
    assert item("reply").status == ItemStatus.WAITING


def test_abandoning_a_waiting_item_ends_its_run(municipality):
    started = start(municipality, {"reference": "call", "behaviour": "wait"})
    drain()
    result = actions.abandon_items("test", [item("call").pk], reason="nobody answers")
    assert result.done == [item("call").pk]
    assert item("call").status == ItemStatus.ABANDONED
    started.run.refresh_from_db()
    assert started.run.status == RunStatus.FINISHED


def test_a_resume_payload_that_is_not_an_object_is_refused_and_nothing_changes(municipality):
    start(municipality, {"reference": "call", "behaviour": "wait"})
    drain()
    with pytest.raises(actions.InputError, match="must be a JSON object"):
        actions.resume_item("test", item("call").pk, ["yes"])  # type: ignore[arg-type]
    assert item("call").status == ItemStatus.WAITING
