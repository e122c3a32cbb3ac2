"""Factories of the phone survey robot's records (questionnaire, campaign, respondents)."""

from __future__ import annotations

import itertools
from typing import Any

import factory

from kuntarobo.core.questionnaire import DEMO_QUESTIONNAIRE
from kuntarobo.robots.phone_survey.models import Campaign, Questionnaire, Respondent
from tests.factories import MunicipalityFactory

# A week in the far future: the platform's own timers (queued for `wait_until`) then never
# come due while a test moves the robot's clock (calling.now) through the campaign.
SCHEDULE: dict[str, Any] = {
    "start_date": "2099-03-02",
    "end_date": "2099-03-13",
    "weekdays": [1, 2, 3, 4, 5],
    "from": "10:00",
    "to": "20:00",
    "timezone": "Europe/Helsinki",
}

_phones = itertools.count(1000)


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Questionnaire

    municipality = factory.SubFactory(MunicipalityFactory)
    name = "Strategy survey"
    source = "{}"
    definition = factory.LazyFunction(lambda: DEMO_QUESTIONNAIRE)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")
    questionnaire = factory.SubFactory(
        QuestionnaireFactory, municipality=factory.SelfAttribute("..municipality")
    )
    schedule = factory.LazyFunction(lambda: dict(SCHEDULE))
    max_attempts = 3
    lines = 5
    caller_id = "+358212345678"
    seed = 7


class RespondentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Respondent

    campaign = factory.SubFactory(CampaignFactory)
    phone = factory.LazyFunction(lambda: f"+35840{next(_phones):07d}")
    row = factory.Sequence(lambda n: n + 2)
    language = "fi"
