"""URLs of the idea bank and its workshops (added to kuntarobo.portfolio.urls); each name has a
case in tests/portfolio/matrix_ideas.py."""

from django.urls import URLPattern, URLResolver, path

from kuntarobo.portfolio.views import ideas

urlpatterns: list[URLPattern | URLResolver] = [
    path("", ideas.ideas, name="ideas"),
    path("shared/", ideas.shared_ideas, name="shared_ideas"),
    path("ideas/<int:pk>/", ideas.idea_detail, name="idea_detail"),
    path("ideas/<int:pk>/edit/", ideas.idea_edit, name="idea_edit"),
    path("ideas/<int:pk>/move/", ideas.idea_move, name="idea_move"),
    path("ideas/<int:pk>/sharing/", ideas.idea_sharing, name="idea_sharing"),
    path("ideas/<int:pk>/copy/", ideas.idea_copy, name="idea_copy"),
    path("m/<slug:municipality>/ideas/new/", ideas.idea_new, name="idea_new"),
    path("m/<slug:municipality>/ideas/export/", ideas.ideas_export, name="ideas_export"),
    path("m/<slug:municipality>/ideas/import/", ideas.ideas_import, name="ideas_import"),
    path("workshops/", ideas.workshops, name="workshops"),
    path("m/<slug:municipality>/workshops/new/", ideas.workshop_new, name="workshop_new"),
    path("workshops/<int:pk>/", ideas.workshop_detail, name="workshop_detail"),
    path("workshops/<int:pk>/close/", ideas.workshop_close, name="workshop_close"),
]
