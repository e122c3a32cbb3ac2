"""The business cases' API endpoints, included by kuntarobo/api/urls.py under
/api/v1/portfolio/ (so the API's permission matrix enumerates them)."""

from django.urls import URLPattern, URLResolver, path

from kuntarobo.portfolio import business_case_api as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("business-case", views.business_case, name="portfolio-business-case"),
    path("business-cases", views.business_cases, name="portfolio-business-cases"),
    path(
        "business-cases/<int:case_id>",
        views.stored_business_case,
        name="portfolio-stored-business-case",
    ),
]
