"""Sign-ins in the audit trail, the client's address, and the lockout page.

Failed sign-ins name the attempted user name only when an account of that name exists: people
type their password into the user name field, and that must not end up in the trail. Any other
name is kept as a keyed hash, so repeated tries of one name can be told apart without storing
it. Passwords are never recorded (Django hands the signal receivers cleansed credentials).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.shortcuts import render

from kuntarobo.audit.trail import record

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import HttpRequest, HttpResponse


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind `KUNTAROBO_TRUSTED_PROXY_COUNT` reverse
    proxies the address the outermost of them saw (counted from the right of
    X-Forwarded-For, which a client can prepend to but not append to)."""
    proxies = settings.KUNTAROBO_TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded: list[str] = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None


def attempted_username(username: str | None) -> dict[str, str | None]:
    """The name as typed when such an account exists, else a keyed hash of it."""
    if not username:
        return {"username": None}
    if get_user_model()._default_manager.filter(**{get_user_model().USERNAME_FIELD: username}):
        return {"username": username}
    digest = hmac.new(settings.SECRET_KEY.encode(), username.encode(), hashlib.sha256)
    return {"username": None, "unknown_username_hash": digest.hexdigest()[:16]}


def _via(request: HttpRequest | None) -> str:
    if request is None or getattr(request, "resolver_match", None) is None:
        return ""
    return "admin" if request.path.startswith("/admin/") else "web"


def record_failed_sign_in(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Receiver of `user_login_failed`: one `auth.login_failed` event per refused attempt."""
    details: dict[str, Any] = attempted_username(credentials.get("username"))
    details["ip_address"] = client_ip(request) if request is not None else None
    details["locked_out"] = bool(getattr(request, "kuntarobo_locked_out", False))
    record("auth.login_failed", actor="anonymous", details=details, via=_via(request))


def record_lockout(
    sender: Any, request: HttpRequest | None = None, username: str | None = None, **kwargs: Any
) -> None:
    """Receiver of axes' `user_locked_out`: one `auth.locked_out` event when a lock begins,
    not again for each attempt refused while it lasts."""
    if request is None or getattr(request, "kuntarobo_locked_out", False):
        return
    details: dict[str, Any] = attempted_username(username)
    details["ip_address"] = client_ip(request)
    details["failures"] = getattr(request, "axes_failures_since_start", None)
    details["cooloff_minutes"] = cooloff_minutes()
    record("auth.locked_out", actor="anonymous", details=details, via=_via(request))


def record_sign_in(
    sender: Any,
    request: HttpRequest | None = None,
    user: User | None = None,
    **kwargs: Any,
) -> None:
    """Receiver of `user_logged_in` for sign-ins made by a web request; programmatic logins
    (the test client's `force_login`) have no resolved URL and are not sign-ins of a person."""
    if request is None or user is None or getattr(request, "resolver_match", None) is None:
        return
    details: dict[str, Any] = getattr(request, "kuntarobo_sign_in", None) or {"method": "password"}
    details = {**details, "ip_address": client_ip(request)}
    record("auth.login", actor=user, details=details, via=_via(request))


def record_sign_out(
    sender: Any,
    request: HttpRequest | None = None,
    user: User | None = None,
    **kwargs: Any,
) -> None:
    """Receiver of `user_logged_out`, for sign-outs made by a web request."""
    if request is None or user is None or getattr(request, "resolver_match", None) is None:
        return
    record("auth.logout", actor=user, details={"ip_address": client_ip(request)}, via=_via(request))


def cooloff_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """The page of a locked-out sign-in, in the user's language (axes' AXES_LOCKOUT_CALLABLE)."""
    return render(
        request,
        "accounts/locked_out.html",
        {"cooloff_minutes": cooloff_minutes(), "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
