"""URLs of the open suitability method (added to kuntarobo.portfolio.urls)."""

from django.urls import URLPattern, URLResolver, path

from kuntarobo.portfolio.views import scoring

urlpatterns: list[URLPattern | URLResolver] = [
    path("ideas/<int:pk>/assess/", scoring.idea_assess, name="idea_assess"),
    path("ranking/", scoring.ranking_page, name="ranking"),
    path("scoring/weights/", scoring.scoring_weights, name="scoring_weights"),
    path("scoring/method/", scoring.scoring_method, name="scoring_method"),
]
