"""The robot's staff pages under /robots/phone_survey/: each area keeps its own URL module."""

from django.urls import URLPattern

from kuntarobo.robots.phone_survey import campaign_urls, questionnaire_urls, report_urls

app_name = "phone_survey"

urlpatterns: list[URLPattern] = [
    *campaign_urls.urlpatterns,
    *questionnaire_urls.urlpatterns,
    *report_urls.urlpatterns,
]
