from django.urls import path

from kuntarobo.accounts import views

urlpatterns = [
    path("oidc/<slug:name>/login/", views.oidc_login, name="oidc_login"),
    path("oidc/<slug:name>/callback/", views.oidc_callback, name="oidc_callback"),
]
