"""A coordinator in a real browser reads a robot's path document, writes its result card and
shares it; axe-core checks each page (the diagram is inline SVG, the figures tables)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kuntarobo.accounts.models import Role
from kuntarobo.portfolio.models import ResultCard, SharingScope
from kuntarobo.runtime.models import ItemStatus
from tests.browser.conftest import assert_accessible
from tests.factories import MunicipalityFactory, RunFactory, WorkItemFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROBOT = "invoice_check"
PASSWORD = "Salasana-123-pitka"


def test_a_coordinator_reads_the_path_document_writes_the_result_card_and_shares_it(
    live_server, transactional_db, page
):
    place = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")
    user = user_with_role(Role.COORDINATOR, place, username="koordinaattori")
    user.set_password(PASSWORD)
    user.save()
    run = RunFactory(municipality=place, robot_slug=ROBOT)
    for status in (ItemStatus.DONE, ItemStatus.DONE, ItemStatus.FAILED_BUSINESS):
        WorkItemFactory(run=run, status=status, duration_ms=1200)
    base = live_server.url

    page.goto(f"{base}/login/")
    page.get_by_label("Käyttäjätunnus").fill("koordinaattori")
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()

    page.goto(f"{base}{reverse('robot_detail', args=[ROBOT])}")
    page.get_by_role("link", name="Polkudokumentti").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Polkudokumentti")
    expect(page.get_by_role("img", name="Prosessikaavio: Ostolaskujen tarkistus")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Tuloskortti").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tuloskortti")
    assert_accessible(page)
    page.get_by_role("link", name="Muokkaa tuloskorttia").click()
    assert_accessible(page)
    page.get_by_label("tavoitteet").fill("Maksut ajallaan")
    page.get_by_label("tärkein hyöty 1").fill("Ajansäästö")
    page.get_by_role("button", name="Tallenna tuloskortti").click()
    expect(page.get_by_text("Tuloskortti tallennettu.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Jaa").select_option(SharingScope.INSTALLATION)
    page.get_by_role("button", name="Tallenna jakaminen").click()
    expect(page.get_by_text("Tuloskortti jaettu.")).to_be_visible()
    card = ResultCard.objects.get(municipality=place, robot_slug=ROBOT)
    assert card.shared_with == SharingScope.INSTALLATION
    assert card.goals == "Maksut ajallaan"
