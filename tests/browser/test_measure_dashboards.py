"""The impact dashboards and a business case's planned-against-realised page in a browser:
the charts are drawn, their tables open, and axe finds no violation."""

from __future__ import annotations

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from kuntarobo.accounts.models import Role
from kuntarobo.portfolio.models import BusinessCase, BusinessCaseYear, Programme
from kuntarobo.portfolio.realised import refresh
from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD, MunicipalityFactory, user_with_role
from tests.portfolio.measure_data import done_items, made_run


def test_a_coordinator_reads_the_dashboards_charts_and_their_tables(
    live_server, transactional_db, page
) -> None:
    town = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")
    user_with_role(Role.COORDINATOR, town, username="koordinaattori")
    today = timezone.localdate()
    for months_back in range(3):
        first = (today.replace(day=1) - datetime.timedelta(days=31 * months_back)).replace(day=1)
        when = datetime.datetime(first.year, first.month, 2, 8, tzinfo=datetime.UTC)
        made_run(town, when, [*done_items(4 + months_back), {"status": "failed_application"}])
    programme = Programme.objects.create(
        name="Helmi", lead=town, starts_on=datetime.date(2020, 12, 1), ends_on=today
    )
    programme.municipalities.set([town])
    case = BusinessCase.objects.create(
        municipality=town,
        title="Ostolaskut",
        start_year=today.year - 1,
        horizon_year=today.year + 4,
        hourly_cost_cents=4000,
    )
    BusinessCaseYear.objects.create(case=case, year=today.year - 1, development_cost_cents=500000)
    refresh()

    base = live_server.url
    page.goto(f"{base}/login/")
    page.get_by_label("Käyttäjätunnus").fill("koordinaattori")
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()

    page.goto(f"{base}/portfolio/dashboards/")
    assert_accessible(page)
    page.get_by_role("link", name="Esimerkkilä").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vaikutukset: Esimerkkilä")
    expect(page.get_by_role("img", name="Asiat kuukausittain: Esimerkkilä")).to_be_visible()
    page.get_by_text("Kaavion luvut taulukkona").first.click()
    expect(page.get_by_role("table", name="Asiat kuukausittain (kaavion luvut)")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Jakso", exact=True).select_option(str(today.year))
    page.get_by_role("button", name="Näytä").click()
    assert_accessible(page)

    page.goto(f"{base}/portfolio/dashboards/programmes/{programme.pk}/")
    assert_accessible(page)
    page.goto(f"{base}/portfolio/business-cases/{case.pk}/realised/")
    assert_accessible(page)
    page.goto(f"{base}/portfolio/running-costs/")
    assert_accessible(page)
