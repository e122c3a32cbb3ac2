"""The database side of `kuntarobo.runtime.visibility`: what a user's roles let them see, and
the audit trail of what personal data they were shown, for the web and the API alike."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import get_language

from kuntarobo.accounts.models import Municipality, Permission
from kuntarobo.runtime import actions
from kuntarobo.runtime.models import WorkItem
from kuntarobo.runtime.visibility import ItemView, Sight


def sight_for(user: Any) -> Sight:
    """The municipalities where `user` sees personal data and technical details."""

    def ids(permission: str) -> frozenset[int]:
        return frozenset(
            Municipality.objects.for_user(user, permission).values_list("pk", flat=True)
        )

    return Sight(
        personal=ids(Permission.VIEW_PERSONAL_DATA),
        technical=ids(Permission.VIEW_LOGS),
        language=(get_language() or "fi")[:2],
    )


def record_shown(actor: Any, views: Iterable[ItemView], *, via: str) -> None:
    """A list of items that showed personal data is audited, as the review inbox is: one event
    per municipality naming the items. Items shown without personal data are not recorded."""
    shown = [view.item for view in views if view.personal]
    items = [item for item in shown if isinstance(item, WorkItem)]
    if items:
        actions.record_personal_data_list_view(actor, items, via=via)


def record_item_shown(actor: Any, view: ItemView, *, via: str) -> None:
    """One item's own page (or the API's detail) with personal data is audited."""
    if view.personal and isinstance(view.item, WorkItem):
        actions.record_personal_data_view(actor, view.item, via=via)
