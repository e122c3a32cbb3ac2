"""The campaign pages' URLs (part of staff_urls, namespace "phone_survey")."""

from django.urls import URLPattern, path

from kuntarobo.robots.phone_survey import campaign_respondents, campaign_views

urlpatterns: list[URLPattern] = [
    path("campaigns/", campaign_views.campaign_list, name="campaign_list"),
    path(
        "campaigns/new/<slug:municipality>/", campaign_views.campaign_create, name="campaign_create"
    ),
    path("campaigns/<int:pk>/", campaign_views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaign_views.campaign_edit, name="campaign_edit"),
    path(
        "campaigns/<int:pk>/respondents/import/",
        campaign_views.respondents_import,
        name="respondents_import",
    ),
    path(
        "campaigns/<int:pk>/respondents/",
        campaign_respondents.respondent_list,
        name="respondent_list",
    ),
    path(
        "campaigns/<int:pk>/respondents/<int:respondent_pk>/",
        campaign_respondents.respondent_detail,
        name="respondent_detail",
    ),
    path(
        "campaigns/<int:pk>/respondents/<int:respondent_pk>/answers/<int:answer_pk>/recording/",
        campaign_respondents.answer_recording,
        name="answer_recording",
    ),
    path("campaigns/<int:pk>/start/", campaign_views.campaign_start, name="campaign_start"),
    path(
        "campaigns/<int:pk>/simulate/", campaign_views.campaign_simulate, name="campaign_simulate"
    ),
    path("campaigns/<int:pk>/end/", campaign_views.campaign_end, name="campaign_end"),
    path("do-not-call/<slug:municipality>/", campaign_views.do_not_call, name="do_not_call"),
    path(
        "do-not-call/<slug:municipality>/<int:pk>/remove/",
        campaign_views.do_not_call_remove,
        name="do_not_call_remove",
    ),
]
