"""Permission matrix of the satisfaction survey pages (the public answer pages under /palaute/
have their own tests: they need no sign-in)."""

from __future__ import annotations

from django.urls import reverse

from kuntarobo.accounts.models import Role
from kuntarobo.portfolio.models import (
    CustomerFeedbackLink,
    SurveyInvitation,
    SurveyRound,
    SurveySettings,
)
from tests.portfolio.conftest import PortfolioWorld
from tests.portfolio.matrix import Case, only, statuses

MANAGERS = (Role.ADMINISTRATOR, Role.COORDINATOR)


def survey(w: PortfolioWorld) -> SurveyRound:
    if "survey" not in w.extra:
        w.extra["survey"] = SurveyRound.objects.create(
            municipality=w.esimerkkila, robot_slug="invoice_check", phase="before"
        )
        SurveySettings.objects.create(
            municipality=w.esimerkkila, allowed_email_domains="esimerkkila.fi"
        )
    found: SurveyRound = w.extra["survey"]
    return found


def round_url(name: str):
    return lambda w: reverse(f"portfolio:{name}", args=[survey(w).pk])


CASES = {
    "portfolio:survey_rounds": Case(
        "get", lambda w: reverse("portfolio:survey_rounds"), statuses(200)
    ),
    "portfolio:survey_round_create": Case(
        "get", lambda w: reverse("portfolio:survey_round_create"), only(MANAGERS, 200, outsider=200)
    ),
    "portfolio:survey_settings": Case(
        "post",
        lambda w: reverse("portfolio:survey_settings"),
        {**only(MANAGERS, 302, outsider=400)},
        data=lambda w: {"municipality": w.esimerkkila.pk, "allowed_email_domains": "kunta.fi"},
        changed=lambda w: SurveySettings.objects.filter(
            municipality=w.esimerkkila, allowed_email_domains="kunta.fi"
        ).exists(),
        changers=MANAGERS,
    ),
    "portfolio:survey_round": Case("get", round_url("survey_round"), statuses(200, outsider=404)),
    "portfolio:survey_round_send": Case(
        "post",
        round_url("survey_round_send"),
        only(MANAGERS, 302),
        data=lambda w: {"addresses": "a.a@esimerkkila.fi\nb.b@esimerkkila.fi\nc.c@esimerkkila.fi"},
        changed=lambda w: SurveyInvitation.objects.filter(round=survey(w)).exists(),
        changers=MANAGERS,
    ),
    "portfolio:survey_round_close": Case(
        "post",
        round_url("survey_round_close"),
        only(MANAGERS, 302),
        changed=lambda w: SurveyRound.objects.get(pk=survey(w).pk).closed_at is not None,
        changers=MANAGERS,
    ),
    "portfolio:customer_feedback": Case(
        "get", lambda w: reverse("portfolio:customer_feedback"), only(MANAGERS, 200, outsider=200)
    ),
    "portfolio:customer_feedback_switch": Case(
        "post",
        lambda w: reverse("portfolio:customer_feedback_switch"),
        only(MANAGERS, 302),
        data=lambda w: {
            "municipality": w.esimerkkila.pk,
            "robot_slug": "hr_reports",
            "enabled": "on",
        },
        changed=lambda w: CustomerFeedbackLink.objects.filter(
            municipality=w.esimerkkila, robot_slug="hr_reports", enabled=True
        ).exists(),
        changers=MANAGERS,
    ),
    "portfolio:customer_feedback_import": Case(
        "get",
        lambda w: reverse("portfolio:customer_feedback_import"),
        only(MANAGERS, 200, outsider=200),
    ),
}
