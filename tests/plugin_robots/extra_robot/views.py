"""The robot's staff page, under /robots/extra_robot/: the municipalities the user may see."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.html import escape

from extra_robot.greetings import greeting
from kuntarobo.sdk.permissions import Permission
from kuntarobo.sdk.web import require_somewhere


@login_required
def hello(request: HttpRequest) -> HttpResponse:
    places = require_somewhere(request.user, Permission.VIEW)  # 403 where the user has none
    names = ", ".join(sorted(place.slug for place in places))
    return HttpResponse(f"<p>{escape(greeting(names))}</p>")
