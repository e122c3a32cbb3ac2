"""In a real browser: a coordinator scores an idea with the keyboard-reachable radios, reads the
reasoning, finds the idea on the ranking's value-against-ease chart and reads the method; axe-core
checks every page on the way."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from kuntarobo.accounts.models import Role
from kuntarobo.portfolio.models import Assessment
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "Salasana-123-pitka"


def test_a_coordinator_scores_an_idea_and_finds_it_on_the_chart(
    live_server,
    transactional_db,
    pworld,
    page,
):
    coordinator = pworld.users[Role.COORDINATOR]
    coordinator.set_password(PASSWORD)
    coordinator.save()
    base = live_server.url
    page.goto(f"{base}/login/")
    page.get_by_label("Käyttäjätunnus").fill(coordinator.username)
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()

    page.goto(f"{base}/portfolio/ideas/{pworld.idea.pk}/assess/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Esimerkin salainen idea")
    assert_accessible(page)
    for legend, score in [
        ("Sääntöpohjaisuus", "5"),
        ("Digitaalinen ja rakenteinen syöte", "4"),
        ("Vakaa prosessi ja järjestelmät", "4"),
        ("Vakioitavuus (vähän muunnelmia)", "3"),
        ("Vähän poikkeuksia", "4"),
        ("Dokumentaatio", "2"),
    ]:
        page.get_by_role("group", name=legend).get_by_label(score, exact=True).check()
    page.get_by_role("button", name="Tallenna arviointi").click()
    expect(page.get_by_text("Idea on arvioitu.")).to_be_visible()
    expect(page.get_by_text("Tunnit vuodessa: 12000 tapausta")).to_be_visible()
    assert Assessment.objects.get().hours_per_year == Decimal("490.64")
    assert_accessible(page)

    page.goto(f"{base}/portfolio/ranking/")
    dot = page.locator(f'svg a[href="/portfolio/ideas/{pworld.idea.pk}/"]')
    expect(dot).to_have_count(1)
    expect(
        page.get_by_role("table", name="Arvo suhteessa helppouteen -kaavion luvut")
    ).to_contain_text("490,64")
    assert_accessible(page)
    page.screenshot(path="/tmp/scoring_ranking.png", full_page=True)

    page.get_by_role("link", name="Näin ideat pisteytetään").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Näin ideat pisteytetään")
    assert_accessible(page)

    page.goto(f"{base}/portfolio/scoring/weights/")
    assert_accessible(page)
    page.goto(f"{base}/portfolio/ideas/{pworld.idea.pk}/assess/")
    page.screenshot(path="/tmp/scoring_assess.png", full_page=True)
