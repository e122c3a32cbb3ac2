"""The demo's portfolio beyond the Helmi data itself: the 49 analysed Helmi ideas scored by the
open method, and for Esimerkkilä's HR reports robot (the robot of the second result card of
seed 003) a result card and a business case whose realised side the demo's real runs fill.

The texts and euro figures here are demo material, marked as such where a user sees them; the
figures a card and the realised side show come from the robot's runs, never from here."""

from __future__ import annotations

from django.db import transaction

from kuntarobo.accounts.models import Municipality
from kuntarobo.portfolio.business_cases import save_business_case
from kuntarobo.portfolio.helmi import helmi_ideas, helmi_scores
from kuntarobo.portfolio.models import Assessment, BusinessCase, Idea, ResultCard, Stage
from kuntarobo.portfolio.result_cards import save_result_card
from kuntarobo.portfolio.scoring import assess_idea

ACTOR = "demo"
ROBOT = "hr_reports"
CASE_TITLE = "HR-raportit esihenkilöille (esittelyluvut)"

CARD_TEXTS = {
    "language": "fi",
    "goals": "Esittelyaineisto. Esihenkilöt saavat työyksikkönsä poissaolo-, palkka- ja "
    "palvelussuhderaportit kerran kuukaudessa ilman käsityötä, ja varhaisen tuen hälytykset "
    "tulevat ajallaan.",
    "benefit_1": "Henkilöstöhallinnon kuukausittainen raporttien kokoaminen ja lähettäminen "
    "jää pois.",
    "benefit_2": "Esihenkilöt saavat raportit samana päivänä, samassa muodossa.",
    "benefit_3": "Varhaisen tuen rajat ylittävät poissaolot huomataan säännöllisesti.",
    "lessons": "Esittelyaineisto. Jakelulistat ja sarakkeiden nimet kannattaa sopia "
    "palkkajärjestelmän toimittajan kanssa ennen käyttöönottoa.",
    "costs": "Esittelyaineisto: ks. liiketoimintatapaus.",
}


def _case_data(idea: Idea, start_year: int) -> dict[str, object]:
    """The plan of the demo's business case: development in the first year, running costs
    every year, benefits derived from the reports no longer made by hand (demo figures)."""
    years: list[dict[str, object]] = []
    for year in range(start_year, start_year + 7):
        years.append(
            {
                "year": year,
                "development_cost": 18000 if year == start_year else 0,
                "running_cost": 2400,
                "volume": 600 if year == start_year else 1200,
                "minutes_saved": 20,
            }
        )
    return {
        "title": CASE_TITLE,
        "idea": idea.pk,
        "start_year": start_year,
        "horizon_year": start_year + 6,
        "hourly_cost": 45,
        "years": years,
    }


def load_portfolio_examples(municipality: Municipality, start_year: int) -> dict[str, int]:
    """Score the Helmi ideas not yet scored, and give `municipality`'s HR reports robot its
    card and business case unless they exist. Safe to run again."""
    created = {"assessments": 0, "result_cards": 0, "business_cases": 0}
    with transaction.atomic():
        scores = helmi_scores()
        ideas = helmi_ideas(scores)
        assessed = set(
            Assessment.objects.filter(idea__in=ideas.values()).values_list("idea_id", flat=True)
        )
        for key, idea in sorted(ideas.items()):
            if idea.pk not in assessed:
                assess_idea(ACTOR, idea, scores[key], via="demo")
                created["assessments"] += 1
        own = Idea.objects.filter(
            municipality=municipality, robot_slug=ROBOT, stage=Stage.IN_PRODUCTION
        ).first()
        if own is None:
            return created
        if not ResultCard.objects.filter(municipality=municipality, robot_slug=ROBOT).exists():
            save_result_card(ACTOR, municipality, ROBOT, dict(CARD_TEXTS), via="demo")
            created["result_cards"] += 1
        if not BusinessCase.objects.filter(municipality=municipality, idea=own).exists():
            save_business_case(ACTOR, municipality, _case_data(own, start_year), via="demo")
            created["business_cases"] += 1
    return created
