"""Sharing a portfolio record (an idea, a path document, a result card) with the programme or
the whole installation, and withdrawing it: one action for every kind of record and every entry
point, in the audit trail. Only records without personal data have a `shared_with` field."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from django.db import transaction

from kuntarobo.accounts.models import Municipality, Permission
from kuntarobo.audit.trail import record
from kuntarobo.portfolio.models import SharingScope
from kuntarobo.runtime.actions import require

if TYPE_CHECKING:
    from kuntarobo.audit.trail import Actor


class Shareable(Protocol):
    pk: Any
    municipality: Municipality
    shared_with: str

    def save(self, *, update_fields: list[str]) -> None: ...


def set_sharing(actor: Actor, obj: Shareable, scope: SharingScope | str, *, via: str) -> bool:
    """Give the record a new sharing scope (PRIVATE withdraws it); the owning municipality's
    portfolio managers only. Returns whether anything changed; an unchanged scope writes no
    event."""
    scope = SharingScope(scope)
    require(actor, obj.municipality, Permission.MANAGE_PORTFOLIO)
    if obj.shared_with == scope:
        return False
    with transaction.atomic():
        before = obj.shared_with
        obj.shared_with = scope
        obj.save(update_fields=["shared_with"])
        record(
            "portfolio.sharing_withdrawn" if scope == SharingScope.PRIVATE else "portfolio.shared",
            actor=actor,
            municipality=obj.municipality,
            obj=obj,
            details={"before": before, "after": str(scope)},
            via=via,
        )
    return True
