"""Permission matrix of the idea bank's and the workshops' URLs."""

from __future__ import annotations

from django.urls import reverse

from kuntarobo.accounts.models import Role
from kuntarobo.portfolio.models import Idea, SharingScope, Stage, Workshop
from tests.portfolio.conftest import PortfolioWorld
from tests.portfolio.matrix import Case, only, statuses

MANAGERS = (Role.ADMINISTRATOR.value, Role.COORDINATOR.value)


def _idea(w: PortfolioWorld) -> Idea:
    return Idea.objects.get(pk=w.idea.pk)


def _shared_neighbour(w: PortfolioWorld) -> str:
    """The neighbour shares its idea with everyone; esimerkkilä's managers may copy it."""
    Idea.objects.filter(pk=w.neighbour_idea.pk).update(shared_with=SharingScope.INSTALLATION)
    return reverse("portfolio:idea_copy", args=[w.neighbour_idea.pk])


def _in(w: PortfolioWorld, name: str, *args: object) -> str:
    return reverse(f"portfolio:{name}", args=[w.esimerkkila.slug, *args])


CASES = {
    "portfolio:ideas": Case("get", lambda w: reverse("portfolio:ideas"), statuses(200)),
    "portfolio:shared_ideas": Case(
        "get", lambda w: reverse("portfolio:shared_ideas"), statuses(200)
    ),
    "portfolio:idea_detail": Case(
        "get",
        lambda w: reverse("portfolio:idea_detail", args=[w.idea.pk]),
        statuses(200, outsider=404),
    ),
    "portfolio:idea_edit": Case(
        "post",
        lambda w: reverse("portfolio:idea_edit", args=[w.idea.pk]),
        only(MANAGERS, 302),
        data=lambda w: {"department": "Talous", "title": "Muokattu idea"},
        changed=lambda w: _idea(w).title == "Muokattu idea",
        changers=MANAGERS,
    ),
    "portfolio:idea_move": Case(
        "post",
        lambda w: reverse("portfolio:idea_move", args=[w.idea.pk]),
        only(MANAGERS, 302),
        data=lambda w: {"to_stage": Stage.ASSESSED.value},
        changed=lambda w: _idea(w).stage == Stage.ASSESSED,
        changers=MANAGERS,
    ),
    "portfolio:idea_sharing": Case(
        "post",
        lambda w: reverse("portfolio:idea_sharing", args=[w.idea.pk]),
        only(MANAGERS, 302),
        data=lambda w: {"shared_with": SharingScope.PROGRAMME.value},
        changed=lambda w: _idea(w).shared_with == SharingScope.PROGRAMME,
        changers=MANAGERS,
    ),
    # The outsider owns the source: it cannot be copied into esimerkkilä's bank by them.
    "portfolio:idea_copy": Case(
        "post",
        _shared_neighbour,
        only(MANAGERS, 302, outsider=302),
        data=lambda w: {"municipality": w.esimerkkila.slug},
        changed=lambda w: Idea.objects.filter(
            municipality=w.esimerkkila, copied_from=w.neighbour_idea
        ).exists(),
        changers=MANAGERS,
    ),
    "portfolio:idea_new": Case(
        "post",
        lambda w: _in(w, "idea_new"),
        only(MANAGERS, 302),
        data=lambda w: {"department": "Talous", "title": "Matriisin uusi idea"},
        changed=lambda w: Idea.objects.filter(title="Matriisin uusi idea").exists(),
        changers=MANAGERS,
    ),
    "portfolio:ideas_export": Case(
        "get", lambda w: _in(w, "ideas_export"), statuses(200, outsider=404)
    ),
    "portfolio:ideas_import": Case("get", lambda w: _in(w, "ideas_import"), only(MANAGERS, 200)),
    "portfolio:workshops": Case("get", lambda w: reverse("portfolio:workshops"), statuses(200)),
    "portfolio:workshop_new": Case(
        "post",
        lambda w: _in(w, "workshop_new"),
        only(MANAGERS, 302),
        data=lambda w: {
            "title": "Matriisin työpaja",
            "department": "Talous",
            "held_on": "2026-01-15",
        },
        changed=lambda w: Workshop.objects.filter(title="Matriisin työpaja").exists(),
        changers=MANAGERS,
    ),
    "portfolio:workshop_detail": Case(
        "post",
        lambda w: reverse("portfolio:workshop_detail", args=[w.workshop.pk]),
        only(MANAGERS, 302),
        data=lambda w: {"title": "Työpajassa kirjattu idea"},
        changed=lambda w: Idea.objects.filter(
            title="Työpajassa kirjattu idea", workshop=w.workshop
        ).exists(),
        changers=MANAGERS,
    ),
    "portfolio:workshop_close": Case(
        "post",
        lambda w: reverse("portfolio:workshop_close", args=[w.workshop.pk]),
        only(MANAGERS, 302),
        changed=lambda w: not Workshop.objects.get(pk=w.workshop.pk).is_open,
        changers=MANAGERS,
    ),
}
