"""Who may decide what: a deciding official's delegation (accounts.Delegation) per municipality
and matter, granted and ended by the municipality's administrator only (least privilege: the
manage-users permission), each change in the audit trail. A class B decision is approved only
by someone whose delegation covers it on that day, and prints the delegation's title."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kuntarobo.accounts.models import Delegation, Municipality, Permission
from kuntarobo.audit.trail import actor_label, record
from kuntarobo.runtime.actions import require
from kuntarobo.runtime.declarations import InputError, get_robot

if TYPE_CHECKING:
    from kuntarobo.audit.trail import Actor

MAX_TITLE = 200
MAX_BASIS = 300


def delegation_for(
    user_id: int | None, municipality_id: int, matter: str, day: datetime.date | None = None
) -> Delegation | None:
    """The user's delegation for `matter` in the municipality in force on `day` (today), the
    latest begun if several are."""
    if user_id is None:
        return None
    return (
        Delegation.objects.in_force(day or timezone.localdate())
        .filter(user_id=user_id, municipality_id=municipality_id, matter=matter)
        .order_by("-valid_from", "-pk")
        .first()
    )


def _details(delegation: Delegation) -> dict[str, str]:
    return {
        "user": delegation.user.get_username(),
        "matter": delegation.matter,
        "title_fi": delegation.title_fi,
        "title_sv": delegation.title_sv,
        "title_en": delegation.title_en,
        "basis": delegation.basis,
        "valid_from": delegation.valid_from.isoformat(),
        "valid_to": delegation.valid_to.isoformat() if delegation.valid_to else "",
    }


def grant_delegation(
    actor: Actor,
    municipality: Municipality,
    *,
    username: str,
    matter: str,
    title_fi: str,
    title_sv: str = "",
    title_en: str = "",
    basis: str,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    via: str = "cli",
) -> Delegation:
    """Record that `username` may decide `matter` (a robot's slug) in the municipality."""
    require(actor, municipality, Permission.MANAGE_USERS)
    user = get_user_model().objects.filter(username=username).first()
    if user is None or not user.memberships.filter(municipality=municipality).exists():
        raise InputError(
            _("%(user)s is not a user of %(municipality)s"),
            field="user",
            user=username,
            municipality=municipality.name_fi,
        )
    matter = get_robot(matter).slug  # an unknown robot is refused, naming it
    titles = {
        "title_fi": title_fi.strip(),
        "title_sv": title_sv.strip(),
        "title_en": title_en.strip(),
    }
    if not titles["title_fi"]:
        raise InputError(_("the title in Finnish is required"), field="title_fi")
    for name, value in titles.items():
        if len(value) > MAX_TITLE:
            raise InputError(
                _("the title may have at most %(max)d characters"), field=name, max=MAX_TITLE
            )
    basis = basis.strip()
    if not basis or len(basis) > MAX_BASIS:
        raise InputError(
            _("name the delegation decision (1–%(max)d characters), e.g. its body, date and §"),
            field="basis",
            max=MAX_BASIS,
        )
    if valid_to is not None and valid_to < valid_from:
        raise InputError(_("the end date is before the start date"), field="valid_to")
    with transaction.atomic():
        delegation = Delegation.objects.create(
            user=user,
            municipality=municipality,
            matter=matter,
            basis=basis,
            valid_from=valid_from,
            valid_to=valid_to,
            created_by=actor_label(actor)[:150],
            **titles,
        )
        record(
            "delegation.grant",
            actor=actor,
            municipality=municipality,
            obj=delegation,
            via=via,
            details=_details(delegation),
        )
    return delegation


def end_delegation(
    actor: Actor, delegation: Delegation, *, valid_to: datetime.date, via: str = "cli"
) -> Delegation:
    """The delegation ends on `valid_to` (its last day); decisions made before stay as made."""
    require(actor, delegation.municipality, Permission.MANAGE_USERS)
    if valid_to < delegation.valid_from:
        raise InputError(_("the end date is before the start date"), field="valid_to")
    with transaction.atomic():
        before = delegation.valid_to
        delegation.valid_to = valid_to
        delegation.save(update_fields=["valid_to"])
        record(
            "delegation.end",
            actor=actor,
            municipality=delegation.municipality,
            obj=delegation,
            via=via,
            details={**_details(delegation), "before": before.isoformat() if before else ""},
        )
    return delegation
