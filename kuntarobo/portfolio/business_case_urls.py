"""The business cases' pages under /portfolio/business-cases/ (added to
kuntarobo/portfolio/urls.py; their cases in tests/portfolio/matrix_business_cases.py)."""

from django.urls import URLPattern, URLResolver, path

from kuntarobo.portfolio.views import business_cases as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("business-cases/", views.business_case_list, name="business-cases"),
    path("business-cases/new/", views.business_case_new, name="business-case-new"),
    path(
        "business-cases/calculator/",
        views.business_case_calculator,
        name="business-case-calculator",
    ),
    path("business-cases/<int:pk>/", views.business_case_detail, name="business-case"),
    path("business-cases/<int:pk>/edit/", views.business_case_edit, name="business-case-edit"),
    path(
        "business-cases/<int:pk>/delete/",
        views.business_case_delete,
        name="business-case-delete",
    ),
]
