"""Responses of the application are never stored by browsers or proxies."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """`Cache-Control: no-store` and `Pragma: no-cache` on every response a view makes.

    Pages, PDFs, workbooks, exports and API answers carry personal data; deciding per view
    would let a new one slip through, and nothing dynamic here gains from caching. Placed after
    WhiteNoise, so static files (public, versioned) keep their long caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        add_never_cache_headers(response)
        response["Pragma"] = "no-cache"
        return response
