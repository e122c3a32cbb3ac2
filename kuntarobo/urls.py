"""The site's URL conf: the platform's pages, then what each registered robot mounts (its public
pages and its staff pages, kuntarobo.runtime.mounting). No robot is named here."""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from kuntarobo.runtime import mounting

platform: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Single sign-on through the municipalities' identity providers (OpenID Connect).
    path("auth/", include("kuntarobo.accounts.urls")),
    path("api/v1/", include("kuntarobo.api.urls")),
    path("channels/", include("kuntarobo.channels.urls")),
    path("vault/", include("kuntarobo.vault.urls")),
    path("portfolio/", include("kuntarobo.portfolio.urls")),
    # Public satisfaction answer pages (no sign-in): staff survey links, customer feedback.
    path("palaute/", include("kuntarobo.portfolio.public_urls")),
    path("", include("kuntarobo.web.urls")),
]

urlpatterns = [
    *platform,
    # Public pages (no sign-in), each under a prefix the robot declares.
    *mounting.public_routes(platform),
    # Under /robots/<slug>/, beside the robot's page in the catalogue (the platform's first).
    *mounting.staff_routes(),
]
