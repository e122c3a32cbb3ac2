from django.urls import path

from kuntarobo.channels import views

app_name = "channels"
urlpatterns = [
    path("documents/<str:token>/", views.secure_document, name="secure_document"),
]
