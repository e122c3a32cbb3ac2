"""Downloads of stored files (documents, decision letters, print batches). A row may name a
file the file store no longer has (a restore without the media volume, a disk error): that is
a clear "file missing" page with status 404, never a FileNotFoundError and a 500."""

from __future__ import annotations

import logging
from typing import Any

from django.core.files.base import File
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)


def open_stored(field_file: Any) -> File[Any] | None:
    """The stored file opened for reading, or None when the store does not have it."""
    if not field_file:
        return None
    try:
        handle: File[Any] = field_file.open("rb")
    except (FileNotFoundError, IsADirectoryError, PermissionError, ValueError):
        logger.warning("stored file %s is missing from the file store", field_file.name)
        return None
    return handle


def file_missing(request: HttpRequest) -> HttpResponse:
    return render(request, "web/file_missing.html", status=404)


def download(
    request: HttpRequest, handle: File[Any], *, filename: str, content_type: str
) -> FileResponse:
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
