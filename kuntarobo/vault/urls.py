from django.urls import path

from kuntarobo.vault import views

app_name = "vault"
urlpatterns = [
    path("", views.vault_index, name="index"),
    path("<slug:municipality>/", views.asset_list, name="assets"),
    path("<slug:municipality>/new/", views.asset_create, name="asset_create"),
    path("<slug:municipality>/<int:pk>/edit/", views.asset_edit, name="asset_edit"),
    path("<slug:municipality>/<int:pk>/rotate/", views.asset_rotate, name="asset_rotate"),
    path("<slug:municipality>/<int:pk>/delete/", views.asset_delete, name="asset_delete"),
]
