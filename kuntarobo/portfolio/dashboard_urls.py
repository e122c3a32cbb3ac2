"""URLs of the impact dashboards, the planned-against-realised page of a business case and the
running costs (kuntarobo.portfolio.views.dashboards)."""

from django.urls import URLPattern, URLResolver, path

from kuntarobo.portfolio.views import dashboards

urlpatterns: list[URLPattern | URLResolver] = [
    path("dashboards/", dashboards.dashboards, name="dashboards"),
    path("dashboards/robots/<slug:robot>/", dashboards.robot_dashboard, name="dashboard_robot"),
    path(
        "dashboards/municipalities/<slug:municipality>/",
        dashboards.municipality_dashboard,
        name="dashboard_municipality",
    ),
    path(
        "dashboards/programmes/<int:pk>/",
        dashboards.programme_dashboard,
        name="dashboard_programme",
    ),
    path(
        "business-cases/<int:pk>/realised/",
        dashboards.business_case_realised,
        name="business_case_realised",
    ),
    path("running-costs/", dashboards.running_costs, name="running_costs"),
]
