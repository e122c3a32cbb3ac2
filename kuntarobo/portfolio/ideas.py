"""Every state change of the idea bank and its workshops is one function here, used by the web
UI, the API and the CLI alike: each checks the portfolio permission, validates by the model's
own rules and writes the audit trail; nothing is half written."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kuntarobo.accounts.models import Municipality, Permission
from kuntarobo.audit.trail import actor_label, record
from kuntarobo.portfolio.models import (
    Idea,
    IdeaStageChange,
    Programme,
    SharingScope,
    Stage,
    Workshop,
)
from kuntarobo.portfolio.sharing import set_sharing
from kuntarobo.runtime.actions import PermissionDeniedError, require
from kuntarobo.runtime.declarations import InputError, get_robot
from kuntarobo.runtime.models import RobotDeployment

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from kuntarobo.audit.trail import Actor
    from kuntarobo.portfolio.sharing import Shareable

# What a person enters about an idea; the rest (stage, robot, sharing) has its own action.
IDEA_FIELDS = (
    "department",
    "title",
    "description",
    "process",
    "systems",
    "volume_per_year",
    "manual_minutes_per_case",
    "rework_share_percent",
    "beneficiaries",
    "proposer",
    "workshop",
)
# Copied to another municipality's bank: the idea itself, never the proposer (a staff name).
COPIED_FIELDS = (
    "department",
    "title",
    "description",
    "process",
    "systems",
    "volume_per_year",
    "manual_minutes_per_case",
    "rework_share_percent",
    "beneficiaries",
    "robot_slug",
)
# A robot must be named before an idea becomes one.
ROBOT_STAGES = (Stage.IN_DEVELOPMENT, Stage.IN_PRODUCTION)


def _user(actor: Actor) -> User | None:
    if actor is None or isinstance(actor, str) or not actor.is_authenticated:
        return None
    return actor


def _validated(obj: Idea | Workshop, *, exclude: tuple[str, ...] = ()) -> None:
    """The model's own rules (lengths, ranges, choices) as an InputError naming the field."""
    try:
        obj.full_clean(exclude=["municipality", "created_by", "copied_from", *exclude])
    except ValidationError as error:
        for name, problems in error.message_dict.items():
            try:
                label = getattr(obj._meta.get_field(name), "verbose_name", name)
            except Exception:  # a non-field error
                label = name
            raise InputError(
                _("%(label)s: %(problem)s"), field=name, label=label, problem=problems[0]
            ) from None
        raise InputError(_("The idea could not be saved.")) from None


def _apply(idea: Idea, values: Mapping[str, Any]) -> list[str]:
    """Set the given entry fields; the names of those that changed."""
    changed: list[str] = []
    for name, value in values.items():
        if name not in IDEA_FIELDS:
            raise InputError(_("unknown field '%(name)s'"), field=name, name=name)
        if name == "workshop":
            if value is not None and value.municipality_id != idea.municipality_id:
                raise InputError(
                    _("The workshop belongs to another municipality."), field="workshop"
                )
            if idea.workshop_id != (value.pk if value is not None else None):
                idea.workshop = value
                changed.append(name)
            continue
        if isinstance(value, str):
            value = value.strip()
        if value is None and name not in (
            "volume_per_year",
            "manual_minutes_per_case",
            "rework_share_percent",
        ):
            value = ""
        if getattr(idea, name) != value:
            setattr(idea, name, value)
            changed.append(name)
    return changed


def create_idea(
    actor: Actor,
    municipality: Municipality,
    values: Mapping[str, Any],
    *,
    stage: Stage | str = Stage.IDEA,
    robot_slug: str = "",
    via: str,
) -> Idea:
    """A new idea in the municipality's bank; its first stage is written to its history."""
    require(actor, municipality, Permission.MANAGE_PORTFOLIO)
    stage = _stage(stage)
    idea = Idea(municipality=municipality, created_by=_user(actor), stage=stage)
    _apply(idea, values)
    if robot_slug or stage in ROBOT_STAGES:
        idea.robot_slug = _registered_robot(robot_slug, stage)
    _validated(idea)
    with transaction.atomic():
        idea.save()
        _history(idea, "", stage, actor)
        record(
            "portfolio.idea_created",
            actor=actor,
            municipality=municipality,
            obj=idea,
            details={"title": idea.title, "stage": str(stage)},
            via=via,
        )
    return idea


