"""Robots mount their own URL confs from their declarations; a prefix the platform or another
robot already has is refused at start-up, naming the robot."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import resolve

from kuntarobo import urls as site_urls
from kuntarobo.api import urls as api_urls
from kuntarobo.runtime import mounting
from kuntarobo.runtime.declarations import Robot

STAFF = "kuntarobo.robots.ecec_fees.staff_urls"
API = "kuntarobo.robots.ecec_fees.api_urls"


def robot(slug: str, **declared: object) -> type[Robot]:
    return type(f"Robot_{slug}", (Robot,), {"slug": slug, **declared})


def test_the_api_prefix_is_declared_or_the_slug_with_hyphens():
    assert mounting.api_prefix(robot("fee_letters")) == "fee-letters"
    assert mounting.api_prefix(robot("fee_letters", api_prefix="/letters/")) == "letters"


def test_the_platforms_first_path_segments_include_those_of_the_web_ui():
    segments = mounting.first_segments(site_urls.platform)
    assert {"admin", "api", "auth", "robots", "items", "health"} <= segments


def test_the_real_site_mounts_each_robots_pages_where_it_declares_them():
    assert resolve("/robots/ecec_fees/decisions/").view_name == "ecec_fees_staff:decisions"
    assert resolve("/varhaiskasvatusmaksu/esimerkkila/").view_name == "ecec_fees:estimate"
    assert resolve("/api/v1/ecec-fees/calculate").view_name == "api:ecec_fees:calculate"


def test_the_platforms_own_robot_pages_come_before_a_robots_pages():
    """A robot's URL conf mounted under /robots/<slug>/ cannot take over the platform's page
    of the robot, its start form or its settings."""
    assert resolve("/robots/ecec_fees/").view_name == "robot_detail"
    assert resolve("/robots/ecec_fees/start/").view_name == "robot_start"


def test_a_robots_api_path_may_not_be_one_of_the_platforms():
    with pytest.raises(ImproperlyConfigured, match="robot items: the API path 'items'"):
        mounting.api_routes(api_urls.platform, [robot("items", api_urls=API)])
    with pytest.raises(ImproperlyConfigured, match="robot runner: the API path 'runs'"):
        mounting.api_routes(api_urls.platform, [robot("runner", api_urls=API, api_prefix="runs")])


def test_two_robots_may_not_share_an_api_path():
    robots = [robot("letters", api_urls=API), robot("mail", api_urls=API, api_prefix="letters")]
    with pytest.raises(ImproperlyConfigured, match="robots letters and mail both mount"):
        mounting.api_routes(api_urls.platform, robots)


def test_a_robot_without_api_endpoints_takes_no_api_path():
    assert mounting.api_routes(api_urls.platform, [robot("items")]) == []


def test_a_public_prefix_may_not_be_one_of_the_platforms_nor_empty():
    for prefix in ("admin/", "robots/forms/", "login/", "static/", "/"):
        with pytest.raises(ImproperlyConfigured, match="robot forms: the public path"):
            mounting.public_routes(
                site_urls.platform, [robot("forms", public_urls=((prefix, API),))]
            )


def test_a_public_prefix_of_its_own_is_mounted():
    routes = mounting.public_routes(
        site_urls.platform, [robot("permits", public_urls=(("katulupa", API),))]
    )
    assert [str(route.pattern) for route in routes] == ["katulupa/"]


def test_staff_pages_are_mounted_under_the_robots_slug_only_when_declared():
    routes = mounting.staff_routes([robot("mapper", urls=STAFF), robot("silent")])
    assert [str(route.pattern) for route in routes] == ["robots/mapper/"]
