"""Who sees which audit events, for the web view and the API alike.

A municipality's events are seen where the user's role grants the audit permission. The
system-wide events, which belong to no municipality (the national fee parameters, API tokens,
the retention purge), concern no municipality's staff: only superusers, who can change such
things, see them, even without a role anywhere."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import Q, QuerySet

from kuntarobo.accounts.models import RESERVED_SLUGS, Municipality
from kuntarobo.audit.models import AuditEvent
from kuntarobo.audit.trail import record

# The municipality filter's value for the system-wide events; no municipality may take it.
SYSTEM_WIDE = "system"
assert SYSTEM_WIDE in RESERVED_SLUGS


def sees_system_wide(user: User | AnonymousUser) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active)


def visible_events(
    municipalities: Iterable[Municipality] | QuerySet[Municipality], *, system_wide: bool
) -> QuerySet[AuditEvent]:
    """The events of these municipalities, and the system-wide ones too when `system_wide`."""
    visible = Q(municipality__in=municipalities)
    if system_wide:
        visible |= Q(municipality__isnull=True)
    return AuditEvent.objects.filter(visible).select_related("municipality")


def record_export(
    user: User | AnonymousUser,
    exported: Iterable[Municipality | None],
    *,
    via: str,
    details: dict[str, object],
) -> None:
    """Each municipality's trail shows that its events left the system, and who took them; so
    does the system-wide trail (None) when its events were included. All or none."""
    with transaction.atomic():
        for municipality in exported:
            record("audit.export", actor=user, municipality=municipality, via=via, details=details)
