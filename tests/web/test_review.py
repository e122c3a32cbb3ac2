"""The review inbox: what it lists, how flagged items stand out, and every review action."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape
from stdnum import iban

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.core.localized import pick
from kuntarobo.runtime import actions
from kuntarobo.runtime.models import ItemStatus, WorkItem
from tests.runtime.helpers import open_review_sample

INBOX = reverse("inbox")


def test_the_inbox_lists_items_waiting_for_review_with_proposal_explanation_and_flags(world):
    response = world.client_for(Role.REVIEWER).get(INBOX)
    listed = [entry.item.pk for entry in response.context["entries"]]
    waiting = WorkItem.objects.filter(
        municipality=world.esimerkkila, status=ItemStatus.NEEDS_REVIEW
    )
    assert sorted(listed) == sorted(waiting.values_list("pk", flat=True))
    text = response.content.decode()
    assert pick(world.attention_item.explanation[0], "fi") in text
    assert "tilausnumero puuttuu" in text
    assert iban.format(world.attention_item.output["iban"]) in text
    assert response.context["counts"] == {"review": 3, "failed": 1, "waiting": 0}


def test_showing_personal_data_in_the_inbox_is_audited_once_per_page_with_the_items_shown(world):
    reviewer = world.client_for(Role.REVIEWER)
    response = reviewer.get(INBOX)
    shown = sorted(entry.item.pk for entry in response.context["entries"])
    (event,) = AuditEvent.objects.filter(action="items.view")
    assert sorted(event.details["items"]) == shown
    assert event.municipality == world.esimerkkila
    assert event.via == "web"


def test_items_with_attention_flags_are_marked_visibly_and_in_words(world):
    text = world.client_for(Role.REVIEWER).get(INBOX).content.decode()
    card = text.split(f'id="item-{world.attention_item.pk}-title"')[0].rsplit("<article", 1)[1]
    assert "has-attention" in card
    plain = text.split(f'id="item-{world.review_item.pk}-title"')[0].rsplit("<article", 1)[1]
    assert "has-attention" not in plain
    assert "huomioitavaa" in text


def test_the_failed_tab_lists_items_waiting_for_a_person_with_retry_and_abandon(world):
    response = world.client_for(Role.REVIEWER).get(INBOX, {"tab": "failed"})
    assert [e.item.pk for e in response.context["entries"]] == [world.failed_item.pk]
    text = response.content.decode()
    assert escape(pick(world.failed_item.error_message, "fi")) in text
    assert reverse("item_retry", args=[world.failed_item.pk]) in text
    assert reverse("item_abandon", args=[world.failed_item.pk]) in text
    assert reverse("item_approve", args=[world.failed_item.pk]) not in text


def test_bulk_approval_approves_the_ticked_items_only_and_says_how_many(world):
    client = world.client_for(Role.REVIEWER)
    chosen = [world.review_item.pk, world.attention_item.pk]
    response = client.post(reverse("inbox_approve"), {"items": chosen}, follow=True)
    assert "2 tehtävää hyväksytty." in response.content.decode()
    statuses = dict(WorkItem.objects.filter(run=world.run).values_list("pk", "status"))
    assert statuses[world.review_item.pk] == ItemStatus.APPROVED
    assert statuses[world.attention_item.pk] == ItemStatus.APPROVED
    others = [pk for pk, s in statuses.items() if pk not in chosen and s == ItemStatus.NEEDS_REVIEW]
    assert len(others) == 1
    approvals = AuditEvent.objects.filter(action="item.approve", via="web")
    assert approvals.filter(actor=world.users[Role.REVIEWER]).count() == 3  # 1 in set-up


def test_bulk_approval_with_nothing_ticked_says_so(world):
    response = world.client_for(Role.REVIEWER).post(reverse("inbox_approve"), {}, follow=True)
    assert "Valitse vähintään yksi hyväksyttävä tehtävä." in response.content.decode()


def test_approving_an_item_no_longer_waiting_is_refused_with_a_warning(world):
    client = world.client_for(Role.REVIEWER)
    response = client.post(reverse("inbox_approve"), {"items": [world.done_item.pk]}, follow=True)
    text = response.content.decode()
    assert "1 tehtävä jäi muuttamatta" in text
    world.done_item.refresh_from_db()
    assert world.done_item.status == ItemStatus.DONE


def test_bulk_approval_never_touches_another_municipalitys_item_nor_names_it(world):
    client = world.client_for(Role.REVIEWER)
    response = client.post(
        reverse("inbox_approve"), {"items": [world.neighbour_item.pk]}, follow=True
    )
    world.neighbour_item.refresh_from_db()
    assert world.neighbour_item.status == ItemStatus.NEEDS_REVIEW
    assert world.neighbour_item.reference not in response.content.decode()


def test_a_single_approval_returns_to_the_page_it_came_from(world):
    client = world.client_for(Role.REVIEWER)
    back = f"{INBOX}?tab=review&page=1"
    response = client.post(reverse("item_approve", args=[world.review_item.pk]), {"next": back})
    assert response["Location"] == back
    outside = client.post(
        reverse("item_approve", args=[world.attention_item.pk]), {"next": "https://evil.example/"}
    )
    assert outside["Location"] == INBOX


def test_rejecting_with_a_reason_rejects_and_records_the_reason(world):
    client = world.client_for(Role.REVIEWER)
    response = client.post(
        reverse("item_reject", args=[world.review_item.pk]), {"reason": "not our invoice"}
    )
    assert response.status_code == 302
    item = WorkItem.objects.get(pk=world.review_item.pk)
    assert (item.status, item.review_note) == (ItemStatus.REJECTED, "not our invoice")
    event = AuditEvent.objects.get(action="item.reject")
    assert event.details["note"] == "not our invoice"


def test_retry_sends_a_failed_item_back_to_the_robot(world):
    client = world.client_for(Role.ADMINISTRATOR)
    response = client.post(reverse("item_retry", args=[world.failed_item.pk]), follow=True)
    assert "palautettiin robotille" in response.content.decode()
    world.failed_item.refresh_from_db()
    assert world.failed_item.status == ItemStatus.NEW


def test_abandoning_with_a_reason_removes_the_item_from_processing(world):
    client = world.client_for(Role.REVIEWER)
    client.post(reverse("item_abandon", args=[world.failed_item.pk]), {"reason": "paid by hand"})
    world.failed_item.refresh_from_db()
    assert world.failed_item.status == ItemStatus.ABANDONED


def test_the_item_page_offers_the_review_actions_to_a_reviewer_only(world):
    url = reverse("item_detail", args=[world.review_item.pk])
    approve = reverse("item_approve", args=[world.review_item.pk])
    assert approve in world.client_for(Role.REVIEWER).get(url).content.decode()
    assert approve not in world.client_for(Role.COORDINATOR).get(url).content.decode()


def test_the_inbox_form_controls_have_unique_ids_and_labels(world):
    import re

    text = world.client_for(Role.REVIEWER).get(INBOX).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', text)
    assert len(ids) == len(set(ids))
    for control in re.findall(r'<(?:input|textarea|select)[^>]*\sid="([^"]+)"', text):
        assert f'for="{control}"' in text, control


def test_all_proposals_without_flags_are_approved_in_one_go_and_flagged_ones_are_left(world):
    client = world.client_for(Role.REVIEWER)
    page = client.get(INBOX, {"tab": "review", "plain": "1"})
    listed = {entry.item.pk for entry in page.context["entries"]}
    assert world.attention_item.pk not in listed
    assert world.review_item.pk in listed
    up_to = page.context["ordinary_up_to"]
    open_review_sample(world.users[Role.REVIEWER], up_to)
    response = client.post(reverse("inbox_approve_ordinary"), {"up_to": up_to})
    assert response.status_code == 302
    world.review_item.refresh_from_db()
    world.attention_item.refresh_from_db()
    assert world.review_item.status == ItemStatus.APPROVED
    assert world.attention_item.status == ItemStatus.NEEDS_REVIEW
    approved = WorkItem.objects.filter(status=ItemStatus.APPROVED).count()
    assert approved == len(listed)


def test_proposals_that_arrived_after_the_page_was_shown_are_not_approved_unseen(world):
    client = world.client_for(Role.REVIEWER)
    newer = WorkItem.objects.filter(attention=[], status=ItemStatus.NEEDS_REVIEW).order_by("pk")
    first, last = newer.first(), newer.last()
    assert first.pk != last.pk
    open_review_sample(world.users[Role.REVIEWER], first.pk)
    client.post(reverse("inbox_approve_ordinary"), {"up_to": first.pk})
    first.refresh_from_db()
    last.refresh_from_db()
    assert first.status == ItemStatus.APPROVED
    assert last.status == ItemStatus.NEEDS_REVIEW


def test_a_waiting_item_is_listed_under_its_own_tab_and_can_be_resumed_now(world):
    item = WorkItem.objects.create(
        run=world.run,
        municipality=world.esimerkkila,
        robot_slug="invoice_check",
        reference="0737546-2:ESIM-WAIT",
        status=ItemStatus.WAITING,
        wait_reason="the supplier's corrected invoice",
    )
    client = world.client_for(Role.REVIEWER)
    response = client.get(INBOX + "?tab=waiting")
    assert [entry.item.pk for entry in response.context["entries"]] == [item.pk]
    assert response.context["counts"]["waiting"] == 1
    text = response.content.decode()
    assert "Odottaa ulkoista tapahtumaa" in text  # the tab, in the user's language
    assert reverse("item_resume", args=[item.pk]) in text
    assert reverse("item_approve", args=[item.pk]) not in text
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert "the supplier&#x27;s corrected invoice" in page
    client.post(reverse("item_resume", args=[item.pk]))
    item.refresh_from_db()
    assert (item.status, item.attempts) == (ItemStatus.NEW, 0)
    assert AuditEvent.objects.get(action="item.resume").actor == world.users[Role.REVIEWER]


def test_approving_all_without_flags_leaves_flagged_and_newer_proposals(world):
    client = world.client_for(Role.REVIEWER)
    up_to = world.review_item.pk
    newer = WorkItem.objects.create(
        run=world.run,
        municipality=world.esimerkkila,
        robot_slug="invoice_check",
        reference="0737546-2:ESIM-NEW",
        status=ItemStatus.NEEDS_REVIEW,
    )
    open_review_sample(world.users[Role.REVIEWER], up_to)
    client.post(reverse("inbox_approve_ordinary"), {"up_to": up_to})
    for item in (world.review_item, world.attention_item, newer):
        item.refresh_from_db()
    assert world.review_item.status == ItemStatus.APPROVED
    assert world.attention_item.status == ItemStatus.NEEDS_REVIEW  # flagged
    assert newer.status == ItemStatus.NEEDS_REVIEW  # arrived after the page was shown
    assert AuditEvent.objects.filter(action="items.approve_unflagged", via="web").count() == 1


def test_the_inbox_never_says_nothing_waits_while_its_count_says_some(world):
    """The navigation's count, the tab's and the list are one query (`review_queue`); the
    "without flags" view with only flagged proposals says so instead of "nothing waits"."""
    client = world.client_for(Role.REVIEWER)
    actions.approve_items(world.users[Role.REVIEWER], [world.review_item.pk])
    page = client.get(reverse("inbox")).content.decode()
    nav = page.split('class="main-nav"')[1].split("</nav>")[0]
    waiting = WorkItem.objects.filter(
        run__municipality=world.esimerkkila, status=ItemStatus.NEEDS_REVIEW
    ).count()
    assert waiting > 0
    assert f'<span class="count">{waiting}<span class="visually-hidden">' in nav
    assert f'aria-current="page">Odottaa tarkastusta <span class="count">{waiting}</span>' in page
    plain = client.get(reverse("inbox"), {"tab": "review", "plain": "1"}).content.decode()
    assert "Nothing is waiting" not in plain
    assert "Mikään ei odota" not in plain
    assert "merkitsemättömiä ei ole" in plain
