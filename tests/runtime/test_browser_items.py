"""A browser robot's item through the real runtime (start, a worker, completion): a changed
screen is an application exception, retried later, whose item keeps the screenshot and the
page (secrets masked); the system's refusal is a business exception keeping them too; the item
page shows the screenshot as an image, served under the page's Content-Security-Policy."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from playwright.sync_api import expect

from kuntarobo.accounts.models import Role
from kuntarobo.core.masking import remember_secret
from kuntarobo.runtime import actions
from kuntarobo.runtime.declarations import _REGISTRY
from kuntarobo.runtime.models import ItemStatus, WorkItem
from kuntarobo.sdk import (
    BusinessException,
    ItemSpec,
    ItemView,
    Outcome,
    Parameter,
    PathDescription,
    Robot,
    RobotClass,
    RunContext,
    Text,
    message,
    register,
)
from kuntarobo.sdk.browser import UnexpectedPage, in_browser
from tests.factories import PASSWORD, MunicipalityFactory, user_with_role
from tests.runtime.browser_pages import serving
from tests.runtime.helpers import drain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SECRET = "Holvi-Salaisuus-7Q9zX"  # as if read from the vault: masked in what is kept


class BrowserTestRobot(Robot):
    """Opens the page its run names and reads the search button; a notice is a refusal."""

    slug = "test_browser"
    name = Text(fi="Selaintestirobotti", en="Browser test robot")
    description = Text(fi="Lukee sivun.", en="Reads a page.")
    robot_class = RobotClass.ASSISTS
    path = PathDescription(summary=Text(fi="Testi", en="Test"), steps=())
    parameters = (Parameter("address", Text(fi="Osoite", en="Address"), required=True),)

    def produce(self, context: RunContext) -> Iterator[ItemSpec]:
        yield ItemSpec(reference="2026-11", payload={"address": context.parameters["address"]})

    def handle(self, item: ItemView, context: RunContext) -> Outcome:
        def read(page: Any) -> str:
            page.goto(item.payload["address"])
            # What a page shows while the robot types a password from the vault.
            page.evaluate(f"document.body.append('{SECRET}')")
            if page.locator(".notice").count():
                raise BusinessException(message(_("no data for the month %(month)s"), month="11"))
            if page.title() != "Hakemukset":
                raise UnexpectedPage(f"the title is {page.title()!r}")
            return str(page.locator("#search").inner_text())

        return Outcome(output={"button": in_browser(context, item, read, system="Hakemukset")})


@pytest.fixture
def coordinator(settings) -> Iterator[Any]:
    if not os.path.exists("/usr/bin/chromium"):
        pytest.skip("/usr/bin/chromium is missing: apt-get install chromium")
    settings.KUNTAROBO_RETRY_BASE_SECONDS = 600  # a retry waits: one attempt per test
    register(BrowserTestRobot)
    remember_secret(SECRET)
    try:
        # Created after the robot is known: the factory deploys every registered robot.
        yield user_with_role(Role.COORDINATOR, MunicipalityFactory(slug="esimerkkila"))
    finally:
        _REGISTRY.pop(BrowserTestRobot.slug, None)


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serving() as base:
        yield base


def run(user: Any, address: str) -> WorkItem:
    actions.start_run(
        user, user.memberships.get().municipality, "test_browser", parameters={"address": address}
    )
    drain()
    return WorkItem.objects.get()


def kept(item: WorkItem) -> dict[str, tuple[bytes, str]]:
    return {d.name: (d.file.read(), d.content_type) for d in item.documents.order_by("id")}


def test_a_read_page_completes_the_item(coordinator, site):
    item = run(coordinator, f"{site}/form.html")
    assert item.status == ItemStatus.DONE, item.error_message
    assert item.output == {"button": "Hae"}
    assert not item.documents.exists()


def test_a_changed_screen_is_retried_later_and_keeps_the_screenshot_and_the_page(coordinator, site):
    item = run(coordinator, f"{site}/changed.html")
    assert item.status == ItemStatus.NEW
    assert item.retry_at is not None
    assert item.attempts == 1
    documents = kept(item)
    assert set(documents) == {"screenshot.png", "page.html"}
    assert documents["screenshot.png"][0].startswith(PNG_SIGNATURE)
    assert documents["screenshot.png"][1] == "image/png"
    page = documents["page.html"][0].decode("utf-8")
    assert "Tervetuloa uudistettuun palveluun" in page
    assert SECRET not in page
    assert "********" in page
    with translation.override("en"):
        assert "Hakemukset: the page was not what the robot expected" in str(item.error_message)


def test_the_systems_refusal_fails_the_item_for_a_person_with_the_page(coordinator, site):
    item = run(coordinator, f"{site}/no-data.html")
    assert item.status == ItemStatus.FAILED_BUSINESS
    assert item.retry_at is None
    assert set(kept(item)) == {"screenshot.png", "page.html"}


def test_the_item_page_shows_the_screenshot_and_links_the_page(coordinator, site, client):
    item = run(coordinator, f"{site}/changed.html")
    screenshot = item.documents.get(name="screenshot.png")
    page_html = item.documents.get(name="page.html")
    client.force_login(coordinator)
    html = client.get(f"/items/{item.pk}/", HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert (
        f'<img src="/items/{item.pk}/documents/{screenshot.pk}/" '
        'alt="Kuvakaappaus sivusta virheen hetkellä">'
    ) in html
    assert f'<a href="/items/{item.pk}/documents/{page_html.pk}/" download>page.html</a>' in html
    image = client.get(f"/items/{item.pk}/documents/{screenshot.pk}/")
    assert image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content).startswith(PNG_SIGNATURE)
    # The page's HTML is never shown inline under the platform's origin.
    assert client.get(f"/items/{item.pk}/documents/{page_html.pk}/")[
        "Content-Disposition"
    ].startswith("attachment")


def test_a_viewer_without_personal_data_sees_no_screenshot(coordinator, site, client):
    item = run(coordinator, f"{site}/changed.html")
    screenshot = item.documents.get(name="screenshot.png")
    viewer = user_with_role(Role.VIEWER, item.municipality)
    client.force_login(viewer)
    assert "<img" not in client.get(f"/items/{item.pk}/").content.decode()
    assert client.get(f"/items/{item.pk}/documents/{screenshot.pk}/").status_code in (403, 404)


@pytest.mark.slow
def test_the_screenshot_loads_on_the_item_page_under_its_policy(
    coordinator, site, live_server, page
):
    item = run(coordinator, f"{site}/changed.html")
    violations: list[str] = []
    page.on(
        "console",
        lambda line: (
            violations.append(line.text) if "Content Security Policy" in line.text else None
        ),
    )
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Käyttäjätunnus").fill(coordinator.username)
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    expect(page.get_by_role("heading", level=1, name="Etusivu")).to_be_visible()
    page.goto(f"{live_server.url}/items/{item.pk}/")
    image = page.get_by_role("img", name="Kuvakaappaus sivusta virheen hetkellä")
    expect(image).to_be_visible()
    assert image.evaluate("image => image.complete && image.naturalWidth") == 1280
    assert violations == []
