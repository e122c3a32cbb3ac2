"""Permission matrix of path documents and result cards (robot invoice_check, esimerkkilä)."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

from kuntarobo.accounts.models import Role
from kuntarobo.portfolio.models import ResultCard, SharingScope
from tests.portfolio.conftest import PortfolioWorld
from tests.portfolio.matrix import Case, only, statuses

ROBOT = "invoice_check"
MANAGERS = (Role.ADMINISTRATOR, Role.COORDINATOR)


def _url(name: str) -> Callable[[PortfolioWorld], str]:
    def build(world: PortfolioWorld) -> str:
        return reverse(f"portfolio:{name}", args=[ROBOT, world.esimerkkila.slug])

    return build


def _card_url(name: str) -> Callable[[PortfolioWorld], str]:
    """The URL of esimerkkilä's saved, unshared card (made here when missing)."""

    def build(world: PortfolioWorld) -> str:
        ResultCard.objects.get_or_create(
            municipality=world.esimerkkila, robot_slug=ROBOT, defaults={"goals": "Tavoite"}
        )
        return reverse(f"portfolio:{name}", args=[ROBOT, world.esimerkkila.slug])

    return build


def _card_shared(world: PortfolioWorld) -> bool:
    card = ResultCard.objects.filter(municipality=world.esimerkkila, robot_slug=ROBOT).first()
    return card is not None and card.shared_with != SharingScope.PRIVATE


def _card_goals_changed(world: PortfolioWorld) -> bool:
    card = ResultCard.objects.filter(municipality=world.esimerkkila, robot_slug=ROBOT).first()
    return card is not None and card.goals == "Uusi tavoite"


CASES = {
    "portfolio:path_document": Case("get", _url("path_document"), statuses(200, outsider=404)),
    "portfolio:path_document_pdf": Case(
        "get", _url("path_document_pdf"), statuses(200, outsider=404)
    ),
    "portfolio:result_card": Case("get", _url("result_card"), statuses(200, outsider=404)),
    "portfolio:result_card_pdf": Case("get", _url("result_card_pdf"), statuses(200, outsider=404)),
    "portfolio:result_card_edit": Case(
        "post",
        _url("result_card_edit"),
        only(MANAGERS, 302),
        data=lambda w: {"language": "fi", "goals": "Uusi tavoite", "hours_per_person_year": 1600},
        changed=_card_goals_changed,
        changers=MANAGERS,
    ),
    "portfolio:result_card_share": Case(
        "post",
        _card_url("result_card_share"),
        only(MANAGERS, 302),
        data=lambda w: {"scope": SharingScope.INSTALLATION},
        changed=_card_shared,
        changers=MANAGERS,
    ),
}
