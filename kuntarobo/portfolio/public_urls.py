"""The public answer pages (no sign-in), mounted at /palaute/ by kuntarobo/urls.py: a staff
member's one-time survey link and the customer feedback link of a municipality's robot."""

from django.urls import URLPattern, URLResolver, path

from kuntarobo.portfolio.views import surveys as views

app_name = "feedback"

urlpatterns: list[URLPattern | URLResolver] = [
    path("kysely/<str:token>/", views.staff_survey, name="staff_survey"),
    path("<str:token>/", views.customer, name="customer"),
    path("<str:token>/kiitos/", views.customer_thanks, name="customer_thanks"),
]
