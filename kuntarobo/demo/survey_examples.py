"""The demo's phone survey: Esimerkkilä's questionnaire, one campaign played to its end in
simulated time over the weeks before today (its dashboard and council report are full), and one
ready to start: when a user starts it, the demo's worker calls it, with simulated calls, in its
windows from today on (left as a draft so that loading the demo starts no run by itself).

Every number, answer and population share here is demo material (marked "esittelyaineisto" in
the names a user sees); no call leaves the machine: both campaigns use the simulated dialler,
which decides each attempt by the documented population model of
kuntarobo.core.survey_simulation."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db import transaction

from kuntarobo.accounts.models import Municipality
from kuntarobo.robots.phone_survey import history
from kuntarobo.robots.phone_survey.models import Campaign, Dialler, Respondent
from kuntarobo.robots.phone_survey.questionnaires import demo_source, save_questionnaire

QUESTIONNAIRE_NAME = "Asukaskysely 2026 (esittelyaineisto)"
ENDED_NAME = "Kuntastrategiakysely (esittelyaineisto, simuloitu)"
LIVE_NAME = "Nuorten kysely (esittelyaineisto)"
CALLER_ID = "+358290000000"  # demo material: no call leaves the machine
AGE_SHARES = {"18-29": 0.15, "30-44": 0.22, "45-64": 0.31, "65+": 0.32}
GENDER_SHARES = {"nainen": 0.51, "mies": 0.49}
AREA_SHARES = {"keskusta": 0.55, "kylät": 0.45}
# Esittelyaineisto: the demo municipality's adults by age group, gender and area.
POPULATION = {"age_group": AGE_SHARES, "gender": GENDER_SHARES, "area": AREA_SHARES}
NOTICE = {
    "fi": "Esimerkkilän kunta soittaa satunnaisesti valituille asukkaille kuntastrategiakyselyn "
    "puhelut arkisin klo 10-20. Numero on poimittu väestötietojärjestelmästä. Voit kieltäytyä "
    "puhelussa tai tällä sivulla.",
    "sv": "Exempelby kommun ringer slumpmässigt utvalda invånare för kommunstrategienkäten "
    "vardagar kl. 10-20. Numret har tagits ur befolkningsdatasystemet. Du kan avböja i samtalet "
    "eller på denna sida.",
    "en": "The municipality of Esimerkkilä calls randomly chosen residents for its strategy "
    "survey on weekdays 10-20. The number was taken from the population register. You can "
    "refuse in the call or on this page.",
}


def _pick(rng: random.Random, shares: dict[str, float]) -> str:
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def _add_respondents(campaign: Campaign, count: int, rng: random.Random, **fixed: str) -> None:
    """Demo respondents with numbers of a made-up block (+358 50 0xx xxxx)."""
    rows = []
    for index in range(count):
        rows.append(
            Respondent(
                campaign=campaign,
                phone=f"+358500{campaign.pk % 100:02d}{index:04d}",
                age_group=fixed.get("age_group") or _pick(rng, AGE_SHARES),
                gender=_pick(rng, GENDER_SHARES),
                area=_pick(rng, AREA_SHARES),
                language="sv" if rng.random() < 0.06 else "fi",
                row=index + 2,
            )
        )
    Respondent.objects.bulk_create(rows)


def _campaign(
    municipality: Municipality,
    questionnaire: Any,
    name: str,
    schedule: dict[str, Any],
    **fields: Any,
) -> Campaign:
    return Campaign.objects.create(
        municipality=municipality,
        name=name,
        questionnaire=questionnaire,
        dialler=Dialler.SIMULATED,
        schedule=schedule,
        caller_id=CALLER_ID,
        notice_text=NOTICE,
        population=POPULATION,
        price_per_minute_cents=9,
        **fields,
    )


def load_survey_examples(municipality: Municipality, actor: Any, today: datetime.date) -> None:
    """Load once: nothing is added when the municipality already has the demo questionnaire."""
    if municipality.survey_questionnaires.filter(name=QUESTIONNAIRE_NAME).exists():
        return
    rng = random.Random(2026)  # noqa: S311 - demo data, not a secret
    with transaction.atomic():
        questionnaire = save_questionnaire(
            actor, municipality=municipality, name=QUESTIONNAIRE_NAME, source=demo_source()
        )
        ended = _campaign(
            municipality,
            questionnaire,
            ENDED_NAME,
            {
                "start_date": (today - datetime.timedelta(days=35)).isoformat(),
                "end_date": (today - datetime.timedelta(days=8)).isoformat(),
                "weekdays": [1, 2, 3, 4, 5],
                "from": "10:00",
                "to": "20:00",
                "timezone": "Europe/Helsinki",
            },
            lines=4,
            target_completes=60,
            seed=2021,
        )
        _add_respondents(ended, 300, rng)
        history.play_in_simulated_time(ended, actor=actor)
        live = _campaign(
            municipality,
            questionnaire,
            LIVE_NAME,
            {
                "start_date": today.isoformat(),
                "end_date": (today + datetime.timedelta(days=13)).isoformat(),
                "weekdays": [1, 2, 3, 4, 5, 6, 7],
                "from": "09:00",
                "to": "21:00",
                "timezone": "Europe/Helsinki",
            },
            lines=2,
            target_completes=10,
            seed=2026,
        )
        _add_respondents(live, 40, rng, age_group="18-29")
