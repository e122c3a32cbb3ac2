"""The inbox's "approve all without flags" of a class B robot: the random sample to open first,
listed on the page (the same after a reload), counted as opened from the item's own page, and
the bulk approval refused with the number of unopened sample items until then."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.runtime.models import ItemStatus, WorkItem
from tests.factories import WorkItemFactory

PLAIN = reverse("inbox") + "?tab=review&plain=1"


@pytest.fixture
def world(world):
    """The web world's one proposal without flags and five more: a batch of six, of which the
    sample is three (5 % of six is less than the minimum)."""
    for number in range(5):
        WorkItemFactory(
            run=world.run, reference=f"0737546-2:ESIM-1{number:02d}", status=ItemStatus.NEEDS_REVIEW
        )
    return world


def sample_of(page) -> list[int]:
    return [view.item.pk for _, rows in page.context["sample"] for view, _ in rows]


def test_the_inbox_lists_the_random_sample_and_a_reload_shows_the_same_one(world):
    client = world.client_for(Role.REVIEWER)
    page = client.get(PLAIN)
    sample = sample_of(page)
    assert len(sample) == 3
    text = page.content.decode()
    assert "Tarkista ensin satunnaisotos" in text
    for pk in sample:
        assert f'href="{reverse("item_detail", args=[pk])}"' in text
    assert "3 ehdotusta otoksesta on vielä avaamatta" in text
    assert sample_of(client.get(PLAIN)) == sample
    assert AuditEvent.objects.filter(action="review.sample_draw").count() == 1


def test_approving_all_is_refused_with_the_number_of_unopened_items_then_done_after_opening(
    world,
):
    client = world.client_for(Role.REVIEWER)
    page = client.get(PLAIN)
    up_to = page.context["ordinary_up_to"]
    sample = sample_of(page)
    response = client.post(reverse("inbox_approve_ordinary"), {"up_to": up_to}, follow=True)
    text = response.content.decode()
    assert "Mitään ei muutettu" in text
    assert "3/3 otokseen valitusta ehdotuksesta on vielä avaamatta" in text
    assert not WorkItem.objects.filter(pk__in=sample, status=ItemStatus.APPROVED).exists()

    opened = client.get(reverse("item_detail", args=[sample[0]])).content.decode()
    assert "kuuluu satunnaisotokseesi" in opened
    response = client.post(reverse("inbox_approve_ordinary"), {"up_to": up_to}, follow=True)
    assert "2/3 otokseen valitusta ehdotuksesta" in response.content.decode()

    for pk in sample[1:]:
        client.get(reverse("item_detail", args=[pk]))
    assert sample_of(client.get(PLAIN)) == sample
    response = client.post(reverse("inbox_approve_ordinary"), {"up_to": up_to}, follow=True)
    assert WorkItem.objects.filter(pk__in=sample, status=ItemStatus.APPROVED).count() == 3
    assert WorkItem.objects.filter(status=ItemStatus.APPROVED).count() == 6
    events = AuditEvent.objects.filter(action="review.sample_open").order_by("id")
    assert [(int(e.object_id), e.via) for e in events] == [(pk, "web") for pk in sample]


def test_a_swedish_reviewer_reads_the_refusal_in_swedish(world):
    client = world.client_for(Role.REVIEWER)
    client.cookies["django_language"] = "sv"
    up_to = client.get(PLAIN).context["ordinary_up_to"]
    response = client.post(reverse("inbox_approve_ordinary"), {"up_to": up_to}, follow=True)
    assert "3 av de 3 förslagen i stickprovet har ännu inte öppnats" in response.content.decode()
