"""Building blocks shared by the API and CLI tests: two municipalities with runs, items and audit
events, a user for every role, and a count of everything a refused request must leave alone."""

from __future__ import annotations

import datetime
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path

import factory
from django.test import Client

from kuntarobo.accounts.models import Municipality, Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.audit.trail import record
from kuntarobo.demo.data import write_invoice_file
from kuntarobo.runtime.models import ItemStatus, Run, WorkItem
from kuntarobo.runtime.storage_roots import robot_root
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    RunFactory,
    UserFactory,
    WorkItemFactory,
    user_with_role,
)

ROLES = [
    Role.ADMINISTRATOR,
    Role.COORDINATOR,
    Role.REVIEWER,
    Role.DEVELOPER,
    Role.VIEWER,
]
# An identity code in a payload: it must never reach a listing, a log or the audit trail.
IDENTITY_CODE = "131052-308T"
_references = itertools.count(1)


class InvoiceItemFactory(WorkItemFactory):
    """An invoice awaiting review whose payload names a person: what the API must mask."""

    reference = factory.LazyFunction(lambda: f"0737546-2:INV-{next(_references)}")
    title = factory.LazyAttribute(lambda o: f"Kuntatekniikka Ab {o.reference.split(':')[1]}")
    payload = factory.LazyAttribute(
        lambda o: {"invoice_id": o.reference.split(":")[1], "contact_identity_code": IDENTITY_CODE}
    )
    output = factory.LazyFunction(
        lambda: {"payment_date": "2030-01-15", "amount_cents": 12500, "iban": "FI2112345600000785"}
    )
    status = ItemStatus.NEEDS_REVIEW


@dataclass
class Side:
    """One municipality's objects."""

    municipality: Municipality
    run: Run
    waiting: WorkItem
    failed: WorkItem
    done: WorkItem
    event: AuditEvent


@dataclass
class World:
    home: Side
    other: Side
    users: dict[str, object] = field(default_factory=dict)
    inbox: Path | None = None

    def user(self, caller: str):
        return self.users.get(caller)


def _side(slug: str, name: str) -> Side:
    municipality = MunicipalityFactory(slug=slug, name_fi=name)
    run = RunFactory(municipality=municipality)
    waiting = InvoiceItemFactory(run=run)
    failed = InvoiceItemFactory(
        run=run, status=ItemStatus.FAILED_BUSINESS, error_message="IBAN check digit is wrong"
    )
    done = InvoiceItemFactory(run=run, status=ItemStatus.DONE)
    event = record("run.start", actor="test", municipality=municipality, obj=run, via="web")
    return Side(municipality, run, waiting, failed, done, event)


def build_world(tmp_path: Path | None = None) -> World:
    """Esimerkkilä (home) with one user per role; Naapurila (other) with its administrator,
    called "neighbour": the strongest role, so only the municipality boundary stops it."""
    world = World(home=_side("esimerkkila", "Esimerkkilä"), other=_side("naapurila", "Naapurila"))
    for role in ROLES:
        world.users[str(role)] = user_with_role(role, world.home.municipality, username=str(role))
    neighbour = UserFactory(username="neighbour")
    MembershipFactory(
        user=neighbour, municipality=world.other.municipality, role=Role.ADMINISTRATOR
    )
    world.users["neighbour"] = neighbour
    world.users["anonymous"] = None
    if tmp_path is not None:
        world.inbox = robot_root("esimerkkila", "invoice_check") / "inbox"
        write_invoice_file(world.inbox, datetime.date(2030, 1, 2), count=3, seed=7)
    return world


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def send(client: Client, method: str, url: str, body=None, **extra):
    """Send `body` as JSON (unless it is bytes or None) with the given method."""
    if body is None:
        return getattr(client, method.lower())(url, **extra)
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.generic(method, url, data, content_type="application/json", **extra)


def state() -> tuple[int, int, int, list[tuple[int, str]]]:
    """Everything a refused request must leave as it was."""
    return (
        Run.objects.count(),
        WorkItem.objects.count(),
        AuditEvent.objects.count(),
        list(WorkItem.objects.order_by("pk").values_list("pk", "status")),
    )


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "field"}, body
    return body["error"]
