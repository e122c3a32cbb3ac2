"""What each role sees, field by field: every API endpoint that shows work items or runs, for
every role, with an item whose reference is an identity code (a family id), whose title and
notes name people. The status-code matrix (test_permission_matrix.py) says who may call what;
this one says what the answer may contain. Both the web and the API follow one rule
(`kuntarobo.runtime.visibility`); tests/web/test_field_visibility_matrix.py checks the pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import resolve

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.core.masking import MASK
from tests.api.helpers import ROLES, World, client_for, error_of
from tests.api.test_permission_matrix import api_endpoints
from tests.factories import MembershipFactory
from tests.personal_data import (
    GUARDIAN,
    IDENTITY_CODE,
    MASKED_REFERENCE,
    RECORD_ONLY,
    SECOND_GUARDIAN,
    SECRETS,
    leaks,
    plant,
    plant_failure,
    plant_run,
    texts_of,
)

CALLERS = [str(role) for role in ROLES]
PERSONAL = {"administrator", "coordinator", "reviewer"}
TECHNICAL = {"administrator", "coordinator", "developer"}
ALWAYS = {
    "id",
    "run",
    "municipality",
    "robot",
    "reference",
    "status",
    "priority",
    "deadline",
    "attempts",
    "attention_count",
    "created_at",
    "started_at",
    "finished_at",
    "retry_at",
    "wait_until",
    "reviewed_by",
    "reviewed_at",
    "personal_data_shown",
    "actions",
    "superseded_by",
}
PERSONAL_FIELDS = {"title", "attention", "review_note", "wait_reason"}
DETAIL_FIELDS = {"payload", "output", "explanation", "documents", "resume_payload"}


@pytest.fixture
def planted(world: World) -> World:
    plant(world.home.waiting)
    plant_failure(world.home.failed)
    plant_run(world.home.run, world.home.waiting)
    return world


def check_row(world: World, caller: str, row: dict[str, Any], *, full: bool) -> None:
    """One item as the caller's roles allow: fields present, absent or masked."""
    personal = caller in PERSONAL
    expected = set(ALWAYS)
    if personal:
        expected |= PERSONAL_FIELDS
        if full:
            expected |= DETAIL_FIELDS
    if full and (personal or caller in TECHNICAL):
        expected.add("error_message")
    assert set(row) == expected, (caller, set(row) ^ expected)
    assert row["personal_data_shown"] is personal
    if row["id"] != world.home.waiting.pk:
        return
    assert row["attention_count"] == 1
    if personal and full:
        assert row["reference"] == world.home.waiting.reference
        assert row["title"] == f"{GUARDIAN} {IDENTITY_CODE}"
        assert row["payload"]["identity_code"] == IDENTITY_CODE
        assert row["documents"][0]["name"] == f"{GUARDIAN}.txt"
    else:
        assert row["reference"] == MASKED_REFERENCE
    if personal and not full:
        assert row["title"] == f"{GUARDIAN} {MASK}"
    if personal:
        assert row["attention"] == [f"Guardian {SECOND_GUARDIAN} has no income information"]
        assert row["review_note"] == f"Called {GUARDIAN} about the income"


def check_listing(world: World, caller: str, body: dict[str, Any]) -> None:
    rows = body["results"]
    assert world.home.waiting.pk in {row["id"] for row in rows}
    for row in rows:
        check_row(world, caller, row, full=False)
    listed = AuditEvent.objects.filter(action="items.view")
    if caller in PERSONAL:
        event = listed.get()
        assert (event.via, event.actor, event.municipality) == (
            "api",
            world.user(caller),
            world.home.municipality,
        )
        assert set(event.details["items"]) == {row["id"] for row in rows}
        assert IDENTITY_CODE not in str(event.details)
    else:
        assert not listed.exists()


