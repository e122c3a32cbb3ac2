"""Where each robot's own URL confs are mounted, read from the registry.

The core URL conf and the API name no robot: a robot declares `urls` (staff pages, under
/robots/<slug>/), `api_urls` (under /api/v1/<api_prefix>/) and `public_urls` ((prefix, module)
pairs), so a robot installed through KUNTAROBO_EXTRA_APPS gets its pages with no edit of
platform code. Each module is included as it is: its `app_name`, if any, is its namespace.

A robot never takes a path of the platform's: a prefix that the platform (or another robot)
already uses is refused when the URL conf loads, naming the robot, instead of one of the two
pages silently shadowing the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeAlias

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, URLResolver, include, path

from kuntarobo.runtime.declarations import Robot, all_robots

Route: TypeAlias = URLPattern | URLResolver


def api_prefix(robot: type[Robot]) -> str:
    """The robot's path under /api/v1/: declared, or its slug with hyphens (ecec-fees)."""
    return (robot.api_prefix or robot.slug.replace("_", "-")).strip("/")


def first_segments(patterns: Iterable[Route], prefix: str = "") -> set[str]:
    """The first path segment of every route, includes followed where they add none
    (`path("", include(...))`): what a robot's prefix must not be."""
    found: set[str] = set()
    for entry in patterns:
        route = prefix + str(entry.pattern).lstrip("^")
        if not route and isinstance(entry, URLResolver):
            found |= first_segments(entry.url_patterns)
            continue
        found.add(route.split("/", 1)[0])
    return found


def _refuse_taken(claims: Sequence[tuple[str, str]], taken: set[str], what: str) -> None:
    owners: dict[str, str] = {}
    for segment, robot in claims:
        if not segment or segment in taken:
            raise ImproperlyConfigured(
                f"robot {robot}: {what} {segment or '(empty)'!r} is already the platform's"
            )
        if segment in owners:
            raise ImproperlyConfigured(
                f"robots {owners[segment]} and {robot} both mount {what} {segment!r}"
            )
        owners[segment] = robot


def staff_routes(robots: Sequence[type[Robot]] | None = None) -> list[Route]:
    """Each robot's staff pages under /robots/<slug>/, beside its page in the catalogue.

    Mount them after the platform's pages: /robots/<slug>/ itself, …/start/, …/settings/ and
    …/municipal-settings/ are the platform's and stay so."""
    robots = all_robots() if robots is None else robots
    return [path(f"robots/{robot.slug}/", include(robot.urls)) for robot in robots if robot.urls]


def public_routes(
    platform: Iterable[Route], robots: Sequence[type[Robot]] | None = None
) -> list[Route]:
    """Each robot's public pages (no sign-in) under the prefixes it declares."""
    robots = all_robots() if robots is None else robots
    declared = [
        (prefix.strip("/") + "/", module, robot.slug)
        for robot in robots
        for prefix, module in robot.public_urls
    ]
    claims = [(prefix.split("/", 1)[0], slug) for prefix, _, slug in declared]
    static = str(settings.STATIC_URL or "").strip("/").split("/", 1)[0]
    _refuse_taken(claims, first_segments(platform) | {static} - {""}, "the public path")
    return [path(prefix, include(module)) for prefix, module, _ in declared]


def api_routes(
    platform: Iterable[Route], robots: Sequence[type[Robot]] | None = None
) -> list[Route]:
    """Each robot's API endpoints under /api/v1/<api_prefix>/ (the paths without the trailing
    slash, as the platform's endpoints are)."""
    robots = [r for r in (all_robots() if robots is None else robots) if r.api_urls]
    claims = [(api_prefix(robot).split("/", 1)[0], robot.slug) for robot in robots]
    _refuse_taken(claims, first_segments(platform), "the API path")
    return [path(f"{api_prefix(robot)}/", include(robot.api_urls)) for robot in robots]
