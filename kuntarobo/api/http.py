"""The API's plumbing: one error shape, authentication, CSRF for session callers, and strict
reading of query parameters and bodies, so every endpoint refuses bad input the same way."""

from __future__ import annotations

import datetime
import functools
import json
import re
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt

from kuntarobo.core.inputs import MAX_DATE, MIN_DATE
from kuntarobo.core.masking import mask_identity_codes
from kuntarobo.runtime.actions import PermissionDeniedError
from kuntarobo.runtime.declarations import InputError

PAGE_SIZE = 100
MAX_IDS = 1000
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")

View = Callable[..., HttpResponseBase]  # streamed exports too


class ApiError(Exception):
    """Raised anywhere below a view; the endpoint wrapper turns it into the JSON error."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field

    def response(self) -> JsonResponse:
        # An error may quote what the request sent (a path, a value): never an identity code or
        # a secret of the vault back into an answer that proxies and clients log.
        message = mask_identity_codes(str(self.message))
        body = {"error": {"code": self.code, "message": message, "field": self.field}}
        return JsonResponse(body, status=self.status)


def bad_request(message: str, field: str | None = None, code: str = "invalid_value") -> NoReturn:
    raise ApiError(400, code, message, field)


def not_found(message: str = "no such object") -> NoReturn:
    raise ApiError(404, "not_found", message)


def forbidden(message: str) -> NoReturn:
    raise ApiError(403, "permission_denied", message)


class _JsonCsrfCheck(CsrfViewMiddleware):
    """Django's own CSRF check, answering with the API's JSON error instead of an HTML page."""

    def _reject(self, request: HttpRequest, reason: str) -> HttpResponse:
        return ApiError(403, "csrf_failed", f"CSRF check failed: {reason}").response()


def _no_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse()


def _authenticate(request: HttpRequest) -> None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer ") and getattr(request, "api_token", None) is None:
        # A caller who sent a token means it: never fall back to a session behind its back.
        raise ApiError(401, "invalid_token", "the API token is unknown or revoked")
    if not request.user.is_authenticated:
        raise ApiError(
            401,
            "not_authenticated",
            "log in, or send an API token in the header 'Authorization: Bearer <token>'",
        )


def endpoint(*methods: str) -> Callable[[View], View]:
    """Wrap an API view: authentication (401), method (405), CSRF for session callers (403),
    and the JSON error for ApiError, InputError and PermissionDeniedError."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            try:
                _authenticate(request)
                if request.method not in methods:
                    response = ApiError(
                        405,
                        "method_not_allowed",
                        f"{request.method} is not allowed here; use {' or '.join(methods)}",
                    ).response()
                    response["Allow"] = ", ".join(methods)
                    return response
                if (
                    request.method not in SAFE_METHODS
                    and getattr(request, "api_token", None) is None
                ):
                    rejected = _JsonCsrfCheck(_no_view).process_view(request, _no_view, (), {})
                    if rejected is not None:
                        return rejected
                # Messages are for programs and their logs: one language, whatever the caller's
                # browser prefers. Names and descriptions carry all three languages anyway.
                with translation.override("en"):
                    return view(request, *args, **kwargs)
            except ApiError as error:
                return error.response()
            except InputError as error:
                with translation.override("en"):
                    return ApiError(400, "invalid_input", str(error), error.field).response()
            except PermissionDeniedError as error:
                return ApiError(403, "permission_denied", str(error)).response()

        exempt = csrf_exempt(wrapper)
        exempt.allowed_methods = methods  # type: ignore[attr-defined]
        return exempt

    return decorate


# --- query parameters ---------------------------------------------------------------------------


class Query:
    """The query string, refusing unknown and repeated parameters; empty values count as absent."""

    def __init__(self, request: HttpRequest, allowed: Iterable[str]) -> None:
        allowed = set(allowed)
        for name in request.GET:
            if name not in allowed:
                known = ", ".join(sorted(allowed)) or "none"
                bad_request(
                    f"unknown query parameter '{name}' (known: {known})", name, "unknown_parameter"
                )
            if len(request.GET.getlist(name)) > 1:
                bad_request(f"query parameter '{name}' is given more than once", name)
        self.values = {name: request.GET[name].strip() for name in request.GET}
        self.request = request

    def text(self, name: str) -> str | None:
        return self.values.get(name) or None

    def page(self) -> int:
        raw = self.values.get("page") or "1"
        if not re.fullmatch(r"\d{1,9}", raw) or int(raw) < 1:
            bad_request(
                f"query parameter 'page' must be a whole number from 1, not {raw!r}", "page"
            )
        return int(raw)

    def integer(self, name: str) -> int | None:
        raw = self.values.get(name)
        if not raw:
            return None
        if not re.fullmatch(r"\d{1,18}", raw):
            bad_request(f"query parameter '{name}' must be a whole number, not {raw!r}", name)
        return int(raw)

    def choices(self, name: str, allowed: Iterable[str]) -> list[str] | None:
        """One value or several separated by commas, each one of `allowed`."""
        raw = self.values.get(name)
        if not raw:
            return None
        allowed = list(allowed)
        values = [v.strip() for v in raw.split(",")]
        for value in values:
            if value not in allowed:
                bad_request(
                    f"query parameter '{name}': unknown value {value!r} "
                    f"(known: {', '.join(allowed)})",
                    name,
                )
        return values

    def choice(self, name: str, allowed: Iterable[str]) -> str | None:
        raw = self.values.get(name)
        if not raw:
            return None
        allowed = list(allowed)
        if raw not in allowed:
            bad_request(
                f"query parameter '{name}': unknown value {raw!r} (known: {', '.join(allowed)})",
                name,
            )
        return raw

    def moment(self, name: str, *, end: bool = False) -> datetime.datetime | None:
        """A date (YYYY-MM-DD) or a date and time; a date as an end bound includes the whole day."""
        raw = self.values.get(name)
        if not raw:
            return None
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
                day = datetime.date.fromisoformat(raw)
                if end:
                    day += datetime.timedelta(days=1)
                moment = datetime.datetime.combine(day, datetime.time())
            else:
                moment = datetime.datetime.fromisoformat(raw)
            if not MIN_DATE.year <= moment.year <= MAX_DATE.year:
                raise ValueError(raw)  # 9999-12-31 overflowed the day after; year 1 the zone
        except (ValueError, OverflowError):
            bad_request(
                f"query parameter '{name}' must be a date (YYYY-MM-DD) or an ISO 8601 time, "
                f"not {raw!r}",
                name,
            )
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment


