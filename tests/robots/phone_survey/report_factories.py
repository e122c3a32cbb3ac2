"""Test data of the report pages, built directly on the phone survey robot's models: a
questionnaire, a campaign and respondents with their attempts and answers, each named by what
the test needs."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from kuntarobo.robots.phone_survey.models import (
    Answer,
    Attempt,
    Campaign,
    CampaignStatus,
    Questionnaire,
    Respondent,
)

DEFINITION: dict[str, Any] = {
    "id": "tyytyvaisyys",
    "languages": ["fi", "sv"],
    "introduction": {"fi": "Hei, täällä Esimerkkilän kunta.", "sv": "Hej, här är Exempelby."},
    "consent": {"prompt": {"fi": "Paina 1.", "sv": "Tryck 1."}, "key": "1"},
    "stop_key": "9",
    "max_retries": 2,
    "steps": [
        {
            "id": "q1",
            "type": "single_choice",
            "prompt": {"fi": "Oletko tyytyväinen kuntaan?", "sv": "Är du nöjd med kommunen?"},
            "choices": [
                {"key": "1", "value": "yes", "label": {"fi": "Kyllä", "sv": "Ja"}},
                {"key": "2", "value": "no", "label": {"fi": "En", "sv": "Nej"}},
            ],
        },
        {
            "id": "q2",
            "type": "numeric",
            "prompt": {"fi": "Kouluarvosana kunnalle?", "sv": "Skolbetyg för kommunen?"},
            "min": 4,
            "max": 10,
        },
        {
            "id": "q3",
            "type": "open_answer",
            "prompt": {"fi": "Kerro terveisesi.", "sv": "Berätta dina hälsningar."},
            "max_seconds": 60,
        },
    ],
}

START = datetime.datetime(2026, 11, 2, 17, 0, tzinfo=datetime.UTC)


def questionnaire(municipality, **kwargs: Any) -> Questionnaire:
    return Questionnaire.objects.create(
        municipality=municipality,
        name=kwargs.pop("name", "Tyytyväisyys"),
        source="{}",
        definition=kwargs.pop("definition", DEFINITION),
        **kwargs,
    )


def campaign(municipality, **kwargs: Any) -> Campaign:
    return Campaign.objects.create(
        municipality=municipality,
        name=kwargs.pop("name", "Asukaskysely 2026"),
        questionnaire=kwargs.pop("questionnaire", None) or questionnaire(municipality),
        schedule=kwargs.pop("schedule", {}),
        **kwargs,
    )


_rows = iter(range(1, 10**6))


def respondent(campaign_: Campaign, **kwargs: Any) -> Respondent:
    row = next(_rows)
    return Respondent.objects.create(
        campaign=campaign_, phone=kwargs.pop("phone", f"+35840{row:07d}"), row=row, **kwargs
    )


def attempt(
    respondent_: Respondent,
    code: str,
    *,
    seconds: str = "0",
    in_progress: bool = False,
    outcome: str = "",
    sip_status: int | None = None,
) -> Attempt:
    number = respondent_.attempts.count() + 1
    started = START + datetime.timedelta(hours=number, minutes=respondent_.row)
    made = Attempt.objects.create(
        respondent=respondent_,
        number=number,
        started_at=started,
        answered_at=started + datetime.timedelta(seconds=5) if code in ("1.1", "1.2") else None,
        ended_at=None if in_progress else started + datetime.timedelta(minutes=2),
        sip_status=sip_status,
        outcome=outcome or ("in progress" if in_progress else "ended"),
        code=code,
        seconds=Decimal(seconds),
    )
    Respondent.objects.filter(pk=respondent_.pk).update(attempts_made=number)
    respondent_.attempts_made = number
    return made


def answer(
    respondent_: Respondent, step_id: str, value: str = "", recording: bool = False
) -> Answer:
    made = Answer(respondent=respondent_, step_id=step_id, value=value, answered_at=timezone.now())
    if recording:
        made.recording.save(
            f"{respondent_.pk}-{step_id}.wav", ContentFile(b"RIFF-test"), save=False
        )
    made.save()
    return made


# The hand-made campaign of the tests: ten numbers, (final code or "" while open, attempt
# codes with billed seconds, age group, gender, area).
TEN = [
    ("1.1", [("1.1", "120")], "18-29", "female", "Keskusta"),
    ("1.1", [("3.13", "0"), ("1.1", "150")], "65+", "male", "Keskusta"),
    ("1.1", [("1.1", "90")], "65+", "female", "Kylä"),
    ("1.2", [("1.2", "60")], "30-64", "male", "Kylä"),
    ("2.11", [("2.11", "15")], "30-64", "female", "Keskusta"),
    ("2.21", [("2.21", "10")], "65+", "male", "Kylä"),
    ("", [("3.13", "0"), (None, "0")], "30-64", "male", "Keskusta"),  # second call running
    ("3.9", [("3.9", "0")], "18-29", "male", "Kylä"),
    ("4.3", [("4.3", "0")], "", "", ""),
    ("", [], "65+", "female", "Kylä"),  # never called yet
]

POPULATION = {
    "age_group": {"18-29": 0.2, "30-64": 0.5, "65+": 0.3},
    "gender": {"female": 50, "male": 50},
}


def ten_numbers(municipality, **kwargs: Any) -> Campaign:
    """A running campaign of ten numbers (the codes of TEN), 3 attempts each at most, a target
    of 4 completes, 30 cents a minute; answers of the three completes, one '=cmd'."""
    made = campaign(
        municipality,
        status=kwargs.pop("status", CampaignStatus.RUNNING),
        max_attempts=3,
        target_completes=4,
        price_per_minute_cents=30,
        population=kwargs.pop("population", POPULATION),
        **kwargs,
    )
    people = []
    for final, attempts, age, gender, area in TEN:
        person = respondent(made, final_code=final, age_group=age, gender=gender, area=area)
        for code, seconds in attempts:
            attempt(person, code or "", seconds=seconds, in_progress=code is None)
        if final == "1.1":
            person.disposition = "completed"
            person.save(update_fields=["disposition"])
        people.append(person)
    answer(people[0], "q1", "yes")
    answer(people[0], "q2", "8")
    answer(people[0], "q3", recording=True)
    answer(people[1], "q1", "no")
    answer(people[1], "q2", "10")
    answer(people[2], "q1", "=cmd|' /C calc'!A0")
    answer(people[2], "q2", "8")
    return made
