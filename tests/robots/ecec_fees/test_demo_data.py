"""The demo deploys the fee robot in Esimerkkilä with settings and an export to decide."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from kuntarobo.accounts.models import Delegation
from kuntarobo.demo.data import ECEC_DEMO_FAMILIES, ecec_inbox, load_demo
from kuntarobo.robots.ecec_fees.models import FeeDecision
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
    call_command(
        "ecec_fees",
        "run",
        "--input",
        str(export),
        "--date",
        deployment.parameters["period_start"],
        "--municipality",
        "esimerkkila",
    )
    summary = json.loads(capsys.readouterr().out)
    assert summary["families"] == ECEC_DEMO_FAMILIES
    assert summary["decisions"] + summary["to_person"] == ECEC_DEMO_FAMILIES
    assert summary["errors"] == 0
    assert FeeDecision.objects.count() == summary["decisions"]


def test_the_demo_reviewer_decides_the_demo_decisions_under_a_delegation(settings, tmp_path):

    settings.VAR_DIR = tmp_path
    load_demo()
    load_demo()  # a second load adds no second delegation
    assert Delegation.objects.filter(user__username="tarkastaja", matter="ecec_fees").count() == 1
    deployment = RobotDeployment.objects.get(robot_slug="ecec_fees")
    [export] = ecec_inbox().glob("*.jsonl")
    call_command(
        "ecec_fees",
        "run",
        "--input",
        str(export),
        "--date",
        deployment.parameters["period_start"],
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
