"""Work items through the API: listing, the detail with personal data, and the review actions."""

from __future__ import annotations

from django_tasks_db.models import DBTaskResult

from kuntarobo.audit.models import AuditEvent
from kuntarobo.runtime.models import ItemStatus, WorkItem
from tests.api.helpers import IDENTITY_CODE, InvoiceItemFactory, client_for, error_of, send
from tests.factories import RunFactory
from tests.runtime.helpers import open_review_sample


def test_items_are_listed_without_personal_data_and_filtered(world):
    client = client_for(world.user("reviewer"))
    everything = client.get("/api/v1/items").json()
    assert everything["count"] == 3
    assert IDENTITY_CODE not in str(everything)
    assert "payload" not in everything["results"][0]
    failed = client.get("/api/v1/items?status=failed_business").json()
    assert [i["id"] for i in failed["results"]] == [world.home.failed.pk]
    another_run = RunFactory(municipality=world.home.municipality)
    newer = InvoiceItemFactory(run=another_run, status=ItemStatus.NEW)
    of_run = client.get(f"/api/v1/items?run={another_run.pk}").json()
    assert [i["id"] for i in of_run["results"]] == [newer.pk]
    waiting = client.get("/api/v1/items?status=needs_review,new&municipality=esimerkkila").json()
    assert {i["id"] for i in waiting["results"]} == {world.home.waiting.pk, newer.pk}
    assert client.get("/api/v1/items?robot=file_archiver").json()["count"] == 0


