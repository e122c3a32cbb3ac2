"""Realistic decision letters for the letter tests, in each language."""

from __future__ import annotations

import dataclasses
import datetime

from kuntarobo.robots.ecec_fees.letters import (
    Address,
    ChildLine,
    Contact,
    DecisionLetter,
    IncomeLine,
    ReviewAuthority,
)

D = datetime.date

_TEXTS = {
    "fi": {
        "authority": "Esimerkkilän kunta, varhaiskasvatus",
        "unit": "Päiväkoti Satakieli",
        "rounded": "Maksu pyöristetty alaspäin",
        "computation": (
            "Tulot 6 109,50 € − tuloraja 4 752,00 € = 1 357,50 €",
            "1 357,50 € × 10,7 % = 145,25 €, korkein maksu 295,00 €",
            "Eero: 295,00 € × 40 % × 0,60 = 70,80 €",
        ),
        "changes": (
            "Perheen tulot nousivat 12 %.",
            "Eeron palvelutarve muuttui 120 h/kk → 84 h/kk.",
            "Perheen koko muuttui 3 → 4.",
        ),
        "legal": (
            "Laki varhaiskasvatuksen asiakasmaksuista (1503/2016) 5 §, 7 §, 11 §",
            "Hallintolaki (434/2003) 49 c §",
        ),
        "maker": Contact("Maija Päättäjä", "varhaiskasvatusjohtaja"),
        "prepared": Contact("Pekka Valmistelija", "maksusihteeri"),
        "contact": Contact(
            "Pekka Valmistelija", "maksusihteeri", "040 123 4567", "vakamaksut@esimerkkila.fi"
        ),
        "review": ReviewAuthority(
            "Esimerkkilän kunnan varhaiskasvatusjaosto",
            "PL 100",
            "00101",
            "Esimerkkilä",
            "kirjaamo@esimerkkila.fi",
            "Kunnantalo, Torikatu 1",
        ),
        "rule_version": "1",
        "sources": ("Tulorekisteri", "Palkkatodistus"),
    },
    "sv": {
        "authority": "Exempelby kommun, småbarnspedagogik",
        "unit": "Daghemmet Näktergalen",
        "rounded": "Avgiften avrundad nedåt",
        "computation": (
            "Inkomster 6 109,50 € − inkomstgräns 4 752,00 € = 1 357,50 €",
            "1 357,50 € × 10,7 % = 145,25 €",
        ),
        "changes": ("Familjens inkomster ökade med 12 %.",),
        "legal": ("Lagen om klientavgifter inom småbarnspedagogiken (1503/2016) 5 §, 7 §",),
        "maker": Contact("Maria Beslutsfattare", "direktör för småbarnspedagogik"),
        "prepared": None,
        "contact": Contact(
            "Per Beredare", "avgiftssekreterare", "040 765 4321", "avg@exempelby.fi"
        ),
        "review": ReviewAuthority(
            "Exempelby kommuns sektion för småbarnspedagogik", "PB 10", "10601", "Exempelby"
        ),
        "rule_version": "1",
        "sources": ("Inkomstregistret", "Löneintyg"),
    },
    "en": {
        "authority": "Municipality of Example, early childhood education",
        "unit": "Nightingale day care centre",
        "rounded": "Fee rounded down",
        "computation": ("Income €6,109.50 − threshold €4,752.00 = €1,357.50",),
        "changes": (),
        "legal": ("Act on Early Childhood Education Client Fees (1503/2016) 5 §, 7 §",),
        "maker": Contact("Mary Maker", "Director of early childhood education"),
        "prepared": None,
        "contact": Contact(
            "Peter Preparer", "Fee secretary", "+358 40 123 4567", "fees@example.fi"
        ),
        "review": ReviewAuthority(
            "Early childhood education committee", "PO Box 100", "00101", "Example"
        ),
        "rule_version": "1",
        "sources": ("Incomes Register", "Pay slip"),
    },
}


def child(name: str, rank: int = 1, **changes: object) -> ChildLine:
    line = ChildLine(
        name=name,
        birth_date=D(2021, 3, 14),
        unit="Päiväkoti Satakieli",
        hours_per_month=150,
        service_need_coefficient="1,00",
        sibling_rank=rank,
        sibling_percentage=100 if rank == 1 else 40,
        fee_before_alterations_cents=29500,
        final_fee_cents=29500,
    )
    return dataclasses.replace(line, **changes)  # type: ignore[arg-type]


def sample_letter(
    language: str = "fi", *, draft: bool = False, **changes: object
) -> DecisionLetter:
    """A family of four: two guardians with income, a full-day and a part-time child."""
    t = _TEXTS[language]
    children = (
        child("Aino Virtanen", 1, unit=t["unit"]),
        child(
            "Eero Virtanen",
            2,
            birth_date=D(2023, 9, 2),
            unit=t["unit"],
            hours_per_month=84,
            service_need_coefficient="0,60",
            fee_before_alterations_cents=11800,
            final_fee_cents=11300,
            alterations=(t["rounded"],),
        ),
    )
    sources = t["sources"]
    letter = DecisionLetter(
        language=language,
        authority=t["authority"],  # type: ignore[arg-type]
        decision_number="VAKA-2026-000123",
        draft=draft,
        decision_date=None if draft else D(2026, 7, 15),
        decision_maker=None if draft else t["maker"],  # type: ignore[arg-type]
        prepared_by=t["prepared"],  # type: ignore[arg-type]
        recipient=Address("Anna ja Mikko Virtanen", "Koivukuja 3 B 12", "00100", "Esimerkkilä"),
        guardians=("Anna Virtanen", "Mikko Virtanen"),
        children=children,
        valid_from=D(2026, 8, 1),
        valid_until=None,
        family_size=4,
        incomes=(
            IncomeLine("Anna Virtanen", 321050, sources[0]),  # type: ignore[index]
            IncomeLine("Mikko Virtanen", 289900, sources[1]),  # type: ignore[index]
        ),
        income_total_cents=610950,
        threshold_cents=475200,
        income_percentage="10,7",
        maximum_fee_used=False,
        total_fee_cents=40800,
        computation=t["computation"],  # type: ignore[arg-type]
        changes=t["changes"],  # type: ignore[arg-type]
        supersedes="VAKA-2026-000042 (1.3.2026)" if language == "fi" else None,
        legal_basis=t["legal"],  # type: ignore[arg-type]
        contact=t["contact"],  # type: ignore[arg-type]
        review_authority=t["review"],  # type: ignore[arg-type]
        parameters_valid_from=D(2024, 8, 1),
        rule_version=t["rule_version"],  # type: ignore[arg-type]
    )
    return dataclasses.replace(letter, **changes)  # type: ignore[arg-type]
