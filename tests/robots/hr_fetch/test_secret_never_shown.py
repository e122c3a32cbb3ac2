"""A credential's secret never shows, wherever a person or a log could read it: the robots really
use it (the practice system lets the HR fetch robot in; the Robot Framework suite checks it),
then everything the platform kept or answers is searched for it — the process's logs, the runs'
logs, the items' errors and outputs, the failure's page and screenshot and the image's alt text
on the item's page, the suite's log.html and output.xml, the audit trail, the API's answers and
error pages (also one that a request quoting the secret provoked)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from kuntarobo.audit.models import AuditEvent
from kuntarobo.core.localized import pick
from kuntarobo.runtime import actions
from kuntarobo.runtime.declarations import _REGISTRY
from kuntarobo.runtime.models import (
    ItemDocument,
    ItemStatus,
    RobotDeployment,
    RunLogEntry,
    WorkItem,
)
from kuntarobo.sdk.browser import close_browser
from kuntarobo.vault.actions import store_credential
from kuntarobo.vault.models import Asset
from tests.robots.hr_fetch.conftest import PASSWORD
from tests.robots.hr_fetch.test_robot import month_with_data
from tests.vault.conftest import SECRET as SUITE_SECRET
from tests.vault.robots import VaultSuiteRobot

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SECRETS = (PASSWORD, SUITE_SECRET)


@pytest.fixture
def suite_robot() -> Iterator[None]:
    _REGISTRY[VaultSuiteRobot.slug] = VaultSuiteRobot
    yield
    del _REGISTRY[VaultSuiteRobot.slug]


def assert_hidden(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, where


def work() -> None:
    call_command("worker", batch=True, interval=0, verbosity=0)


def test_a_credentials_secret_appears_in_no_log_document_page_audit_event_or_api_answer(
    practice,
    municipality,
    coordinator,
    administrator,
    fetch_settings,
    suite_robot,
    caplog,
    settings,
):
    caplog.set_level(logging.DEBUG)
    settings.KUNTAROBO_RETRY_BASE_SECONDS = 600  # one attempt each: the retries wait
    store_credential(administrator, municipality, "talous", "robo", SUITE_SECRET)
    RobotDeployment.objects.create(municipality=municipality, robot_slug=VaultSuiteRobot.slug)
    # A changed screen after the login: an application exception that keeps the page.
    practice.options.renamed_field = True
    fetched = actions.start_run(
        coordinator, municipality, "hr_fetch", parameters={"month": month_with_data()}
    )
    # A suite that logs its password every way it can, and fails quoting it.
    actions.start_run(
        coordinator, municipality, VaultSuiteRobot.slug, parameters={"outcome": "crash"}
    )
    work()
    close_browser()
    fetch_item = WorkItem.objects.get(run=fetched.run)
    suite_item = WorkItem.objects.get(robot_slug=VaultSuiteRobot.slug)
    # The secrets were used: the practice system let the robot in, the suite compared its own.
    assert practice.login_attempts["robotti"] == 1
    assert "#month" in fetch_item.error_message
    assert suite_item.status != ItemStatus.DONE
    assert "katkesi" in suite_item.error_message

    items = [fetch_item, suite_item]
    # The process's own log records, every level.
    assert_hidden("\n".join(record.getMessage() for record in caplog.records), "logging")
    assert_hidden(caplog.text, "logging output")
    # The runs' logs in every language, the items' errors, outputs and explanations.
    for entry in RunLogEntry.objects.all():
        for language in ("fi", "sv", "en"):
            assert_hidden(pick(entry.message, language), f"run log: {entry.message[:60]}")
    for item in items:
        item.refresh_from_db()
        stored = [item.error_message, item.output, item.explanation, item.payload, item.record]
        assert_hidden(json.dumps(stored, ensure_ascii=False), f"item {item.reference}")
    # What the failures kept: page, screenshot, log.html, output.xml.
    kept = {document.name for document in ItemDocument.objects.all()}
    assert {"screenshot.png", "page.html", "log.html", "output.xml"} <= kept
    for document in ItemDocument.objects.all():
        with document.file.open("rb") as handle:
            content = handle.read()
        for secret in SECRETS:
            assert secret.encode() not in content, document.name
    # The audit trail, every event's details and actor.
    events = list(AuditEvent.objects.values("action", "details", "actor_label"))
    assert any(event["action"] == "vault.read" for event in events)
    assert_hidden(json.dumps(events, ensure_ascii=False, default=str), "audit trail")

    client = Client()
    client.force_login(administrator)
    # The item pages: the screenshot's alt text, the error shown, the documents listed.
    for item in items:
        page = client.get(reverse("item_detail", args=[item.pk]))
        assert page.status_code == 200
        assert_hidden(page.content.decode(), f"item page {item.reference}")
    shown = client.get(reverse("item_detail", args=[fetch_item.pk])).content.decode()
    assert 'alt="' in shown
    # The API's answers: items, runs, audit, the vault's assets.
    for url in (
        "/api/v1/items",
        f"/api/v1/items/{fetch_item.pk}",
        f"/api/v1/items/{suite_item.pk}",
        f"/api/v1/runs/{fetched.run.pk}",
        "/api/v1/audit",
        "/api/v1/vault/assets",
        *(f"/api/v1/vault/assets/{pk}" for pk in Asset.objects.values_list("pk", flat=True)),
    ):
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert_hidden(answer.content.decode(), url)
    # Error pages, also those a request quoting the secret provoked.
    asset = Asset.objects.get(name="talous")
    refused = client.patch(
        f"/api/v1/vault/assets/{asset.pk}",
        data=json.dumps({"secret": PASSWORD, "kind": "nonsense", "value": PASSWORD}),
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert_hidden(refused.content.decode(), "API error")
    for url in (f"/api/v1/items/{PASSWORD}", f"/items/{SUITE_SECRET}/", "/api/v1/nowhere"):
        missing = client.get(url)
        assert missing.status_code == 404, url
        assert_hidden(missing.content.decode(), f"404 for {url}")
