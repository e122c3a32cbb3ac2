"""A small world for the portfolio tests: two municipalities in one programme and a third
outside it, users of every role in the first, an administrator of the second (the outsider),
and ideas marked so that a page for one municipality can be checked never to show another's
unshared records."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from kuntarobo.accounts.models import Municipality, Role
from kuntarobo.portfolio.models import Idea, Programme, SharingScope, Stage, Workshop
from tests.factories import MunicipalityFactory, user_with_role

ROLES = (Role.ADMINISTRATOR, Role.COORDINATOR, Role.REVIEWER, Role.DEVELOPER, Role.VIEWER)
OUTSIDER = "outsider"
ANONYMOUS = "anonymous"
EVERYONE = (*ROLES, OUTSIDER, ANONYMOUS)

# Strings of each municipality's unshared records; a page shown to the other must not hold them.
MARKERS = {
    "esimerkkila": ("Esimerkin salainen idea", "Esimerkin Ehdottaja"),
    "naapurila": ("Naapurin salainen idea", "Naapurin Ehdottaja"),
}


@dataclass
class PortfolioWorld:
    esimerkkila: Municipality
    naapurila: Municipality
    programme: Programme
    users: dict[str, Any]
    workshop: Workshop
    idea: Idea  # esimerkkilä's, unshared
    neighbour_idea: Idea  # naapurila's, unshared
    extra: dict[str, Any] = field(default_factory=dict)

    def client_for(self, role: str) -> Client:
        client = Client()
        if role != ANONYMOUS:
            client.force_login(self.users[role])
        return client


@pytest.fixture
def pworld(db) -> PortfolioWorld:
    esimerkkila = MunicipalityFactory(
        slug="esimerkkila", name_fi="Esimerkkilä", name_sv="Exempelby"
    )
    naapurila = MunicipalityFactory(slug="naapurila", name_fi="Naapurila", name_sv="Grannby")
    users: dict[str, Any] = {
        role: user_with_role(role, esimerkkila, username=role, first_name=role.capitalize())
        for role in ROLES
    }
    users[OUTSIDER] = user_with_role(
        Role.ADMINISTRATOR, naapurila, username="outsider", first_name="Olli", last_name="Ulko"
    )
    programme = Programme.objects.create(
        name="Testiohjelma",
        lead=esimerkkila,
        starts_on=datetime.date(2020, 12, 1),
        ends_on=datetime.date(2022, 8, 31),
    )
    programme.municipalities.set([esimerkkila, naapurila])
    workshop = Workshop.objects.create(
        municipality=esimerkkila,
        programme=programme,
        department="Talous",
        title="Talouden prosessityöpaja",
        held_on=datetime.date(2021, 3, 2),
        facilitator=users[Role.COORDINATOR],
    )
    idea = Idea.objects.create(
        municipality=esimerkkila,
        department="Talous",
        title="Esimerkin salainen idea",
        description="Ostolaskujen tiliöinti",
        process="Ostolaskut",
        systems="Taloushallinto",
        volume_per_year=12000,
        manual_minutes_per_case=4,
        rework_share_percent=5,
        beneficiaries="Kirjanpitäjät",
        proposer="Esimerkin Ehdottaja",
        workshop=workshop,
        stage=Stage.IDEA,
        shared_with=SharingScope.PRIVATE,
    )
    neighbour_idea = Idea.objects.create(
        municipality=naapurila,
        department="Henkilöstö",
        title="Naapurin salainen idea",
        proposer="Naapurin Ehdottaja",
        stage=Stage.IDEA,
    )
    return PortfolioWorld(
        esimerkkila=esimerkkila,
        naapurila=naapurila,
        programme=programme,
        users=users,
        workshop=workshop,
        idea=idea,
        neighbour_idea=neighbour_idea,
    )
