"""Chained robots: a done item of one robot starts the next robot's run with one of its
documents as the input, passed through the platform's storage, shown on both runs' pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.core.localized import pick
from kuntarobo.runtime import actions, chains, enqueue, tasks
from kuntarobo.runtime.models import (
    ItemDocument,
    ItemStatus,
    RobotDeployment,
    Run,
    RunLogEntry,
    RunStatus,
    Trigger,
    WorkItem,
)
from tests.factories import user_with_role
from tests.runtime.helpers import drain

pytestmark = pytest.mark.django_db(transaction=True)


def export(municipality, **parameters) -> Run:
    return actions.start_run("test", municipality, "test_exporting", parameters=parameters).run


def test_the_queue_path_names_the_chain_task():
    assert tasks.start_chained_runs.module_path == enqueue.START_CHAINED


def test_a_done_item_starts_the_next_robot_with_its_document_through_storage(municipality):
    first = export(municipality, lines="x,y,z", label="nov")
    drain()
    item = WorkItem.objects.get(run=first)
    assert item.status == ItemStatus.DONE
    following = Run.objects.get(robot_slug="test_importing")
    assert (following.trigger, following.started_by_id) == (Trigger.CHAIN, item.pk)
    assert following.municipality_id == municipality.pk
    assert following.status == RunStatus.FINISHED
    # The document ending in .txt, not the other one; the output's label as the parameter.
    assert following.input_name == "export.txt"
    assert following.parameters["label"] == "nov"
    assert sorted(WorkItem.objects.filter(run=following).values_list("reference", flat=True)) == [
        "nov-0-x",
        "nov-1-y",
        "nov-2-z",
    ]
    # A copy in storage, not the first item's file: either may be purged on its own.
    document = ItemDocument.objects.get(item=item, name="export.txt")
    assert following.input_file.name != document.file.name
    with following.input_file.open("rb") as copied, document.file.open("rb") as original:
        assert copied.read() == original.read() == b"x\ny\nz"
    start = AuditEvent.objects.get(action="run.start", object_id=str(following.pk))
    assert start.actor_label == "robot (test_exporting)"
    assert start.details["started_by_item"] == item.pk
    said = [pick(e.message, "en") for e in RunLogEntry.objects.filter(run=first)]
    assert f"export-{first.pk}: started the next robot, run {following.pk} (test_importing)" in said


def test_the_chain_task_run_again_starts_no_second_run(municipality):
    first = export(municipality)
    drain()
    item = WorkItem.objects.get(run=first)
    assert chains.start_chained_runs(item.pk) == 0
    assert Run.objects.filter(robot_slug="test_importing").count() == 1


def test_a_failed_item_starts_nothing(municipality):
    first = export(municipality, fail="yes")
    drain()
    assert WorkItem.objects.get(run=first).status == ItemStatus.FAILED_BUSINESS
    assert not Run.objects.filter(robot_slug="test_importing").exists()
    assert chains.start_chained_runs(WorkItem.objects.get(run=first).pk) == 0


def test_a_next_robot_that_is_switched_off_is_refused_in_the_first_runs_log_and_audit(
    municipality,
):
    RobotDeployment.objects.filter(municipality=municipality, robot_slug="test_importing").update(
        enabled=False
    )
    first = export(municipality)
    drain()
    assert not Run.objects.filter(robot_slug="test_importing").exists()
    errors = [
        (pick(e.message, "en"), pick(e.message, "fi"))
        for e in RunLogEntry.objects.filter(run=first, level="error")
    ]
    assert len(errors) == 1
    english, finnish = errors[0]
    assert "the next robot test_importing could not be started" in english
    assert "switched off" in english
    assert english != finnish  # said in the reader's language
    event = AuditEvent.objects.get(action="run.chain_refused")
    assert event.details["robot"] == "test_importing"
    # Switched on again, the chain can be started (by a person re-running the task's action).
    RobotDeployment.objects.filter(robot_slug="test_importing").update(enabled=True)
    assert chains.start_chained_runs(WorkItem.objects.get(run=first).pk) == 1


def test_both_runs_pages_show_the_chain(client, municipality):
    first = export(municipality)
    drain()
    following = Run.objects.get(robot_slug="test_importing")
    client.force_login(user_with_role(Role.COORDINATOR, municipality, username="koordinaattori"))
    for shown, other in ((first, following), (following, first)):
        page = client.get(reverse("run_detail", args=[shown.pk]), HTTP_ACCEPT_LANGUAGE="en")
        text = page.content.decode()
        assert 'id="run-chain"' in text
        assert reverse("run_detail", args=[other.pk]) in text
        assert 'aria-current="page"' in text
        # First to last, whichever run's page it is.
        listed = text[text.index('id="run-chain"') :]
        listed = listed[: listed.index("</nav>")]
        assert listed.index(f"Run {first.pk}:") < listed.index(f"Run {following.pk}:")


def test_a_run_outside_a_chain_shows_no_chain(client, municipality):
    actions.start_run("test", municipality, "test_noop", parameters={"count": 1})
    drain()
    run = Run.objects.get(robot_slug="test_noop")
    assert chains.chain_of(run) == []
    client.force_login(user_with_role(Role.COORDINATOR, municipality, username="koordinaattori"))
    assert 'id="run-chain"' not in client.get(reverse("run_detail", args=[run.pk])).content.decode()
