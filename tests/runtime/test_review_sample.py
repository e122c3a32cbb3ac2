"""Meaningful review (GDPR art. 22): approving all proposals without flags of a class B robot
needs the reviewer to have opened a random sample of the batch first; the sample is random,
drawn once and kept, and both its drawing and every opening are in the audit trail."""

from __future__ import annotations

import pytest

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.core.review_sample import sample_size
from kuntarobo.runtime import actions
from kuntarobo.runtime.declarations import InputError
from kuntarobo.runtime.models import ItemStatus, ReviewSample, WorkItem
from tests.factories import MunicipalityFactory, RunFactory, WorkItemFactory, user_with_role


@pytest.fixture
def batch(db):
    municipality = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")
    run = RunFactory(municipality=municipality)  # invoice_check: class B
    items = [WorkItemFactory(run=run, status=ItemStatus.NEEDS_REVIEW) for _ in range(60)]
    flagged = WorkItemFactory(run=run, status=ItemStatus.NEEDS_REVIEW, attention=["IBAN"])
    reviewer = user_with_role(Role.REVIEWER, municipality, username="tarkastaja")
    return municipality, items, flagged, reviewer


def test_the_sample_is_a_percentage_of_the_batch_rounded_up_with_a_minimum():
    assert sample_size(200, 5, 3) == 10
    assert sample_size(201, 5, 3) == 11
    assert sample_size(20, 5, 3) == 3
    assert sample_size(2, 5, 3) == 2
    assert sample_size(0, 5, 3) == 0


def test_approving_all_is_refused_naming_the_unopened_sample_items_and_changes_nothing(batch):
    _, items, _, reviewer = batch
    up_to = items[-1].pk
    with pytest.raises(InputError) as refused:
        actions.approve_unflagged(reviewer, up_to=up_to, via="api")
    (group,) = actions.unflagged_sample(reviewer, up_to=up_to)
    assert len(group.items) == 3  # 5 % of 60 = 3
    text = str(refused.value)
    assert "3 of the 3 sample proposals" in text
    assert "still unopened" in text
    for item in group.items:
        assert str(item.pk) in text
    assert refused.value.field == "sample"
    assert not WorkItem.objects.filter(status=ItemStatus.APPROVED).exists()
    assert not AuditEvent.objects.filter(action="items.approve_unflagged").exists()


def test_the_refusal_counts_down_as_sample_items_are_opened(batch, settings):
    settings.KUNTAROBO_REVIEW_SAMPLE_PERCENT = 10
    _, items, _, reviewer = batch
    (group,) = actions.unflagged_sample(reviewer, up_to=items[-1].pk)
    assert len(group.items) == 6
    for item in group.items[:4]:
        assert actions.record_sample_opening(reviewer, item, via="web") is True
    with pytest.raises(InputError, match="2 of the 6 sample proposals"):
        actions.approve_unflagged(reviewer, up_to=items[-1].pk)


def test_after_opening_the_whole_sample_all_proposals_without_flags_are_approved(batch):
    _, items, flagged, reviewer = batch
    for group in actions.unflagged_sample(reviewer, up_to=flagged.pk):
        for item in group.items:
            actions.record_sample_opening(reviewer, item, via="web")
    result = actions.approve_unflagged(reviewer, up_to=flagged.pk, via="web")
    assert sorted(result.done) == sorted(item.pk for item in items)
    flagged.refresh_from_db()
    assert flagged.status == ItemStatus.NEEDS_REVIEW
    assert AuditEvent.objects.filter(action="items.approve_unflagged").count() == 1


def test_drawing_and_every_opening_are_in_the_audit_trail(batch):
    municipality, items, _, reviewer = batch
    (group,) = actions.unflagged_sample(reviewer, up_to=items[-1].pk, via="web")
    drawn = AuditEvent.objects.get(action="review.sample_draw")
    assert (drawn.actor, drawn.municipality, drawn.via) == (reviewer, municipality, "web")
    assert drawn.details == {
        "robot": "invoice_check",
        "batch": 60,
        "size": 3,
        "items": [item.pk for item in group.items],
    }
    first = group.items[0]
    actions.record_sample_opening(reviewer, first, via="api")
    actions.record_sample_opening(reviewer, first, via="web")  # once is enough: no second event
    opened = AuditEvent.objects.get(action="review.sample_open")
    assert (opened.actor, opened.object_id, opened.via) == (reviewer, str(first.pk), "api")
    outside = next(item for item in items if item not in group.items)
    assert actions.record_sample_opening(reviewer, outside, via="web") is False
    assert AuditEvent.objects.filter(action="review.sample_open").count() == 1


def test_the_sample_is_random_but_stays_the_same_when_asked_again(batch, settings):
    settings.KUNTAROBO_REVIEW_SAMPLE_PERCENT = 10
    municipality, items, _, reviewer = batch
    up_to = items[-1].pk
    first = [item.pk for item in actions.unflagged_sample(reviewer, up_to=up_to)[0].items]
    again = [item.pk for item in actions.unflagged_sample(reviewer, up_to=up_to)[0].items]
    assert first == again
    assert ReviewSample.objects.filter(reviewer=reviewer).count() == 6
    assert AuditEvent.objects.filter(action="review.sample_draw").count() == 1
    # Random: other reviewers of the same batch get other samples (C(60, 6) = 50 million
    # possible samples; five reviewers all drawing the first one's is not going to happen),
    # and not simply the first items.
    others = []
    for number in range(5):
        other = user_with_role(Role.REVIEWER, municipality, username=f"toinen{number}")
        others.append([item.pk for item in actions.unflagged_sample(other, up_to=up_to)[0].items])
    assert any(sample != first for sample in others)
    assert len({tuple(sample) for sample in [first, *others]}) > 1
    assert [first, *others] != [[item.pk for item in items[:6]]] * 6


def test_a_grown_batch_keeps_the_drawn_sample_and_draws_only_what_is_missing(batch, settings):
    _, items, _, reviewer = batch
    run = items[0].run
    (before,) = actions.unflagged_sample(reviewer, up_to=items[-1].pk)
    more = [WorkItemFactory(run=run, status=ItemStatus.NEEDS_REVIEW) for _ in range(40)]
    (after,) = actions.unflagged_sample(reviewer, up_to=more[-1].pk)
    assert after.batch == 100
    assert len(after.items) == 5  # 5 % of 100
    assert {item.pk for item in before.items} <= {item.pk for item in after.items}


def test_a_class_a_robots_proposals_need_no_sample(db):
    municipality = MunicipalityFactory(slug="esimerkkila")
    run = RunFactory(municipality=municipality, robot_slug="hr_reports")  # class A
    item = WorkItemFactory(run=run, status=ItemStatus.NEEDS_REVIEW)
    reviewer = user_with_role(Role.REVIEWER, municipality)
    assert actions.unflagged_sample(reviewer, up_to=item.pk) == []
    assert actions.approve_unflagged(reviewer, up_to=item.pk).done == [item.pk]


def test_another_reviewers_opening_does_not_count_for_mine(batch):
    municipality, items, _, reviewer = batch
    colleague = user_with_role(Role.REVIEWER, municipality, username="kollega")
    (mine,) = actions.unflagged_sample(reviewer, up_to=items[-1].pk)
    for item in mine.items:
        actions.record_sample_opening(colleague, item, via="web")
    with pytest.raises(InputError, match="3 of the 3"):
        actions.approve_unflagged(reviewer, up_to=items[-1].pk)
