"""A campaign's dashboard, report, exports and council PDF, on a hand-made campaign of ten
numbers whose figures were worked out by hand (report_factories.TEN)."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pypdf
import pytest
from django.test import Client
from django.urls import reverse

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.robots.phone_survey.models import Answer, CampaignStatus
from tests.factories import PASSWORD, MunicipalityFactory, user_with_role
from tests.robots.phone_survey import report_factories as make

pytestmark = pytest.mark.django_db


def client_for(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def world():
    home = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä", name_sv="Exempelby")
    other = MunicipalityFactory(slug="naapurila", name_fi="Naapurila")
    users = {
        "viewer": user_with_role(Role.VIEWER, home),
        "reviewer": user_with_role(Role.REVIEWER, home),
        "outsider": user_with_role(Role.ADMINISTRATOR, other),
    }
    return make.ten_numbers(home), users


def url(name: str, campaign, *args) -> str:
    return reverse(f"phone_survey:{name}", args=[campaign.pk, *args])


def cell(html: str, element_id: str) -> str:
    match = re.search(rf'id="{re.escape(element_id)}"[^>]*>([^<]*)<', html)
    assert match, element_id
    return match.group(1).strip()


def test_the_rates_equal_the_hand_computed_values_of_the_ten_numbers(world):
    campaign, users = world
    html = client_for(users["viewer"]).get(url("report", campaign)).content.decode()
    # I=3 P=1 R=1 NC=1 O=0 UH=2 (3.13 open, 3.11 never called) UO=1 NE=1; e = 6/7.
    groups = {
        name: cell(html, f"group-{name}") for name in ("I", "P", "R", "NC", "O", "UH", "UO", "NE")
    }
    assert groups == {
        "I": "3",
        "P": "1",
        "R": "1",
        "NC": "1",
        "O": "0",
        "UH": "2",
        "UO": "1",
        "NE": "1",
    }
    assert cell(html, "rate-RR1") == "33.3%"  # 3 / 9
    assert cell(html, "rate-RR2") == "44.4%"  # 4 / 9
    assert cell(html, "rate-RR3") == "35%"  # 3 / (6 + 6/7 × 3) = 21/60
    assert cell(html, "rate-RR5") == "50%"  # 3 / 6
    assert cell(html, "rate-COOP1") == "60%"  # 3 / 5
    assert cell(html, "rate-REF1") == "11.1%"  # 1 / 9
    assert cell(html, "rate-CON1") == "55.6%"  # 5 / 9
    assert "e = (I+P+R+NC+O) / (I+P+R+NC+O+NE) = 6 / 7" in html
    assert "numbers without a final code are counted with the code their attempts" in html


def test_the_live_figures_count_calls_in_progress_attempts_and_the_estimate(world):
    campaign, users = world
    html = client_for(users["viewer"]).get(url("report", campaign)).content.decode()
    assert cell(html, "live-in-progress") == "1"
    assert cell(html, "live-attempts") == "11"
    assert cell(html, "live-completes") == "3"
    # p = 3 / 9 numbers tried; open: one with 1 attempt left, one never called (3 left):
    # 3 + 1/3 × 4/3 = 3.44…
    assert cell(html, "live-estimate") == "3.4"
    assert "will not be met at this pace" in html
    assert "3.13 no answer" in html


def test_the_live_panel_is_polled_by_htmx_and_answers_as_a_fragment(world):
    campaign, users = world
    client = client_for(users["viewer"])
    page = client.get(url("report", campaign)).content.decode()
    live = url("report_live", campaign)
    assert f'hx-get="{live}"' in page
    assert 'hx-trigger="every 5s"' in page
    fragment = client.get(live, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="report-live"')
    assert "<html" not in fragment
    assert cell(fragment, "live-attempts") == "11"
    make.attempt(campaign.respondents.order_by("row").last(), "3.12")
    assert cell(client.get(live).content.decode(), "live-attempts") == "12"


def test_an_ended_campaign_is_not_polled(world):
    campaign, users = world
    campaign.status = CampaignStatus.ENDED
    campaign.save()
    page = client_for(users["viewer"]).get(url("report", campaign)).content.decode()
    assert "hx-trigger" not in page


def test_a_rate_whose_denominator_is_zero_is_not_defined():
    home = MunicipalityFactory(slug="tyhjala")
    viewer = user_with_role(Role.VIEWER, home)
    campaign = make.campaign(home, status=CampaignStatus.RUNNING)
    make.respondent(campaign)  # never called: UH = 1, no contact at all
    html = client_for(viewer).get(url("report", campaign)).content.decode()
    assert cell(html, "rate-COOP1") == "not defined"
    assert cell(html, "rate-RR1") == "0%"
    assert cell(html, "live-estimate") == "–"
    assert 'id="population-missing"' in html


def test_the_respondents_are_compared_with_the_population_and_weighted(world):
    campaign, users = world
    html = client_for(users["viewer"]).get(url("report", campaign)).content.decode()
    # Completes: 18-29, 65+, 65+; population 20 / 50 / 30 %.
    assert "18-29: population 20.0 % / respondents 33.3 % = weight 0.60." in html
    assert "65+: population 30.0 % / respondents 66.7 % = weight 0.45." in html
    assert "30-64: no respondents" in html
    assert "female: population 50.0 % / respondents 66.7 % = weight 0.75." in html
    assert "male: population 50.0 % / respondents 33.3 % = weight 1.50." in html
    assert 'id="population-missing"' not in html


def test_without_a_population_table_the_page_says_so(world):
    campaign, users = world
    campaign.population = {}
    campaign.save()
    html = client_for(users["viewer"]).get(url("report", campaign)).content.decode()
    assert 'id="population-missing"' in html


def test_a_bad_population_table_is_named_on_the_page(world):
    campaign, users = world
    campaign.population = {"income": {"low": 1}}
    campaign.save()
    html = client_for(users["viewer"]).get(url("report", campaign)).content.decode()
    assert "population.income" in html


def test_answers_are_counted_per_question_with_a_chart_and_its_table(world):
    campaign, users = world
    html = client_for(users["viewer"], "sv").get(url("report", campaign)).content.decode()
    assert "Är du nöjd med kommunen?" in html
    assert html.count('class="chart-bar"') >= 2 or html.count("<svg") >= 2
    table = re.search(r"<caption>Är du nöjd med kommunen\?</caption>(.*?)</table>", html, re.S)
    assert table
    rows = re.findall(r'<th scope="row">([^<]*)</th><td class="num">(\d+)</td>', table.group(1))
    assert rows == [("Ja", "1"), ("Nej", "1"), ("=cmd|&#x27; /C calc&#x27;!A0", "1")]
    numeric = re.search(r"<caption>Skolbetyg för kommunen\?</caption>(.*?)</table>", html, re.S)
    assert re.findall(
        r'<th scope="row">(\d+)</th><td class="num">(\d+)</td>', numeric.group(1)
    ) == [
        ("8", "2"),
        ("9", "0"),
        ("10", "1"),
    ]


def test_the_cost_is_the_billed_minutes_times_the_price(world):
    campaign, users = world
    html = client_for(users["viewer"]).get(url("report", campaign)).content.decode()
    # 445 s × 30 c / 60 = 222.5 c -> €2.23; per complete 223 / 3 = 74.3 -> €0.74.
    assert cell(html, "cost-minutes") == "7.4"
    assert cell(html, "cost-total") == "€2.23"
    assert cell(html, "cost-per-complete") == "€0.74"


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_answers_export_has_a_row_per_respondent_without_phone_numbers(world):
    campaign, users = world
    response = client_for(users["viewer"]).get(url("report_answers", campaign, "csv"))
    rows = read_csv(response)
    assert rows[0] == [
        "Respondent",
        "Age group",
        "Gender",
        "Area",
        "Language",
        "Final code",
        "q1",
        "q2",
        "q3",
    ]
    assert len(rows) == 11
    assert rows[1][1:] == ["18-29", "female", "Keskusta", "fi", "1.1", "yes", "8", "recording"]
    assert rows[7][5] == "3.13"  # provisional: the running number's attempts so far
    assert "+35840" not in response.content.decode("utf-8-sig")
    assert re.fullmatch(r"R[0-9a-f]{10}", rows[1][0])
    # The formula is neutralised: a single quote before it.
    assert rows[3][6] == "'=cmd|' /C calc'!A0"
    assert AuditEvent.objects.filter(action="phone_survey.report.answers_export").count() == 1


def test_phone_numbers_are_exported_only_to_those_who_may_see_personal_data(world):
    campaign, users = world
    phones = url("report_answers", campaign, "csv") + "?phones=1"
    assert client_for(users["viewer"]).get(phones).status_code == 403
    rows = read_csv(client_for(users["reviewer"]).get(phones))
    assert rows[0][1] == "Phone number"
    assert rows[1][1].startswith("'+35840")  # a leading + is quoted like any formula start
    event = AuditEvent.objects.get(action="phone_survey.report.answers_export")
    assert event.details["phone_numbers"] is True


def test_the_xlsx_export_keeps_a_formula_as_quoted_text(world):
    campaign, users = world
    response = client_for(users["viewer"]).get(url("report_answers", campaign, "xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:6] == ["Respondent", "Age group", "Gender", "Area", "Language", "Final code"]
    formula = sheet.cell(row=4, column=7)
    assert formula.value == "=cmd|' /C calc'!A0"
    assert formula.data_type == "s"
    assert formula.quotePrefix


def test_the_attempts_export_lists_every_attempt(world):
    campaign, users = world
    client = client_for(users["viewer"])
    rows = read_csv(client.get(url("report_attempts", campaign, "csv")))
    assert rows[0] == [
        "Respondent",
        "Attempt",
        "Started",
        "Answered",
        "Ended",
        "SIP status",
        "Outcome",
        "Interim AAPOR code",
        "Seconds",
    ]
    assert len(rows) == 12
    assert [row[7] for row in rows[1:4]] == ["1.1", "3.13", "1.1"]
    assert rows[2][0] == rows[3][0]  # the same respondent's two attempts
    assert rows[3][8] == "150.0"
    running = [row for row in rows[1:] if row[4] == ""]
    assert len(running) == 1
    assert running[0][7] == ""
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get(url("report_attempts", campaign, "xlsx")).content)
    ).active
    assert sheet.max_row == 12
    assert AuditEvent.objects.filter(action="phone_survey.report.attempts_export").count() == 2


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_the_council_pdf_in_finnish_has_the_key_figures(world):
    campaign, users = world
    response = client_for(users["viewer"], "fi").get(url("report_pdf", campaign))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Puhelinkyselyn raportti" in text
    assert "Vastausosuudet (AAPOR)" in text
    assert "33,3 %" in text  # RR1
    assert "2,23 €" in text  # cost
    assert "0,74 €" in text  # per complete
    assert "Oletko tyytyväinen kuntaan?" in text
    assert "Esimerkkilä" in text
    assert "Vastaajat ja väestö" in text
    assert "65+ 2 66,7 % 30 % 36,7 0,45" in text  # sample vs population, weight 0.3 / (2/3)
    assert "RR3 = I / ((I+P) + (R+NC+O) + e(UH+UO))" in text  # the definition
    assert AuditEvent.objects.filter(action="phone_survey.report.pdf").count() == 1


def test_the_council_pdf_in_swedish_has_the_key_figures(world):
    campaign, users = world
    response = client_for(users["viewer"], "fi").get(url("report_pdf", campaign) + "?language=sv")
    text = pdf_text(response.content)
    assert "Telefonenkätens rapport" in text
    assert "Svarsandelar (AAPOR)" in text
    assert "33,3 %" in text
    assert "2,23 €" in text
    assert "Är du nöjd med kommunen?" in text
    assert "Exempelby" in text


def test_the_council_pdf_is_only_in_finnish_or_swedish(world):
    campaign, users = world
    response = client_for(users["viewer"]).get(url("report_pdf", campaign) + "?language=de")
    assert response.status_code == 400


def test_recordings_are_linked_and_played_only_for_those_who_may_see_personal_data(world):
    campaign, users = world
    recorded = Answer.objects.exclude(recording="").get()
    link = url("report_recording", campaign, recorded.pk)
    viewer_page = client_for(users["viewer"]).get(url("report", campaign)).content.decode()
    assert link not in viewer_page
    assert "?phones=1" not in viewer_page
    assert client_for(users["viewer"]).get(link).status_code == 403
    reviewer = client_for(users["reviewer"])
    assert link in reviewer.get(url("report", campaign)).content.decode()
    response = reviewer.get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"RIFF-test"
    assert AuditEvent.objects.filter(action="phone_survey.report.recording").count() == 1


def test_another_municipalitys_user_gets_not_found_everywhere(world):
    campaign, users = world
    outsider = client_for(users["outsider"])
    recorded = Answer.objects.exclude(recording="").get()
    for address in (
        url("report", campaign),
        url("report_live", campaign),
        url("report_answers", campaign, "csv"),
        url("report_attempts", campaign, "xlsx"),
        url("report_pdf", campaign),
        url("report_recording", campaign, recorded.pk),
    ):
        assert outsider.get(address).status_code == 404, address
    assert not AuditEvent.objects.filter(action__startswith="phone_survey.report").exists()


def test_signed_out_visitors_are_sent_to_sign_in(world):
    campaign, _users = world
    response = Client().get(url("report", campaign))
    assert response.status_code == 302


def test_the_finnish_page_explains_with_decimal_commas(world):
    campaign, users = world
    html = client_for(users["viewer"], "fi").get(url("report", campaign)).content.decode()
    assert "Vastausosuudet (AAPOR)" in html
    assert cell(html, "rate-RR1") == "33,3 %"
    assert "RR3 = I / ((I+P) + (R+NC+O) + e(UH+UO)) = 3 / 8,5714 = 0,3500" in html
    assert "18-29: väestö 20,0 % / vastaajat 33,3 % = paino 0,60." in html
    assert cell(html, "cost-total") == "2,23 €"


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","y")', "+1", "-cmd", "@SUM(1)", "\t=1+1"])
def test_every_formula_start_in_a_respondents_field_stays_text(world, text):
    campaign, users = world
    first = campaign.respondents.order_by("row").first()
    first.area = text
    first.save()
    client = client_for(users["viewer"])
    rows = read_csv(client.get(url("report_answers", campaign, "csv")))
    assert rows[1][3] == "'" + text
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get(url("report_answers", campaign, "xlsx")).content)
    ).active
    assert sheet.cell(row=2, column=4).value == text
    assert sheet.cell(row=2, column=4).quotePrefix
