from django.urls import URLPattern, path

from kuntarobo.robots.ecec_fees import views

app_name = "ecec_fees"

urlpatterns: list[URLPattern] = [
    path("<slug:slug>/", views.estimate, name="estimate"),
]
