"""The fee robot's API endpoints, mounted by the platform under /api/v1/ecec-fees/
(`EcecFeeRobot.api_urls`)."""

from django.urls import URLPattern, path

from kuntarobo.robots.ecec_fees import api

app_name = "ecec_fees"

urlpatterns: list[URLPattern] = [
    path("calculate", api.calculate, name="calculate"),
]