def edit_idea(actor: Actor, idea: Idea, values: Mapping[str, Any], *, via: str) -> list[str]:
    """Change what is entered about an idea; the names of the changed fields (none: nothing
    written)."""
    require(actor, idea.municipality, Permission.MANAGE_PORTFOLIO)
    idea = Idea.objects.get(pk=idea.pk)  # edits of a failed attempt never reach the caller's
    changed = _apply(idea, values)
    if not changed:
        return []
    _validated(idea)
    with transaction.atomic():
        idea.save()
        record(
            "portfolio.idea_edited",
            actor=actor,
            municipality=idea.municipality,
            obj=idea,
            details={"changed": changed},  # names only: the proposer is a staff name
            via=via,
        )
    return changed


def _stage(value: Stage | str) -> Stage:
    try:
        return Stage(value)
    except ValueError:
        raise InputError(_("unknown stage '%(stage)s'"), field="stage", stage=value) from None


def _registered_robot(slug: str, stage: Stage) -> str:
    slug = (slug or "").strip()
    if not slug:
        raise InputError(
            _("Name the robot the idea became before moving it to “%(stage)s”."),
            field="robot_slug",
            stage=stage.label,
        )
    get_robot(slug)  # an unknown robot is refused by name
    return slug


def _history(idea: Idea, before: str, after: Stage, actor: Actor, note: str = "") -> None:
    IdeaStageChange.objects.create(
        idea=idea,
        from_stage=before,
        to_stage=after,
        changed_by=_user(actor),
        changed_by_label=actor_label(actor),
        note=note[:500],
    )


def move_idea(
    actor: Actor,
    idea: Idea,
    to_stage: Stage | str,
    *,
    robot_slug: str | None = None,
    note: str = "",
    via: str,
) -> Idea:
    """Move the idea along its way, only as `Stage.can_move_to` allows. A robot is named on
    the way to development and production (the idea's own, or `robot_slug`)."""
    require(actor, idea.municipality, Permission.MANAGE_PORTFOLIO)
    target = _stage(to_stage)
    with transaction.atomic():
        idea = Idea.objects.select_for_update().get(pk=idea.pk)
        current = Stage(idea.stage)
        if not current.can_move_to(target):
            raise InputError(
                _("An idea cannot move from “%(from)s” to “%(to)s”."),
                field="stage",
                **{"from": current.label, "to": target.label},
            )
        slug = idea.robot_slug if robot_slug is None else robot_slug.strip()
        if target in ROBOT_STAGES:
            slug = _registered_robot(slug, target)
        elif slug and slug != idea.robot_slug:
            get_robot(slug)
        idea.stage = target
        idea.robot_slug = slug
        idea.save(update_fields=["stage", "robot_slug", "updated_at"])
        _history(idea, current, target, actor, note)
        record(
            "portfolio.idea_moved",
            actor=actor,
            municipality=idea.municipality,
            obj=idea,
            details={"from": str(current), "to": str(target), "robot": slug},
            via=via,
        )
    return idea


def share_idea(actor: Actor, idea: Idea, scope: SharingScope | str, *, via: str) -> bool:
    """Share the idea with the programme or the installation, or withdraw it (PRIVATE)."""
    try:
        scope = SharingScope(scope)
    except ValueError:
        raise InputError(
            _("unknown sharing scope '%(scope)s'"), field="shared_with", scope=scope
        ) from None
    # Shareable declares a settable `pk: int | None`; a model's is typed read-only int
    return set_sharing(actor, cast("Shareable", idea), scope, via=via)


def copy_idea(actor: Actor, source: Idea, municipality: Municipality, *, via: str) -> Idea:
    """Another municipality's shared idea as a new idea of one's own bank, linked to where it
    came from. The proposer, workshop, stage and sharing are not copied."""
    require(actor, municipality, Permission.MANAGE_PORTFOLIO)
    user = _user(actor)
    if user is None or not Idea.objects.visible_to(user).filter(pk=source.pk).exists():
        raise PermissionDeniedError(_("The idea is not shared with you."))
    if source.municipality_id == municipality.pk:
        raise InputError(
            _("The idea is already in this municipality's bank."), field="municipality"
        )
    copy = Idea(
        municipality=municipality,
        created_by=user,
        copied_from=source,
        **{name: getattr(source, name) for name in COPIED_FIELDS},
    )
    _validated(copy)
    with transaction.atomic():
        copy.save()
        _history(copy, "", Stage.IDEA, actor)
        record(
            "portfolio.idea_copied",
            actor=actor,
            municipality=municipality,
            obj=copy,
            details={"from_idea": source.pk, "from_municipality": source.municipality.slug},
            via=via,
        )
    return copy


