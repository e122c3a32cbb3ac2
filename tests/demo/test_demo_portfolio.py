"""The demo's find-and-measure data: the Helmi programme with its 49 analysed ideas scored by the
open method, and the HR robot's result card and business case, whose figures and realised side
the demo's own run of the robot fills (issue 17, "What it must show")."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from kuntarobo.accounts.models import Municipality
from kuntarobo.demo.data import load_demo
from kuntarobo.demo.mail_catcher import catcher
from kuntarobo.portfolio.models import Assessment, BusinessCase, Idea, Programme, ResultCard
from kuntarobo.portfolio.planned_realised import compare
from kuntarobo.portfolio.result_cards import card_figures
from kuntarobo.runtime import actions
from kuntarobo.runtime.models import RunStatus
from tests.loopback import free_port
from tests.runtime.helpers import drain


@pytest.fixture
def demo_mail(settings, tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "caught-mail"
    server = catcher(folder, free_port())
    server.start()
    settings.KUNTAROBO_MAIL_CATCHER_DIR = str(folder)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield folder
    server.stop()


@pytest.mark.django_db(transaction=True)
def test_the_demos_hr_run_fills_its_result_card_and_the_realised_side_of_its_business_case(
    demo_mail,
):
    load_demo()
    helmi = Programme.objects.get(name__startswith="Helmi")
    assert Idea.objects.filter(municipality__programmes=helmi).distinct().count() >= 277
    assert Assessment.objects.filter(idea__municipality__programmes=helmi).distinct().count() == 49
    town = Municipality.objects.get(slug="esimerkkila")
    card = ResultCard.objects.get(municipality=town, robot_slug="hr_reports")
    case = BusinessCase.objects.get(municipality=town, idea__robot_slug="hr_reports")
    assert card_figures(card).items == 0
    before = compare(case)
    assert before.plan is not None
    assert sum((row.hours_saved or Decimal(0)) for row in before.years) == 0

    run = actions.start_run(
        get_user_model().objects.get(username="koordinaattori"), town, "hr_reports"
    ).run
    drain()
    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED

    figures = card_figures(card)
    assert figures.items == run.items.count() > 0
    assert figures.completed > 0
    assert figures.hours_saved > 0
    after = compare(case)
    assert after.realised is not None
    hours = figures.realised.totals.hours_saved
    assert sum((row.hours_saved or Decimal(0)) for row in after.years) == hours > 0
    # Loading the demo again makes nothing new.
    load_demo()
    assert Assessment.objects.filter(idea__municipality__programmes=helmi).distinct().count() == 49
    assert ResultCard.objects.filter(municipality=town).count() == 1
    assert BusinessCase.objects.filter(municipality=town).count() == 1
