from django.urls import URLPattern, path

from extra_robot import api

app_name = "extra_robot"

urlpatterns: list[URLPattern] = [
    path("greeting", api.greet, name="greeting"),
]
