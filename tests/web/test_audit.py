"""The audit view: scoped, filtered, paginated, exported as a stream, and the export audited."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kuntarobo.accounts.audit_visibility import SYSTEM_WIDE
from kuntarobo.accounts.models import Municipality, Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.audit.trail import record
from tests.factories import UserFactory, user_with_role

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


# --- system-wide events (no municipality): superusers only ---------------------------------------


def system_wide_event() -> AuditEvent:
    """Like a superuser adding the national ECEC fee parameters: an event of no municipality."""
    return record(
        "ecec_fees.parameters_add", actor="paakayttaja", details={"valid_from": "2030-08-01"}
    )


def superuser_client(world=None) -> Client:
    """A superuser, administrator of Esimerkkilä when `world` is given, else without roles."""
    if world is None:
        user = UserFactory(username="root", is_superuser=True, is_staff=True)
    else:
        user = user_with_role(
            Role.ADMINISTRATOR, world.esimerkkila, username="root", is_superuser=True
        )
    client = Client()
    client.force_login(user)
    return client


def test_a_superuser_sees_system_wide_events_and_a_municipal_administrator_does_not(world):
    event = system_wide_event()
    response = superuser_client(world).get(AUDIT)
    events = shown(response)
    assert event in events
    assert {e.municipality_id for e in events} == {world.esimerkkila.pk, None}
    assert "Koko järjestelmä" in response.content.decode()
    assert event not in shown(world.client_for(Role.ADMINISTRATOR).get(AUDIT))


def test_the_system_wide_filter_narrows_to_them_and_is_refused_to_others(world):
    event = system_wide_event()
    response = superuser_client(world).get(AUDIT, {"municipality": SYSTEM_WIDE})
    assert response.status_code == 200
    assert shown(response) == [event]
    assert f'<option value="{SYSTEM_WIDE}" selected>' in response.content.decode()
    refused = world.client_for(Role.ADMINISTRATOR).get(AUDIT, {"municipality": SYSTEM_WIDE})
    assert refused.status_code == 400
    assert shown(refused) == []
    assert SYSTEM_WIDE not in str(refused.context["form"]["municipality"])


def test_a_superuser_without_roles_sees_only_the_system_wide_events(world, user_without_roles):
    event = system_wide_event()
    response = superuser_client().get(AUDIT)
    assert response.status_code == 200
    assert shown(response) == [event]
    client = Client()
    client.force_login(user_without_roles)
    assert client.get(AUDIT).status_code == 403
    assert client.get(reverse("audit_export", args=["csv"])).status_code == 403


def test_the_export_includes_system_wide_events_for_a_superuser_and_records_it_without_municipality(
    world,
):
    event = system_wide_event()
    response = superuser_client(world).get(reverse("audit_export", args=["csv"]))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert str(event.pk) in {row["id"] for row in rows}
    assert {row["municipality"] for row in rows} == {"esimerkkila", ""}
    exports = AuditEvent.objects.filter(action="audit.export")
    assert sorted(str(e.municipality) for e in exports) == ["Esimerkkilä", "None"]
    assert {e.actor.username for e in exports} == {"root"}


def test_exporting_only_the_system_wide_events_records_one_export_without_municipality(world):
    system_wide_event()
    response = superuser_client(world).get(
        reverse("audit_export", args=["jsonl"]), {"municipality": SYSTEM_WIDE}
    )
    events = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    assert [e["action"] for e in events] == ["ecec_fees.parameters_add", "audit.export"]
    assert {e["municipality"] for e in events} == {""}
    export = AuditEvent.objects.get(action="audit.export")
    assert export.municipality is None
    assert export.details == {"format": "jsonl", "filters": {"municipality": SYSTEM_WIDE}}


def test_no_municipality_may_take_the_slug_that_stands_for_the_system_wide_events(db):
    municipality = Municipality(slug=SYSTEM_WIDE, name_fi="Järjestelmä")
    with pytest.raises(ValidationError, match="reserved"):
        municipality.full_clean()
