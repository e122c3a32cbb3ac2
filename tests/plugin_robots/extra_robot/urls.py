from django.urls import URLPattern, path

from extra_robot import views

app_name = "extra_robot"

urlpatterns: list[URLPattern] = [
    path("hello/", views.hello, name="hello"),
]
