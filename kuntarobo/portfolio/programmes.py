"""A programme's follow-up: who sees it, who keeps it, and the actions that change it (one per
state change, for web, API and CLI alike, each in the audit trail). Anyone who may view one of
the programme's municipalities (or its lead) sees the programme; the portfolio managers of the
lead municipality keep its records."""

from __future__ import annotations

import copy
import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kuntarobo.accounts.models import Municipality, Permission, has_permission
from kuntarobo.audit.trail import actor_label, record
from kuntarobo.core import programme_follow_up as rules
from kuntarobo.portfolio.models import (
    AxisChoice,
    CostKindChoice,
    LightChoice,
    OutputStatusChoice,
    Programme,
    ProgrammeAxisOverride,
    ProgrammeCost,
    ProgrammeMilestone,
    ProgrammeOutput,
    ProgrammeRisk,
    RiskStatus,
)
from kuntarobo.runtime.actions import require
from kuntarobo.runtime.declarations import InputError

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from kuntarobo.audit.trail import Actor

DECIMAL = re.compile(r"-?\d+\.\d+")
FollowUpRecord = ProgrammeCost | ProgrammeOutput | ProgrammeRisk | ProgrammeMilestone

# The record kinds of the follow-up by the name used in URLs and the audit trail.
RECORD_KINDS: dict[str, type[FollowUpRecord]] = {
    "costs": ProgrammeCost,
    "outputs": ProgrammeOutput,
    "risks": ProgrammeRisk,
    "milestones": ProgrammeMilestone,
}
# The audit event codes per kind, written out so the audit page's labels can be checked.
SAVED_EVENTS: dict[str, str] = {
    "costs": "portfolio.programme_costs_saved",
    "outputs": "portfolio.programme_outputs_saved",
    "risks": "portfolio.programme_risks_saved",
    "milestones": "portfolio.programme_milestones_saved",
}
DELETED_EVENTS: dict[str, str] = {
    "costs": "portfolio.programme_costs_deleted",
    "outputs": "portfolio.programme_outputs_deleted",
    "risks": "portfolio.programme_risks_deleted",
    "milestones": "portfolio.programme_milestones_deleted",
}
# The fields an action accepts per kind; anything else is refused.
RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    "costs": ("kind", "year", "description", "planned_cents", "realised_cents", "note"),
    "outputs": (
        "title",
        "planned",
        "delivered",
        "planned_quantity",
        "delivered_quantity",
        "status",
        "note",
    ),
    "risks": ("description", "likelihood", "impact", "mitigation", "status"),
    "milestones": ("title", "planned_on", "achieved_on", "note"),
}


def programmes_visible_to(user: User | AnonymousUser) -> QuerySet[Programme]:
    """Programmes of which one of the user's municipalities is a member or the lead."""
    own = Municipality.objects.for_user(user, Permission.VIEW)
    return Programme.objects.filter(Q(municipalities__in=own) | Q(lead__in=own)).distinct()


def can_manage(user: User | AnonymousUser, programme: Programme) -> bool:
    return has_permission(user, programme.lead, Permission.MANAGE_PORTFOLIO)


def _validate(kind: str, values: dict[str, Any]) -> None:
    """The checks a form also makes, for the API and CLI: the action has the last word."""
    for name in ("planned_cents", "realised_cents", "planned_quantity", "delivered_quantity"):
        value = values.get(name)
        if value is not None and (not isinstance(value, int) or value < 0):
            raise InputError(_("%(name)s must not be negative"), field=name, name=name)
    if kind == "costs" and values.get("kind") not in CostKindChoice.values:
        raise InputError(_("Choose the kind of the cost."), field="kind")
    if kind == "outputs":
        if not values.get("title"):
            raise InputError(_("Name the output."), field="title")
        if values.get("status") not in OutputStatusChoice.values:
            raise InputError(_("Choose the status of the output."), field="status")
    if kind == "risks":
        if not values.get("description"):
            raise InputError(_("Describe the risk."), field="description")
        for name in ("likelihood", "impact"):
            value = values.get(name)
            if not isinstance(value, int) or not 1 <= value <= 5:
                raise InputError(_("Give a number from 1 to 5."), field=name)
        if values.get("status") not in RiskStatus.values:
            raise InputError(_("Choose the status of the risk."), field="status")
    if kind == "milestones":
        if not values.get("title"):
            raise InputError(_("Name the milestone."), field="title")
        if not isinstance(values.get("planned_on"), datetime.date):
            raise InputError(_("Give the planned date."), field="planned_on")


def _details(obj: FollowUpRecord, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in fields}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


