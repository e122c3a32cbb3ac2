"""`kuntarobo items approve | reject | retry | abandon`."""

from __future__ import annotations

import pytest

from kuntarobo.audit.models import AuditEvent
from kuntarobo.runtime.models import ItemStatus
from tests.api.helpers import state


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
            str(done.pk): "item is Done, not waiting for review",
            str(foreign.pk): "no such work item",
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
