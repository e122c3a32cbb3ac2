"""Class C robots decide automatically: chapter 8 b of the Administrative Procedure Act lets
them run only under a recorded deployment decision, a responsible official, a published
description and approved processing rules of the version the robot runs."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from kuntarobo.audit.models import AuditEvent
from kuntarobo.runtime import actions, scheduling
from kuntarobo.runtime.declarations import InputError
from kuntarobo.runtime.models import ItemStatus, Run, WorkItem
from tests.factories import RobotDeploymentFactory
from tests.runtime.helpers import drain

pytestmark = pytest.mark.django_db(transaction=True)

COMPLETE = {
    "automation_decision": "Kunnanhallitus 12.3.2026 § 45",
    "responsible_official": "Hallintojohtaja Maija Meikäläinen",
    "public_description_url": "https://esimerkkila.fi/automaattinen-paatoksenteko",
    "approved_rule_version": "2",
}
NAMES = {
    "automation_decision": "the deployment decision",
    "responsible_official": "the responsible official",
    "public_description_url": "the published description",
    "approved_rule_version": "approval of processing rules version 2",
}


def start(municipality):
    return actions.start_run(
        "test", municipality, "test_deciding", parameters={"count": 3}, via="cli"
    )


def test_a_class_c_robot_without_a_deployment_refuses_to_start_and_names_everything_missing(
    municipality,
):
    with pytest.raises(InputError) as refused:
        start(municipality)
    for name in NAMES.values():
        assert name in str(refused.value)
    assert Run.objects.count() == 0
    assert WorkItem.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize("missing", sorted(COMPLETE))
def test_a_class_c_robot_refuses_to_start_while_one_precondition_is_missing(municipality, missing):
    RobotDeploymentFactory(
        municipality=municipality, robot_slug="test_deciding", **{**COMPLETE, missing: ""}
    )
    with pytest.raises(InputError, match="class C") as refused:
        start(municipality)
    assert str(refused.value).endswith(NAMES[missing])
    assert Run.objects.count() == 0


def test_approval_of_another_rule_version_does_not_let_a_class_c_robot_start(municipality):
    RobotDeploymentFactory(
        municipality=municipality,
        robot_slug="test_deciding",
        **{**COMPLETE, "approved_rule_version": "1"},
    )
    with pytest.raises(InputError, match="approval of processing rules version 2"):
        start(municipality)


def test_a_class_c_robot_with_every_precondition_recorded_runs_and_decides(municipality):
    RobotDeploymentFactory(municipality=municipality, robot_slug="test_deciding", **COMPLETE)
    started = start(municipality)
    assert started.created == 3
    assert started.run.rule_version == "2"
    drain()
    assert set(WorkItem.objects.values_list("status", flat=True)) == {ItemStatus.DONE}


def test_the_scheduler_does_not_start_a_class_c_robot_without_its_preconditions(municipality):
    zone = ZoneInfo("Europe/Helsinki")
    RobotDeploymentFactory(
        municipality=municipality,
        robot_slug="test_deciding",
        schedule_enabled=True,
        cron="0 7 * * *",
        last_scheduled_for=datetime.datetime(2027, 1, 11, 6, tzinfo=zone),
        **{**COMPLETE, "responsible_official": ""},
    )
    started = scheduling.run_due_schedules(now=datetime.datetime(2027, 1, 11, 8, tzinfo=zone))
    assert started == []
    assert Run.objects.count() == 0
