"""Helpers for the runtime tests: drive the queue the way workers do, and inspect it."""

from __future__ import annotations

import datetime
import json
from typing import Any
from urllib.parse import quote

from django.core.management import call_command
from django.db import connection, transaction
from django.test import TestCase
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kuntarobo.runtime.models import WorkerProcess

# Valid personal identity codes: the 1900s (-), the 2000s (A) and the signs added in 2023 (Y).
IDENTITY_CODES = ("131052-308T", "010101A123N", "010594Y9032")


def drain(worker_id: str = "test-drain") -> None:
    """Run a worker until the queue has nothing ready."""
    call_command("worker", batch=True, interval=0, verbosity=0, worker_id=worker_id)


def read_inputs() -> int:
    """Do the queued readings of started runs' inputs, as a worker would, and nothing else (the
    items stay new); how many. What waits for a commit is done too, also inside a test's own
    transaction (a refused input's file is deleted once the refusal commits)."""
    from kuntarobo.runtime import actions, tasks

    done = 0
    with TestCase.captureOnCommitCallbacks(execute=True):
        for result in DBTaskResult.objects.filter(
            status=TaskResultStatus.READY, task_path=tasks.produce_run.module_path
        ).order_by("enqueued_at"):
            run_id, via = result.args_kwargs["args"]
            actions.produce_run(run_id, via=via)
            DBTaskResult.objects.filter(pk=result.pk).update(status=TaskResultStatus.SUCCESSFUL)
            done += 1
    return done


def statements_adding_rows(queries: list[dict[str, str]], model: Any) -> int:
    """How many captured statements insert into the model's table: an INSERT, or a COPY (which
    `insert_rows` uses on PostgreSQL and logs as Django would)."""
    table = model._meta.db_table
    return sum(
        1
        for query in queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "COPY")) and table in query["sql"]
    )


def script(*items: dict[str, Any]) -> dict[str, str]:
    """Parameters for the scripted test robot."""
    return {"script": json.dumps(list(items))}


def queue_entries(item_id: int, status: str | None = None) -> list[DBTaskResult]:
    """The item's task rows in django-tasks-db, oldest first."""
    entries = DBTaskResult.objects.filter(args_kwargs__args__0=item_id)
    if status is not None:
        entries = entries.filter(status=status)
    return list(entries.order_by("enqueued_at"))


def take_queue_entry(worker_id: str, item_id: int) -> DBTaskResult:
    """What a worker does first: take the item's ready task from the queue (django-tasks-db)."""
    with transaction.atomic():
        entry = (
            DBTaskResult.objects.ready()
            .filter(args_kwargs__args__0=item_id, status=TaskResultStatus.READY)
            .get_locked()
        )
        assert entry is not None, f"no ready task for item {item_id}"
        entry.claim(worker_id)
    return entry


def worker_beating(worker_id: str, seconds_ago: float) -> None:
    """A worker whose last heartbeat was `seconds_ago` seconds ago."""
    WorkerProcess.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": "test",
            "pid": 1,
            "heartbeat_at": timezone.now() - datetime.timedelta(seconds=seconds_ago),
        },
    )


def database_url() -> str:
    """The URL of the database the tests use (pytest-django renames it), for subprocesses."""
    settings = connection.settings_dict
    user = quote(settings.get("USER") or "", safe="")
    password = quote(settings.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings.get("HOST") or "localhost"
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(settings['NAME'], safe='')}"


def open_review_sample(users: Any, up_to: int, **scope: Any) -> list[int]:
    """What a careful reviewer does before approving all proposals without flags of a class B
    robot: open every proposal of their random sample (`actions.unflagged_sample`). `users`: one
    user or several (those who may not review anywhere are passed over); the ids opened."""
    from kuntarobo.accounts.models import Municipality, Permission
    from kuntarobo.runtime import actions

    opened: list[int] = []
    for user in users if isinstance(users, list | tuple | set) else [users]:
        if user is None or not Municipality.objects.for_user(user, Permission.REVIEW).exists():
            continue
        for group in actions.unflagged_sample(user, up_to=up_to, via="test", **scope):
            for item in group.items:
                actions.record_sample_opening(user, item, via="test")
                opened.append(item.pk)
    return opened
