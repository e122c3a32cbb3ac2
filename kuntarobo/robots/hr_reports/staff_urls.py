"""The HR robot's settings pages, under /robots/hr_reports/ next to the robot's own page
(not under …/settings/, which is the platform's deployment settings page of every robot)."""

from django.urls import URLPattern, path

from kuntarobo.robots.hr_reports import staff_views

app_name = "hr_reports_staff"

urlpatterns: list[URLPattern] = [
    path("mapping/", staff_views.settings_index, name="settings_index"),
    path("mapping/<slug:municipality>/", staff_views.settings, name="settings"),
]
