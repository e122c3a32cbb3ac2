from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Single sign-on through the municipalities' identity providers (OpenID Connect).
    path("auth/", include("kuntarobo.accounts.urls")),
    path("api/v1/", include("kuntarobo.api.urls")),
    # The public fee estimate for families (no login; nothing stored).
    path("varhaiskasvatusmaksu/", include("kuntarobo.robots.ecec_fees.urls")),
    # The fee robot's own staff pages, beside its page in the catalogue.
    path("robots/ecec_fees/", include("kuntarobo.robots.ecec_fees.staff_urls")),
    path("channels/", include("kuntarobo.channels.urls")),
    path("", include("kuntarobo.web.urls")),
]