def save_record(
    actor: Actor,
    programme: Programme,
    kind: str,
    values: dict[str, Any],
    *,
    obj: FollowUpRecord | None = None,
    via: str,
) -> FollowUpRecord:
    """Add a follow-up record of `kind` to the programme, or change `obj` (one of its records).
    Only the lead municipality's portfolio managers; the values are checked before anything
    is written."""
    if kind not in RECORD_KINDS:
        raise InputError(_("Unknown kind of follow-up record."), field="kind")
    require(actor, programme.lead, Permission.MANAGE_PORTFOLIO)
    fields = RECORD_FIELDS[kind]
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise InputError(_("Unknown field: %(name)s"), field=unknown[0], name=unknown[0])
    model = RECORD_KINDS[kind]
    if obj is not None and (not isinstance(obj, model) or obj.programme_id != programme.pk):
        raise InputError(_("The record is not of this programme."), field="record")
    current = _details(obj, fields) if obj is not None else {}
    target = copy.copy(obj) if obj is not None else model(programme=programme)
    _validate(kind, {**{name: getattr(target, name) for name in fields}, **values})
    for name, value in values.items():
        setattr(target, name, value)
    try:
        target.full_clean(exclude=["programme"])
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        raise InputError(messages[0], field=name) from None
    with transaction.atomic():
        obj = target
        obj.save()
        record(
            SAVED_EVENTS[kind],
            actor=actor,
            municipality=programme.lead,
            obj=obj,
            details={"programme": programme.pk, "before": current, **_details(obj, fields)},
            via=via,
        )
    return obj


def delete_record(actor: Actor, programme: Programme, obj: FollowUpRecord, *, via: str) -> None:
    require(actor, programme.lead, Permission.MANAGE_PORTFOLIO)
    if obj.programme_id != programme.pk:
        raise InputError(_("The record is not of this programme."), field="record")
    kind = next(name for name, model in RECORD_KINDS.items() if isinstance(obj, model))
    with transaction.atomic():
        details = {"programme": programme.pk, **_details(obj, RECORD_FIELDS[kind])}
        record(
            DELETED_EVENTS[kind],
            actor=actor,
            municipality=programme.lead,
            obj=obj,
            details=details,
            via=via,
        )
        obj.delete()


def set_axis_override(
    actor: Actor,
    programme: Programme,
    axis: str,
    light: str | None,
    reason: str = "",
    *,
    via: str,
) -> ProgrammeAxisOverride | None:
    """Replace an axis's computed light by a person's judgement, with a reason; `light` None
    withdraws the override (the computed light holds again)."""
    require(actor, programme.lead, Permission.MANAGE_PORTFOLIO)
    if axis not in AxisChoice.values:
        raise InputError(_("Unknown axis."), field="axis")
    existing = ProgrammeAxisOverride.objects.filter(programme=programme, axis=axis).first()
    if light is None:
        if existing is None:
            return None
        with transaction.atomic():
            record(
                "portfolio.programme_light_override_withdrawn",
                actor=actor,
                municipality=programme.lead,
                obj=programme,
                details={"axis": axis, "before": existing.light, "reason": existing.reason},
                via=via,
            )
            existing.delete()
        return None
    if light not in LightChoice.values:
        raise InputError(_("Choose a traffic light."), field="light")
    if not reason.strip():
        raise InputError(_("Give the reason for the override."), field="reason")
    user = actor if actor is not None and not isinstance(actor, str) else None
    with transaction.atomic():
        override, _created = ProgrammeAxisOverride.objects.update_or_create(
            programme=programme,
            axis=axis,
            defaults={
                "light": light,
                "reason": reason.strip(),
                "set_by": user if user is not None and user.is_authenticated else None,
                "set_by_label": actor_label(actor),
            },
        )
        record(
            "portfolio.programme_light_overridden",
            actor=actor,
            municipality=programme.lead,
            obj=programme,
            details={
                "axis": axis,
                "before": existing.light if existing else None,
                "after": light,
                "reason": override.reason,
            },
            via=via,
        )
    return override


@dataclass(frozen=True)
class AxisView:
    """An axis as the page shows it: the computed light and its lines, and the override."""

    axis: str
    computed: rules.AxisResult
    override: ProgrammeAxisOverride | None

    @property
    def light(self) -> str:
        return self.override.light if self.override else self.computed.light.value

    @property
    def label(self) -> str:
        return str(AxisChoice(self.axis).label)

    @property
    def lines(self) -> list[str]:
        return explain(self.computed)


def explain(result: rules.AxisResult) -> list[str]:
    """The rule's lines in the reader's language, decimal figures in its number format."""
    return [
        gettext(line.text) % {name: _localized(value) for name, value in line.params.items()}
        for line in result.lines
    ]


def _localized(value: str) -> str:
    if not DECIMAL.fullmatch(value):
        return value
    places = len(value.split(".")[1])
    return number_format(Decimal(value), places, force_grouping=True)


def follow_up_of(programme: Programme, today: datetime.date) -> rules.FollowUp:
    return rules.FollowUp(
        today=today,
        costs=[
            rules.CostFigure(rules.CostKind(c.kind), c.planned_cents, c.realised_cents)
            for c in programme.costs.all()
        ],
        outputs=[
            rules.OutputFigure(
                o.title, rules.OutputStatus(o.status), o.planned_quantity, o.delivered_quantity
            )
            for o in programme.outputs.all()
        ],
        risks=[
            rules.RiskFigure(r.description, r.likelihood, r.impact, r.status == RiskStatus.OPEN)
            for r in programme.risks.all()
        ],
        milestones=[
            rules.MilestoneFigure(m.title, m.planned_on, m.achieved_on)
            for m in programme.milestones.all()
        ],
    )


def traffic_lights(programme: Programme, today: datetime.date) -> list[AxisView]:
    computed = rules.evaluate(follow_up_of(programme, today))
    overrides = {o.axis: o for o in programme.axis_overrides.all()}
    return [
        AxisView(axis.value, result, overrides.get(axis.value)) for axis, result in computed.items()
    ]