def test_an_item_shows_personal_data_to_a_reviewer_and_records_the_view(world):
    item = world.home.waiting
    response = client_for(world.user("reviewer")).get(f"/api/v1/items/{item.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["personal_data_shown"] is True
    assert body["payload"]["contact_identity_code"] == IDENTITY_CODE
    assert body["output"]["amount_cents"] == 12500
    view = AuditEvent.objects.get(action="item.view")
    assert (view.object_id, view.via, view.actor) == (str(item.pk), "api", world.user("reviewer"))
    assert IDENTITY_CODE not in str(view.details)


def test_an_item_hides_personal_data_from_a_viewer_and_records_nothing(world):
    before = AuditEvent.objects.count()
    body = client_for(world.user("viewer")).get(f"/api/v1/items/{world.home.failed.pk}").json()
    assert body["personal_data_shown"] is False
    assert not {"payload", "output", "explanation", "error_message"} & set(body)
    assert AuditEvent.objects.count() == before


def test_a_developer_sees_the_error_but_not_the_personal_data(world):
    body = client_for(world.user("developer")).get(f"/api/v1/items/{world.home.failed.pk}").json()
    assert body["error_message"] == "IBAN check digit is wrong"
    assert "payload" not in body


def test_approving_several_items_reports_each_one_done_or_refused(world):
    second = InvoiceItemFactory(run=world.home.run)
    ids = [world.home.waiting.pk, second.pk, world.home.done.pk, world.other.waiting.pk, 999999]
    response = send(
        client_for(world.user("reviewer")), "POST", "/api/v1/items/approve", {"ids": ids}
    )
    assert response.status_code == 200
    assert response.json() == {
        "done": [world.home.waiting.pk, second.pk],
        "refused": {
            str(world.home.done.pk): f"work item {world.home.done.pk} cannot be approved: its "
            "status is “Done” (allowed: “Needs review”)",
            str(world.other.waiting.pk): f"no such work item: {world.other.waiting.pk}",
            "999999": "no such work item: 999999",
        },
    }
    statuses = dict(WorkItem.objects.values_list("pk", "status"))
    assert statuses[second.pk] == ItemStatus.APPROVED
    assert statuses[world.other.waiting.pk] == ItemStatus.NEEDS_REVIEW
    assert DBTaskResult.objects.count() == 2


def test_rejecting_records_the_reason(world):
    item = world.home.waiting
    response = send(
        client_for(world.user("reviewer")),
        "POST",
        "/api/v1/items/reject",
        {"ids": [item.pk], "reason": "  invoice was sent twice "},
    )
    assert response.json() == {"done": [item.pk], "refused": {}}
    item.refresh_from_db()
    assert (item.status, item.review_note) == (ItemStatus.REJECTED, "invoice was sent twice")
    event = AuditEvent.objects.get(action="item.reject")
    assert (event.via, event.details["note"]) == ("api", "invoice was sent twice")


def test_retrying_a_failed_item_puts_it_back_in_the_queue(world):
    item = world.home.failed
    response = send(
        client_for(world.user("administrator")), "POST", "/api/v1/items/retry", {"ids": [item.pk]}
    )
    assert response.json() == {"done": [item.pk], "refused": {}}
    item.refresh_from_db()
    assert (item.status, item.error_message) == (ItemStatus.NEW, "")
    assert DBTaskResult.objects.count() == 1


def test_abandoning_needs_a_reason_and_then_closes_the_item(world):
    client = client_for(world.user("reviewer"))
    item = world.home.waiting
    refused = send(client, "POST", "/api/v1/items/abandon", {"ids": [item.pk], "reason": " "})
    assert refused.status_code == 400
    assert error_of(refused)["field"] == "reason"
    done = send(client, "POST", "/api/v1/items/abandon", {"ids": [item.pk], "reason": "paid"})
    assert done.json() == {"done": [item.pk], "refused": {}}
    item.refresh_from_db()
    assert item.status == ItemStatus.ABANDONED


def test_correcting_an_item_changes_its_output_and_approves_it(world):
    item = world.home.waiting
    response = send(
        client_for(world.user("reviewer")),
        "POST",
        f"/api/v1/items/{item.pk}/correct",
        {"corrections": {"payment_date": "2030-02-01"}, "note": "agreed with supplier"},
    )
    assert response.json() == {"done": [item.pk], "refused": {}}
    item.refresh_from_db()
    assert item.status == ItemStatus.APPROVED
    assert item.output["payment_date"] == "2030-02-01"
    assert item.explanation[-1].startswith("Corrected by reviewer: payment_date")
    assert AuditEvent.objects.get(action="item.correct").via == "api"


def test_correcting_an_item_that_is_not_waiting_is_refused_in_the_result(world):
    response = send(
        client_for(world.user("reviewer")),
        "POST",
        f"/api/v1/items/{world.home.done.pk}/correct",
        {"corrections": {"payment_date": "2030-02-01"}},
    )
    assert response.status_code == 200
    assert response.json()["refused"] == {
        str(world.home.done.pk): f"work item {world.home.done.pk} cannot be corrected: its "
        "status is “Done” (allowed: “Needs review”)"
    }


def test_approving_without_flags_needs_the_last_id_seen_and_a_municipality_one_reviews(world):
    client = client_for(world.user("reviewer"))
    url = "/api/v1/items/approve-unflagged"
    for body in ({}, {"up_to": 0}, {"up_to": "7"}, {"up_to": True}):
        refused = send(client, "POST", url, body)
        assert refused.status_code == 400, body
        assert error_of(refused)["field"] == "up_to"
    other = send(client, "POST", url, {"up_to": 10**6, "municipality": "naapurila"})
    assert other.status_code == 400  # unknown to this caller, as any municipality it cannot see
    assert error_of(other)["field"] == "municipality"
    open_review_sample(world.user("reviewer"), 10**6, robot_slug="invoice_check")
    done = send(client, "POST", url, {"up_to": 10**6, "robot": "invoice_check", "note": "ok"})
    assert done.json() == {"done": [world.home.waiting.pk], "refused": {}}
    world.other.waiting.refresh_from_db()
    assert world.other.waiting.status == ItemStatus.NEEDS_REVIEW


def test_resuming_takes_the_outside_events_data_for_the_robot(world):
    client = client_for(world.user("reviewer"))
    item = InvoiceItemFactory(
        run=world.home.run, status=ItemStatus.WAITING, wait_reason="a call back"
    )
    listed = client.get(f"/api/v1/items/{item.pk}").json()
    assert (listed["actions"], listed["wait_reason"]) == (["abandon", "resume"], "a call back")
    refused = send(client, "POST", "/api/v1/items/resume", {"ids": [item.pk], "payload": [1]})
    assert error_of(refused)["field"] == "payload"
    body = {"ids": [item.pk], "payload": {"answered": {"by": "guardian"}}}
    done = send(client, "POST", "/api/v1/items/resume", body)
    assert done.json() == {"done": [item.pk], "refused": {}}
    item.refresh_from_db()
    assert (item.status, item.resume_payload) == (ItemStatus.NEW, {"answered": {"by": "guardian"}})
    assert DBTaskResult.objects.count() == 1


def test_approving_without_flags_is_refused_until_the_reviewer_has_read_the_random_sample(world):
    client = client_for(world.user("reviewer"))
    url = "/api/v1/items/approve-unflagged"
    more = [InvoiceItemFactory(run=world.home.run) for _ in range(4)]
    refused = send(client, "POST", url, {"up_to": more[-1].pk})
    assert refused.status_code == 400
    error = error_of(refused)
    assert error["field"] == "sample"
    assert "3 of the 3 sample proposals" in error["message"]
    sample = [int(pk) for pk in error["message"].rsplit("(items ", 1)[1].rstrip(")").split(", ")]
    assert len(sample) == 3
    assert ItemStatus.APPROVED not in {i.status for i in WorkItem.objects.all()}
    for number, pk in enumerate(sample, start=1):
        assert client.get(f"/api/v1/items/{pk}").status_code == 200
        again = send(client, "POST", url, {"up_to": more[-1].pk})
        if number < 3:
            assert f"{3 - number} of the 3 sample proposals" in error_of(again)["message"]
    assert sorted(again.json()["done"]) == sorted([world.home.waiting.pk, *(i.pk for i in more)])
    opened = AuditEvent.objects.filter(action="review.sample_open", via="api")
    assert sorted(int(e.object_id) for e in opened) == sorted(sample)
