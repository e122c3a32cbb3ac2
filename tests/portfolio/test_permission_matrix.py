"""Every URL of the portfolio for every role and for a user of another municipality; the URL
names are enumerated from the resolver, so a new URL without a case fails here."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests.portfolio
from tests.portfolio.conftest import ANONYMOUS, EVERYONE, MARKERS, OUTSIDER
from tests.portfolio.matrix import Case


def collected_cases() -> dict[str, Case]:
    cases: dict[str, Case] = {}
    for module in pkgutil.iter_modules(tests.portfolio.__path__):
        if module.name.startswith("matrix_"):
            found = importlib.import_module(f"tests.portfolio.{module.name}").CASES
            assert not set(found) & set(cases), f"{module.name} repeats a case"
            cases.update(found)
    return cases


CASES = collected_cases()


def portfolio_url_names() -> set[str]:
    def walk(patterns: list[Any]) -> list[URLPattern]:
        found: list[URLPattern] = []
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                found += walk(pattern.url_patterns)
            else:
                found.append(pattern)
        return found

    patterns = walk(get_resolver("kuntarobo.portfolio.urls").url_patterns)
    assert all(p.name for p in patterns), "every portfolio URL needs a name (and a case here)"
    return {f"portfolio:{p.name}" for p in patterns}


def test_every_portfolio_url_has_a_case_in_the_permission_matrix():
    assert portfolio_url_names() == set(CASES)


def body_of(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    content = response.content
    return content.decode(errors="replace") if isinstance(content, bytes) else str(content)


@pytest.mark.parametrize("role", EVERYONE)
@pytest.mark.parametrize("name", sorted(CASES))
def test_each_portfolio_url_answers_each_role_as_the_matrix_says_and_hides_others_data(
    pworld, name, role
):
    case = CASES[name]
    client = pworld.client_for(role)
    url = case.url(pworld)
    before = case.changed(pworld) if case.changed else None
    response = client.get(url) if case.method == "get" else client.post(url, case.data(pworld))
    expected = case.expect[role]
    assert response.status_code == expected, (name, role, body_of(response)[:2000])
    if role == ANONYMOUS and expected == 302:
        assert response["Location"].startswith(reverse("login"))
    if not case.skip_marker_check and response.get("Content-Type", "").startswith("text/"):
        forbidden = MARKERS["esimerkkila"] if role == OUTSIDER else MARKERS["naapurila"]
        for marker in forbidden:
            assert marker not in body_of(response), (name, role, marker)
    if case.changed is not None:
        assert before is False
        assert case.changed(pworld) is (role in case.changers), (name, role)