def create_workshop(
    actor: Actor,
    municipality: Municipality,
    *,
    title: str,
    department: str,
    held_on: datetime.date,
    programme: Programme | None = None,
    notes: str = "",
    via: str,
) -> Workshop:
    """A workshop open for capturing ideas; the one who creates it facilitates it."""
    require(actor, municipality, Permission.MANAGE_PORTFOLIO)
    if programme is not None and not programme.municipalities.filter(pk=municipality.pk).exists():
        raise InputError(
            _("The municipality is not in the programme “%(programme)s”."),
            field="programme",
            programme=programme.name,
        )
    workshop = Workshop(
        municipality=municipality,
        programme=programme,
        title=title.strip(),
        department=department.strip(),
        held_on=held_on,
        notes=notes.strip(),
        facilitator=_user(actor),
    )
    _validated(workshop, exclude=("facilitator", "programme"))
    with transaction.atomic():
        workshop.save()
        record(
            "portfolio.workshop_created",
            actor=actor,
            municipality=municipality,
            obj=workshop,
            details={"title": workshop.title},
            via=via,
        )
    return workshop


def capture_idea(actor: Actor, workshop: Workshop, values: Mapping[str, Any], *, via: str) -> Idea:
    """An idea typed in live during an open workshop: it belongs to the workshop and, unless
    told otherwise, to the workshop's department."""
    require(actor, workshop.municipality, Permission.MANAGE_PORTFOLIO)
    if not Workshop.objects.filter(pk=workshop.pk, is_open=True).exists():
        raise InputError(_("The workshop is closed: no more ideas are captured."), field="workshop")
    given = {**values, "workshop": workshop}
    if not str(given.get("department") or "").strip():
        given["department"] = workshop.department
    return create_idea(actor, workshop.municipality, given, via=via)


def close_workshop(actor: Actor, workshop: Workshop, *, via: str) -> bool:
    """Stop capturing ideas; False when it was closed already."""
    require(actor, workshop.municipality, Permission.MANAGE_PORTFOLIO)
    with transaction.atomic():
        closed = Workshop.objects.filter(pk=workshop.pk, is_open=True).update(is_open=False)
        if not closed:
            return False
        workshop.is_open = False
        record(
            "portfolio.workshop_closed",
            actor=actor,
            municipality=workshop.municipality,
            obj=workshop,
            details={"ideas": workshop.ideas.count()},
            via=via,
        )
    return True


@dataclass(frozen=True)
class RobotUser:
    """Another municipality running the same robot, and how we know."""

    municipality: Municipality
    in_production: bool  # one of its ideas is in production with this robot
    deployed: bool  # its deployment of the robot is in use


def same_robot_users(user: User | AnonymousUser, idea: Idea) -> list[RobotUser]:
    """Who else runs the robot this idea became: shown only for an idea the user may see
    (their own municipality's, or one shared with them)."""
    if not idea.robot_slug or not Idea.objects.visible_to(user).filter(pk=idea.pk).exists():
        return []
    slug = idea.robot_slug
    producing = set(
        Idea.objects.filter(robot_slug=slug, stage=Stage.IN_PRODUCTION)
        .exclude(municipality=idea.municipality_id)
        .values_list("municipality", flat=True)
    )
    deployed = set(
        RobotDeployment.objects.filter(robot_slug=slug, enabled=True)
        .exclude(municipality=idea.municipality_id)
        .values_list("municipality", flat=True)
    )
    found = Municipality.objects.filter(Q(pk__in=producing) | Q(pk__in=deployed)).order_by(
        "name_fi"
    )
    return [
        RobotUser(municipality=m, in_production=m.pk in producing, deployed=m.pk in deployed)
        for m in found
    ]


def set_robot(actor: Actor, idea: Idea, robot_slug: str, *, via: str) -> Idea:
    """Name (or correct) the robot an idea became without moving it; an idea in development
    or production always keeps one."""
    require(actor, idea.municipality, Permission.MANAGE_PORTFOLIO)
    slug = robot_slug.strip()
    stage = Stage(idea.stage)
    if stage in ROBOT_STAGES or slug:
        slug = _registered_robot(slug, stage)
    if slug == idea.robot_slug:
        return idea
    with transaction.atomic():
        before = idea.robot_slug
        idea.robot_slug = slug
        idea.save(update_fields=["robot_slug", "updated_at"])
        record(
            "portfolio.idea_robot_set",
            actor=actor,
            municipality=idea.municipality,
            obj=idea,
            details={"before": before, "after": slug},
            via=via,
        )
    return idea
