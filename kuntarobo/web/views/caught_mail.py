"""The page "Demo e-mail": what the demo's mail catcher caught (`kuntarobo.core.caught_mail`),
listed and opened, with attachments to download. It exists only where a catcher is configured
(KUNTAROBO_MAIL_CATCHER_DIR, set by the demo): elsewhere every URL of it is 404. Only
administrators (and superusers) read it: caught e-mail may carry any municipality's data."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from kuntarobo.accounts.models import Municipality, Permission
from kuntarobo.audit.trail import record
from kuntarobo.core import caught_mail

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)


def catcher_folder() -> Path | None:
    folder = getattr(settings, "KUNTAROBO_MAIL_CATCHER_DIR", "")
    return Path(folder) if folder else None


def may_read(user: User | AnonymousUser) -> bool:
    """Administrators of a municipality and superusers: the catcher holds everyone's mail."""
    if not user.is_authenticated or not user.is_active:
        return False
    return (
        user.is_superuser or Municipality.objects.for_user(user, Permission.MANAGE_USERS).exists()
    )


def shown_to(user: User | AnonymousUser) -> bool:
    """Whether the navigation links the page for `user`."""
    return catcher_folder() is not None and may_read(user)


def _folder_for(request: HttpRequest) -> Path:
    folder = catcher_folder()
    if folder is None:
        raise Http404
    if not may_read(request.user):
        raise PermissionDenied
    return folder


def _only_where_configured(
    view: Callable[Concatenate[HttpRequest, P], R],
) -> Callable[Concatenate[HttpRequest, P], R]:
    """404 before anything else (even sign-in) where no catcher is configured."""

    def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> R:
        if catcher_folder() is None:
            raise Http404
        return view(request, *args, **kwargs)

    functools.update_wrapper(wrapped, view)
    return wrapped


@_only_where_configured
@login_required
def caught_mail_list(request: HttpRequest) -> HttpResponse:
    folder = _folder_for(request)
    return render(
        request, "web/caught_mail_list.html", {"messages_caught": caught_mail.list_messages(folder)}
    )


@_only_where_configured
@login_required
def caught_mail_message(request: HttpRequest, message_id: str) -> HttpResponse:
    folder = _folder_for(request)
    message = caught_mail.read_message(folder, message_id)
    if message is None:
        raise Http404
    # A robot's e-mail may carry personal data: who read it is in the audit trail.
    record("demo_mail.view", actor=request.user, via="web", details={"message": message_id})
    return render(request, "web/caught_mail_message.html", {"message": message})


@_only_where_configured
@login_required
def caught_mail_attachment(request: HttpRequest, message_id: str, index: int) -> FileResponse:
    folder = _folder_for(request)
    found = caught_mail.attachment(folder, message_id, index)
    if found is None:
        raise Http404
    name, content_type, content = found
    record(
        "demo_mail.view",
        actor=request.user,
        via="web",
        details={"message": message_id, "attachment": index},
    )
    return FileResponse(
        io.BytesIO(content), as_attachment=True, filename=name, content_type=content_type
    )
