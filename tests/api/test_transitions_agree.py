"""Transitions are declared once (`ItemStatus`'s table): for every status × action a person
may take, the action accepts exactly when the web shows its button and the API lists it among
the item's `actions`, and all three say what the table says."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from kuntarobo.runtime import actions
from kuntarobo.runtime.models import ItemAction, ItemStatus, WorkItem
from kuntarobo.runtime.statuses import PERSON_ACTIONS, TRANSITIONS
from tests.api.helpers import InvoiceItemFactory, client_for

WEB_URLS = {
    ItemAction.APPROVE: "item_approve",
    ItemAction.CORRECT: "item_correct",
    ItemAction.REJECT: "item_reject",
    ItemAction.RETRY: "item_retry",
    ItemAction.ABANDON: "item_abandon",
    ItemAction.RESUME: "item_resume",
}


def act(user: Any, item: WorkItem, action: str) -> actions.ReviewResult:
    if action == ItemAction.APPROVE:
        return actions.approve_items(user, [item.pk])
    if action == ItemAction.CORRECT:
        return actions.correct_item(user, item.pk, {"payment_date": "2030-02-01"})
    if action == ItemAction.REJECT:
        return actions.reject_items(user, [item.pk], reason="wrong supplier")
    if action == ItemAction.RETRY:
        return actions.retry_items(user, [item.pk])
    if action == ItemAction.ABANDON:
        return actions.abandon_items(user, [item.pk], reason="paid by hand")
    return actions.resume_items(user, [item.pk])


def offered(user: Any, item: WorkItem, action: str) -> tuple[bool, bool]:
    """(the web shows the action's button, the API lists the action) for this item."""
    page = client_for(user).get(reverse("item_detail", args=[item.pk])).content.decode()
    listed = client_for(user).get(f"/api/v1/items/{item.pk}").json()["actions"]
    return reverse(WEB_URLS[action], args=[item.pk]) in page, action in listed


def test_every_action_a_person_may_take_has_a_web_button():
    assert set(WEB_URLS) == set(PERSON_ACTIONS)
    assert set(TRANSITIONS) == set(ItemAction)


@pytest.mark.parametrize("status", ItemStatus.values)
@pytest.mark.parametrize("action", [str(a) for a in PERSON_ACTIONS])
def test_the_action_the_web_and_the_api_agree_with_the_table(world, status, action):
    reviewer = world.user("reviewer")
    item = InvoiceItemFactory(run=world.home.run, status=status)
    allowed = ItemStatus(status).allows(action)
    web, api = offered(reviewer, item, action)
    with translation.override("en"):
        result = act(reviewer, item, action)
    accepted = result.done == [item.pk]
    assert (web, api, accepted) == (allowed, allowed, allowed), result.refused
    item.refresh_from_db()
    if allowed:
        assert item.status == ItemStatus(status).after(action)
    else:
        assert item.status == status
        assert result.refused[item.pk].startswith(f"work item {item.pk} cannot be ")
        with translation.override("en"):
            assert f"its status is “{ItemStatus(status).label}”" in result.refused[item.pk]


@pytest.mark.parametrize("action", [str(a) for a in PERSON_ACTIONS])
def test_an_item_a_worker_holds_is_offered_nothing_and_refused_everything(world, action):
    reviewer = world.user("reviewer")
    item = InvoiceItemFactory(
        run=world.home.run, status=ItemStatus.APPROVED, claim_token="abc", claimed_by="w1"
    )
    web, api = offered(reviewer, item, action)
    result = act(reviewer, item, action)
    assert (web, api, result.done) == (False, False, [])
    item.refresh_from_db()
    assert item.status == ItemStatus.APPROVED


def test_those_who_may_not_review_are_offered_no_action(world):
    item = InvoiceItemFactory(run=world.home.run, status=ItemStatus.NEEDS_REVIEW)
    for caller in ("coordinator", "developer", "viewer"):
        listed = client_for(world.user(caller)).get(f"/api/v1/items/{item.pk}").json()
        assert listed["actions"] == [], caller
    listed = client_for(world.user("reviewer")).get(f"/api/v1/items/{item.pk}").json()
    assert listed["actions"] == ["approve", "correct", "reject", "abandon"]


def test_a_refusal_names_the_item_and_its_status_in_the_users_language(world):
    item = InvoiceItemFactory(run=world.home.run, status=ItemStatus.DONE)
    with translation.override("fi"):
        result = actions.approve_items(world.user("reviewer"), [item.pk])
    assert result.refused[item.pk].startswith(f"tehtävää {item.pk} ei voi hyväksyä")
    assert "”Valmis”" in result.refused[item.pk]
    with translation.override("sv"):
        result = actions.approve_items(world.user("reviewer"), [item.pk])
    assert result.refused[item.pk].startswith(f"ärende {item.pk} kan inte godkännas")
