"""A robot's municipal settings page, made from the robot's settings schema for every robot
that declares one (kuntarobo.runtime.settings_schema)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kuntarobo.accounts.models import Permission
from kuntarobo.runtime import actions
from kuntarobo.runtime.declarations import InputError
from kuntarobo.runtime.models import RobotSettings
from kuntarobo.runtime.settings_actions import current_settings, save_robot_settings
from kuntarobo.web.scoping import municipality_or_404
from kuntarobo.web.settings_form import RobotSettingsForm
from kuntarobo.web.views.robots import robot_or_404

HISTORY_ROWS = 20


@login_required
def municipal_settings(request: HttpRequest, slug: str, municipality: str) -> HttpResponse:
    robot = robot_or_404(slug)
    if robot.municipal_settings is None:
        raise Http404(_("Not found."))
    schema = robot.municipal_settings
    place = municipality_or_404(request.user, municipality, Permission.CONFIGURE)
    current = current_settings(place, robot)
    status = 200
    if request.method == "POST":
        form = RobotSettingsForm(request.POST, schema=schema, current=current)
        if form.is_valid():
            try:
                saved = save_robot_settings(
                    request.user,
                    place,
                    robot,
                    form.raw_values(),
                    valid_from=form.cleaned_data.get("valid_from"),
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
                messages.success(
                    request,
                    _("The settings were saved.")
                    if saved
                    else _("Nothing changed: nothing saved."),
                )
                return redirect(
                    "robot_municipal_settings", slug=robot.slug, municipality=place.slug
                )
        status = 400
    else:
        form = RobotSettingsForm(schema=schema, current=current)
    history = RobotSettings.objects.filter(municipality=place, robot_slug=robot.slug).order_by(
        "-created_at", "-id"
    )[:HISTORY_ROWS]
    context = {
        "robot": robot,
        "schema": schema,
        "municipality": place,
        "form": form,
        "history": history,
    }
    return render(request, "web/robot_municipal_settings.html", context, status=status)
