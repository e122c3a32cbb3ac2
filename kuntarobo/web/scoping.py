"""Scoping helpers: every object a view shows is fetched through `for_user`, so a user of another
municipality gets 404 (the object might as well not exist) and a member lacking the permission
gets 403."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from kuntarobo.accounts.models import Municipality, Permission, has_permission

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.auth.models import User as AuthUser

    from kuntarobo.runtime.models import ScopedQuerySet

    User = AuthUser | AnonymousUser

M = TypeVar("M", bound=Model)


def get_scoped_or_404(
    queryset: ScopedQuerySet[M], user: User, pk: Any, permission: str = Permission.VIEW
) -> M:
    """The object if the user sees its municipality (else 404) and holds `permission` (else 403)."""
    try:
        obj = queryset.for_user(user, Permission.VIEW).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404(_("Not found.")) from None
    if permission != Permission.VIEW and not has_permission(
        user,
        obj.municipality,  # type: ignore[attr-defined]  # a scoped model has a municipality
        permission,
    ):
        raise PermissionDenied
    return obj


def municipality_or_404(user: User, slug: str, permission: str = Permission.VIEW) -> Municipality:
    """A municipality by slug under the same 404-then-403 rule as `get_scoped_or_404`."""
    municipality = Municipality.objects.for_user(user, Permission.VIEW).filter(slug=slug).first()
    if municipality is None:
        raise Http404(_("Not found."))
    if permission != Permission.VIEW and not has_permission(user, municipality, permission):
        raise PermissionDenied
    return municipality


def require_somewhere(user: User, permission: str) -> QuerySet[Municipality]:
    """The municipalities where the user holds `permission`; 403 when there are none."""
    municipalities = Municipality.objects.for_user(user, permission)
    if not municipalities.exists():
        raise PermissionDenied
    return municipalities


def review_queue(user: User) -> QuerySet[Any]:
    """The items waiting for this user's review. The navigation's count, the dashboard's and the
    inbox's tab and list are all this one query, so they never disagree."""
    from kuntarobo.runtime.models import ItemStatus, WorkItem

    return WorkItem.objects.for_user(user, Permission.REVIEW).filter(status=ItemStatus.NEEDS_REVIEW)
