"""The demo deploys the fee robot in Esimerkkilä with settings and an export to decide."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from kuntarobo.demo.data import ECEC_DEMO_FAMILIES, ecec_demo_period, ecec_inbox, load_demo
from kuntarobo.robots.ecec_fees.models import FeeDecision, FeeParameterRow, may_manage_parameters
from kuntarobo.runtime.models import RobotDeployment

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
