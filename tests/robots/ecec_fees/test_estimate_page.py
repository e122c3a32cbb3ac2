"""The public fee estimate page /varhaiskasvatusmaksu/<slug>/: no login, Finnish by default and
Swedish on request, the same engine as the decisions, field errors for bad input, and nothing
written to the database."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from kuntarobo.audit.models import AuditEvent
from kuntarobo.robots.ecec_fees.models import FeeDecision
from kuntarobo.robots.ecec_fees.municipal import example_settings
from kuntarobo.robots.ecec_fees.robot import EcecFeeRobot
from kuntarobo.robots.ecec_fees.views import default_date
from kuntarobo.runtime.models import RobotSettings, Run, WorkItem
from kuntarobo.runtime.settings_actions import save_robot_settings
from tests.factories import MunicipalityFactory
from tests.robots.ecec_fees.helpers import configure

pytestmark = pytest.mark.django_db

URL = "/varhaiskasvatusmaksu/esimerkkila/"
# The worked example: 3 persons, 6,000 €/month, children of 2 and 4 in full-time ECEC.
# 10.7 % × (6000 − 5245) = 80.785 → 81 €; the second child 40 % × 81 = 32.40 → 32 €.
WORKED_EXAMPLE = {
    "date": "2025-01-15",
    "family_size": "3",
    "income_1": "6000",
    "child_1_birth_date": "2022-09-01",
    "child_1_hours": "150",
    "child_2_birth_date": "2020-09-01",
    "child_2_hours": "150",
}
NBSP = "\xa0"


@pytest.fixture
def municipality():
    municipality = MunicipalityFactory(
        slug="esimerkkila", name_fi="Esimerkkilä", name_sv="Exempelby"
    )
    configure(municipality)
    return municipality


def text_of(response) -> str:
    """The page's text, tags removed and spaces (non-breaking ones too) collapsed."""
    return text_of_page(response.content.decode())


def text_of_page(content: str) -> str:
    body = re.sub(r"<[^>]+>", " ", content)
    return re.sub(r"\s+", " ", html.unescape(body).replace(NBSP, " "))


def stored() -> dict[str, int]:
    return {
        "audit": AuditEvent.objects.count(),
        "items": WorkItem.objects.count(),
        "runs": Run.objects.count(),
        "decisions": FeeDecision.objects.count(),
        "settings": RobotSettings.objects.count(),
    }


def test_anyone_may_open_the_page_in_finnish_by_default(client, municipality):
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="fi">' in page
    assert "Esimerkkilä" in page
    assert 'name="date"' in page
    assert 'name="child_1_hours"' in page
    assert "no-cache" in response["Cache-Control"]
    # a date field takes ISO dates only, whatever the language; the default always computes
    default = default_date(timezone.localdate()).isoformat()
    assert re.search(rf'<input type="date" name="date" value="{default}"', page)
    # the municipality's bands: up to 84 h a month 60 %, more than 146 h 100 %
    text = text_of(response)
    assert "84 60 %" in text
    assert "100 %" in text


def test_the_worked_example_is_113_euros_in_all_with_the_computation_in_finnish(
    client, municipality
):
    before = stored()
    response = client.post(URL, WORKED_EXAMPLE)
    assert response.status_code == 200
    text = text_of(response)
    assert "113,00 €" in text
    assert "Perheen maksut yhteensä 113,00 €/kk" in text
    assert "10,7 % × (6 000,00 € − 5 245,00 €)" in text
    assert "81,00 €" in text
    assert "32,00 €" in text
    assert stored() == before


def test_a_swedish_browser_gets_the_page_and_the_computation_in_swedish(municipality):
    client = Client(headers={"Accept-Language": "sv"})
    page = client.get(URL).content.decode()
    assert '<html lang="sv">' in page
    assert "Exempelby" in page
    text = text_of(client.post(URL, WORKED_EXAMPLE))
    assert "Familjens avgifter sammanlagt 113,00 €/mån" in text
    assert "Perheen" not in text