def check_detail(item: Callable[[World], Any]) -> Callable[[World, str, dict[str, Any]], None]:
    def check(world: World, caller: str, body: dict[str, Any]) -> None:
        shown = item(world)
        check_row(world, caller, body, full=True)
        views = AuditEvent.objects.filter(action="item.view", object_id=str(shown.pk))
        if caller in PERSONAL:
            assert [(e.via, e.actor) for e in views] == [("api", world.user(caller))]
        else:
            assert not views.exists()
        if shown.pk == world.home.failed.pk and caller in TECHNICAL - PERSONAL:
            assert body["error_message"] == f"no income information for family {MASK}"
        if shown.pk == world.home.failed.pk and caller in PERSONAL:
            assert body["error_message"].endswith(IDENTITY_CODE)

    return check


def check_run(world: World, caller: str, body: dict[str, Any]) -> None:
    rows = body.get("results", [body])
    run = next(row for row in rows if row["id"] == world.home.run.pk)
    if caller in PERSONAL:
        assert run["input_name"] == f"perhe_{IDENTITY_CODE}.jsonl"
    else:
        assert run["input_name"] == f"perhe_{MASK}.jsonl"
    assert not AuditEvent.objects.filter(action__in=("item.view", "items.view")).exists()


def check_nothing(world: World, caller: str, body: Any) -> None:
    """The audit trail is the administrator's, who may see personal data anyway."""


@dataclass
class Endpoint:
    url: Callable[[World], str]
    check: Callable[[World, str, Any], None]
    callers: set[str] | None = None  # who gets 200; the rest 403 (None: everyone)


ENDPOINTS: dict[str, Endpoint] = {
    "items": Endpoint(lambda w: "/api/v1/items", check_listing),
    "items of a run": Endpoint(lambda w: f"/api/v1/items?run={w.home.run.pk}", check_listing),
    "items to review": Endpoint(lambda w: "/api/v1/items?status=needs_review", check_listing),
    "item": Endpoint(
        lambda w: f"/api/v1/items/{w.home.waiting.pk}", check_detail(lambda w: w.home.waiting)
    ),
    "failed item": Endpoint(
        lambda w: f"/api/v1/items/{w.home.failed.pk}", check_detail(lambda w: w.home.failed)
    ),
    "runs": Endpoint(lambda w: "/api/v1/runs", check_run),
    "run": Endpoint(lambda w: f"/api/v1/runs/{w.home.run.pk}", check_run),
    "audit": Endpoint(lambda w: "/api/v1/audit", check_nothing, {"administrator"}),
    "audit export": Endpoint(
        lambda w: "/api/v1/audit/export?format=csv", check_nothing, {"administrator"}
    ),
}
# Quoted in the report to the lead: role × endpoint checks, each searching the whole body.
CHECKS = len(CALLERS) * len(ENDPOINTS)
# Endpoints (URL names) that answer with no work item, run or audit event: the catalogue,
# the caller's municipalities, the fee calculator (stores nothing), the review calls (ids and
# reasons only) and the 404 of unknown paths. `POST /runs` answers with the run as someone
# without the personal-data permission sees it.
SHOW_NO_ITEM = {
    "robots",
    "robot",
    "robot-settings",  # a municipality's settings: no work item, run or decision
    "municipalities",
    "ecec_fees:calculate",
    "items-approve",
    "items-reject",
    "items-retry",
    "items-abandon",
    "items-resume",
    "items-approve-unflagged",
    "item-correct",
    # Business cases: plans in euros, no personal data, no work item or run.
    "portfolio-business-case",
    "portfolio-business-cases",
    "portfolio-stored-business-case",
    # The vault: names, kinds and user names, never a secret (administrators only:
    # tests/api/test_permission_matrix.py; no secret in any answer: tests/vault/test_vault_api.py).
    "vault-assets",
    "vault-asset",
    "unknown",
}


def test_the_matrix_has_forty_five_role_endpoint_checks():
    assert CHECKS == 45


