"""The public answer pages in a real browser, checked by axe-core: a staff member answers the
survey through their one-time link and a customer gives feedback, no sign-in."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kuntarobo.accounts.models import Role
from kuntarobo.portfolio import feedback, surveys
from kuntarobo.portfolio.models import (
    CustomerFeedback,
    SurveyInvitation,
    SurveyResponse,
    SurveySettings,
)
from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD, MunicipalityFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    municipality = MunicipalityFactory(
        slug="esimerkkila", name_fi="Esimerkkilä", name_sv="Exempelby"
    )
    return municipality, user_with_role(Role.COORDINATOR, municipality)


def test_a_staff_member_answers_once_through_the_link_without_signing_in(page, live_server, world):
    municipality, coordinator = world
    survey = surveys.create_round(
        coordinator, municipality, robot_slug="invoice_check", phase="after", via="test"
    )
    token = surveys.new_token(24)
    SurveyInvitation.objects.create(round=survey, token_hash=surveys.token_hash(token))
    url = f"{live_server.url}/palaute/kysely/{token}/"
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kysely työstäsi")
    assert_accessible(page)
    # Every statement is required: the browser itself asks for a missing one.
    expect(page.locator('input[name="workload"]').first).to_have_attribute("required", "")
    for group in ("meaningful_work", "less_routine", "trust_results", "workload", "recommend"):
        page.locator(f'input[name="{group}"][value="4"]').check()
    page.get_by_role("button", name="Lähetä vastaukset").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiitos vastauksistasi")
    assert_accessible(page)
    assert SurveyResponse.objects.get().scores["recommend"] == 4
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Linkki on jo käytetty")
    assert_accessible(page)


def test_a_customer_gives_feedback_through_the_robots_link(page, live_server, world):
    municipality, coordinator = world
    link = feedback.set_customer_feedback(
        coordinator, municipality, "hr_reports", enabled=True, via="test"
    )
    page.goto(f"{live_server.url}/palaute/{link.token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Palaute")
    assert_accessible(page)
    page.get_by_label("5 – Erittäin tyytyväinen").check()
    page.get_by_label("Kommentti (vapaaehtoinen)").fill("Sujuvaa")
    page.get_by_role("button", name="Lähetä palaute").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiitos palautteestasi")
    assert_accessible(page)
    assert CustomerFeedback.objects.get().score == 5


def test_a_coordinator_makes_a_round_switches_feedback_on_and_sees_import_errors(
    page, live_server, world
):
    municipality, coordinator = world
    SurveySettings.objects.create(municipality=municipality, allowed_email_domains="esimerkkila.fi")
    base = live_server.url
    page.goto(f"{base}/login/")
    page.get_by_label("Käyttäjätunnus").fill(coordinator.username)
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    expect(page.get_by_role("heading", level=1, name="Etusivu")).to_be_visible()

    page.goto(f"{base}/portfolio/surveys/")
    assert_accessible(page)
    page.get_by_role("link", name="Uusi kyselykierros").click()
    assert_accessible(page)
    page.get_by_label("Robotti").select_option("invoice_check")
    page.get_by_label("Ennen käyttöönottoa").check()
    page.get_by_role("button", name="Luo kierros").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kyselykierros")
    assert_accessible(page)

    page.goto(f"{base}/portfolio/feedback/")
    row = page.get_by_role("row").filter(has_text="Henkilöstöraportit")
    row.get_by_role("button", name="Ota käyttöön").click()
    expect(page.get_by_role("status")).to_contain_text("Asiakaspalaute on käytössä")
    assert_accessible(page)

    page.goto(f"{base}/portfolio/feedback/import/")
    page.get_by_label("Robotti").select_option("hr_reports")
    page.get_by_label("CSV-tiedosto").set_input_files(
        files=[{"name": "palaute.csv", "mimeType": "text/csv", "buffer": b"date;score\nx;9\n"}]
    )
    page.get_by_role("button", name="Tuo", exact=True).click()
    expect(page.locator("#error-summary")).to_contain_text("rivi 2, sarake ”date”")
    assert_accessible(page)
