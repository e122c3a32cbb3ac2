"""A coordinator enters a business case in a real browser: the years as a table, a mistake
shown beside its field, then the result by the Ministry of Finance's rules; and the calculator.
axe-core checks every page on the way."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import expect

from kuntarobo.accounts.models import Role
from kuntarobo.portfolio.models import BusinessCase
from tests.browser.conftest import assert_accessible
from tests.factories import MunicipalityFactory, user_with_role

pytestmark = [pytest.mark.browser]


def signed_in(page, base: str, user) -> None:
    """The browser takes over a session opened by Django's test client."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": base}])
    page.context.add_cookies([{"name": "django_language", "value": "fi", "url": base}])


def fill_year(page, row: int, **values: str) -> None:
    for name, value in values.items():
        page.locator(f"#id_years-{row}-{name}").fill(value)


def test_a_coordinator_enters_a_business_case_and_reads_its_verdict(
    live_server, transactional_db, page
):
    municipality = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")
    coordinator = user_with_role(Role.COORDINATOR, municipality, username="koordinaattori")
    base = live_server.url
    signed_in(page, base, coordinator)

    page.goto(f"{base}/portfolio/business-cases/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Liiketoimintamallit")
    assert_accessible(page)
    page.get_by_role("link", name="Uusi liiketoimintamalli").click()
    assert_accessible(page)
    page.get_by_label("Kunta").select_option(label="Esimerkkilä")
    page.get_by_label("otsikko", exact=True).fill("Ostolaskujen tiliöinti")
    page.locator("#id_start_year").fill("2021")
    page.locator("#id_horizon_year").fill("2026")
    # 100 000 € of development in 2021, then 50 000 € of gross benefits a year; the second row
    # repeats 2021 by mistake.
    fill_year(page, 0, year="2021", development_cost="100000", gross_benefit="50000")
    for row, year in enumerate(range(2021, 2026), start=1):
        fill_year(page, row, year=str(year), gross_benefit="50000")
    page.get_by_role("button", name="Tallenna liiketoimintamalli").click()
    expect(page.locator("#id_years-1-year + ul.errorlist")).to_have_text(
        "vuosi 2021 on annettu kahdesti"
    )
    assert_accessible(page)
    fill_year(page, 1, year="2022")
    for row, year in enumerate(range(2023, 2027), start=2):
        fill_year(page, row, year=str(year))
    page.get_by_role("button", name="Tallenna liiketoimintamalli").click()

    # Payback 1 + 50 000 / 50 000 = 2,00 years; ratio 300 000 / 100 000 = 3,00.
    expect(page.get_by_role("heading", level=1)).to_have_text("Ostolaskujen tiliöinti")
    expect(page.get_by_text("2,00 vuotta", exact=True)).to_be_visible()
    expect(page.get_by_text("Laskelma kokonaisuutena: täyttää säännöt")).to_be_visible()
    assert_accessible(page)
    assert BusinessCase.objects.get().years.count() == 6

    page.goto(f"{base}/portfolio/business-cases/calculator/")
    page.locator("#id_start_year").fill("2021")
    page.locator("#id_horizon_year").fill("2026")
    fill_year(page, 0, year="2021", development_cost="6000", volume="12000", minutes_saved="4")
    page.locator("#id_hourly_cost").fill("30")
    page.get_by_role("button", name="Laske").click()
    # 12 000 × 4 / 60 × 30 € = 24 000 €: payback 6 000 / 24 000 = 0,25 years.
    expect(page.get_by_text("0,25 vuotta", exact=True)).to_be_visible()
    assert_accessible(page)
