"""The audit view: scoped, filtered, paginated, exported as a stream, and the export audited."""

from __future__ import annotations

import csv
import datetime
import io
import json

from django.urls import reverse
from django.utils import timezone

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent

AUDIT = reverse("audit")


def shown(response) -> list[AuditEvent]:
    return list(response.context["page"].object_list)


def test_the_audit_view_lists_only_the_users_municipalities_events(world):
    response = world.client_for(Role.ADMINISTRATOR).get(AUDIT)
    events = shown(response)
    assert events
    assert {e.municipality_id for e in events} == {world.esimerkkila.pk}
    assert "Ajo käynnistetty" in response.content.decode()


def test_the_audit_view_filters_by_action_actor_municipality_and_dates(world):
    client = world.client_for(Role.ADMINISTRATOR)
    approvals = shown(client.get(AUDIT, {"action": "item.approve"}))
    assert [e.action for e in approvals] == ["item.approve"]
    by_actor = shown(client.get(AUDIT, {"actor": "coordinator"}))
    assert by_actor
    assert all("coordinator" in e.actor_label.lower() for e in by_actor)
    assert shown(client.get(AUDIT, {"municipality": "esimerkkila"}))
    assert client.get(AUDIT, {"municipality": "naapurila"}).status_code == 400
    today = timezone.localdate()
    assert shown(client.get(AUDIT, {"date_from": today, "date_to": today}))
    tomorrow = today + datetime.timedelta(days=1)
    assert shown(client.get(AUDIT, {"date_from": tomorrow})) == []


def test_the_audit_view_paginates(world):
    from kuntarobo.web.views import audit

    original = audit.EVENTS_PER_PAGE
    audit.EVENTS_PER_PAGE = 2
    try:
        response = world.client_for(Role.ADMINISTRATOR).get(AUDIT, {"page": 2})
    finally:
        audit.EVENTS_PER_PAGE = original
    # Set-up wrote three Esimerkkilä events: configure, run start and one approval.
    assert response.context["page"].paginator.count == 3
    assert response.context["page"].number == 2
    assert len(shown(response)) == 1
    assert "?page=1" in response.content.decode()


def test_the_csv_export_streams_the_filtered_events_and_is_itself_audited(world):
    client = world.client_for(Role.ADMINISTRATOR)
    response = client.get(reverse("audit_export", args=["csv"]), {"action": "item.approve"})
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["action"] for row in rows] == ["item.approve"]
    assert rows[0]["municipality"] == "esimerkkila"
    export = AuditEvent.objects.get(action="audit.export")
    assert export.actor == world.users[Role.ADMINISTRATOR]
    assert export.municipality == world.esimerkkila
    assert export.details == {"format": "csv", "filters": {"action": "item.approve"}}


def test_the_json_lines_export_has_one_event_per_line(world):
    client = world.client_for(Role.ADMINISTRATOR)
    response = client.get(reverse("audit_export", args=["jsonl"]))
    lines = b"".join(response.streaming_content).decode().splitlines()
    events = [json.loads(line) for line in lines]
    assert {e["municipality"] for e in events} == {"esimerkkila"}
    assert "audit.export" in {e["action"] for e in events}
    assert response["Content-Type"] == "application/x-ndjson"


def test_an_unknown_export_format_is_not_found(world):
    client = world.client_for(Role.ADMINISTRATOR)
    assert client.get(reverse("audit_export", args=["xml"])).status_code == 404
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_the_outsiders_export_contains_only_their_own_municipality(world):
    response = world.client_for("outsider").get(reverse("audit_export", args=["jsonl"]))
    events = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    assert events
    assert {e["municipality"] for e in events} == {"naapurila"}