def test_the_language_cookie_switches_the_page_to_swedish(client, municipality):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    response = client.post(URL, WORKED_EXAMPLE)
    assert '<html lang="sv">' in response.content.decode()
    assert "Familjens avgifter sammanlagt 113,00 €/mån" in text_of(response)


def test_each_fee_is_shown_under_the_childs_own_number_on_the_form(client, municipality):
    # The older child is typed first and a row is left empty: the youngest (child 3) pays the
    # full 81 €, the older one (child 1) 40 % of it.
    form = {
        **WORKED_EXAMPLE,
        "child_1_birth_date": "2020-09-01",
        "child_2_birth_date": "",
        "child_2_hours": "",
        "child_3_birth_date": "2022-09-01",
        "child_3_hours": "150",
    }
    text = text_of(client.post(URL, form))
    first = re.search(r"\b1\D*32,00 €", text)
    third = re.search(r"\b3\D*81,00 €", text)
    assert first, text
    assert third, text
    assert first.start() < third.start()  # in the order of the form
    assert "113,00 €" in text


def test_part_time_hours_use_the_municipalitys_band(client, municipality):
    # 84 h a month is the 60 % band: 0.60 × 81 € = 48.60 → 49 €
    one_child = {
        "date": "2025-01-15",
        "family_size": "3",
        "income_1": "6000",
        "child_1_birth_date": "2022-09-01",
        "child_1_hours": "84",
    }
    text = text_of(client.post(URL, one_child))
    assert "Palveluntarve 0,60 × 81,00 € = 48,60 € → 49,00 €" in text
    assert "Perheen maksut yhteensä 49,00 €/kk" in text


@pytest.mark.parametrize(
    ("language", "income"),
    [
        ("fi", "6 000"),
        ("fi", "6\xa0000,00 €"),
        ("fi", "6000,00"),
        ("sv", "6 000,00"),
        ("en", "6000.00"),
        ("en", "€6000"),
        ("en", "6000,00"),
        ("sv", "6000.00"),
    ],
)
def test_incomes_are_read_as_people_write_euros(municipality, language, income):
    client = Client(headers={"Accept-Language": language})
    text = text_of(client.post(URL, {**WORKED_EXAMPLE, "income_1": income}))
    assert "113,00 €" in text or "€113.00" in text


def test_the_english_estimate_reads_a_decimal_comma_as_the_finnish_one_does(municipality):
    english = Client(headers={"Accept-Language": "en"})
    finnish = Client(headers={"Accept-Language": "fi"})
    with_comma = text_of(english.post(URL, {**WORKED_EXAMPLE, "income_1": "6000,50"}))
    with_point = text_of(finnish.post(URL, {**WORKED_EXAMPLE, "income_1": "6000.50"}))
    assert "€6,000.50" in with_comma
    assert "6 000,50 €" in with_point.replace("\xa0", " ")


@pytest.mark.parametrize("income", ["2,500.50", "2.500,50", "2,500", "2.500", "1.000.000"])
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_an_amount_whose_reading_depends_on_the_language_is_refused_clearly(
    municipality, language, income
):
    client = Client(headers={"Accept-Language": language})
    response = client.post(URL, {**WORKED_EXAMPLE, "income_1": income})
    page = response.content.decode()
    error = page.split('id="id_income_1_error"')[1].split("</ul>")[0]
    assert "2500,50" in error
    assert "2500.50" in error
    assert "result-heading" not in page


def test_families_that_accept_the_maximum_fee_need_not_give_incomes(client, municipality):
    form = {**WORKED_EXAMPLE, "income_1": "", "accepts_max_fee": "on"}
    text = text_of(client.post(URL, form))
    # 311 € for the youngest, 40 % × 311 = 124.40 → 124 € for the other
    assert "435,00 €" in text


