"""The dashboard: what the user's municipalities have running, waiting and failing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kuntarobo.runtime.declarations import Robot
from kuntarobo.runtime.models import (
    ItemStatus,
    RobotDeployment,
    Run,
    RunStatus,
    WorkItem,
)
from kuntarobo.runtime.scheduling import effective_schedule
from kuntarobo.web.runs import counts_for_runs
from kuntarobo.web.schedule import upcoming
from kuntarobo.web.scoping import review_queue
from kuntarobo.web.views.common import robot_or_none

RECENT_RUNS = 10
RECENT_FAILURES = 10


@dataclass
class DeploymentRow:
    deployment: RobotDeployment
    robot: type[Robot] | None
    next_run: Any


def deployment_rows(deployments: Any) -> list[DeploymentRow]:
    rows = []
    for deployment in deployments:
        robot = robot_or_none(deployment.robot_slug)
        next_run = None
        if robot is not None and deployment.enabled and deployment.schedule_enabled:
            schedule = effective_schedule(robot, deployment)
            ticks = upcoming(schedule, 1) if schedule else []
            next_run = ticks[0] if ticks else None
        rows.append(DeploymentRow(deployment, robot, next_run))
    return rows


def recent_runs_context(request: HttpRequest) -> dict[str, Any]:
    runs = list(Run.objects.for_user(request.user).select_related("municipality")[:RECENT_RUNS])
    return {
        "runs": counts_for_runs(runs),
        "any_running": any(run.status in (RunStatus.STARTING, RunStatus.RUNNING) for run in runs),
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "web/_recent_runs.html", recent_runs_context(request))
    deployments = (
        RobotDeployment.objects.for_user(request.user)
        .select_related("municipality")
        .order_by("municipality__name_fi", "robot_slug")
    )
    waiting = review_queue(request.user)
    failures = (
        WorkItem.objects.for_user(request.user)
        .filter(status__in=[ItemStatus.FAILED_BUSINESS, ItemStatus.FAILED_APPLICATION])
        .select_related("municipality", "run")
        .order_by("-finished_at", "-id")[:RECENT_FAILURES]
    )
    context = {
        "deployments": deployment_rows(deployments),
        "waiting_count": waiting.count(),
        "failures": failures,
        **recent_runs_context(request),
    }
    return render(request, "web/dashboard.html", context)
