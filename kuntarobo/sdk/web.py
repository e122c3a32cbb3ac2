"""A robot's staff pages: only what the signed-in user may see, downloads of stored files,
pagination."""

from kuntarobo.web.scoping import get_scoped_or_404, municipality_or_404, require_somewhere
from kuntarobo.web.stored_files import download, file_missing, open_stored
from kuntarobo.web.views.common import paginate

__all__ = [
    "download",
    "file_missing",
    "get_scoped_or_404",
    "municipality_or_404",
    "open_stored",
    "paginate",
    "require_somewhere",
]
