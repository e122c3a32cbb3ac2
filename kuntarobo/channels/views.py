"""The page behind a secure link: the document for its signed-in recipient only."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kuntarobo.channels.actions import SecureDocumentRefused, open_secure_document

logger = logging.getLogger(__name__)


@login_required
@require_GET
def secure_document(request: HttpRequest, token: str) -> HttpResponse:
    try:
        document = open_secure_document(request.user, token, via="web")
    except SecureDocumentRefused as refused:
        if refused.expired:
            return render(request, "channels/link_expired.html", status=410)
        raise Http404 from None
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError):
        logger.warning("secure document %s is missing from the file store", document.pk)
        return render(request, "web/file_missing.html", status=404)
    response = FileResponse(
        handle, as_attachment=True, filename=document.name, content_type=document.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response
