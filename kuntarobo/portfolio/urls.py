"""URLs of the portfolio (find and measure), mounted at /portfolio/. Every name here has a case
in the permission matrix (tests/portfolio/test_permission_matrix.py collects them)."""

from django.urls import URLPattern, URLResolver

from kuntarobo.portfolio import programme_urls

app_name = "portfolio"

urlpatterns: list[URLPattern | URLResolver] = []
urlpatterns += programme_urls.urlpatterns
