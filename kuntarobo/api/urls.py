"""The JSON API, mounted at /api/v1/: the platform's endpoints, then each robot's own under
/api/v1/<its prefix>/ (kuntarobo.runtime.mounting; no robot is named here). Every pattern,
a robot's included, must have a case in the permission matrix test
(tests/api/test_permission_matrix.py), which enumerates them."""

from django.urls import URLPattern, URLResolver, include, path, re_path

from kuntarobo.api import settings_views, vault_views, views
from kuntarobo.runtime import mounting

app_name = "api"

platform: list[URLPattern | URLResolver] = [
    path("robots", views.robots, name="robots"),
    path("robots/<str:slug>", views.robot, name="robot"),
    path(
        "robots/<str:slug>/settings/<str:municipality>",
        settings_views.municipal_settings,
        name="robot-settings",
    ),
    path("municipalities", views.municipalities, name="municipalities"),
    path("runs", views.runs, name="runs"),
    path("runs/<int:run_id>", views.run, name="run"),
    path("items", views.items, name="items"),
    path("items/approve", views.items_approve, name="items-approve"),
    path("items/reject", views.items_reject, name="items-reject"),
    path("items/retry", views.items_retry, name="items-retry"),
    path("items/abandon", views.items_abandon, name="items-abandon"),
    path("items/resume", views.items_resume, name="items-resume"),
    path("items/approve-unflagged", views.items_approve_unflagged, name="items-approve-unflagged"),
    path("items/<int:item_id>", views.item, name="item"),
    path("items/<int:item_id>/correct", views.item_correct, name="item-correct"),
    path("audit", views.audit, name="audit"),
    path("audit/export", views.audit_export, name="audit-export"),
    path("portfolio/", include("kuntarobo.portfolio.business_case_api_urls")),
    path("vault/assets", vault_views.assets, name="vault-assets"),
    path("vault/assets/<int:asset_id>", vault_views.asset, name="vault-asset"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    *platform,
    *mounting.api_routes(platform),
    # Last: any other path under /api/v1/ answers with the API's JSON 404, not an HTML page.
    re_path(r"^(?P<rest>.*)$", views.unknown_endpoint, name="unknown"),
]
