"""Signed-in pages of the satisfaction surveys (mounted under /portfolio/ by urls.py)."""

from django.urls import URLPattern, URLResolver, path

from kuntarobo.portfolio.views import surveys as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("surveys/", views.survey_rounds, name="survey_rounds"),
    path("surveys/new/", views.survey_round_create, name="survey_round_create"),
    path("surveys/settings/", views.survey_settings, name="survey_settings"),
    path("surveys/<int:pk>/", views.survey_round, name="survey_round"),
    path("surveys/<int:pk>/send/", views.survey_round_send, name="survey_round_send"),
    path("surveys/<int:pk>/close/", views.survey_round_close, name="survey_round_close"),
    path("feedback/", views.customer_feedback, name="customer_feedback"),
    path("feedback/switch/", views.customer_feedback_switch, name="customer_feedback_switch"),
    path("feedback/import/", views.customer_feedback_import, name="customer_feedback_import"),
]
