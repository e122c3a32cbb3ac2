"""The suitability method's pages: assessing an idea with the reasoning shown in the reader's
language, the ranking with its value-against-ease chart and the chart's data table, the weights
page, the method page in fi/sv/en, and the assessment panel of an idea's page."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.portfolio.models import Assessment, Idea, ScoringWeights
from kuntarobo.portfolio.scoring import assess_idea
from tests.portfolio.conftest import OUTSIDER

SCORES = {
    "rule_based": 5,
    "digital_input": 4,
    "stability": 4,
    "standardisation": 3,
    "exception_rate": 4,
    "documentation": 2,
}
FORM = {name: str(value) for name, value in SCORES.items()}


def page(response) -> str:
    return response.content.decode()


def test_the_assess_form_has_a_fieldset_with_a_legend_and_five_radios_per_criterion(pworld):
    client = pworld.client_for(Role.COORDINATOR)
    body = page(client.get(reverse("portfolio:idea_assess", args=[pworld.idea.pk])))
    body = body.split('class="panel score-form"', 1)[1]
    assert body.count("<fieldset") == 6
    assert body.count("<legend") == 6
    assert body.count('type="radio"') == 30
    assert "Sääntöpohjaisuus" in body
    assert "1: jokainen tapaus vaatii ihmisen harkintaa" in body


def test_a_coordinator_assesses_an_idea_and_sees_the_reasoning_in_finnish(pworld):
    client = pworld.client_for(Role.COORDINATOR)
    url = reverse("portfolio:idea_assess", args=[pworld.idea.pk])
    response = client.post(url, {**FORM, "note": "Työpajassa"})
    assert response.status_code == 302
    assert response["Location"] == url
    assert Assessment.objects.get().hours_per_year == Decimal("490.64")
    body = page(client.get(url))
    assert "Idea on arvioitu." in body
    assert "Sääntöpohjaisuus: pisteet 5 / 5, paino 1, osuus soveltuvuudesta 0,83." in body
    assert (
        "Tunnit vuodessa: 12000 tapausta × 4 min × (1 + 5 % uudelleentyötä) / 60 × 58,41 % "
        "= 490,64 h." in body
    )
    assert "3,67 / 5" in body
    # The form offers the latest scores again.
    assert re.search(r'value="2"[^>]*checked|checked[^>]*value="2"', body)


def test_the_reasoning_is_shown_in_swedish_and_english_too(pworld):
    assess_idea(pworld.users[Role.COORDINATOR], pworld.idea, SCORES, via="web")
    client = pworld.client_for(Role.COORDINATOR)
    url = reverse("portfolio:idea_assess", args=[pworld.idea.pk])
    client.cookies["django_language"] = "sv"
    assert "Regelbaserat: poäng 5 av 5, vikt 1, andel av lämpligheten 0,83." in page(
        client.get(url, headers={"accept-language": "sv"})
    )
    with translation.override("en"):
        client.cookies["django_language"] = "en"
        body = page(client.get(url, headers={"accept-language": "en"}))
    assert "Rule-based: score 5 of 5, weight 1, contribution 0.83 to the suitability." in body


def test_a_missing_score_is_shown_at_its_fieldset_and_nothing_is_saved(pworld):
    client = pworld.client_for(Role.ADMINISTRATOR)
    data = {k: v for k, v in FORM.items() if k != "stability"}
    response = client.post(reverse("portfolio:idea_assess", args=[pworld.idea.pk]), data)
    assert response.status_code == 400
    assert "Valitse pisteet 1–5." in page(response)
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.VIEWER])
def test_members_without_the_portfolio_permission_may_not_open_the_assess_form(pworld, role):
    response = pworld.client_for(role).get(reverse("portfolio:idea_assess", args=[pworld.idea.pk]))
    assert response.status_code == 403


def test_another_municipalitys_idea_cannot_be_assessed_even_when_shared(pworld):
    pworld.idea.shared_with = "installation"
    pworld.idea.save()
    client = pworld.client_for(OUTSIDER)
    url = reverse("portfolio:idea_assess", args=[pworld.idea.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, FORM).status_code == 404
    assert not Assessment.objects.exists()


def test_the_ranking_shows_the_chart_with_linked_dots_and_its_data_table(pworld):
    assess_idea("test", pworld.idea, SCORES, via="test")
    assess_idea("test", pworld.neighbour_idea, SCORES, via="test")
    body = page(pworld.client_for(Role.VIEWER).get(reverse("portfolio:ranking")))
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-scatter"' in body
    assert (
        f'<a href="/portfolio/ideas/{pworld.idea.pk}/" aria-label="Esimerkin salainen idea">'
        in body
    )
    assert "<caption>Arvo suhteessa helppouteen -kaavion luvut</caption>" in body
    table = body.split('<table class="data chart-data">', 1)[1].split("</table>", 1)[0]
    assert '<th scope="row">Esimerkin salainen idea</th>' in table
    assert '<td class="num">3,25</td>' in table
    assert "490,64" in table
    assert "Naapurin salainen idea" not in body


def test_the_ranking_filters_by_municipality_and_department(pworld):
    other = Idea.objects.create(
        municipality=pworld.esimerkkila,
        department="Sivistys",
        title="Varhaiskasvatuksen maksut",
        volume_per_year=100,
        manual_minutes_per_case=10,
    )
    assess_idea("test", pworld.idea, SCORES, via="test")
    assess_idea("test", other, SCORES, via="test")
    client = pworld.client_for(Role.VIEWER)
    body = page(client.get(reverse("portfolio:ranking"), {"department": "Sivistys"}))
    assert "Varhaiskasvatuksen maksut" in body
    assert "Esimerkin salainen idea" not in body
    body = page(client.get(reverse("portfolio:ranking"), {"municipality": "esimerkkila"}))
    assert "Varhaiskasvatuksen maksut" in body
    assert "Esimerkin salainen idea" in body


def test_without_assessed_ideas_the_ranking_says_so_and_draws_no_chart(pworld):
    body = page(pworld.client_for(Role.VIEWER).get(reverse("portfolio:ranking")))
    assert "Hakuehtoja vastaavia arvioituja ideoita ei ole." in body
    assert "<svg" not in body


def test_a_coordinator_changes_the_weights_on_the_page_and_the_change_is_audited(pworld):
    client = pworld.client_for(Role.COORDINATOR)
    data = {"scope": "esimerkkila", **dict.fromkeys(SCORES, "1"), "rule_based": "2,5"}
    response = client.post(reverse("portfolio:scoring_weights"), data)
    assert response.status_code == 302
    assert ScoringWeights.objects.get().weights["rule_based"] == "2.5"
    event = AuditEvent.objects.get(action="portfolio.scoring_weights")
    assert event.details["after"]["rule_based"] == "2.5"
    body = page(client.get(reverse("portfolio:scoring_weights")))
    assert "kunnan omat painot" in body
    assert "2,5" in body


def test_a_negative_weight_is_refused_on_the_page(pworld):
    client = pworld.client_for(Role.COORDINATOR)
    data = {"scope": "esimerkkila", **dict.fromkeys(SCORES, "1"), "stability": "-1"}
    response = client.post(reverse("portfolio:scoring_weights"), data)
    assert response.status_code == 400
    assert not ScoringWeights.objects.exists()


@pytest.mark.parametrize(
    ("language", "heading", "limits"),
    [
        ("fi", "Näin ideat pisteytetään", "Se on seulonnan apuväline"),
        ("sv", "Så poängsätts idéer", "Den är ett hjälpmedel för sållning"),
        ("en", "How ideas are scored", "It is a screening aid"),
    ],
)
def test_the_method_page_explains_the_method_in_the_readers_language(
    pworld, language, heading, limits
):
    client = pworld.client_for(Role.VIEWER)
    client.cookies["django_language"] = language
    body = page(
        client.get(reverse("portfolio:scoring_method"), headers={"accept-language": language})
    )
    assert f"<h1>{heading}</h1>" in body
    assert limits in body
    decimal = "." if language == "en" else ","
    assert f"490{decimal}64" in body  # the worked example's hours


def test_the_method_page_shows_the_weights_in_force_for_the_readers_municipality(pworld):
    assess_idea("test", pworld.idea, SCORES, via="test")
    from kuntarobo.portfolio.scoring import set_weights

    set_weights("test", pworld.esimerkkila, {**dict.fromkeys(SCORES, 1), "rule_based": 4}, via="t")
    body = page(pworld.client_for(Role.VIEWER).get(reverse("portfolio:scoring_method")))
    assert "kunnan omat painot" in body
    assert '<td class="num">4</td>' in body


def render_panel(pworld, role):
    request = RequestFactory().get("/")
    request.user = pworld.users[role]
    with translation.override("fi"):
        return render_to_string(
            "portfolio/_idea_assessment.html", {"idea": pworld.idea}, request=request
        )


def test_the_idea_panel_shows_the_latest_assessment_and_the_assess_link_to_managers(pworld):
    assert "Ideaa ei ole vielä arvioitu." in render_panel(pworld, Role.COORDINATOR)
    assess_idea("test", pworld.idea, SCORES, via="test")
    assess_idea("test", pworld.idea, {**SCORES, "documentation": 5}, via="test")
    panel = render_panel(pworld, Role.COORDINATOR)
    assert "Dokumentaatio: pisteet 5 / 5" in panel
    assert "Dokumentaatio: pisteet 2 / 5" not in panel
    assert reverse("portfolio:idea_assess", args=[pworld.idea.pk]) in panel
    assert reverse("portfolio:idea_assess", args=[pworld.idea.pk]) not in render_panel(
        pworld, Role.VIEWER
    )


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_no_scoring_page_shows_english_to_a_finnish_or_swedish_reader(pworld, language):
    from tests.web.test_untranslated_text import untranslated, visible_text

    assess_idea("test", pworld.idea, SCORES, note="Arvioitu", via="test")
    no_figures = Idea.objects.create(
        municipality=pworld.esimerkkila, department="Talous", title="Ilman lukuja"
    )
    assess_idea("test", no_figures, SCORES, via="test")
    client = pworld.client_for(Role.ADMINISTRATOR)
    client.cookies["django_language"] = language
    assess_url = reverse("portfolio:idea_assess", args=[pworld.idea.pk])
    responses = {
        "assess": client.get(assess_url),
        "assess without figures": client.get(
            reverse("portfolio:idea_assess", args=[no_figures.pk])
        ),
        "assess with errors": client.post(assess_url, {"rule_based": "9"}),
        "ranking": client.get(reverse("portfolio:ranking")),
        "weights": client.get(reverse("portfolio:scoring_weights")),
        "weights with errors": client.post(
            reverse("portfolio:scoring_weights"),
            {"scope": "esimerkkila", **dict.fromkeys(SCORES, "0")},
        ),
        "method": client.get(reverse("portfolio:scoring_method")),
    }
    problems = {}
    for name, response in responses.items():
        assert response.status_code in (200, 400), name
        found = untranslated(visible_text(page(response)), language)
        if found:
            problems[name] = found
    assert not problems


def test_a_shared_ideas_panel_shows_others_the_figures_but_not_the_note_or_the_assessor(pworld):
    assess_idea(
        pworld.users[Role.COORDINATOR], pworld.idea, SCORES, note="Arvioivat: Maija", via="t"
    )
    own = render_panel(pworld, Role.VIEWER)
    assert "Arvioivat: Maija" in own
    assert "Coordinator" in own
    elsewhere = render_panel(pworld, OUTSIDER)
    assert "3,67 / 5" in elsewhere
    assert "Arvioivat: Maija" not in elsewhere
    assert "Coordinator" not in elsewhere
