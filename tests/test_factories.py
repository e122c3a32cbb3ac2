"""Each factory builds a saved object the platform itself could have made."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from kuntarobo.accounts.models import Membership, Municipality, Permission, Role, has_permission
from kuntarobo.runtime.declarations import get_robot
from kuntarobo.runtime.models import RobotDeployment, Run, WorkItem
from kuntarobo.runtime.statuses import FINAL_STATUSES, ItemStatus, RunStatus
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    MunicipalityFactory,
    RobotDeploymentFactory,
    RunFactory,
    UserFactory,
    WorkItemFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db


def saved_and_valid(obj):
    """Saved, passes the model's own validation, and reads back as it was built."""
    assert obj.pk is not None
    obj.full_clean()
    return type(obj).objects.get(pk=obj.pk)


def test_a_municipality_from_the_factory_is_saved_valid_and_named_in_both_languages():
    stored = saved_and_valid(MunicipalityFactory())
    assert stored.name_fi
    assert stored.name_sv
    assert MunicipalityFactory(slug=stored.slug) == stored  # asked again: the same one


def test_a_user_from_the_factory_is_saved_and_signs_in_with_the_test_password():
    stored = saved_and_valid(UserFactory())
    assert isinstance(stored, get_user_model())
    assert stored.check_password(PASSWORD)


def test_a_membership_from_the_factory_gives_its_user_the_roles_permissions_there():
    membership = MembershipFactory(role=Role.REVIEWER)
    stored = saved_and_valid(membership)
    assert isinstance(stored, Membership)
    assert has_permission(stored.user, stored.municipality, Permission.REVIEW)
    assert not has_permission(stored.user, stored.municipality, Permission.CONFIGURE)
    assert user_with_role(Role.VIEWER).memberships.get().municipality.slug == "esimerkkila"


def test_a_deployment_from_the_factory_switches_a_registered_robot_on_in_a_municipality():
    deployment = saved_and_valid(RobotDeploymentFactory())
    assert isinstance(deployment, RobotDeployment)
    assert deployment.enabled
    assert get_robot(deployment.robot_slug).slug == deployment.robot_slug
    other = RobotDeploymentFactory(municipality=deployment.municipality, robot_slug="hr_reports")
    assert saved_and_valid(other).municipality == deployment.municipality


def test_a_run_from_the_factory_is_a_finished_run_of_a_registered_robot():
    run = saved_and_valid(RunFactory())
    assert isinstance(run, Run)
    assert get_robot(run.robot_slug).slug == run.robot_slug
    assert isinstance(run.municipality, Municipality)
    assert run.status == RunStatus.FINISHED
    assert run.finished_at is not None
    assert RunFactory(status=RunStatus.RUNNING).finished_at is None


@pytest.mark.parametrize("status", ItemStatus.values)
def test_a_work_item_from_the_factory_has_the_status_asked_and_its_runs_place(status):
    run = RunFactory()
    item = saved_and_valid(WorkItemFactory(run=run, status=status))
    assert isinstance(item, WorkItem)
    assert item.status == status
    assert (item.municipality, item.robot_slug) == (run.municipality, run.robot_slug)
    assert (item.finished_at is not None) == (status in FINAL_STATUSES)


def test_work_items_from_the_factory_do_not_collide_on_their_unique_reference():
    run = RunFactory()
    references = {WorkItemFactory(run=run).reference for _ in range(3)}
    assert len(references) == 3
    assert run.items.count() == 3


def test_the_factory_refuses_an_item_in_another_municipality_than_its_run():
    run = RunFactory()
    with pytest.raises(ValueError, match="its run's municipality"):
        WorkItemFactory(run=run, municipality=MunicipalityFactory())
    assert not WorkItem.objects.exists()
