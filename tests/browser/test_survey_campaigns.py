"""A phone survey campaign prepared in a real browser, in Finnish: a coordinator creates the
campaign, sees the schedule's problem beside its field and fixes it, imports respondents (a file
with one bad row is refused whole, naming its row and column), then opens the respondents list,
a respondent whose recorded answer plays, and the do-not-call list. axe-core finds no violation
on any page on the way."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from kuntarobo.accounts.models import Role
from kuntarobo.robots.phone_survey.models import Answer, Campaign, CampaignStatus, Respondent
from tests.browser.conftest import assert_accessible
from tests.factories import MunicipalityFactory, user_with_role
from tests.robots.phone_survey.campaign_factories import DoNotCallFactory, QuestionnaireFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "Salasana-123-pitka"

BAD_CSV = (
    "puhelin;ikäryhmä;sukupuoli;alue;kieli\n"
    "0401234567;30-49;nainen;keskusta;fi\n"
    "040 12;65+;mies;;fi\n"
    "0451234568;65+;;;sv\n"
)
GOOD_CSV = BAD_CSV.replace("040 12;", "0401234569;")


def half_a_second_of_silence() -> bytes:
    """A real telephone-quality WAV (8 kHz, 16-bit mono), as the dialler records them."""
    out = io.BytesIO()
    with wave.open(out, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(bytes(8000))
    return out.getvalue()


@pytest.fixture
def town(transactional_db):
    """Esimerkkilä with a coordinator, a questionnaire and one number on the do-not-call list."""
    place = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä", name_sv="Exempelby")
    coordinator = user_with_role(Role.COORDINATOR, place, username="koordinaattori")
    coordinator.set_password(PASSWORD)
    coordinator.save()
    QuestionnaireFactory(municipality=place, name="Strategiakysely")
    DoNotCallFactory(municipality=place, phone="+358451234568")
    return place


def test_a_coordinator_prepares_a_campaign_and_imports_its_respondents_in_finnish(
    live_server, town, page, tmp_path: Path
):
    base = live_server.url
    page.goto(f"{base}/login/")
    page.get_by_label("Käyttäjätunnus").fill("koordinaattori")
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()

    page.goto(f"{base}{reverse('phone_survey:campaign_list')}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kyselykampanjat")
    assert_accessible(page)
    page.get_by_role("link", name="Uusi kampanja: Esimerkkilä").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uusi kampanja: Esimerkkilä")
    assert_accessible(page)

    # The calls would end before they begin: the problem is shown beside "Soitot päättyen".
    page.get_by_label("Nimi:", exact=True).fill("Asukaskysely 2026")
    page.get_by_label("Kyselylomake").select_option(label="Strategiakysely")
    page.get_by_label("Ensimmäinen soittopäivä").fill("2026-12-07")
    page.get_by_label("Viimeinen soittopäivä").fill("2026-12-18")
    page.get_by_label("Soitot alkaen (HH:MM)").fill("18:00")
    page.get_by_label("Soitot päättyen (HH:MM)").fill("09:00")
    page.get_by_role("button", name="Tallenna kampanja").click()
    problem = "Soittojen on päätyttävä myöhemmin kuin ne alkavat."
    field = page.locator(".field.has-error")
    expect(field).to_have_count(1)
    expect(field).to_contain_text("Soitot päättyen (HH:MM)")
    expect(field).to_contain_text(problem)
    assert_accessible(page)
    assert not Campaign.objects.exists()

    page.get_by_label("Soitot alkaen (HH:MM)").fill("10:00")
    page.get_by_label("Soitot päättyen (HH:MM)").fill("20:00")
    page.get_by_role("button", name="Tallenna kampanja").click()
    expect(page.get_by_text("Kampanja on tallennettu luonnoksena.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Asukaskysely 2026")
    assert_accessible(page)
    campaign = Campaign.objects.get()
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.schedule["from"] == "10:00"
    assert campaign.schedule["to"] == "20:00"

    # One bad row: the whole file is refused, the row and column named, nothing imported.
    page.get_by_role("link", name="Tuo vastaajat").click()
    assert_accessible(page)
    bad = tmp_path / "vastaajat.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    page.get_by_label("Vastaajatiedosto (CSV tai XLSX)").set_input_files(bad)
    page.get_by_role("button", name="Tuo", exact=True).click()
    expect(page.locator(".field.has-error")).to_contain_text(
        "Rivi 3, sarake puhelin: **0 12 ei ole kelvollinen puhelinnumero."
    )
    assert_accessible(page)
    assert not Respondent.objects.exists()

    good = tmp_path / "vastaajat-korjattu.csv"
    good.write_text(GOOD_CSV, encoding="utf-8")
    page.get_by_label("Vastaajatiedosto (CSV tai XLSX)").set_input_files(good)
    page.get_by_role("button", name="Tuo", exact=True).click()
    expect(page.get_by_role("heading", name="3 vastaajaa tuotiin.")).to_be_visible()
    assert_accessible(page)
    assert Respondent.objects.filter(campaign=campaign).count() == 3

    # The respondents list from the campaign page; the coordinator may see the numbers.
    page.get_by_role("link", name="Asukaskysely 2026").click()
    page.get_by_role("link", name="Kampanjan vastaajat").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vastaajat: Asukaskysely 2026")
    table = page.get_by_role("table", name="Vastaajat")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table).to_contain_text("+358401234569")
    assert_accessible(page)
    page.get_by_label("Ikäryhmä").select_option("65+")
    page.get_by_role("button", name="Näytä").click()
    expect(table.locator("tbody tr")).to_have_count(2)
    assert_accessible(page)
    # A recorded open answer plays in the respondent's page (the coordinator may hear it).
    respondent = Respondent.objects.get(campaign=campaign, row=3)
    voice = Answer(respondent=respondent, step_id="open", answered_at=timezone.now())
    voice.recording.save("vastaus.wav", ContentFile(half_a_second_of_silence()), save=True)
    table.get_by_role("link", name="Rivi 3").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vastaaja rivillä 3")
    expect(page.get_by_text("Ei vielä soitettu.")).to_be_visible()
    expect(page.get_by_role("row", name="Kertokaa vielä omin sanoin")).to_be_visible()
    duration = page.locator("audio").evaluate(
        """audio => new Promise((resolve, reject) => {
            audio.addEventListener("loadedmetadata", () => resolve(audio.duration));
            audio.addEventListener("error", () => reject(new Error("not playable")));
            audio.load();
        })"""
    )
    assert abs(duration - 0.5) < 0.01
    assert_accessible(page)

    # The do-not-call list, from the campaign page.
    page.get_by_role("link", name="Asukaskysely 2026").click()
    page.get_by_role("link", name="Kunnan soittokieltoluettelo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Soittokieltoluettelo: Esimerkkilä")
    expect(page.get_by_role("table")).to_contain_text("+358451234568")
    assert_accessible(page)