def paginate(
    query: Query, queryset: QuerySet[Any], serialize: Callable[[Any], dict[str, Any]]
) -> JsonResponse:
    page_number = query.page()
    paginator = Paginator(queryset, PAGE_SIZE)
    if page_number > paginator.num_pages:
        bad_request(
            f"query parameter 'page': page {page_number} does not exist "
            f"(there are {paginator.num_pages})",
            "page",
        )
    page = paginator.page(page_number)

    def link(number: int) -> str:
        params = {**query.values, "page": str(number)}
        return query.request.build_absolute_uri(f"{query.request.path}?{urlencode(params)}")

    return JsonResponse(
        {
            "count": paginator.count,
            "page": page_number,
            "pages": paginator.num_pages,
            "next": link(page_number + 1) if page.has_next() else None,
            "previous": link(page_number - 1) if page.has_previous() else None,
            "results": [serialize(obj) for obj in page.object_list],
        }
    )


# --- request bodies -----------------------------------------------------------------------------


class Body:
    """A request body that is a JSON object with known keys; getters check each value's type."""

    def __init__(
        self, data: dict[str, Any], allowed: Iterable[str], required: Iterable[str] = ()
    ) -> None:
        allowed = set(allowed)
        for key in data:
            if key not in allowed:
                bad_request(
                    f"unknown field '{key}' (known: {', '.join(sorted(allowed))})",
                    key,
                    "unknown_field",
                )
        for key in required:
            if key not in data:
                bad_request(f"field '{key}' is required", key, "missing_field")
        self.data = data

    @classmethod
    def from_json(
        cls, request: HttpRequest, allowed: Iterable[str], required: Iterable[str] = ()
    ) -> Body:
        if request.content_type != "application/json":
            bad_request(
                "send the request body as JSON with 'Content-Type: application/json'",
                code="invalid_json",
            )
        try:
            data = json.loads(request.body.decode("utf-8"), parse_constant=_refuse_constant)
        except (UnicodeDecodeError, ValueError) as error:
            bad_request(f"the request body is not valid JSON: {error}", code="invalid_json")
        if not isinstance(data, dict):
            bad_request(
                f"the request body must be a JSON object, not {_json_type(data)}",
                code="invalid_json",
            )
        return cls(data, allowed, required)

    def text(self, key: str, *, max_length: int = 2000) -> str:
        value = self.data.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            bad_request(f"field '{key}' must be a string, not {_json_type(value)}", key)
        if len(value) > max_length:
            bad_request(f"field '{key}' is longer than {max_length} characters", key)
        return value

    def required_text(self, key: str) -> str:
        value = self.text(key, max_length=200).strip()
        if not value:
            bad_request(f"field '{key}' must not be empty", key)
        return value

    def object(self, key: str) -> dict[str, Any]:
        value = self.data.get(key, {})
        if value is None:
            value = {}
        if not isinstance(value, dict):
            bad_request(f"field '{key}' must be a JSON object, not {_json_type(value)}", key)
        for name, item in value.items():
            if isinstance(item, dict | list):
                bad_request(
                    f"field '{key}.{name}' must be a string, number, boolean or null, "
                    f"not {_json_type(item)}",
                    f"{key}.{name}",
                )
        return value

    def document(self, key: str) -> dict[str, Any]:
        """A JSON object of any content (an outside event's data), {} when left out."""
        value = self.data.get(key, {})
        if value is None:
            value = {}
        if not isinstance(value, dict):
            bad_request(f"field '{key}' must be a JSON object, not {_json_type(value)}", key)
        return value

    def positive_integer(self, key: str) -> int:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            bad_request(f"field '{key}' must be a positive whole number, not {value!r}", key)
        return value

    def ids(self, key: str = "ids") -> list[int]:
        value = self.data.get(key)
        if not isinstance(value, list):
            bad_request(
                f"field '{key}' must be a list of work item ids, not {_json_type(value)}", key
            )
        if not value:
            bad_request(f"field '{key}' must name at least one work item", key)
        if len(value) > MAX_IDS:
            bad_request(f"field '{key}' names more than {MAX_IDS} work items; send fewer", key)
        for element in value:
            if isinstance(element, bool) or not isinstance(element, int) or element < 1:
                bad_request(f"field '{key}' must hold positive whole numbers, not {element!r}", key)
        return value


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not allowed")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"
