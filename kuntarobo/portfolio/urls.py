"""URLs of the portfolio (find and measure), mounted at /portfolio/. Every name here has a case
in the permission matrix (tests/portfolio/test_permission_matrix.py collects them)."""

from django.urls import URLPattern, URLResolver

app_name = "portfolio"

urlpatterns: list[URLPattern | URLResolver] = []

from kuntarobo.portfolio import scoring_urls  # noqa: E402

urlpatterns += scoring_urls.urlpatterns
