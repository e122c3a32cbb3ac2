"""A failed item keeps what the robot saw (a screenshot, the page): the documents of a business
or an application exception are stored with the item, and a secret read from the vault never
reaches them, the item's error or the run's log."""

from __future__ import annotations

import pytest

from kuntarobo.core.localized import pick
from kuntarobo.core.masking import SECRET_MASK, remember_secret
from kuntarobo.runtime import actions
from kuntarobo.runtime.declarations import ApplicationException, BusinessException, Document
from kuntarobo.runtime.models import ItemDocument, ItemStatus, RunLogEntry, WorkItem
from kuntarobo.testing.robots import ScriptedRobot
from tests.runtime.helpers import drain, script

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "Tunnus-7781-salainen"


def fail_with(error: Exception):
    def hook(item):
        raise error

    return hook


def documents(item: WorkItem) -> dict[str, bytes]:
    found = {}
    for document in ItemDocument.objects.filter(item=item):
        with document.file.open("rb") as handle:
            found[document.name] = handle.read()
    return found


def test_each_attempt_of_an_application_exception_keeps_its_documents(municipality):
    page = Document("page.html", b"<h1>Kirjaudu</h1>", "text/html")
    ScriptedRobot.handle_hook = fail_with(
        ApplicationException("the field #month was not found", documents=[page])
    )
    actions.start_run("test", municipality, "test_scripted", parameters=script({"reference": "a"}))
    drain()  # the tests' back-off is nothing: every attempt is made now
    item = WorkItem.objects.get(reference="a")
    assert (item.status, item.attempts) == (ItemStatus.FAILED_APPLICATION, 3)
    kept = ItemDocument.objects.filter(item=item)
    assert [document.name for document in kept] == ["page.html"] * 3
    assert documents(item) == {"page.html": b"<h1>Kirjaudu</h1>"}


def test_a_business_exceptions_documents_stay_with_the_failed_item(municipality):
    shot = Document("screenshot.png", b"\x89PNG\r\n\x1a\nimage", "image/png")
    ScriptedRobot.handle_hook = fail_with(
        BusinessException("no data for the month", documents=[shot])
    )
    actions.start_run("test", municipality, "test_scripted", parameters=script({"reference": "b"}))
    drain()
    item = WorkItem.objects.get(reference="b")
    assert item.status == ItemStatus.FAILED_BUSINESS
    assert item.error_message == "no data for the month"
    assert documents(item) == {"screenshot.png": b"\x89PNG\r\n\x1a\nimage"}


def test_a_remembered_secret_is_masked_in_documents_error_and_log(municipality):
    remember_secret(SECRET)
    html = f'<input value="{SECRET}"><p>{SECRET.replace("-", "&#45;")}</p>'.encode()
    ScriptedRobot.handle_hook = fail_with(
        BusinessException(
            f"login refused for password {SECRET}",
            documents=[Document("page.html", html, "text/html")],
        )
    )
    actions.start_run(
        "test",
        municipality,
        "test_scripted",
        parameters=script({"reference": "c", "log": f"typing {SECRET}"}),
    )
    drain()
    item = WorkItem.objects.get(reference="c")
    assert item.status == ItemStatus.FAILED_BUSINESS
    assert SECRET not in item.error_message
    assert SECRET_MASK in item.error_message
    stored = documents(item)["page.html"]
    assert SECRET.encode() not in stored
    assert SECRET_MASK.encode() in stored
    for entry in RunLogEntry.objects.filter(run=item.run):
        for language in ("fi", "sv", "en"):
            assert SECRET not in pick(entry.message, language)
