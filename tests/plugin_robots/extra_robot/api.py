"""`GET /api/v1/extra-robot/greeting?name=…`: the greeting, for any signed-in caller."""

from django.http import HttpRequest, HttpResponse, JsonResponse

from extra_robot.greetings import greeting
from extra_robot.robot import SLUG
from kuntarobo.sdk.http import ApiError, endpoint


@endpoint("GET")
def greet(request: HttpRequest) -> HttpResponse:
    name = request.GET.get("name", "").strip()
    if not name:
        raise ApiError(400, "invalid_input", "give the name to greet as ?name=", "name")
    return JsonResponse({"robot": SLUG, "greeting": greeting(name)})
