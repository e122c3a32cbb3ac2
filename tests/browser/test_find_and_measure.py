"""Issue 17's walk in a real browser: a coordinator scores an idea, moves it stage by stage into
production as the invoice robot, opens the robot's result card as a PDF (figures from a real
run of the robot) and the impact dashboard's charts; axe-core finds no violation on the way."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from kuntarobo.accounts.models import Role
from kuntarobo.portfolio.models import Assessment, Idea, IdeaStageChange, Stage
from kuntarobo.runtime import actions, execution
from kuntarobo.runtime.models import ItemStatus
from tests.browser.conftest import assert_accessible
from tests.factories import MunicipalityFactory, user_with_role
from tests.web.conftest import process_all, write_invoices

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "Salasana-123-pitka"
ROBOT = "invoice_check"


@pytest.fixture
def town_with_a_run(transactional_db, tmp_path: Path):
    """Esimerkkilä with an idea, a coordinator and a reviewer, and one real run of the invoice
    robot whose proposals the reviewer approved (so its items are done and save time)."""
    town = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä", name_sv="Exempelby")
    coordinator = user_with_role(Role.COORDINATOR, town, username="koordinaattori")
    coordinator.set_password(PASSWORD)
    coordinator.save()
    reviewer = user_with_role(Role.REVIEWER, town, username="tarkastaja")
    idea = Idea.objects.create(
        municipality=town,
        department="Talous",
        title="Ostolaskujen tarkastus",
        process="Ostolaskut",
        systems="Taloushallinto",
        volume_per_year=12000,
        manual_minutes_per_case=3,
        rework_share_percent=5,
    )
    invoices = write_invoices(tmp_path / "invoices", "ESIM-", "Esimerkin Siivous Oy")
    run = actions.start_run(coordinator, town, ROBOT, input_file=invoices).run
    process_all(run)
    waiting = list(run.items.filter(status=ItemStatus.NEEDS_REVIEW).values_list("pk", flat=True))
    actions.approve_items(reviewer, waiting, note="tarkastettu")
    for pk in waiting:
        execution.execute(pk, "test-worker", execution.DELIVER)
    assert run.items.filter(status=ItemStatus.DONE).count() >= 3
    return town, idea


def test_a_coordinator_scores_an_idea_moves_it_to_production_and_reads_its_card_and_dashboard(
    live_server, town_with_a_run, page
):
    _town, idea = town_with_a_run
    base = live_server.url
    page.goto(f"{base}/login/")
    page.get_by_label("Käyttäjätunnus").fill("koordinaattori")
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()

    # The idea bank, then the idea: scored by the open method.
    page.get_by_role("link", name="Salkku").first.click()
    page.get_by_role("link", name="Ostolaskujen tarkastus").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ostolaskujen tarkastus")
    assert_accessible(page)
    page.goto(f"{base}/portfolio/ideas/{idea.pk}/assess/")
    for legend, score in [
        ("Sääntöpohjaisuus", "5"),
        ("Digitaalinen ja rakenteinen syöte", "5"),
        ("Vakaa prosessi ja järjestelmät", "4"),
        ("Vakioitavuus (vähän muunnelmia)", "4"),
        ("Vähän poikkeuksia", "3"),
        ("Dokumentaatio", "3"),
    ]:
        page.get_by_role("group", name=legend).get_by_label(score, exact=True).check()
    page.get_by_role("button", name="Tallenna arviointi").click()
    expect(page.get_by_text("Idea on arvioitu.")).to_be_visible()
    assert_accessible(page)
    assert Assessment.objects.filter(idea=idea).count() == 1

    # Stage by stage into production; development names the robot the idea became.
    page.goto(f"{base}/portfolio/ideas/{idea.pk}/")
    for stage, robot in [
        ("Arvioitu", ""),
        ("Hyväksytty", ""),
        ("Kehityksessä", ROBOT),
        ("Tuotannossa", ""),
    ]:
        page.get_by_label("Siirrä vaiheeseen").select_option(label=stage)
        if robot:
            page.get_by_label("Robotti").select_option(robot)
        page.get_by_role("button", name="Siirrä", exact=True).click()
        expect(page.locator("dl.facts").first).to_contain_text(stage)
    assert_accessible(page)
    idea.refresh_from_db()
    assert idea.stage == Stage.IN_PRODUCTION
    assert idea.robot_slug == ROBOT
    assert list(IdeaStageChange.objects.filter(idea=idea).values_list("to_stage", flat=True)) == [
        Stage.ASSESSED,
        Stage.APPROVED,
        Stage.IN_DEVELOPMENT,
        Stage.IN_PRODUCTION,
    ]

    # The robot's result card and its one-page PDF, with the run's figures.
    page.get_by_role("link", name="Tuloskortti").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tuloskortti")
    assert_accessible(page)
    link = page.get_by_role("link", name="Tuloskortti PDF-tiedostona (yksi sivu)")
    # Fetched in the signed-in browser's session (Chromium shows a PDF rather than saving it).
    response = page.request.get(f"{base}{link.get_attribute('href')}")
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.body()))
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    assert "Esimerkkilä" in text
    assert "Ostolaskujen tarkistus" in text
    # The run's five invoices: four done (those needing review once approved), one refused.
    assert "Käsitellyt tehtävät 5" in text
    assert "Valmistuneet tehtävät 4" in text

    # The impact dashboard: every chart an image with its data table.
    page.goto(f"{base}/portfolio/ideas/{idea.pk}/")
    page.get_by_role("link", name="Robotin vaikutusnäkymä").click()
    charts = page.locator("svg.chart")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 2
    assert page.locator("table caption").count() >= charts.count()
    assert_accessible(page)
