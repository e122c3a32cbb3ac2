"""Public pages under /kysely/: the advance notice and the personal web form (no sign-in)."""

from django.urls import URLPattern, path

from kuntarobo.robots.phone_survey import web_views

app_name = "phone_survey_public"

urlpatterns: list[URLPattern] = [
    path("ilmoitus/<int:pk>/", web_views.notice, name="notice"),
    path("<str:token>/", web_views.survey, name="survey"),
    path("<str:token>/kielto/", web_views.refuse, name="refuse"),
]
