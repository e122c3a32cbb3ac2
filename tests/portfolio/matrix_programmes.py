"""Matrix cases of programme follow-up. In the test world esimerkkilä leads the programme and
naapurila is a member: the outsider (naapurila's administrator) may view the programme and
gets 403 on its forms, since only the lead's portfolio managers keep the follow-up."""

from __future__ import annotations

from django.urls import reverse

from kuntarobo.accounts.models import Role
from kuntarobo.portfolio.models import ProgrammeAxisOverride, ProgrammeCost
from tests.portfolio.conftest import PortfolioWorld
from tests.portfolio.matrix import Case, only, statuses

MANAGERS = (Role.ADMINISTRATOR, Role.COORDINATOR)


def cost(w: PortfolioWorld) -> ProgrammeCost:
    if "cost" not in w.extra:
        w.extra["cost"] = ProgrammeCost.objects.create(
            programme=w.programme,
            kind="own_staff",
            description="Oma työ",
            planned_cents=100_000,
            realised_cents=90_000,
        )
    found: ProgrammeCost = w.extra["cost"]
    return found


def _cost_changed(w: PortfolioWorld) -> bool:
    return ProgrammeCost.objects.filter(pk=cost(w).pk, realised_cents=123_400).exists()


CASES = {
    "portfolio:programme_list": Case(
        "get", lambda w: reverse("portfolio:programme_list"), statuses(200)
    ),
    "portfolio:programme_detail": Case(
        "get",
        lambda w: reverse("portfolio:programme_detail", args=[w.programme.pk]),
        statuses(200),
    ),
    "portfolio:programme_record_add": Case(
        "post",
        lambda w: reverse("portfolio:programme_record_add", args=[w.programme.pk, "milestones"]),
        only(MANAGERS, 302, outsider=403),
        data=lambda w: {"title": "Matriisin virstanpylväs", "planned_on": "2021-06-01"},
        changed=lambda w: w.programme.milestones.filter(title="Matriisin virstanpylväs").exists(),
        changers=MANAGERS,
    ),
    "portfolio:programme_record_edit": Case(
        "post",
        lambda w: reverse(
            "portfolio:programme_record_edit", args=[w.programme.pk, "costs", cost(w).pk]
        ),
        only(MANAGERS, 302, outsider=403),
        data=lambda w: {"kind": "own_staff", "planned": "1000", "realised": "1234"},
        changed=_cost_changed,
        changers=MANAGERS,
    ),
    "portfolio:programme_record_delete": Case(
        "post",
        lambda w: reverse(
            "portfolio:programme_record_delete", args=[w.programme.pk, "costs", cost(w).pk]
        ),
        only(MANAGERS, 302, outsider=403),
        changed=lambda w: not ProgrammeCost.objects.filter(pk=cost(w).pk).exists(),
        changers=MANAGERS,
    ),
    "portfolio:programme_axis_override": Case(
        "post",
        lambda w: reverse("portfolio:programme_axis_override", args=[w.programme.pk, "staff"]),
        only(MANAGERS, 302, outsider=403),
        data=lambda w: {"light": "yellow", "reason": "Matriisin syy"},
        changed=lambda w: ProgrammeAxisOverride.objects.filter(
            programme=w.programme, axis="staff"
        ).exists(),
        changers=MANAGERS,
    ),
}
