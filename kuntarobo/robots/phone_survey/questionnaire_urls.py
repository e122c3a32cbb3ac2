"""The questionnaire pages' URLs (part of staff_urls)."""

from django.urls import URLPattern, path

from kuntarobo.robots.phone_survey import questionnaire_views as views

urlpatterns: list[URLPattern] = [
    path("questionnaires/", views.questionnaire_list, name="questionnaire_list"),
    path("questionnaires/new/", views.questionnaire_create, name="questionnaire_create"),
    path("questionnaires/<int:pk>/", views.questionnaire_detail, name="questionnaire_detail"),
    path("questionnaires/<int:pk>/edit/", views.questionnaire_edit, name="questionnaire_edit"),
    path(
        "questionnaires/<int:pk>/recordings/",
        views.questionnaire_recording,
        name="questionnaire_recording",
    ),
    path(
        "questionnaires/<int:pk>/recordings/<int:recording>/",
        views.questionnaire_recording_file,
        name="questionnaire_recording_file",
    ),
]
