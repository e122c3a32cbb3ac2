"""A coordinator follows up the Helmi programme in a real browser, in Finnish: the programme's
traffic lights say their colour in words, the costs table has its totals, a light is set by
hand with a reason, and axe-core finds no violation on any of the pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kuntarobo.accounts.models import Role
from kuntarobo.portfolio.helmi import load_helmi
from kuntarobo.portfolio.models import ProgrammeAxisOverride
from tests.browser.conftest import assert_accessible
from tests.factories import MunicipalityFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "ohjelma-salasana"


def test_a_coordinator_reads_the_lights_and_sets_one_with_a_reason(live_server, page):
    municipality = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")
    load_helmi(municipality)
    user = user_with_role(Role.COORDINATOR, municipality, username="koordinaattori")
    user.set_password(PASSWORD)
    user.save()
    base = live_server.url

    page.goto(f"{base}/login/")
    page.get_by_label("Käyttäjätunnus").fill("koordinaattori")
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    page.get_by_role("link", name="Ohjelmat").click()
    expect(page.get_by_role("heading", level=1, name="Ohjelmat")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Helmi-hanke").click()
    expect(page.get_by_role("heading", level=1, name="Helmi-hanke")).to_be_visible()
    lights = page.get_by_role("table", name="Seuranta mittareittain: valo ja sen peruste")
    expect(lights.get_by_role("row", name="Henkilöstö")).to_contain_text(
        "Keltainen: vaatii huomiota"
    )
    costs = page.get_by_role("table", name="Suunnitellut ja toteutuneet kustannukset lajeittain")
    expect(costs).to_contain_text("524\u00a0200,00\u00a0€")
    expect(costs).to_contain_text("516\u00a0743,00\u00a0€")
    assert_accessible(page)

    lights.get_by_role("row", name="Henkilöstö").get_by_role("link", name="Aseta valo").click()
    page.get_by_label("liikennevalo", exact=True).select_option("green")
    page.get_by_role("button", name="Tallenna").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("syy", exact=True).fill("Oman työn osuus kirjattiin ostopalveluihin.")
    page.get_by_role("button", name="Tallenna").click()
    row = lights.get_by_role("row", name="Henkilöstö")
    expect(row).to_contain_text("Vihreä: suunnitelmassa")
    expect(row).to_contain_text("Oman työn osuus kirjattiin ostopalveluihin.")
    assert_accessible(page)
    assert ProgrammeAxisOverride.objects.get(axis="staff").light == "green"

    page.get_by_role("link", name="Lisää riski").click()
    expect(page.get_by_role("heading", level=1, name="Lisää riski")).to_be_visible()
    assert_accessible(page)