def test_every_api_endpoint_is_in_the_field_matrix_or_shows_no_item(planted):
    """An endpoint added without deciding what each role sees of it fails here."""
    covered = {
        resolve(e.url(planted).split("?")[0]).view_name.removeprefix("api:")
        for e in ENDPOINTS.values()
    }
    assert not covered & SHOW_NO_ITEM
    assert {name for name, _ in api_endpoints()} == covered | SHOW_NO_ITEM


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_each_role_sees_only_the_fields_it_may_and_personal_data_never_leaks(planted, name, caller):
    endpoint = ENDPOINTS[name]
    response = client_for(planted.user(caller)).get(endpoint.url(planted))
    allowed = endpoint.callers is None or caller in endpoint.callers
    assert response.status_code == (200 if allowed else 403), response.content[:300]
    found = leaks(response)
    assert not any(RECORD_ONLY in text for text in texts_of(response)), (name, caller)
    if caller not in PERSONAL:
        assert found == [], (name, caller, found)
    if not allowed:
        assert error_of(response)["message"]
        return
    if response.get("Content-Type", "").startswith("application/json"):
        endpoint.check(planted, caller, response.json())


@pytest.mark.parametrize("caller", sorted(PERSONAL))
def test_those_who_may_see_personal_data_do_see_it_in_the_items_own_view(planted, caller):
    """The other side of 'never leaks': the data is there, so the searches above can fail."""
    response = client_for(planted.user(caller)).get(f"/api/v1/items/{planted.home.waiting.pk}")
    assert leaks(response) == sorted(SECRETS)
    # The robot's record data is not output: not in the item's view even for them.
    assert not any(RECORD_ONLY in text for text in texts_of(response))


@pytest.mark.parametrize("caller", sorted(PERSONAL))
def test_a_list_names_people_but_never_shows_an_identity_code(planted, caller):
    response = client_for(planted.user(caller)).get("/api/v1/items")
    text = texts_of(response)[-1]
    assert GUARDIAN in text
    assert SECOND_GUARDIAN in text
    assert IDENTITY_CODE not in text
    assert "150490" not in text


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("parameter", ["reference", "title", "q", "search", "ordering"])
def test_no_query_parameter_can_search_items_by_personal_data(planted, caller, parameter):
    """A filter on the reference would tell a viewer whether a person's identity code is in
    the system, one guess at a time: the API has none, and says so."""
    client = client_for(planted.user(caller))
    response = client.get(f"/api/v1/items?{parameter}={IDENTITY_CODE}")
    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["field"]) == ("unknown_parameter", parameter)
    assert leaks(response) == []


def test_a_role_in_one_municipality_shows_nothing_personal_in_another(planted):
    """A reviewer at home who is only a viewer next door sees next door's items as a viewer."""
    user = planted.user("reviewer")
    MembershipFactory(user=user, municipality=planted.other.municipality, role=Role.VIEWER)
    plant(planted.other.done)
    client = client_for(user)
    rows = {row["id"]: row for row in client.get("/api/v1/items").json()["results"]}
    assert rows[planted.home.waiting.pk]["personal_data_shown"] is True
    neighbour = rows[planted.other.done.pk]
    assert neighbour["personal_data_shown"] is False
    assert not PERSONAL_FIELDS & set(neighbour)
    assert neighbour["reference"] == MASKED_REFERENCE
    detail = client.get(f"/api/v1/items/{planted.other.done.pk}")
    assert leaks(detail) == []
    listed = AuditEvent.objects.filter(action="items.view").get()
    assert planted.other.done.pk not in listed.details["items"]
    assert not AuditEvent.objects.filter(
        action="item.view", object_id=str(planted.other.done.pk)
    ).exists()


def test_a_list_with_no_item_on_the_page_and_the_runs_are_not_audited(planted):
    client = client_for(planted.user("coordinator"))
    assert client.get("/api/v1/items?status=in_progress").json()["count"] == 0
    assert client.get("/api/v1/runs").status_code == 200
    assert not AuditEvent.objects.filter(action__in=("item.view", "items.view")).exists()
