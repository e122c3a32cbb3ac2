"""URLs of path documents and result cards: /portfolio/path/<robot>/<municipality>/ and
/portfolio/cards/<robot>/<municipality>/."""

from django.urls import URLPattern, URLResolver, path

from kuntarobo.portfolio.views import documents

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "path/<slug:robot>/<slug:municipality>/",
        documents.path_document_page,
        name="path_document",
    ),
    path(
        "path/<slug:robot>/<slug:municipality>/pdf/",
        documents.path_document_pdf_view,
        name="path_document_pdf",
    ),
    path("cards/<slug:robot>/<slug:municipality>/", documents.result_card_page, name="result_card"),
    path(
        "cards/<slug:robot>/<slug:municipality>/edit/",
        documents.result_card_edit,
        name="result_card_edit",
    ),
    path(
        "cards/<slug:robot>/<slug:municipality>/pdf/",
        documents.result_card_pdf_view,
        name="result_card_pdf",
    ),
    path(
        "cards/<slug:robot>/<slug:municipality>/share/",
        documents.result_card_share,
        name="result_card_share",
    ),
]
