"""URLs of programme follow-up (mounted under /portfolio/ by kuntarobo.portfolio.urls)."""

from django.urls import URLPattern, URLResolver, path

from kuntarobo.portfolio.views import programmes as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme_detail"),
    path(
        "programmes/<int:pk>/<slug:kind>/add/",
        views.programme_record_add,
        name="programme_record_add",
    ),
    path(
        "programmes/<int:pk>/<slug:kind>/<int:record_pk>/",
        views.programme_record_edit,
        name="programme_record_edit",
    ),
    path(
        "programmes/<int:pk>/<slug:kind>/<int:record_pk>/delete/",
        views.programme_record_delete,
        name="programme_record_delete",
    ),
    path(
        "programmes/<int:pk>/lights/<slug:axis>/",
        views.programme_axis_override,
        name="programme_axis_override",
    ),
]
