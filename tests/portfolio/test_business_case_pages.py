"""The business cases' pages as a coordinator uses them: a case entered through the form with
its table of years (Finnish decimal commas, a derived benefit), its result with each year's net
and cumulative net benefit, the rules' verdicts and the explanation in the user's language; bad
input shown beside its field; and the calculator, which stores nothing."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client

from kuntarobo.accounts.models import Role
from kuntarobo.portfolio.business_cases import save_business_case
from kuntarobo.portfolio.models import BusinessCase

NEW = "/portfolio/business-cases/new/"
CALCULATOR = "/portfolio/business-cases/calculator/"


def client_in(pworld: Any, role: str, language: str) -> Client:
    client = pworld.client_for(role)
    client.cookies["django_language"] = language
    return client


def form(rows: list[dict[str, str]], **fields: str) -> dict[str, str]:
    data = {
        "title": "Ostolaskujen tiliöinti",
        "start_year": "2021",
        "horizon_year": "2026",
        "payback_max_years": "3",
        "benefit_ratio_min": "2",
        "ratio_years": "6",
        "years-TOTAL_FORMS": str(len(rows)),
        "years-INITIAL_FORMS": "0",
        **fields,
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"years-{index}-{key}"] = value
    return data


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


# Development 10 000,50 € in 2021; 2022: 1 000 cases × 2,5 min / 60 × 37,40 €/h = 1 558,33 €;
# 2023: gross 9 000,25 €. Running costs 500 € a year 2021–2023.
# Net: −500; 1 058,33; 8 500,25; then 0. Cumulative net benefits −500, 558,33, 9 058,58 — all
# below 10 000,50: no payback. Cumulative net benefit 2021 = −500 − 10 000,50 = −10 500,50;
# 2026 = 9 058,58 − 10 000,50 = −941,92. Ratio = 9 058,58 / 10 000,50 = 0,905… → 0,91.
ROWS = [
    {"year": "2021", "development_cost": "10000,50", "running_cost": "500"},
    {"year": "2022", "running_cost": "500", "volume": "1000", "minutes_saved": "2,5"},
    {"year": "2023", "running_cost": "500", "gross_benefit": "9000,25"},
]


def test_a_coordinator_enters_a_case_and_sees_its_result_in_finnish(pworld):
    client = client_in(pworld, Role.COORDINATOR, "fi")
    assert client.get(NEW).status_code == 200
    data = form(
        ROWS,
        municipality=str(pworld.esimerkkila.pk),
        hourly_cost="37,40",
        idea=str(pworld.idea.pk),
    )
    response = client.post(NEW, data)
    assert response.status_code == 302, text_of(response)[:3000]
    case = BusinessCase.objects.get()
    assert (case.idea, case.hourly_cost_cents) == (pworld.idea, 3740)
    assert case.years.get(year=2022).gross_benefit_cents == 155833
    page = text_of(client.get(response["Location"]))
    assert "Ei maksa itseään takaisin vuoteen 2026 mennessä" in page
    assert "2021 -500,00 -10 500,50" in page.replace("\xa0", " ")
    assert "2026 0,00 -941,92" in page.replace("\xa0", " ")
    assert "Vuosien 1–6 hyötysuhde 0,91" in page
    assert "Takaisinmaksuaika enintään 3 vuotta: ei täyty" in page
    assert "Hyötysuhde vähintään 2: ei täyty" in page
    assert "Laskelma kokonaisuutena: ei täytä sääntöjä" in page
    # The explanation's lines are translated and their figures written with a decimal comma.
    assert "Investointi = kehittämiskustannusten summa 2021–2026 = 10 000,50 €." in page.replace(
        "\xa0", " "
    )
    assert "Sääntö: takaisinmaksuaika enintään 3 vuotta: ei täyty." in page


def test_the_result_is_explained_in_swedish_too(pworld):
    case = save_business_case(
        "test",
        pworld.esimerkkila,
        {
            "title": "Fakturor",
            "start_year": 2021,
            "horizon_year": 2026,
            # Payback 0 + 10 000 / 40 000 = 0.25 years; ratio 40 000 / 10 000 = 4.
            "years": [{"year": 2021, "development_cost": 10000, "gross_benefit": 40000}],
        },
        via="test",
    )
    page = text_of(
        client_in(pworld, Role.VIEWER, "sv").get(f"/portfolio/business-cases/{case.pk}/")
    )
    assert "Återbetalningstid 0,25 år" in page
    assert "Regel: återbetalningstid högst 3 år: uppfylls." in page
    assert "Kalkylen som helhet: uppfyller reglerna" in page
    # A viewer sees the case but is not offered its editing.
    assert "Redigera affärskalkylen" not in page


@pytest.mark.parametrize(
    ("rows", "fields", "cell", "message"),
    [
        # The second row repeats 2021: the error is beside that row's year.
        (
            [ROWS[0], {**ROWS[1], "year": "2021"}],
            {"hourly_cost": "37,40"},
            "years-1-year",
            "vuosi 2021 on annettu kahdesti",
        ),
        (
            [{**ROWS[0], "year": "2019"}],
            {},
            "years-0-year",
            "vuosi 2019 on ennen aloitusvuotta 2021",
        ),
        (
            [ROWS[0], ROWS[1]],
            {},
            "hourly_cost",
            "bruttohyödyn laskemiseen tarvitaan myös hourly_cost",
        ),
        (
            [{**ROWS[0], "running_cost": "-5"}],
            {},
            "years-0-running_cost",
            "Tämän luvun on oltava vähintään 0.",
        ),
        ([{**ROWS[0], "development_cost": "abc"}], {}, "years-0-development_cost", "Syötä luku."),
        (
            [ROWS[0]],
            {"horizon_year": "2020"},
            "horizon_year",
            "tarkasteluvuosi 2020 on ennen aloitusvuotta 2021",
        ),
        (
            [{**ROWS[1], "year": "2021", "gross_benefit": "5"}],
            {"hourly_cost": "30"},
            "years-0-volume",
            "anna joko bruttohyödyt tai tapausmäärä",
        ),
    ],
)
def test_bad_input_is_shown_beside_its_field_in_the_users_language(
    pworld, rows, fields, cell, message
):
    client = client_in(pworld, Role.COORDINATOR, "fi")
    response = client.post(NEW, form(rows, municipality=str(pworld.esimerkkila.pk), **fields))
    assert response.status_code == 400
    html = unescape(response.content.decode())
    # The error is in the field's own block: its cell of the years table, or its form field.
    at = html.index(f'id="id_{cell}"')
    start = max(html.rfind("<td", 0, at), html.rfind('<div class="field', 0, at))
    end = html.find("</td>" if html[start:].startswith("<td") else '<div class="field', at)
    assert message in html[start:end], html[start:end]
    # …and is listed in the summary at the top, linked to the field.
    assert f'href="#id_{cell}"' in html
    assert not BusinessCase.objects.exists()


def test_a_case_without_investment_is_refused_at_the_top_of_the_form(pworld):
    client = client_in(pworld, Role.COORDINATOR, "en")
    response = client.post(
        NEW,
        form([{"year": "2021", "gross_benefit": "5"}], municipality=str(pworld.esimerkkila.pk)),
    )
    assert response.status_code == 400
    assert (
        "the investment (the sum of development costs to the horizon year) must be more than 0"
        in unescape(response.content.decode())
    )


def test_an_edit_shows_the_stored_years_and_replaces_them(pworld):
    case = save_business_case(
        "test",
        pworld.esimerkkila,
        {
            "title": "Vanha",
            "hourly_cost": 30,
            "start_year": 2021,
            "horizon_year": 2026,
            "years": [
                {"year": 2021, "development_cost": 6000, "volume": 12000, "minutes_saved": 4}
            ],
        },
        via="test",
    )
    client = client_in(pworld, Role.ADMINISTRATOR, "fi")
    url = f"/portfolio/business-cases/{case.pk}/edit/"
    html = client.get(url).content.decode()
    assert 'name="years-0-volume" value="12000"' in html
    assert 'name="hourly_cost" value="30"' in html
    response = client.post(
        url,
        {
            **form([{"year": "2022", "development_cost": "100", "gross_benefit": "50"}]),
            "title": "Uusi",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.title == "Uusi"
    assert list(case.years.values_list("year", "gross_benefit_cents")) == [(2022, 5000)]


def test_the_calculator_evaluates_without_saving(pworld):
    client = client_in(pworld, Role.VIEWER, "fi")
    assert client.get(CALCULATOR).status_code == 200
    # 100 000 in 2021, 50 000 a year: payback 1 + 50 000 / 50 000 = 2,00 years.
    rows = [{"year": "2021", "development_cost": "100000", "gross_benefit": "50000"}] + [
        {"year": str(y), "gross_benefit": "50000"} for y in range(2022, 2027)
    ]
    data = form(rows)
    del data["title"]
    response = client.post(CALCULATOR, data)
    assert response.status_code == 200
    page = text_of(response).replace("\xa0", " ")
    assert "Takaisinmaksuaika 2,00 vuotta" in page
    assert "2022 50 000,00 0,00" in page
    assert "Laskelma kokonaisuutena: täyttää säännöt" in page
    assert not BusinessCase.objects.exists()


def test_the_calculator_derives_benefits_at_the_hourly_cost_and_asks_for_it(pworld):
    client = client_in(pworld, Role.VIEWER, "fi")
    rows = [{"year": "2021", "development_cost": "6000", "volume": "12000", "minutes_saved": "4"}]
    data = form(rows)
    del data["title"]
    missing = client.post(CALCULATOR, data)
    assert missing.status_code == 400
    assert "bruttohyödyn laskemiseen tarvitaan myös hourly_cost" in unescape(
        missing.content.decode()
    )
    # 12 000 × 4 / 60 × 30 € = 24 000 €: payback 6 000 / 24 000 = 0,25.
    done = client.post(CALCULATOR, {**data, "hourly_cost": "30"})
    assert "Takaisinmaksuaika 0,25 vuotta" in text_of(done)


def test_the_list_shows_only_the_users_municipalities_cases(pworld):
    save_business_case(
        "test",
        pworld.naapurila,
        {
            "title": "Naapurin laskelma",
            "start_year": 2021,
            "horizon_year": 2026,
            "years": [{"year": 2021, "development_cost": 1}],
        },
        via="test",
    )
    own = text_of(client_in(pworld, Role.VIEWER, "fi").get("/portfolio/business-cases/"))
    assert "Naapurin laskelma" not in own
    assert "Uusi liiketoimintamalli" not in own  # a viewer may not create one
    theirs = text_of(client_in(pworld, "outsider", "fi").get("/portfolio/business-cases/"))
    assert "Naapurin laskelma" in theirs
    assert "Uusi liiketoimintamalli" in theirs


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_every_explanation_line_of_the_method_is_translated(language):
    from django.utils import translation

    from kuntarobo.core.business_case import parse

    # A case with a year past the horizon and a payback, and one that never pays back, meeting
    # and failing each rule: every kind of line the method writes.
    texts: set[str] = set()
    for gross in (100, 1):
        data = {
            "start_year": 2021,
            "horizon_year": 2026,
            "years": [
                {"year": 2021, "development_cost": 50, "gross_benefit": gross},
                {"year": 2027, "gross_benefit": 5},
            ],
        }
        texts |= {line.text for line in parse(data).evaluate().explanation}
    assert len(texts) == 10
    with translation.override(language):
        untranslated = [text for text in texts if translation.gettext(text) == text]
    assert untranslated == []
