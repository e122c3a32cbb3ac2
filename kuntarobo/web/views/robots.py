"""The robot catalogue, a robot's page, starting a run and a deployment's settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kuntarobo.accounts.models import Municipality, Permission, has_permission
from kuntarobo.runtime import actions
from kuntarobo.runtime.declarations import InputError, Robot, Schedule, all_robots, get_robot
from kuntarobo.runtime.models import RobotDeployment, Run
from kuntarobo.runtime.scheduling import effective_schedule
from kuntarobo.web import labels
from kuntarobo.web.forms import DeploymentForm, StartRunForm
from kuntarobo.web.runs import counts_for_runs
from kuntarobo.web.schedule import describe_cron, upcoming
from kuntarobo.web.scoping import municipality_or_404, require_somewhere

RECENT_RUNS = 10


def robot_or_404(slug: str) -> type[Robot]:
    try:
        return get_robot(slug)
    except InputError:
        raise Http404(_("Not found.")) from None


@dataclass
class MunicipalitySection:
    """What the robot page tells about the robot in one of the user's municipalities."""

    municipality: Municipality
    deployment: RobotDeployment | None
    schedule: Schedule | None
    schedule_words: str | None
    next_runs: list[Any]
    can_configure: bool

    @property
    def scheduled(self) -> bool:
        return bool(
            self.deployment and self.deployment.enabled and self.deployment.schedule_enabled
        )


def municipality_sections(request: HttpRequest, robot: type[Robot]) -> list[MunicipalitySection]:
    deployments = {
        d.municipality_id: d
        for d in RobotDeployment.objects.for_user(request.user).filter(robot_slug=robot.slug)
    }
    sections = []
    for municipality in Municipality.objects.for_user(request.user):
        deployment = deployments.get(municipality.pk)
        schedule = effective_schedule(robot, deployment) if deployment else robot.schedule
        sections.append(
            MunicipalitySection(
                municipality=municipality,
                deployment=deployment,
                schedule=schedule,
                schedule_words=describe_cron(schedule.cron) if schedule else None,
                next_runs=upcoming(schedule, 3) if schedule else [],
                can_configure=has_permission(request.user, municipality, Permission.CONFIGURE),
            )
        )
    return sections


def parameter_rows(robot: type[Robot], sections: list[MunicipalitySection]) -> list[dict[str, Any]]:
    """One row per parameter: its description and its value in each municipality."""
    rows = []
    for parameter in robot.parameters:
        values = []
        for section in sections:
            stored = section.deployment.parameters if section.deployment else {}
            values.append(
                {
                    "value": stored.get(parameter.name, parameter.default),
                    "is_default": parameter.name not in stored,
                }
            )
        rows.append({"parameter": parameter, "values": values})
    return rows


@login_required
def robot_list(request: HttpRequest) -> HttpResponse:
    deployed: dict[str, list[Municipality]] = {}
    for deployment in (
        RobotDeployment.objects.for_user(request.user)
        .filter(enabled=True)
        .select_related("municipality")
    ):
        deployed.setdefault(deployment.robot_slug, []).append(deployment.municipality)
    robots = [
        {
            "robot": robot,
            "class_name": labels.ROBOT_CLASS_NAMES[robot.robot_class],
            "class_explanation": labels.ROBOT_CLASS_EXPLANATIONS[robot.robot_class],
            "in_use": deployed.get(robot.slug, []),
        }
        for robot in all_robots()
    ]
    return render(request, "web/robot_list.html", {"robots": robots})


def robot_page(
    request: HttpRequest,
    robot: type[Robot],
    *,
    start_form: StartRunForm | None = None,
    status: int = 200,
) -> HttpResponse:
    sections = municipality_sections(request, robot)
    run_municipalities = Municipality.objects.for_user(request.user, Permission.RUN)
    if start_form is None and run_municipalities.exists():
        start_form = StartRunForm(robot=robot, municipalities=run_municipalities)
    runs = list(
        Run.objects.for_user(request.user)
        .filter(robot_slug=robot.slug)
        .select_related("municipality", "requested_by")[:RECENT_RUNS]
    )
    context = {
        "robot": robot,
        # The robot's own pages the user may open: their views ask for the same permission.
        "robot_pages": [
            page
            for page in robot.pages
            if Municipality.objects.for_user(request.user, page.permission).exists()
        ],
        "class_name": labels.ROBOT_CLASS_NAMES[robot.robot_class],
        "class_explanation": labels.ROBOT_CLASS_EXPLANATIONS[robot.robot_class],
        "sections": sections,
        "parameter_rows": parameter_rows(robot, sections),
        "runs": counts_for_runs(runs),
        "start_form": start_form,
        "robot_schedule_words": describe_cron(robot.schedule.cron) if robot.schedule else None,
        # After a refused start the address is the POST-only start URL: switch back here.
        "language_next": reverse("robot_detail", args=[robot.slug]),
    }
    return render(request, "web/robot_detail.html", context, status=status)


@login_required
def robot_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return robot_page(request, robot_or_404(slug))


@login_required
@require_POST
def robot_start(request: HttpRequest, slug: str) -> HttpResponse:
    robot = robot_or_404(slug)
    municipalities = require_somewhere(request.user, Permission.RUN)
    form = StartRunForm(request.POST, request.FILES, robot=robot, municipalities=municipalities)
    if form.is_valid():
        try:
            started = actions.start_run(
                request.user,
                form.cleaned_data["municipality"],
                robot.slug,
                parameters=form.cleaned_data["parameters"],
                input_file=form.cleaned_data.get("input_file") or None,
                trigger="manual",
                via="web",
                background=True,
            )
        except actions.PermissionDeniedError:
            raise PermissionDenied from None
        except InputError as error:
            form.add_error(
                form.field_of(error), _("The run was not started: %(reason)s") % {"reason": error}
            )
        else:
            messages.success(request, _("Run started: the robot is reading the input."))
            return redirect("run_detail", pk=started.run.pk)
    return robot_page(request, robot, start_form=form, status=400)


@login_required
def robot_settings(request: HttpRequest, slug: str, municipality: str) -> HttpResponse:
    robot = robot_or_404(slug)
    place = municipality_or_404(request.user, municipality, Permission.CONFIGURE)
    deployment = RobotDeployment.objects.filter(municipality=place, robot_slug=robot.slug).first()
    status = 200
    if request.method == "POST":
        form = DeploymentForm(request.POST, robot=robot, deployment=deployment)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.configure_deployment(
                    request.user,
                    place,
                    robot.slug,
                    enabled=data["enabled"],
                    schedule_enabled=data["schedule_enabled"],
                    cron=data["cron"],
                    calendar_rule=data["calendar_rule"],
                    parameters=data["parameters"],
                    via="web",
                )
            except actions.PermissionDeniedError:
                raise PermissionDenied from None
            except InputError as error:
                form.add_error(
                    form.field_of(error),
                    _("The settings were not saved: %(reason)s") % {"reason": error},
                )
            else:
                messages.success(request, _("The settings were saved."))
                return redirect("robot_detail", slug=robot.slug)
        status = 400
    else:
        form = DeploymentForm(robot=robot, deployment=deployment)
    context = {
        "robot": robot,
        "municipality": place,
        "deployment": deployment,
        "form": form,
        "robot_schedule_words": describe_cron(robot.schedule.cron) if robot.schedule else None,
    }
    return render(request, "web/robot_settings.html", context, status=status)
