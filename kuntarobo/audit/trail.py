"""One function writes the audit trail; every action function calls it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kuntarobo.audit.models import AuditEvent
from kuntarobo.core.masking import mask_value

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from kuntarobo.accounts.models import Municipality

    # Who acts: a user, a robot's or a provider's label, or None for the system.
    Actor = User | AnonymousUser | str | None


def actor_label(actor: Actor) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    if not actor.is_authenticated:
        return "anonymous"
    full_name = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return f"{full_name} ({actor.get_username()})" if full_name else actor.get_username()


def record(
    action: str,
    *,
    actor: Actor,
    municipality: Municipality | None = None,
    obj: Any = None,
    details: dict[str, Any] | None = None,
    via: str = "",
) -> AuditEvent:
    """Write one audit event. `actor` is a user, a robot's label, or None for the system."""
    user = (
        actor
        if actor is not None and not isinstance(actor, str) and actor.is_authenticated
        else None
    )
    return AuditEvent.objects.create(
        actor=user,
        actor_label=actor_label(actor),
        municipality=municipality,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        details=mask_value(details or {}),
        via=via,
    )
