"""Small helpers shared by the views."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from kuntarobo.runtime.declarations import InputError, Robot, get_robot


def paginate(request: HttpRequest, items: Any, per_page: int = 50) -> Page[Any]:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def robot_or_none(slug: str) -> type[Robot] | None:
    """A deployment or run may name a robot whose package is no longer installed."""
    try:
        return get_robot(slug)
    except InputError:
        return None


def safe_next(request: HttpRequest, fallback: str) -> str:
    """Where to return after a POST: the `next` field when it points to this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
