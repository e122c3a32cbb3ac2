"""The audit trail through the API: listing with filters, and the streamed export."""

from __future__ import annotations

import csv
import datetime
import io
import json
from unittest import mock

from django.utils import timezone

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.audit.trail import record
from tests.api.helpers import client_for, error_of
from tests.factories import MembershipFactory, UserFactory, user_with_role

HELSINKI = datetime.timezone(datetime.timedelta(hours=2))


def record_at(moment: datetime.datetime, action: str, municipality) -> AuditEvent:
    with mock.patch("django.utils.timezone.now", return_value=moment):
        return record(action, actor="test", municipality=municipality, via="web")


def test_the_audit_trail_is_listed_newest_first_for_an_administrator(world):
    newer = record("item.approve", actor="test", municipality=world.home.municipality)
    response = client_for(world.user("administrator")).get("/api/v1/audit")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [e["id"] for e in results] == [newer.pk, world.home.event.pk]
    assert results[1]["action"] == "run.start"
    assert results[1]["municipality"] == "esimerkkila"


def test_the_audit_trail_is_filtered_by_action_and_time(world):
    home = world.home.municipality
    old = record_at(datetime.datetime(2029, 12, 31, 23, 30, tzinfo=HELSINKI), "item.view", home)
    on_day = record_at(datetime.datetime(2030, 1, 1, 12, 0, tzinfo=HELSINKI), "item.view", home)
    later = record_at(datetime.datetime(2030, 1, 2, 0, 0, tzinfo=HELSINKI), "item.reject", home)
    client = client_for(world.user("administrator"))

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/audit?{query}")
        assert response.status_code == 200, response.content
        return [e["id"] for e in response.json()["results"]]

    assert ids("action=item.view") == [on_day.pk, old.pk]
    assert ids("action=item.*&since=2030-01-01") == [later.pk, on_day.pk]
    assert ids("since=2030-01-01&until=2030-01-01") == [on_day.pk]
    assert ids("until=2030-01-01T12:00:00%2B02:00&since=2029-12-31") == [old.pk]
    assert ids("municipality=esimerkkila&action=item.reject") == [later.pk]


def test_a_member_without_audit_rights_cannot_filter_by_its_municipality(world):
    admin_elsewhere = world.user("neighbour")
    MembershipFactory(user=admin_elsewhere, municipality=world.home.municipality, role=Role.VIEWER)
    response = client_for(admin_elsewhere).get("/api/v1/audit?municipality=esimerkkila")
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"


def test_the_export_streams_json_lines_and_is_itself_audited(world):
    response = client_for(world.user("administrator")).get("/api/v1/audit/export?format=jsonl")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    assert response.streaming
    rows = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    assert [r["action"] for r in rows] == ["run.start", "audit.export"]
    assert {r["municipality"] for r in rows} == {"esimerkkila"}
    export = AuditEvent.objects.get(action="audit.export")
    assert (export.via, export.actor, export.details["format"]) == (
        "api",
        world.user("administrator"),
        "jsonl",
    )


def test_the_csv_export_has_a_header_and_honours_the_filters(world):
    record("item.approve", actor="test", municipality=world.home.municipality)
    response = client_for(world.user("administrator")).get(
        "/api/v1/audit/export?format=csv&action=item.approve"
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["action"] for r in rows] == ["item.approve"]
    export = AuditEvent.objects.get(action="audit.export")
    assert export.details["filters"] == {"action": "item.approve"}


def test_an_administrator_of_two_municipalities_leaves_an_export_event_in_each(world):
    admin = world.user("administrator")
    MembershipFactory(user=admin, municipality=world.other.municipality, role=Role.ADMINISTRATOR)
    response = client_for(admin).get("/api/v1/audit/export")
    text = b"".join(response.streaming_content).decode()
    assert ",esimerkkila," in text
    assert ",naapurila," in text
    exported = AuditEvent.objects.filter(action="audit.export").order_by("municipality__slug")
    assert [e.municipality.slug for e in exported] == ["esimerkkila", "naapurila"]
    assert timezone.now() - exported[0].at < datetime.timedelta(minutes=1)


# --- system-wide events (no municipality): superusers only ---------------------------------------


def system_wide_event() -> AuditEvent:
    """Like a superuser adding the national ECEC fee parameters: an event of no municipality."""
    return record("ecec_fees.parameters_add", actor="paakayttaja", via="cli")


def superuser(world=None):
    """A superuser, administrator of Esimerkkilä when `world` is given, else without roles."""
    if world is None:
        return UserFactory(username="root", is_superuser=True, is_staff=True)
    return user_with_role(
        Role.ADMINISTRATOR, world.home.municipality, username="root", is_superuser=True
    )


def listed(client, query: str = "") -> list[dict]:
    response = client.get(f"/api/v1/audit?{query}")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_a_superuser_sees_system_wide_events_in_the_api_and_an_administrator_does_not(world):
    event = system_wide_event()
    results = listed(client_for(superuser(world)))
    assert event.pk in {e["id"] for e in results}
    assert {e["municipality"] for e in results} == {"esimerkkila", None}
    assert event.pk not in {e["id"] for e in listed(client_for(world.user("administrator")))}


def test_the_system_wide_filter_in_the_api_narrows_to_them_for_superusers_only(world):
    event = system_wide_event()
    assert [e["id"] for e in listed(client_for(superuser(world)), "municipality=system")] == [
        event.pk
    ]
    response = client_for(world.user("administrator")).get("/api/v1/audit?municipality=system")
    assert response.status_code == 400
    assert error_of(response)["field"] == "municipality"


def test_a_superuser_without_roles_gets_only_the_system_wide_events_from_the_api(world):
    event = system_wide_event()
    assert [e["id"] for e in listed(client_for(superuser()))] == [event.pk]
    nobody = UserFactory(username="nobody")
    for url in ("/api/v1/audit", "/api/v1/audit/export"):
        response = client_for(nobody).get(url)
        assert response.status_code == 403
        assert error_of(response)["code"] == "permission_denied"


def test_the_api_export_includes_system_wide_events_and_records_it_without_municipality(world):
    event = system_wide_event()
    client = client_for(superuser(world))
    response = client.get("/api/v1/audit/export?format=jsonl")
    rows = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    assert event.pk in {r["id"] for r in rows}
    assert {r["municipality"] for r in rows} == {"esimerkkila", ""}
    exports = AuditEvent.objects.filter(action="audit.export", via="api")
    assert sorted(str(e.municipality) for e in exports) == ["Esimerkkilä", "None"]

    response = client.get("/api/v1/audit/export?municipality=system")
    text = b"".join(response.streaming_content).decode()
    assert ",esimerkkila," not in text
    assert "ecec_fees.parameters_add" in text
    latest = AuditEvent.objects.filter(action="audit.export").latest("id")
    assert latest.municipality is None
    assert latest.details["filters"] == {"municipality": "system"}
