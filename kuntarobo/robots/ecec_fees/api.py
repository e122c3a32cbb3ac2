"""`POST /api/v1/ecec-fees/calculate`: the fee calculator for other systems (e.g. a
municipality's e-service). Any authenticated caller may use it: it stores nothing and returns
only what it was given, computed."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse

from kuntarobo.robots.ecec_fees import calculator, service
from kuntarobo.sdk.http import ApiError, endpoint

MAX_BODY_BYTES = 1_000_000


@endpoint("POST")
def calculate(request: HttpRequest) -> HttpResponse:
    if request.content_type != "application/json":
        raise ApiError(
            400,
            "invalid_json",
            "send the request body as JSON with 'Content-Type: application/json'",
        )
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    # Checked before reading: a declared oversize body is refused without holding it in memory.
    if declared > MAX_BODY_BYTES or len(request.body) > MAX_BODY_BYTES:
        raise ApiError(400, "invalid_json", "the request body is larger than 1 MB")
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise ApiError(400, "invalid_json", f"the request body is not JSON: {error}") from None
    try:
        return JsonResponse(service.calculate(data))
    except calculator.CalculatorInputError as error:
        raise ApiError(400, "invalid_input", error.message, error.field) from None
