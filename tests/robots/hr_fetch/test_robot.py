"""The HR fetch robot in Debian's Chromium against the practice system on loopback, through the
real queue: from the login to the supervisors' reports in the mail; a changed screen is a
technical failure with a screenshot, tried again; a wrong password is tried once only; a month
without data goes to a person."""

from __future__ import annotations

import datetime
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kuntarobo.core.localized import pick
from kuntarobo.robots.hr_fetch.months import default_month
from kuntarobo.runtime import actions
from kuntarobo.runtime.models import ItemDocument, ItemStatus, Run, RunStatus, WorkItem
from kuntarobo.runtime.statuses import Trigger
from kuntarobo.sdk.browser import close_browser
from kuntarobo.vault.actions import store_credential
from tests.runtime.helpers import drain

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(autouse=True)
def _browser_closed_after_each_test():
    yield
    close_browser()


def month_with_data() -> str:
    return default_month(timezone.localdate())


def fetch(coordinator, municipality, month: str | None = None) -> WorkItem:
    started = actions.start_run(
        coordinator, municipality, "hr_fetch", parameters={"month": month or month_with_data()}
    )
    drain()
    return WorkItem.objects.get(run=started.run)


def test_one_click_fetches_the_month_and_the_chain_mails_every_supervisor_their_report(
    practice, municipality, coordinator, fetch_settings, reports_settings, smtp
):
    month = month_with_data()
    item = fetch(coordinator, municipality, month)

    assert item.status == ItemStatus.DONE, item.error_message
    assert item.reference == f"hr-fetch-{month}"
    assert item.output["month"] == month
    assert item.output["rows"] > 0
    assert item.output["pages"] >= 1
    assert item.output["file"] == f"palkka-aineisto-{month}.xlsx"
    document = ItemDocument.objects.get(item=item)
    assert document.name == item.output["file"]
    assert document.file.read()[:4] == b"PK\x03\x04"
    assert practice.login_attempts["robotti"] == 1
    # The chain: the HR reports robot's run, started by the fetch with its workbook and month.
    reports = Run.objects.get(robot_slug="hr_reports", municipality=municipality)
    assert reports.trigger == Trigger.CHAIN
    assert reports.parameters["month"] == month
    assert reports.status == RunStatus.FINISHED
    statuses = set(reports.items.values_list("status", flat=True))
    assert statuses == {ItemStatus.DONE}, list(reports.items.values("reference", "error_message"))
    # Every supervisor's report reached the SMTP server on loopback (a link, by default).
    for address in reports_settings:
        assert len(smtp.to(address)) == 1, address
    assert reports.items.count() == len(reports_settings) + 1  # and HR's summary


def test_a_renamed_field_is_a_changed_screen_kept_as_a_screenshot_and_the_next_attempt_succeeds(
    practice, municipality, coordinator, fetch_settings, settings
):
    settings.KUNTAROBO_RETRY_BASE_SECONDS = 600  # the retry waits until the test moves it
    practice.options.renamed_field = True
    item = fetch(coordinator, municipality)

    assert item.status == ItemStatus.NEW  # a technical failure: retried later
    assert item.attempts == 1
    assert item.retry_at is not None
    assert item.retry_at > timezone.now()
    names = set(ItemDocument.objects.filter(item=item).values_list("name", flat=True))
    assert "screenshot.png" in names
    assert "#month" in item.error_message
    # The screen is back as it was; the retry, due now, succeeds.
    practice.options.renamed_field = False
    now = timezone.now() - datetime.timedelta(seconds=1)
    WorkItem.objects.filter(pk=item.pk).update(retry_at=now)
    DBTaskResult.objects.filter(args_kwargs__args__0=item.pk, status="READY").update(run_after=now)
    drain()
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE, item.error_message
    assert item.attempts == 2
    assert practice.login_attempts["robotti"] == 2  # one login per attempt


def test_a_wrong_password_is_tried_once_and_the_item_goes_to_a_person_without_locking_the_account(
    practice, municipality, coordinator, administrator, fetch_settings
):
    store_credential(administrator, municipality, "palkkajarjestelma", "robotti", "väärä-salasana")
    item = fetch(coordinator, municipality)

    assert item.status == ItemStatus.FAILED_BUSINESS
    assert item.attempts == 1
    assert practice.login_attempts["robotti"] == 1
    assert practice.login_attempts["robotti"] < practice.options.lockout_failures
    assert "vault" in pick(item.error_message, "en")
    assert "väärä-salasana" not in item.error_message
    names = set(ItemDocument.objects.filter(item=item).values_list("name", flat=True))
    assert "screenshot.png" in names
    assert not Run.objects.filter(robot_slug="hr_reports").exists()  # no chain from a failure


def test_a_month_without_data_goes_to_a_person(practice, municipality, coordinator, fetch_settings):
    item = fetch(coordinator, municipality, "2001-01")

    assert item.status == ItemStatus.FAILED_BUSINESS
    assert "2001-01" in item.error_message
    assert "no data" in pick(item.error_message, "en")
    assert practice.login_attempts["robotti"] == 1
    assert not Run.objects.filter(robot_slug="hr_reports").exists()


def test_a_locked_account_goes_to_a_person_and_the_robot_does_not_try_again(
    practice, municipality, coordinator, fetch_settings
):
    # Someone else typed a wrong password three times: the account is locked.
    for _attempt in range(practice.options.lockout_failures):
        form = urllib.parse.urlencode({"username": "robotti", "password": "arvaus"}).encode()
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(practice.url, form, timeout=10)
        assert refused.value.code == 401
    item = fetch(coordinator, municipality)

    assert item.status == ItemStatus.FAILED_BUSINESS
    assert item.attempts == 1
    assert "locked" in pick(item.error_message, "en")
    # The robot's one attempt, with the right password, refused by the lock.
    assert practice.login_attempts["robotti"] == practice.options.lockout_failures + 1
