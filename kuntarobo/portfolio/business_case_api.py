"""The business cases in the JSON API (/api/v1/portfolio/…): the calculator, which answers
exactly as `kuntarobo portfolio business-case` does, and the stored cases of the caller's
municipalities. Another municipality's case is answered as an unknown one (404)."""

from __future__ import annotations

import json
from typing import Any, NoReturn

from django.http import HttpRequest, HttpResponse, JsonResponse

from kuntarobo.accounts.models import Municipality, Permission
from kuntarobo.api.http import ApiError, Query, bad_request, endpoint, not_found
from kuntarobo.core.business_case import BusinessCaseError, parse
from kuntarobo.portfolio.business_cases import case_json, evaluate_case, save_business_case
from kuntarobo.portfolio.models import BusinessCase
from kuntarobo.runtime.declarations import InputError


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number JSON allows")


def _json(request: HttpRequest) -> Any:
    if request.content_type != "application/json":
        bad_request(
            "send the request body as JSON with 'Content-Type: application/json'",
            code="invalid_json",
        )
    try:
        return json.loads(request.body.decode("utf-8"), parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        bad_request(
            f"not JSON: {error.msg} at line {error.lineno} column {error.colno}",
            code="invalid_json",
        )
    except (UnicodeDecodeError, ValueError) as error:
        bad_request(f"not JSON: {error}", code="invalid_json")


def _refused(error: InputError) -> NoReturn:
    """The action's problem with its field first, as the calculator words it."""
    where = f"{error.field}: " if error.field else ""
    raise ApiError(400, "invalid_input", f"{where}{error}", error.field)


def _case_response(case: BusinessCase, status: int = 200) -> JsonResponse:
    body = {
        "id": case.pk,
        "municipality": case.municipality.slug,
        **case_json(case),
        "result": evaluate_case(case).as_json(),
    }
    return JsonResponse(body, status=status)


@endpoint("POST")
def business_case(request: HttpRequest) -> HttpResponse:
    """The Ministry of Finance's method on the posted figures; nothing is stored."""
    Query(request, ())
    data = _json(request)
    try:
        result = parse(data).evaluate()
    except BusinessCaseError as error:
        bad_request(f"{error.path or 'input'}: {error.message}", error.path or None)
    return JsonResponse(result.as_json())


@endpoint("GET", "POST")
def business_cases(request: HttpRequest) -> HttpResponse:
    """GET: the cases of the caller's municipalities. POST: a new case; the body is a stored
    case's JSON with "municipality" (a slug) beside it."""
    if request.method == "GET":
        query = Query(request, ("municipality",))
        cases = BusinessCase.objects.for_user(request.user).select_related("municipality")
        if slug := query.text("municipality"):
            cases = cases.filter(municipality__slug=slug)
        return JsonResponse(
            {
                "results": [
                    {
                        "id": case.pk,
                        "municipality": case.municipality.slug,
                        "title": case.title,
                        "start_year": case.start_year,
                        "horizon_year": case.horizon_year,
                    }
                    for case in cases.order_by("municipality__slug", "title", "pk")
                ]
            }
        )
    Query(request, ())
    data = _json(request)
    if not isinstance(data, dict):
        bad_request("input: must be an object", None)
    slug = data.pop("municipality", None)
    if not isinstance(slug, str):
        bad_request("municipality: is required (a municipality's slug)", "municipality")
    municipality = (
        Municipality.objects.for_user(request.user, Permission.VIEW).filter(slug=slug).first()
    )
    if municipality is None:
        bad_request(f"municipality: unknown municipality {slug!r}", "municipality")
    try:
        case = save_business_case(request.user, municipality, data, via="api")
    except InputError as error:
        _refused(error)
    return _case_response(case, status=201)


@endpoint("GET", "PUT")
def stored_business_case(request: HttpRequest, case_id: int) -> HttpResponse:
    """GET: the case with its result. PUT: replace the case's plan (the same JSON as GET gives,
    without id, municipality and result)."""
    Query(request, ())
    case = (
        BusinessCase.objects.for_user(request.user)
        .select_related("municipality")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        not_found(f"no business case {case_id}")
    if request.method == "PUT":
        data = _json(request)
        if isinstance(data, dict):
            for key in ("id", "municipality", "result"):
                data.pop(key, None)  # what GET gives is taken back as it is
        try:
            case = save_business_case(request.user, case.municipality, data, case=case, via="api")
        except InputError as error:
            _refused(error)
    return _case_response(case)