def test_the_bands_in_force_on_the_date_asked_about_are_used(client, municipality):
    # From 1 March 2025 up to 200 h a month costs 50 %: March is computed with the new band
    # (0.50 × 81 € = 40.50 → 41 €; the second child's 0.50 × 32 € = 16 € is below the 30 €
    # minimum), January still with the full-time fee.
    new = example_settings("Esimerkkilä")
    new["service_need_bands"] = [
        {"max_hours": 200, "coefficient": "0.5"},
        {"max_hours": None, "coefficient": "1.0"},
    ]
    save_robot_settings(
        "test set-up",
        municipality,
        EcecFeeRobot,
        new,
        valid_from=datetime.date(2025, 3, 1),
        via="test",
    )
    january = text_of(client.post(URL, WORKED_EXAMPLE))
    march = text_of(client.post(URL, {**WORKED_EXAMPLE, "date": "2025-03-03"}))
    assert "Perheen maksut yhteensä 113,00 €/kk" in january
    assert "Perheen maksut yhteensä 41,00 €/kk" in march


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"family_size": "1"}, ["family_size"]),
        ({"income_1": "-5"}, ["income_1"]),
        ({"income_1": ""}, ["income_1"]),
        ({"date": "2025-02-30"}, ["date"]),
        ({"child_1_hours": ""}, ["child_1_hours"]),
        ({"child_2_hours": ""}, ["child_2_hours"]),
        ({"child_1_birth_date": "2025-06-01"}, ["child_1_birth_date"]),
        ({"child_1_hours": "800"}, ["child_1_hours"]),
        ({"family_size": "2"}, ["family_size"]),
    ],
    ids=[
        "family of one",
        "negative income",
        "no income",
        "not a date",
        "hours missing",
        "second child's hours missing",
        "born after the month",
        "more hours than a month has",
        "too small for two children",
    ],
)
def test_bad_input_shows_the_field_errors_and_no_result(client, municipality, changes, fields):
    before = stored()
    response = client.post(URL, {**WORKED_EXAMPLE, **changes})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "result-heading" not in page
    assert "113,00" not in page
    for field in fields:
        assert f'id="id_{field}_error"' in page
        assert re.search(rf'aria-invalid="true"[^>]*id="id_{field}"', page)
    errors = re.findall(r'id="id_(\w+)_error"', page)
    assert errors == fields
    assert stored() == before


@pytest.mark.parametrize(
    "date",
    ["2026-09-01", "2018-07-31"],
    ids=["income limits not confirmed", "before the first rules"],
)
def test_a_date_without_fee_rules_is_an_error_of_the_date_field_in_the_familys_language(
    client, municipality, date
):
    form = {
        **WORKED_EXAMPLE,
        "date": date,
        "child_1_birth_date": "2016-09-01",
        "child_2_birth_date": "2015-09-01",
    }
    page = client.post(URL, form).content.decode()
    assert "result-heading" not in page
    assert re.findall(r'id="id_(\w+)_error"', page) == ["date"]
    # not the calculator's message for programs and operators
    assert "kuntarobo" not in text_of_page(page)
    assert "administrator" not in page


def test_each_problem_is_told_once(client, municipality):
    page = client.post(URL, {**WORKED_EXAMPLE, "income_1": "-5", "child_1_hours": ""})
    content = page.content.decode()
    for field in ("income_1", "child_1_hours"):
        block = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', content)
        assert block is not None
        assert block.group(1).count("<li>") == 1, block.group(1)


def test_a_municipality_without_fee_settings_has_no_page(client, municipality):
    MunicipalityFactory(slug="naapurila", name_fi="Naapurila")
    assert client.get("/varhaiskasvatusmaksu/naapurila/").status_code == 404
    assert client.post("/varhaiskasvatusmaksu/naapurila/", WORKED_EXAMPLE).status_code == 404
    assert client.get("/varhaiskasvatusmaksu/nowhere/").status_code == 404


def test_other_methods_are_not_allowed(client, municipality):
    assert client.put(URL).status_code == 405
    assert client.delete(URL).status_code == 405


def test_a_post_without_the_csrf_token_is_refused(municipality):
    client = Client(enforce_csrf_checks=True)
    assert client.post(URL, WORKED_EXAMPLE).status_code == 403


def test_the_form_posts_back_with_its_csrf_token(municipality):
    client = Client(enforce_csrf_checks=True)
    page = client.get(URL).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    response = client.post(URL, {**WORKED_EXAMPLE, "csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 200
    assert "113,00 €" in text_of(response)
