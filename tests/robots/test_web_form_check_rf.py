"""The Robot Framework browser robot runs its real suite: SeleniumLibrary drives Debian's
Chromium through Debian's chromedriver against a web form on loopback. A matching page is
done; a heading not found is an application exception (retried); a page saying the service is
closed is a business exception; only web addresses are accepted."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.core.management import call_command

from kuntarobo.accounts.models import Role
from kuntarobo.runtime import actions
from kuntarobo.runtime.declarations import InputError
from kuntarobo.runtime.models import ItemStatus, RunLogEntry, WorkItem
from tests.factories import MunicipalityFactory, user_with_role
from tests.runtime.browser_pages import serving

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    for program in ("/usr/bin/chromium", "/usr/bin/chromedriver"):
        if not os.path.exists(program):
            pytest.skip(f"{program} is missing: apt-get install chromium chromium-driver")
    with serving() as base:
        yield base


@pytest.fixture
def coordinator(settings):
    settings.KUNTAROBO_RETRY_BASE_SECONDS = 600  # a retry waits: one attempt per test
    return user_with_role(Role.COORDINATOR, MunicipalityFactory(slug="esimerkkila"))


def check(user, **parameters) -> WorkItem:
    actions.start_run(
        user, user.memberships.get().municipality, "web_form_check_rf", parameters=parameters
    )
    call_command("worker", batch=True, interval=0, verbosity=0)
    return WorkItem.objects.get()


def test_the_expected_form_passes_and_the_log_is_kept(coordinator, site):
    item = check(
        coordinator,
        page_address=f"{site}/form.html",
        expected_title="Hakemukset",
        expected_heading="Hakemukset",
    )
    assert item.status == ItemStatus.DONE, item.error_message
    assert item.output["tasks_passed"] == 1
    log = item.documents.get(name="log.html").file.read().decode()
    assert r"heading is \"Hakemukset\"" in log  # what the suite read from the page


def test_a_heading_that_does_not_match_is_an_application_exception(coordinator, site):
    item = check(coordinator, page_address=f"{site}/changed.html", expected_heading="Hakemukset")
    assert item.status == ItemStatus.NEW
    assert item.retry_at is not None
    assert "Check The Web Form" in str(item.error_message)
    assert "Hakemukset" in str(item.error_message)
    # The failure keeps the suite's log and output, with SeleniumLibrary's screenshot of the
    # page at the failure embedded in them.
    assert {"log.html", "output.xml"} <= set(item.documents.values_list("name", flat=True))
    output = item.documents.get(name="output.xml").file.read().decode()
    assert "data:image/png;base64," in output


def test_a_page_saying_the_service_is_closed_is_a_business_exception(coordinator, site):
    item = check(coordinator, page_address=f"{site}/closed.html")
    assert item.status == ItemStatus.FAILED_BUSINESS
    assert "the page says the service is closed" in str(item.error_message)
    warnings = RunLogEntry.objects.filter(item=item, level="warning")
    assert warnings.exists()


@pytest.mark.parametrize(
    "address", ["file:///etc/passwd", "chrome://settings", "javascript:alert(1)", "127.0.0.1"]
)
def test_only_web_addresses_are_opened(coordinator, address):
    with pytest.raises(InputError) as refused:
        actions.start_run(
            coordinator,
            coordinator.memberships.get().municipality,
            "web_form_check_rf",
            parameters={"page_address": address},
        )
    assert refused.value.field == "page_address"
    assert not WorkItem.objects.exists()
