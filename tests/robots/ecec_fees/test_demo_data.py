"""The demo deploys the fee robot in Esimerkkilä with settings and an export to decide."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from kuntarobo.demo.data import ECEC_DEMO_FAMILIES, ecec_inbox, load_demo
from kuntarobo.robots.ecec_fees.models import FeeDecision
from kuntarobo.runtime.models import RobotDeployment

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
    # Every family gets at least one decision period; a period over a new parameter row is
    # split there ("families" counts the periods), each part decided or left to a person.
    assert summary["families"] >= ECEC_DEMO_FAMILIES
    assert summary["decisions"] + summary["to_person"] == summary["families"]
    assert summary["errors"] == 0
    assert FeeDecision.objects.count() == summary["decisions"]
