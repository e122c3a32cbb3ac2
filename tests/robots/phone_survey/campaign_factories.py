"""Factories for the phone survey's campaign pages: a questionnaire (the demo's) and a draft
campaign in a municipality, calling on weekdays 10-20 in December 2026."""

from __future__ import annotations

import json

import factory

from kuntarobo.core.questionnaire import DEMO_QUESTIONNAIRE
from kuntarobo.robots.phone_survey.models import Campaign, DoNotCallEntry, Questionnaire, Respondent
from tests.factories import MunicipalityFactory

SCHEDULE = {
    "start_date": "2026-12-07",
    "end_date": "2026-12-18",
    "weekdays": [1, 2, 3, 4, 5],
    "from": "10:00",
    "to": "20:00",
    "timezone": "Europe/Helsinki",
}


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Questionnaire

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Strategiakysely {n}")
    source = json.dumps(DEMO_QUESTIONNAIRE, ensure_ascii=False)
    definition = factory.LazyFunction(lambda: json.loads(json.dumps(DEMO_QUESTIONNAIRE)))


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Kampanja {n}")
    questionnaire = factory.SubFactory(
        QuestionnaireFactory, municipality=factory.SelfAttribute("..municipality")
    )
    schedule = factory.LazyFunction(lambda: dict(SCHEDULE))


class RespondentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Respondent

    campaign = factory.SubFactory(CampaignFactory)
    phone = factory.Sequence(lambda n: f"+35840{1000000 + n:07d}")
    row = factory.Sequence(lambda n: n + 2)


class DoNotCallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DoNotCallEntry

    municipality = factory.SubFactory(MunicipalityFactory)
    phone = factory.Sequence(lambda n: f"+35850{2000000 + n:07d}")
    source = "staff"
