"""Robots read the vault: a Python robot through kuntarobo.sdk.vault, a Robot Framework robot as
suite variables. Every read is audited with the run and the item, never with the secret; the
secret reaches the robot but no run log, stored error, audit detail, log.html or output.xml,
however the robot logs it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.core.management import call_command

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.runtime import actions
from kuntarobo.runtime.declarations import _REGISTRY
from kuntarobo.runtime.models import ItemStatus, RunLogEntry, WorkItem
from kuntarobo.sdk import vault as sdk_vault
from kuntarobo.vault import actions as vault_actions
from tests.factories import AssetFactory, MunicipalityFactory, user_with_role
from tests.vault.conftest import SECRET
from tests.vault.robots import VAULT_ROBOTS, VaultPythonRobot, VaultSuiteRobot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def robots() -> Iterator[None]:
    for robot in VAULT_ROBOTS:
        _REGISTRY[robot.slug] = robot
    yield
    for robot in VAULT_ROBOTS:
        del _REGISTRY[robot.slug]


@pytest.fixture
def admin(robots):
    municipality = MunicipalityFactory(slug="esimerkkila")
    return user_with_role(Role.ADMINISTRATOR, municipality, username="admin")


def store(admin, robot_slug: str = "") -> None:
    municipality = admin.memberships.get().municipality
    vault_actions.store_credential(admin, municipality, "talous", "robo", SECRET, via="test")
    vault_actions.store_value(admin, municipality, "raja", "number", "5000", via="test")


def run(admin, robot, **parameters) -> WorkItem:
    municipality = admin.memberships.get().municipality
    actions.start_run(admin, municipality, robot.slug, parameters=parameters)
    call_command("worker", batch=True, interval=0, verbosity=0)
    return WorkItem.objects.get(run__robot_slug=robot.slug)


def nowhere_but_the_vault(item: WorkItem) -> None:
    """The secret is in no log line, error, audit event or document of the item's run."""
    lines = " ".join(RunLogEntry.objects.filter(run=item.run).values_list("message", flat=True))
    assert SECRET not in lines
    item.refresh_from_db()
    assert SECRET not in item.error_message
    assert SECRET not in json.dumps(item.output)
    assert SECRET not in json.dumps(list(AuditEvent.objects.values("details", "actor_label")))
    for document in item.documents.all():
        content = document.file.read()
        assert SECRET.encode() not in content, document.name
        assert b"Kissa-Koira" not in content, document.name


def test_a_python_robot_gets_the_credential_and_the_asset_and_each_read_is_audited(admin):
    store(admin)
    item = run(admin, VaultPythonRobot)
    assert item.status == ItemStatus.DONE, item.error_message
    assert item.output["received"] is True
    assert item.output["username"] == "robo"
    assert item.output["limit"] == "5000"
    assert item.output["limit_type"] == "int"
    assert (
        item.output["shown"]
        == "******** Credential(name='talous', username='robo', secret=********)"
    )
    reads = AuditEvent.objects.filter(action="vault.read").order_by("pk")
    assert [event.details["name"] for event in reads] == ["talous", "raja"]
    first = reads[0]
    assert first.actor_label == "robot:test_vault_python"
    assert first.details == {
        "name": "talous",
        "kind": "credential",
        "robot": "test_vault_python",
        "run": item.run_id,
        "item": item.pk,
    }
    assert first.municipality == item.run.municipality
    nowhere_but_the_vault(item)
    lines = list(RunLogEntry.objects.filter(run=item.run).values_list("message", flat=True))
    assert any("robo / ********" in line for line in lines), lines


@pytest.mark.parametrize("outcome", ["business", "crash"])
def test_a_python_robots_error_quoting_the_secret_is_stored_masked(admin, outcome):
    store(admin)
    item = run(admin, VaultPythonRobot, outcome=outcome)
    assert item.status != ItemStatus.DONE
    assert "********" in item.error_message
    nowhere_but_the_vault(item)


def test_the_robots_own_asset_wins_over_the_municipality_wide_one(admin):
    store(admin)
    municipality = admin.memberships.get().municipality
    AssetFactory(
        municipality=municipality,
        robot_slug=VaultPythonRobot.slug,
        name="raja",
        kind="number",
        value="12,50",
    )
    item = run(admin, VaultPythonRobot)
    assert (item.output["limit"], item.output["limit_type"]) == ("12.50", "Decimal")


def test_a_missing_credential_stops_the_item_as_a_business_exception_naming_it(admin):
    item = run(admin, VaultPythonRobot)
    assert item.status == ItemStatus.FAILED_BUSINESS, item.status
    assert "talous" in item.error_message
    assert not AuditEvent.objects.filter(action="vault.read").exists()


def test_a_credential_of_another_municipality_is_not_found(admin):
    AssetFactory(municipality=MunicipalityFactory(slug="naapuri"), name="talous", credential=True)
    item = run(admin, VaultPythonRobot)
    assert item.status == ItemStatus.FAILED_BUSINESS


def test_the_suite_gets_the_credential_but_log_html_and_output_xml_never_show_it(admin):
    store(admin)
    item = run(admin, VaultSuiteRobot)
    # The suite's own Should Be Equal passed: it received the real secret.
    assert item.status == ItemStatus.DONE, item.error_message
    assert item.output["tasks_passed"] == 1
    documents = {d.name: d.file.read() for d in item.documents.all()}
    assert set(documents) == {"log.html", "output.xml"}
    assert b"********" in documents["output.xml"]
    assert b"Sign In With The Vault Credential" in documents["log.html"]
    nowhere_but_the_vault(item)
    event = AuditEvent.objects.get(action="vault.read")
    assert event.actor_label == "robot:test_vault_suite"
    assert (event.details["run"], event.details["item"]) == (item.run_id, item.pk)


@pytest.mark.parametrize(
    ("outcome", "status"),
    [("business", ItemStatus.FAILED_BUSINESS), ("crash", None)],
)
def test_a_failed_suite_keeps_its_masked_log_and_output_with_the_item(admin, outcome, status):
    store(admin)
    item = run(admin, VaultSuiteRobot, outcome=outcome)
    assert item.status != ItemStatus.DONE
    if status is not None:
        assert item.status == status
    assert {d.name for d in item.documents.all()} == {"log.html", "output.xml"}
    assert "********" in item.error_message
    nowhere_but_the_vault(item)


def test_a_suite_without_its_credential_stops_before_it_runs(admin):
    item = run(admin, VaultSuiteRobot)
    assert item.status == ItemStatus.FAILED_BUSINESS
    assert "talous" in item.error_message


def test_a_secret_prints_as_the_mask_and_reveals_on_request():
    secret = sdk_vault.Secret(SECRET)
    assert (str(secret), repr(secret), f"{secret}") == ("********",) * 3
    assert secret.reveal() == SECRET
