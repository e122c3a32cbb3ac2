"""The HR robot's run, items and log, and the runtime's own log lines, in the reader's language:
the robot runs on a small export (one unit without a supervisor's address fails, one has
early-support alerts, the HR summary is kept without an address), and its run page, item
pages, inbox and item forms, rendered in Finnish and in Swedish, hold no English (the detector
of `test_untranslated_text`). A waiting item's log line names its time as the reader writes it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from kuntarobo.accounts.models import Role
from kuntarobo.core.localized import pick
from kuntarobo.runtime import actions
from kuntarobo.runtime.models import ItemStatus, Run, RunLogEntry, WorkItem
from kuntarobo.testing import robots as test_robots
from tests.channels.conftest import self_signed, start_smtp  # noqa: F401  (fixtures)
from tests.factories import user_with_role
from tests.robots.hr_reports.conftest import (  # noqa: F401  (fixtures)
    coordinator,
    export,
    municipality,
    smtp,
    supervisors,
)
from tests.runtime.helpers import drain, script
from tests.web.test_untranslated_text import untranslated, visible_text

pytestmark = pytest.mark.django_db(transaction=True)

# What each page must say (so that a page cannot pass by showing nothing of the robot's texts).
EXPECTED = {
    "fi": {
        "run": ["Henkilöstöraporttien yhteenveto 2026-01", "raportti toimitettu esihenkilölle"],
        "done": ["Maksetut palkat", "suojattuna linkkinä", "Raportin kieli: suomi."],
        "alerts": ["varhaisen tuen hälytys", "Raportin kieli: ruotsi."],
        "failed": ["ei ole kelvollista esihenkilön sähköpostiosoitetta"],
        "summary": ["Henkilöstöhallinnon sähköpostiosoitetta ei ole asetettu"],
    },
    "sv": {
        "run": ["Sammanfattning av personalrapporterna 2026-01", "rapporten levererad till chefen"],
        "done": ["Utbetalda löner", "som en säker länk", "Rapportens språk: finska."],
        "alerts": ["larm om tidigt stöd", "Rapportens språk: svenska."],
        "failed": ["saknar en giltig e-postadress till chefen"],
        "summary": ["Ingen e-postadress till personalförvaltningen har angetts"],
    },
}


def reader(user, language: str) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def shown(client: Client, url: str) -> str:
    """The page's visible text without the administrators' raw data (the item's JSON as the
    robot keeps it: field names and values, not sentences of the UI)."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    content = re.sub(r'(?s)<details class="raw-data">.*?</details>', " ", response.content.decode())
    return visible_text(content)


@pytest.fixture
def hr_run(smtp, municipality, coordinator, supervisors, export) -> Run:  # noqa: F811
    started = actions.start_run(
        coordinator,
        municipality,
        "hr_reports",
        input_file=export,
        parameters={"month": "2026-01"},
    )
    drain()
    started.run.refresh_from_db()
    return started.run


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_hr_robots_run_items_and_inbox_show_no_english(hr_run, municipality, language):  # noqa: F811
    items = {item.reference: item for item in WorkItem.objects.filter(run=hr_run)}
    assert items["U3:2026-01"].status == ItemStatus.FAILED_BUSINESS
    assert items["U2:2026-01"].attention  # Berg Erik's alerts
    assert items["U1:2026-01"].status == ItemStatus.DONE
    administrator = user_with_role(Role.ADMINISTRATOR, municipality)
    reviewer = user_with_role(Role.REVIEWER, municipality)
    client = reader(administrator, language)
    expected = EXPECTED[language]
    pages = {
        "run": shown(client, reverse("run_detail", args=[hr_run.pk])),
        "run progress": shown(client, reverse("run_progress", args=[hr_run.pk])),
        "done": shown(client, reverse("item_detail", args=[items["U1:2026-01"].pk])),
        "alerts": shown(client, reverse("item_detail", args=[items["U2:2026-01"].pk])),
        "failed": shown(client, reverse("item_detail", args=[items["U3:2026-01"].pk])),
        "summary": shown(client, reverse("item_detail", args=[items["summary:2026-01"].pk])),
    }
    review = reader(reviewer, language)
    pages["inbox failed"] = shown(review, reverse("inbox") + "?tab=failed")
    pages["inbox done"] = shown(review, reverse("inbox") + "?tab=done")
    pages["abandon form"] = shown(
        review, reverse("item_abandon", args=[items["summary:2026-01"].pk])
    )
    for name, texts in expected.items():
        for text in texts:
            assert text in pages[name], (name, text)
    problems = {
        name: found[:8] for name, page in pages.items() if (found := untranslated(page, language))
    }
    assert not problems, problems
    # The English reader still reads English (the texts are kept in every language).
    url = reverse("item_detail", args=[items["U1:2026-01"].pk])
    english = reader(administrator, "en").get(url).content.decode()
    assert "Salaries paid" in english
    assert "Report language: Finnish." in english


def test_the_hr_robots_texts_are_kept_in_every_language_and_masked(hr_run):
    failed = WorkItem.objects.get(run=hr_run, reference="U3:2026-01")
    assert "Tekninen toimi" in pick(failed.error_message, "fi")
    assert pick(failed.error_message, "fi") != pick(failed.error_message, "en")
    summary = WorkItem.objects.get(run=hr_run, reference="summary:2026-01")
    assert pick(summary.title, "sv") == "Sammanfattning av personalrapporterna 2026-01"
    assert pick(summary.title, "en") == "HR summary 2026-01"
    done = WorkItem.objects.get(run=hr_run, reference="U1:2026-01")
    sent = [pick(line, "fi") for line in done.explanation if "suojattuna" in pick(line, "fi")]
    assert sent
    assert "sanna@example.fi" not in sent[0]  # the address masked in every language
    log = [pick(entry.message, "fi") for entry in RunLogEntry.objects.filter(run=hr_run)]
    assert any(line.startswith("tiedostosta export.xlsx luettiin yksiköitä 3") for line in log), log


@pytest.fixture
def scripted_robot() -> Iterator[None]:
    test_robots.register_all()
    yield
    test_robots.unregister_all()


@pytest.mark.parametrize(
    ("language", "line"),
    [("fi", "call: odottaa {until} asti: soitto"), ("sv", "call: väntar till {until}: soitto")],
)
@pytest.mark.usefixtures("scripted_robot")
def test_a_waiting_items_log_line_is_in_the_readers_language(
    municipality,  # noqa: F811
    language,
    line,
):
    started = actions.start_run(
        "test",
        municipality,
        "test_scripted",
        parameters=script(
            {
                "reference": "call",
                "behaviour": "wait",
                "message": "soitto",
                "wait_seconds": 3 * 3600,
            }
        ),
    )
    drain()
    waiting = WorkItem.objects.get(run=started.run, reference="call")
    assert waiting.status == ItemStatus.WAITING
    assert waiting.wait_until is not None
    with translation.override(language):
        until = formats.date_format(timezone.localtime(waiting.wait_until), "SHORT_DATETIME_FORMAT")
    assert until != waiting.wait_until.isoformat()
    page = shown(
        reader(user_with_role(Role.ADMINISTRATOR, municipality), language),
        reverse("run_detail", args=[started.run.pk]),
    )
    assert line.format(until=until) in page, page
    assert "waits" not in page
    assert not untranslated(page, language)
