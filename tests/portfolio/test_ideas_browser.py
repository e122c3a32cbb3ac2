"""A facilitator's workshop in a real browser: the portfolio from the main navigation, a
workshop opened, ideas typed in one after another with the focus staying in the new-idea form,
an idea moved to its next stage; axe-core checks every page on the way."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kuntarobo.accounts.models import Role
from kuntarobo.portfolio.models import Idea, Stage
from tests.browser.conftest import assert_accessible
from tests.portfolio.conftest import PortfolioWorld

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "salasana-selaintestiin"


def focused_field(tab) -> str:
    return str(tab.evaluate("document.activeElement && document.activeElement.name"))


def test_a_facilitator_captures_ideas_live_and_moves_one_to_its_next_stage(
    live_server, transactional_db, pworld: PortfolioWorld, page
):
    coordinator = pworld.users[Role.COORDINATOR]
    coordinator.set_password(PASSWORD)
    coordinator.save()
    base = live_server.url
    page.goto(f"{base}/login/")
    page.get_by_label("Käyttäjätunnus").fill(coordinator.username)
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    expect(page.get_by_role("heading", level=1, name="Etusivu")).to_be_visible()

    page.get_by_role("link", name="Salkku", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ideapankki")
    assert_accessible(page)
    page.get_by_role("link", name="Työpajat", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="Uusi työpaja: Esimerkkilä").click()
    assert_accessible(page)
    page.locator("[name=title]").fill("Sivistyksen prosessityöpaja")
    page.locator("[name=department]").fill("Sivistys")
    page.get_by_role("button", name="Avaa työpaja").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sivistyksen prosessityöpaja")
    assert_accessible(page)

    for title in ("Ilmoittautumisten kirjaus", "Laskujen täsmäytys"):
        assert focused_field(page) == "title"
        page.keyboard.type(title)
        page.keyboard.press("Enter")
        expect(page.get_by_role("status").filter(has_text=title)).to_be_visible()
    assert focused_field(page) == "title"
    captured = page.get_by_role("heading", level=2, name="2 ideaa kirjattu")
    expect(captured).to_be_visible()
    assert_accessible(page)
    assert set(
        Idea.objects.filter(workshop__title="Sivistyksen prosessityöpaja").values_list(
            "department", flat=True
        )
    ) == {"Sivistys"}

    page.goto(f"{base}/portfolio/ideas/{pworld.idea.pk}/")
    assert_accessible(page)
    page.get_by_label("Siirrä vaiheeseen").select_option("assessed")
    page.get_by_role("button", name="Siirrä", exact=True).click()
    expect(page.get_by_role("table", name="Kuka siirsi idean ja milloin")).to_contain_text(
        "Arvioitu"
    )
    assert_accessible(page)
    pworld.idea.refresh_from_db()
    assert pworld.idea.stage == Stage.ASSESSED
