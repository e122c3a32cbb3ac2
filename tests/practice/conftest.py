"""The practice system on loopback for the tests, and a signed-in HTTP session to it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests

from kuntarobo.practice.data import current_month, shift_month
from kuntarobo.practice.server import PracticeOptions, PracticeServer

USER = "robotti"
PASSWORD = "Harjoitus-2026!"
LAST_MONTH = shift_month(current_month(), -1)


@pytest.fixture
def practice() -> Iterator[PracticeServer]:
    server = PracticeServer(PracticeOptions())
    server.start()
    yield server
    server.stop()


def login(server: PracticeServer, user: str = USER, password: str = PASSWORD) -> requests.Response:
    """A login as a robot does it: a fresh session, the form posted (redirects followed)."""
    session = requests.Session()
    response = session.post(server.url, data={"username": user, "password": password})
    response.session = session  # type: ignore[attr-defined]
    return response


@pytest.fixture
def signed_in(practice: PracticeServer) -> requests.Session:
    response = login(practice)
    assert response.url == practice.url + "valikko/"
    session: requests.Session = response.session  # type: ignore[attr-defined]
    return session


def has_id(page: str, element_id: str) -> bool:
    return re.search(rf'\bid="{re.escape(element_id)}"', page) is not None


def text_of(page: str, element_id: str) -> str:
    found = re.search(rf'id="{re.escape(element_id)}"[^>]*>([^<]*)<', page)
    assert found, f"#{element_id} not on the page"
    return found.group(1)
