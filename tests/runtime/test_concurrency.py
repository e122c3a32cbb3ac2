"""Races between processes, with threads on PostgreSQL (SQLite runs one writer at a time)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from kuntarobo.runtime import actions, execution
from kuntarobo.runtime.declarations import InputError
from kuntarobo.runtime.models import ItemStatus, Run, RunStatus, WorkItem
from kuntarobo.testing.robots import ScriptedRobot
from tests.runtime.helpers import script

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def together(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads, each with its own connection; results or exceptions, in order."""
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            results[index] = calls[index]()
        except BaseException as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def test_a_run_finishes_when_its_last_two_items_complete_at_the_same_time(municipality):
    """Each completion transaction waits inside `on_status` until the other is open too, so
    neither sees the other's item done before it commits; one of the checks after the commits
    must still see both."""
    in_both_transactions = threading.Barrier(2, timeout=30)
    ScriptedRobot.status_hook = lambda view, status: in_both_transactions.wait()
    runs = []
    for round_ in range(10):
        started = actions.start_run(
            "test",
            municipality,
            "test_scripted",
            parameters=script({"reference": f"{round_}-a"}, {"reference": f"{round_}-b"}),
        )
        first, second = started.run.items.order_by("pk")
        results = together(
            lambda item=first: execution.execute(item.pk, "worker-1"),
            lambda item=second: execution.execute(item.pk, "worker-2"),
        )
        assert results == [ItemStatus.DONE, ItemStatus.DONE]
        runs.append(started.run.pk)
    assert set(Run.objects.filter(pk__in=runs).values_list("status", flat=True)) == {
        RunStatus.FINISHED
    }


def test_two_runs_creating_the_same_references_at_once_make_each_item_once(
    municipality, monkeypatch
):
    both_producing = threading.Barrier(2, timeout=30)
    real_create_items = actions._create_items

    def create_items_together(run, specs, **kwargs):
        both_producing.wait()  # both transactions are open and neither sees the other's items
        return real_create_items(run, specs, **kwargs)

    monkeypatch.setattr(actions, "_create_items", create_items_together)
    items = [{"reference": f"r{n}"} for n in range(50)]

    def start():
        return actions.start_run("test", municipality, "test_scripted", parameters=script(*items))

    results = together(start, start)
    started = [r for r in results if isinstance(r, actions.StartedRun)]
    refused = [r for r in results if isinstance(r, InputError)]
    assert len(started) == 1, results
    assert len(refused) == 1, results
    assert "start the run again" in str(refused[0])
    assert started[0].created == 50
    assert WorkItem.objects.count() == 50
    assert Run.objects.count() == 1
