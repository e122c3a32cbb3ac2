"""URLs of the portfolio (find and measure), mounted at /portfolio/. Every name here has a case
in the permission matrix (tests/portfolio/test_permission_matrix.py collects them)."""

from django.urls import URLPattern, URLResolver

from kuntarobo.portfolio import (
    business_case_urls,
    dashboard_urls,
    document_urls,
    idea_urls,
    programme_urls,
    scoring_urls,
    survey_urls,
)

app_name = "portfolio"

urlpatterns: list[URLPattern | URLResolver] = [
    *survey_urls.urlpatterns,
    *scoring_urls.urlpatterns,
    *dashboard_urls.urlpatterns,
    *document_urls.urlpatterns,
    *business_case_urls.urlpatterns,
    *programme_urls.urlpatterns,
]
urlpatterns += idea_urls.urlpatterns
