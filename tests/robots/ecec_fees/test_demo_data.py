"""The demo deploys the fee robot in Esimerkkilä with settings and an export to decide."""

from __future__ import annotations

import datetime
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from kuntarobo.accounts.models import Delegation
from kuntarobo.demo.data import ECEC_DEMO_FAMILIES, ecec_demo_period, ecec_inbox, load_demo
from kuntarobo.robots.ecec_fees.models import FeeDecision, FeeParameterRow, may_manage_parameters
from kuntarobo.runtime import actions
from kuntarobo.runtime.models import ItemStatus, RobotDeployment, WorkItem

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_fee_robot_drafts_a_decision_for_every_demo_family(settings, tmp_path, capsys):
    settings.VAR_DIR = tmp_path
    load_demo()
    load_demo()  # a second load changes nothing
    deployment = RobotDeployment.objects.get(robot_slug="ecec_fees")
    [export] = ecec_inbox().glob("*.jsonl")
    assert deployment.parameters["input_folder"] == "families"  # below the robot's root
    assert "period_start" not in deployment.parameters  # the robot's default: next month
    call_command(
        "ecec_fees",
        "run",
        "--input",
        str(export),
        "--date",
        ecec_demo_period(timezone.localdate()).isoformat(),
        "--municipality",
        "esimerkkila",
    )
    summary = json.loads(capsys.readouterr().out)
    # One decision per family from next month, and one more for each family whose children
    # change later (a child starting in spring) or whose period crosses the start of a new row
    # of figures: all computed, none refused for want of figures.
    assert summary["families"] >= ECEC_DEMO_FAMILIES
    assert summary["decisions"] + summary["to_person"] == summary["families"]
    assert len(set(FeeDecision.objects.values_list("family_id", flat=True))) > 0
    # the figures of today and next month are complete (example figures where needed), and
    # the demo's administrator may enter the official ones in the web UI
    today = timezone.localdate()
    for day in (today, ecec_demo_period(today)):
        assert FeeParameterRow.objects.in_force_on(day).complete
    administrator = get_user_model().objects.get(username="paakayttaja")
    assert may_manage_parameters(administrator)
    assert not may_manage_parameters(get_user_model().objects.get(username="koordinaattori"))
    assert summary["errors"] == 0
    assert FeeDecision.objects.count() == summary["decisions"]


def test_the_demo_reviewer_decides_the_demo_decisions_under_a_delegation(settings, tmp_path):

    settings.VAR_DIR = tmp_path
    load_demo()
    load_demo()  # a second load adds no second delegation
    assert Delegation.objects.filter(user__username="tarkastaja", matter="ecec_fees").count() == 1
    [export] = ecec_inbox().glob("*.jsonl")
    call_command(
        "ecec_fees",
        "run",
        "--input",
        str(export),
        "--date",
        ecec_demo_period(timezone.localdate()).isoformat(),
        "--municipality",
        "esimerkkila",
    )
    waiting = list(
        WorkItem.objects.filter(status=ItemStatus.NEEDS_REVIEW).values_list("pk", flat=True)
    )
    assert waiting
    reviewer = get_user_model().objects.get(username="tarkastaja")
    result = actions.approve_items(reviewer, waiting)
    assert result.refused == {}
    titles = set(FeeDecision.objects.values_list("decided_by_title", flat=True))
    assert titles <= {"varhaiskasvatuspäällikkö", "chef för småbarnspedagogiken"}
    assert "varhaiskasvatuspäällikkö" in titles
    assert set(FeeDecision.objects.values_list("decided_by", flat=True)) == {"Tiina Tarkastaja"}


def test_a_demo_whose_fee_settings_predate_the_cited_texts_gets_a_row_completing_them(
    settings, tmp_path
):
    from kuntarobo.demo.data import DEMO_SETTINGS_UPDATE
    from kuntarobo.robots.ecec_fees.municipal import example_settings
    from kuntarobo.robots.ecec_fees.municipal_settings import settings_of
    from kuntarobo.robots.ecec_fees.robot import EcecFeeRobot
    from kuntarobo.runtime.models import RobotSettings
    from kuntarobo.runtime.settings_actions import save_robot_settings
    from tests.factories import MunicipalityFactory

    settings.VAR_DIR = tmp_path
    home = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä", name_sv="Exempelby")
    save_robot_settings(
        "demo",
        home,
        EcecFeeRobot,
        example_settings("Esimerkkilä", "Exempelby"),
        valid_from=datetime.date(2018, 1, 1),
        via="test",
    )
    # As a demo stored them before: no municipal decision, the street in Finnish only.
    row = RobotSettings.objects.get()
    old = {key: value for key, value in row.values.items() if key != "service_need_decision"}
    old["review_authority"] = {**old["review_authority"], "street": "PL 1"}
    RobotSettings.objects.filter(pk=row.pk).update(values=old)
    assert settings_of(RobotSettings.objects.get()).missing_texts("sv") == [
        "review_authority.street",
        "service_need_decision",
    ]
    load_demo()
    load_demo()
    rows = RobotSettings.objects.filter(municipality=home, robot_slug="ecec_fees")
    assert [r.valid_from for r in rows.order_by("valid_from")] == [
        datetime.date(2018, 1, 1),
        DEMO_SETTINGS_UPDATE,
    ]
    newest = settings_of(rows.order_by("-valid_from").first())
    assert newest.missing_texts("fi") == []
    assert newest.missing_texts("sv") == []
