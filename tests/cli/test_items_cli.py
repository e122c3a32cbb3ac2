"""`kuntarobo items approve | reject | retry | abandon | resume | approve-unflagged`."""

from __future__ import annotations

import pytest

from kuntarobo.audit.models import AuditEvent
from kuntarobo.runtime.models import ItemStatus
from tests.api.helpers import InvoiceItemFactory, state
from tests.runtime.helpers import open_review_sample


def test_approving_prints_what_was_done_and_what_was_refused(cli, world):
    waiting, done, foreign = world.home.waiting, world.home.done, world.other.waiting
    result = cli(
        "items",
        "approve",
        "--user",
        "reviewer",
        "--note",
        "ok",
        str(waiting.pk),
        str(done.pk),
        str(foreign.pk),
    )
    assert result.code == 0, result.err
    assert result.json() == {
        "done": [waiting.pk],
        "refused": {
            str(done.pk): f"work item {done.pk} cannot be approved: its status is “Done” "
            "(allowed: “Needs review”)",
            str(foreign.pk): f"no such work item: {foreign.pk}",
        },
    }
    waiting.refresh_from_db()
    foreign.refresh_from_db()
    assert (waiting.status, waiting.review_note) == (ItemStatus.APPROVED, "ok")
    assert foreign.status == ItemStatus.NEEDS_REVIEW
    event = AuditEvent.objects.get(action="item.approve")
    assert (event.via, event.actor) == ("cli", world.user("reviewer"))


@pytest.mark.parametrize(
    ("verb", "item", "status"),
    [
        ("reject", "waiting", ItemStatus.REJECTED),
        ("abandon", "waiting", ItemStatus.ABANDONED),
        ("retry", "failed", ItemStatus.NEW),
    ],
)
def test_each_review_verb_changes_the_item_and_is_audited(cli, world, verb, item, status):
    target = getattr(world.home, item)
    result = cli("items", verb, "--user=administrator", "--reason=source fixed", str(target.pk))
    assert result.json() == {"done": [target.pk], "refused": {}}
    target.refresh_from_db()
    assert target.status == status
    assert AuditEvent.objects.get(action=f"item.{verb}").via == "cli"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["reject", "--user=reviewer", "ID"], "a rejection needs a reason"),
        (["abandon", "--user=reviewer", "--reason= ", "ID"], "abandoning needs a reason"),
        (["approve", "--user=reviewer", "abc"], "'abc' is not a work item id"),
        (["approve", "--user=reviewer", "0"], "'0' is not a work item id"),
        (["approve", "--user=reviewer"], "ID"),
        (["approve", "ID"], "--user"),
        (["approve", "--user=nobody", "ID"], "unknown user 'nobody'"),
        (["approve", "--user=coordinator", "ID"], "may not review work items"),
        (["approve", "--user=viewer", "ID"], "may not review work items"),
        (["publish", "--user=reviewer", "ID"], "invalid choice"),
    ],
)
def test_bad_input_exits_with_2_and_changes_nothing(cli, world, argv, message):
    argv = [str(world.home.waiting.pk) if a == "ID" else a for a in argv]
    before = state()
    result = cli("items", *argv)
    assert result.code == 2
    assert message in result.err
    assert state() == before


def test_approving_unflagged_proposals_stops_at_the_id_given_and_skips_flagged_ones(cli, world):
    home = world.home
    flagged = InvoiceItemFactory(run=home.run, attention=["the IBAN changed"])
    later = InvoiceItemFactory(run=home.run)
    open_review_sample(world.user("reviewer"), flagged.pk)
    result = cli("items", "approve-unflagged", "--user=reviewer", f"--up-to={flagged.pk}")
    assert result.code == 0, result.err
    assert result.json() == {"done": [home.waiting.pk], "refused": {}}
    chosen = (home.waiting, flagged, later, world.other.waiting)
    for item in chosen:
        item.refresh_from_db()
    assert [item.status for item in chosen] == [
        ItemStatus.APPROVED,
        ItemStatus.NEEDS_REVIEW,
        ItemStatus.NEEDS_REVIEW,
        ItemStatus.NEEDS_REVIEW,
    ]
    summary = AuditEvent.objects.get(action="items.approve_unflagged")
    assert (summary.via, summary.details["items"], summary.details["up_to"]) == (
        "cli",
        1,
        flagged.pk,
    )


def test_approving_unflagged_proposals_in_a_municipality_the_user_does_not_review_is_refused(
    cli, world
):
    before = state()
    result = cli(
        "items",
        "approve-unflagged",
        "--user=reviewer",
        "--municipality=naapurila",
        f"--up-to={world.other.waiting.pk}",
    )
    assert result.code == 2
    assert "may not review in naapurila" in result.err
    assert state() == before


def test_resuming_a_waiting_item_hands_the_payload_to_the_robot_and_keeps_its_attempts(cli, world):
    waiting = InvoiceItemFactory(
        run=world.home.run, status=ItemStatus.WAITING, attempts=1, wait_reason="a reply"
    )
    result = cli(
        "items", "resume", "--user=reviewer", '--payload={"answer": "yes"}', str(waiting.pk)
    )
    assert result.json() == {"done": [waiting.pk], "refused": {}}
    waiting.refresh_from_db()
    assert (waiting.status, waiting.resume_payload, waiting.attempts) == (
        ItemStatus.NEW,
        {"answer": "yes"},
        1,
    )
    assert AuditEvent.objects.get(action="item.resume").via == "cli"


def test_resuming_an_item_that_does_not_wait_is_refused_naming_its_status(cli, world):
    result = cli("items", "resume", "--user=reviewer", str(world.home.waiting.pk))
    assert result.json() == {
        "done": [],
        "refused": {
            str(world.home.waiting.pk): f"work item {world.home.waiting.pk} cannot be resumed: "
            "its status is “Needs review” (allowed: “Waiting”)"
        },
    }


def test_a_payload_that_is_not_a_json_object_is_refused(cli, world):
    result = cli("items", "resume", "--user=reviewer", "--payload=[1]", str(world.home.waiting.pk))
    assert result.code == 2
    assert "--payload must be a JSON object" in result.err


def test_approving_unflagged_proposals_is_refused_until_items_show_opened_the_sample(cli, world):
    home = world.home
    more = [InvoiceItemFactory(run=home.run) for _ in range(4)]
    before = state()
    refused = cli("items", "approve-unflagged", "--user=reviewer", f"--up-to={more[-1].pk}")
    assert refused.code == 2
    assert "3 of the 3 sample proposals" in refused.err
    assert "still unopened" in refused.err
    sample = refused.err.rsplit("(items ", 1)[1].split(")")[0].split(", ")
    assert state()[3] == before[3]  # no item changed (the drawing is audited)
    shown = cli("items", "show", "--user=reviewer", *sample)
    assert shown.code == 0, shown.err
    assert [(str(item["id"]), item["sample_opened"]) for item in shown.json()] == [
        (pk, True) for pk in sample
    ]
    done = cli("items", "approve-unflagged", "--user=reviewer", f"--up-to={more[-1].pk}")
    assert done.code == 0, done.err
    assert sorted(done.json()["done"]) == sorted([home.waiting.pk, *(i.pk for i in more)])
    assert AuditEvent.objects.filter(action="review.sample_open", via="cli").count() == 3


def test_showing_an_item_the_user_may_not_review_is_refused(cli, world):
    result = cli("items", "show", "--user=reviewer", str(world.other.waiting.pk))
    assert result.code == 2
    assert "may review" in result.err
