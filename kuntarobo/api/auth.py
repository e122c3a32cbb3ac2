"""`Authorization: Bearer kr_…` authenticates API calls; the session works for the browser."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class ApiTokenMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer ") and request.path.startswith("/api/"):
            from kuntarobo.api.models import ApiToken, hash_token

            token = (
                ApiToken.objects.select_related("user")
                .filter(token_hash=hash_token(header[7:].strip()), revoked=False)
                .first()
            )
            if token is not None and token.user.is_active:
                request.user = token.user
                request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
                request.api_token = token  # type: ignore[attr-defined]
                ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return self.get_response(request)
