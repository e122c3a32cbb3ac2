"""Public pages under /kysely/: the advance notice and the personal web form (no sign-in)."""

from django.urls import URLPattern

app_name = "phone_survey_public"

urlpatterns: list[URLPattern] = []
