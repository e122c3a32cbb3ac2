"""A municipality with an administrator, a coordinator and a viewer, and the administrator of
another municipality: who may manage the vault."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from cryptography.fernet import Fernet

from kuntarobo.accounts.models import Municipality, Role
from tests.factories import MunicipalityFactory, user_with_role

SECRET = "Kissa-Koira-2026!"


@dataclass
class Place:
    municipality: Municipality
    other: Municipality
    admin: object
    coordinator: object
    viewer: object
    neighbour: object

    def user(self, who: str) -> object:
        return getattr(self, who)


@pytest.fixture
def place(db) -> Place:
    home = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")
    other = MunicipalityFactory(slug="naapuri", name_fi="Naapuri")
    return Place(
        municipality=home,
        other=other,
        admin=user_with_role(Role.ADMINISTRATOR, home, username="admin"),
        coordinator=user_with_role(Role.COORDINATOR, home, username="coordinator"),
        viewer=user_with_role(Role.VIEWER, home, username="viewer"),
        neighbour=user_with_role(Role.ADMINISTRATOR, other, username="neighbour"),
    )


@pytest.fixture
def new_key() -> str:
    return Fernet.generate_key().decode()
