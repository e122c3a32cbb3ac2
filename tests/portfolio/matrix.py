"""The permission matrix of the portfolio's URLs, split by area: each `matrix_<area>.py` module
here defines `CASES`, a dict of URL name (as "portfolio:<name>") → Case, and
test_permission_matrix.py checks that together they cover every URL of kuntarobo.portfolio."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.portfolio.conftest import ANONYMOUS, OUTSIDER, ROLES, PortfolioWorld


@dataclass
class Case:
    method: str
    url: Callable[[PortfolioWorld], str]
    expect: dict[str, int]
    data: Callable[[PortfolioWorld], dict[str, Any]] = lambda w: {}
    # For changes: who may make it, and how to see that it happened.
    changed: Callable[[PortfolioWorld], bool] | None = None
    changers: tuple[str, ...] = ()
    # Set when the page legitimately shows the other municipality's shared (not secret) data.
    skip_marker_check: bool = False


def statuses(default: int, anonymous: int = 302, **by_role: int) -> dict[str, int]:
    table = dict.fromkeys((*ROLES, OUTSIDER), default)
    table[ANONYMOUS] = anonymous
    table.update(by_role)
    return table


def only(allowed: tuple[str, ...], ok: int, outsider: int = 404) -> dict[str, int]:
    """`allowed` roles of esimerkkilä get `ok`, its other roles 403, the outsider `outsider`."""
    table = {role: (ok if role in allowed else 403) for role in ROLES}
    table[OUTSIDER] = outsider
    table[ANONYMOUS] = 302
    return table
