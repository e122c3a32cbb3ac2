"""Test data of the questionnaire editor, the web form and the advance notice."""

from __future__ import annotations

import copy
import datetime
import io
import json
import wave
from typing import Any

from kuntarobo.core.questionnaire import DEMO_QUESTIONNAIRE
from kuntarobo.robots.phone_survey.models import Campaign, Questionnaire, Respondent
from tests.factories import MunicipalityFactory

SCHEDULE = {
    "start_date": "2026-12-14",
    "end_date": "2026-12-18",
    "weekdays": [1, 2, 3, 4, 5],
    "from": "10:00",
    "to": "20:00",
    "timezone": "Europe/Helsinki",
}


def demo_definition() -> dict[str, Any]:
    return json.loads(json.dumps(DEMO_QUESTIONNAIRE))


def make_questionnaire(municipality: Any = None, **kwargs: Any) -> Questionnaire:
    municipality = municipality or MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")
    definition = kwargs.pop("definition", None) or demo_definition()
    return Questionnaire.objects.create(
        municipality=municipality,
        name=kwargs.pop("name", "Strategiakysely"),
        source=json.dumps(definition, ensure_ascii=False, indent=2),
        definition=definition,
        **kwargs,
    )


def make_campaign(questionnaire: Questionnaire | None = None, **kwargs: Any) -> Campaign:
    questionnaire = questionnaire or make_questionnaire()
    values: dict[str, Any] = {
        "municipality": questionnaire.municipality,
        "name": "Strategiakysely 2026",
        "questionnaire": questionnaire,
        "schedule": copy.deepcopy(SCHEDULE),
        "caller_id": "+358291234567",
    }
    values.update(kwargs)
    return Campaign.objects.create(**values)


def make_respondent(campaign: Campaign | None = None, **kwargs: Any) -> Respondent:
    campaign = campaign or make_campaign()
    count = campaign.respondents.count()
    values: dict[str, Any] = {
        "campaign": campaign,
        "phone": f"+35840123{count:04d}",
        "row": count + 1,
        "language": "fi",
    }
    values.update(kwargs)
    return Respondent.objects.create(**values)


def wav_bytes(seconds: float = 0.2, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(rate)
        audio.writeframes(b"\x00\x01" * int(rate * seconds))
    return buffer.getvalue()


NOW = datetime.datetime(2026, 12, 10, 9, 0, tzinfo=datetime.UTC)
