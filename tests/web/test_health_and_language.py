"""/health for monitoring, and the language switch."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from kuntarobo.accounts.models import Role
from kuntarobo.runtime import execution
from kuntarobo.runtime.models import WorkerProcess


def test_health_counts_live_workers_and_ready_tasks_without_login(world, client, settings):
    settings.KUNTAROBO_WORKER_STALE_SECONDS = 30
    execution.register_worker("alive")
    execution.register_worker("silent")
    execution.register_worker("inline:cli-host-1-abcd")  # a command line: takes no tasks
    WorkerProcess.objects.filter(worker_id="silent").update(
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    response = client.get(reverse("health"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["workers"] == 1
    # The set-up approved one item and delivered it by hand: its task stays ready, like the
    # process tasks of the items that were processed without the queue.
    assert body["queued"] >= 1
    assert set(body) == {"status", "database", "workers", "queued"}
    assert "no-cache" in response["Cache-Control"]


def test_health_answers_503_when_the_database_fails(db, client, monkeypatch):
    from kuntarobo.web.views import health

    class BrokenConnection:
        def cursor(self):
            raise DatabaseError("connection refused")

    monkeypatch.setattr(health, "connection", BrokenConnection())
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["database"] == "error"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("sv", ("Att granska", "Startsida", "Händelselogg", "Senaste körningar")),
        ("en", ("To review", "Dashboard", "Audit trail", "Recent runs")),
        ("fi", ("Tarkastettavat", "Etusivu", "Tapahtumaloki", "Viimeisimmät ajot")),
    ],
)
def test_switching_the_language_renders_the_pages_in_it(world, language, expected):
    client = world.client_for(Role.ADMINISTRATOR)
    response = client.post(
        reverse("set_language"), {"language": language, "next": reverse("dashboard")}
    )
    assert response.status_code == 302
    page = client.get(reverse("dashboard")).content.decode()
    assert f'<html lang="{language}">' in page
    for text in expected:
        assert text in page
    assert 'aria-pressed="true">' in page


def test_swedish_pages_use_the_swedish_municipality_name_and_robot_name(world):
    client = world.client_for(Role.REVIEWER)
    client.post(reverse("set_language"), {"language": "sv"})
    inbox = client.get(reverse("inbox")).content.decode()
    assert "Exempelby" in inbox
    assert "Granskning av inköpsfakturor" in inbox
    assert "Godkänn valda" in inbox
    assert "Avslå" in inbox
    robot = client.get(reverse("robot_detail", args=["invoice_check"])).content.decode()
    assert "Processbeskrivning" in robot
    assert "Läs fakturafilen" in robot


def test_the_login_page_offers_the_language_switch_before_logging_in(client, db):
    page = client.get(reverse("login")).content.decode()
    assert reverse("set_language") in page
    for name in ("Suomi", "Svenska", "English"):
        assert name in page


def test_the_language_switch_after_a_refused_start_returns_to_the_robot_page(world):
    client = world.client_for(Role.COORDINATOR)
    response = client.post(
        reverse("robot_start", args=["invoice_check"]),
        {"municipality": "esimerkkila", "param_approval_limit": "lots"},
    )
    assert response.status_code == 400
    robot_page = reverse("robot_detail", args=["invoice_check"])
    assert f'name="next" type="hidden" value="{robot_page}"' in response.content.decode()
