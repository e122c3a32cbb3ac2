"""Every state change of runs and work items is one function here. The web UI, the API, the CLI
and the scheduler all call these; each checks permission and writes the audit trail.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kuntarobo.accounts.models import Municipality, Permission, has_permission
from kuntarobo.audit.trail import record
from kuntarobo.runtime import execution, storage_roots, tasks
from kuntarobo.runtime.bulk import insert_rows
from kuntarobo.runtime.enqueue import enqueue_many
from kuntarobo.runtime.models import (
    ItemStatus,
    RobotDeployment,
    Run,
    RunStatus,
    Trigger,
    WorkItem,
)
from kuntarobo.runtime.sdk import InputError, ItemSpec, Robot, RobotClass, get_robot

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    Actor = AbstractBaseUser | AnonymousUser | str | None

MAX_REFERENCE_LENGTH = 200


class PermissionDeniedError(Exception):
    """The actor has no right to do this in this municipality."""


def require(actor: Actor, municipality: Municipality, permission: str) -> None:
    """Users need the permission; a string actor is the system itself (scheduler, robots)."""
    if actor is None or isinstance(actor, str):
        return
    if not has_permission(actor, municipality, permission):
        raise PermissionDeniedError(
            f"{getattr(actor, 'username', actor)} may not {permission} in {municipality.slug}"
        )


def get_municipality(slug: str) -> Municipality:
    try:
        return Municipality.objects.get(slug=slug)
    except Municipality.DoesNotExist:
        raise InputError(
            _("unknown municipality '%(municipality)s'"), field="municipality", municipality=slug
        ) from None


def deployment_for(municipality: Municipality, robot: type[Robot]) -> RobotDeployment | None:
    return RobotDeployment.objects.filter(municipality=municipality, robot_slug=robot.slug).first()


def check_class_c_preconditions(robot: type[Robot], deployment: RobotDeployment | None) -> None:
    """Chapter 8 b: an automatic decision robot runs only under a documented deployment decision."""
    if robot.robot_class != RobotClass.DECIDES:
        return
    missing: list[Any] = []
    if deployment is None or not deployment.automation_decision:
        missing.append(_("the deployment decision"))
    if deployment is None or not deployment.responsible_official:
        missing.append(_("the responsible official"))
    if deployment is None or not deployment.public_description_url:
        missing.append(_("the published description"))
    if deployment is None or deployment.approved_rule_version != robot.rule_version:
        missing.append(
            format_lazy(_("approval of processing rules version {}"), robot.rule_version)
        )
    if missing:
        raise InputError(
            _(
                "robot %(robot)s decides automatically (class C) and may not run here before "
                "these are recorded: %(missing)s"
            ),
            robot=robot.slug,
            missing=format_lazy(", ".join(["{}"] * len(missing)), *missing),
        )


@dataclass
class StartedRun:
    run: Run
    created: int
    duplicates: int


def start_run(
    actor: Actor,
    municipality: Municipality,
    robot_slug: str,
    *,
    parameters: dict[str, Any] | None = None,
    input_file: File[Any] | Path | None = None,
    input_name: str = "",
    trigger: str = Trigger.MANUAL,
    scheduled_for: datetime.datetime | None = None,
    via: str = "web",
) -> StartedRun:
    """Validate everything, then create the run and all its items in one transaction.

    Bad input raises InputError before anything is written; the producer runs inside the
    transaction, so a producer that fails halfway leaves nothing behind.
    """
    require(actor, municipality, Permission.RUN)
    robot = get_robot(robot_slug)
    deployment = deployment_for(municipality, robot)
    if deployment is not None and not deployment.enabled:
        raise InputError(
            _("robot %(robot)s is switched off in %(municipality)s"),
            robot=robot.slug,
            municipality=municipality.slug,
        )
    check_class_c_preconditions(robot, deployment)
    merged = dict(deployment.parameters) if deployment else {}
    merged.update({k: v for k, v in (parameters or {}).items() if v not in (None, "")})
    parsed = robot.parse_parameters(merged)
    storage_roots.check_folders(robot, municipality.slug, parsed)
    if isinstance(input_file, Path):
        if not input_file.is_file():
            raise InputError(
                _("input file %(file)s does not exist"), field="file", file=str(input_file)
            )
        input_name = input_name or input_file.name
    elif input_file is not None:
        input_name = input_name or Path(getattr(input_file, "name", "") or "upload").name
    if input_file is not None:
        if not robot.accepts_upload:
            raise InputError(
                _("robot %(robot)s takes no input file"), field="file", robot=robot.slug
            )
        suffix = Path(input_name).suffix.lower()
        if robot.upload_suffixes and suffix not in robot.upload_suffixes:
            raise InputError(
                _("input file %(file)s must be one of: %(suffixes)s"),
                field="file",
                file=repr(input_name),
                suffixes=", ".join(robot.upload_suffixes),
            )
    elif robot.requires_upload:
        raise InputError(_("robot %(robot)s needs an input file"), field="file", robot=robot.slug)

    try:
        with transaction.atomic():
            run = Run(
                municipality=municipality,
                robot_slug=robot.slug,
                trigger=trigger,
                requested_by=actor if _is_user(actor) else None,
                parameters=parsed,
                scheduled_for=scheduled_for,
                rule_version=robot.rule_version,
                input_name=input_name[:255],
            )
            if isinstance(input_file, Path):
                with input_file.open("rb") as handle:
                    run.input_file.save(input_name, File(handle), save=False)
            elif input_file is not None:
                run.input_file.save(input_name, input_file, save=False)
            run.save()
            context = execution.run_context(run)
            specs = list(robot().produce(context))
            created, duplicates = _create_items(run, specs)
            run.items_created = len(created)
            run.items_duplicate = duplicates
            run.summary = {"skipped": dict(context.skipped)} if context.skipped else {}
            run.save(update_fields=["items_created", "items_duplicate", "summary"])
            context.log(f"{len(created)} new work items, {duplicates} already known", "info")
            execution.write_log(run.pk, None, context.log_lines)
            enqueue_many(tasks.process_item, created)
            record(
                "run.start",
                actor=actor,
                municipality=municipality,
                obj=run,
                via=via,
                details={
                    "robot": robot.slug,
                    "trigger": trigger,
                    "items": len(created),
                    "duplicates": duplicates,
                    "parameters": parsed,
                    "input": input_name,
                },
            )
            run_id = run.pk
            transaction.on_commit(lambda: execution.finish_run_if_done(run_id))
    except IntegrityError as error:
        if scheduled_for is not None and "run_unique_schedule_tick" in str(error):
            raise InputError(
                _("robot %(robot)s already ran for %(tick)s"),
                robot=robot.slug,
                tick=scheduled_for.isoformat(),
            ) from error
        raise InputError(
            _(
                "another run created some of the same work items at the same time; start the run "
                "again"
            )
        ) from error
    return StartedRun(run=run, created=len(created), duplicates=duplicates)


def _is_user(actor: Actor) -> bool:
    return actor is not None and not isinstance(actor, str) and actor.is_authenticated


def _create_items(run: Run, specs: Sequence[ItemSpec]) -> tuple[list[tuple[int, int]], int]:
    """The new items' (key, priority) pairs, for the queue, and how many were already known."""
    seen: set[str] = set()
    unique: list[ItemSpec] = []
    for spec in specs:
        if not isinstance(spec, ItemSpec):
            raise TypeError(
                f"robot {run.robot_slug} produced {type(spec).__name__}, not an ItemSpec"
            )
        if not spec.reference or len(spec.reference) > MAX_REFERENCE_LENGTH:
            raise InputError(
                _("work item reference %(reference)s must be 1–%(limit)d characters"),
                reference=repr(spec.reference[:50]),
                limit=MAX_REFERENCE_LENGTH,
            )
        if spec.reference not in seen:
            seen.add(spec.reference)
            unique.append(spec)
    known: set[str] = set()
    references = [s.reference for s in unique]
    for start in range(0, len(references), 500):
        known.update(
            WorkItem.objects.filter(
                municipality=run.municipality,
                robot_slug=run.robot_slug,
                reference__in=references[start : start + 500],
            ).values_list("reference", flat=True)
        )
    rows = [
        {
            "reference": s.reference,
            "title": s.title[:300],
            "payload": s.payload,
            "priority": s.priority,
            "deadline": s.deadline,
        }
        for s in unique
        if s.reference not in known
    ]
    shared = {
        "run": run,
        "municipality": run.municipality,
        "robot_slug": run.robot_slug,
        "created_at": timezone.now(),
    }
    ids = insert_rows(WorkItem(**shared), rows, returning_ids=True)
    created = [(pk, row["priority"]) for pk, row in zip(ids, rows, strict=True)]
    return created, len(specs) - len(created)


# --- review -------------------------------------------------------------------------------------


@dataclass
class ReviewResult:
    done: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)


def _locked_items(ids: Iterable[int]) -> list[WorkItem]:
    return list(
        WorkItem.objects.select_for_update(of=("self",))
        .select_related("municipality")
        .filter(pk__in=list(ids))
        .order_by("pk")
    )


def _review(
    actor: Actor,
    item_ids: Iterable[int],
    action: str,
    *,
    note: str = "",
    via: str = "web",
    change: Any = None,
) -> ReviewResult:
    ids = list(dict.fromkeys(int(i) for i in item_ids))
    if not ids:
        raise InputError(_("no work items chosen"), field="ids")
    result = ReviewResult()
    with transaction.atomic():
        items = _locked_items(ids)
        found = {item.pk for item in items}
        for missing in ids:
            if missing not in found:
                result.refused[missing] = "no such work item"
        for item in items:
            try:
                require(actor, item.municipality, Permission.REVIEW)
            except PermissionDeniedError:
                # Same answer as a missing item: never reveal other municipalities' items.
                result.refused[item.pk] = "no such work item"
                continue
            problem = change(item) if change else None
            if problem:
                result.refused[item.pk] = problem
                continue
            item.reviewed_by = actor if _is_user(actor) else None  # type: ignore[assignment]
            item.reviewed_at = timezone.now()
            item.review_note = note
            item.save()
            get_robot(item.robot_slug).on_status(execution.item_view(item), str(item.status))
            record(
                f"item.{action}",
                actor=actor,
                municipality=item.municipality,
                obj=item,
                via=via,
                details={"reference": item.reference, "note": note, "status": item.status},
            )
            result.done.append(item.pk)
    return result


def approve_items(
    actor: Actor, item_ids: Iterable[int], *, note: str = "", via: str = "web"
) -> ReviewResult:
    """Approve robot proposals; for class B this is what lets delivery happen."""
    approved: list[WorkItem] = []

    def change(item: WorkItem) -> str | None:
        if item.status != ItemStatus.NEEDS_REVIEW:
            return f"item is {item.get_status_display()}, not waiting for review"
        item.status = ItemStatus.APPROVED
        approved.append(item)
        return None

    with transaction.atomic():
        result = _review(actor, item_ids, "approve", note=note, via=via, change=change)
        tasks.enqueue_items(tasks.deliver_item, approved)
    return result


def reject_items(
    actor: Actor, item_ids: Iterable[int], *, reason: str, via: str = "web"
) -> ReviewResult:
    if not reason.strip():
        raise InputError(_("a rejection needs a reason"), field="reason")

    def change(item: WorkItem) -> str | None:
        if item.status not in (
            ItemStatus.NEEDS_REVIEW,
            ItemStatus.FAILED_BUSINESS,
            ItemStatus.FAILED_APPLICATION,
        ):
            return f"item is {item.get_status_display()} and cannot be rejected"
        item.status = ItemStatus.REJECTED
        item.finished_at = timezone.now()
        return None

    return _review(actor, item_ids, "reject", note=reason.strip(), via=via, change=change)


def correct_item(
    actor: Actor, item_id: int, corrections: dict[str, Any], *, note: str = "", via: str = "web"
) -> ReviewResult:
    """A reviewer fixes the proposal's correctable fields; the item is then approved."""
    item = WorkItem.objects.filter(pk=item_id).first()
    if item is None:
        raise InputError(_("no such work item"))
    robot = get_robot(item.robot_slug)
    fields = {p.name: p for p in robot.correctable_fields}
    unknown = sorted(set(corrections) - set(fields))
    if unknown:
        raise InputError(
            _("field '%(name)s' cannot be corrected"), field=unknown[0], name=unknown[0]
        )
    if not corrections:
        raise InputError(_("no corrections given"), field="corrections")
    parsed = {name: fields[name].parse(value) for name, value in corrections.items()}
    approved: list[WorkItem] = []

    def change(locked: WorkItem) -> str | None:
        if locked.status != ItemStatus.NEEDS_REVIEW:
            return f"item is {locked.get_status_display()}, not waiting for review"
        lines = []
        for name, value in parsed.items():
            old = locked.output.get(name)
            lines.append(f"Corrected by reviewer: {name} {old!r} → {value!r}")
            locked.output[name] = value
        locked.explanation = [*locked.explanation, *lines]
        locked.status = ItemStatus.APPROVED
        approved.append(locked)
        return None

    with transaction.atomic():
        result = _review(actor, [item_id], "correct", note=note, via=via, change=change)
        tasks.enqueue_items(tasks.deliver_item, approved)
    return result


def retry_items(
    actor: Actor, item_ids: Iterable[int], *, note: str = "", via: str = "web"
) -> ReviewResult:
    """Send failed items back to the robot, e.g. after the source data was fixed."""
    again: list[WorkItem] = []
    runs: set[int] = set()

    def change(item: WorkItem) -> str | None:
        if item.status not in (ItemStatus.FAILED_BUSINESS, ItemStatus.FAILED_APPLICATION):
            return f"item is {item.get_status_display()}; only failed items are retried"
        item.status = ItemStatus.NEW
        item.attempts = 0
        item.error_message = ""
        item.finished_at = None
        again.append(item)
        runs.add(item.run_id)
        return None

    with transaction.atomic():
        result = _review(actor, item_ids, "retry", note=note, via=via, change=change)
        tasks.enqueue_items(tasks.process_item, again)
        Run.objects.filter(pk__in=runs).update(status=RunStatus.RUNNING, finished_at=None)
    return result


def abandon_items(
    actor: Actor, item_ids: Iterable[int], *, reason: str, via: str = "web"
) -> ReviewResult:
    if not reason.strip():
        raise InputError(_("abandoning needs a reason"), field="reason")

    def change(item: WorkItem) -> str | None:
        if item.status in (
            ItemStatus.DONE,
            ItemStatus.REJECTED,
            ItemStatus.ABANDONED,
            ItemStatus.IN_PROGRESS,
        ):
            return f"item is {item.get_status_display()} and cannot be abandoned"
        item.status = ItemStatus.ABANDONED
        item.finished_at = timezone.now()
        return None

    return _review(actor, item_ids, "abandon", note=reason.strip(), via=via, change=change)


def record_personal_data_view(actor: Actor, item: WorkItem, *, via: str = "web") -> None:
    """Who viewed personal data is part of the audit trail."""
    record(
        "item.view",
        actor=actor,
        municipality=item.municipality,
        obj=item,
        via=via,
        details={"reference": item.reference},
    )


def record_personal_data_list_view(
    actor: Actor, items: Sequence[WorkItem], *, via: str = "web"
) -> None:
    """A list that shows items' personal data (the review inbox) is audited as one event per
    municipality naming the items shown, rather than one event per item per page load."""
    shown: dict[int, list[WorkItem]] = {}
    for item in items:
        shown.setdefault(item.municipality_id, []).append(item)
    for group in shown.values():
        record(
            "items.view",
            actor=actor,
            municipality=group[0].municipality,
            via=via,
            details={
                "items": [item.pk for item in group],
                "references": [item.reference for item in group],
            },
        )


# --- configuration ------------------------------------------------------------------------------


def configure_deployment(
    actor: Actor,
    municipality: Municipality,
    robot_slug: str,
    *,
    enabled: bool,
    schedule_enabled: bool,
    cron: str = "",
    calendar_rule: str = "",
    parameters: dict[str, Any] | None = None,
    via: str = "web",
) -> RobotDeployment:
    from kuntarobo.runtime.scheduling import validate_schedule

    require(actor, municipality, Permission.CONFIGURE)
    robot = get_robot(robot_slug)
    parsed = robot.parse_parameters(parameters or {})
    storage_roots.check_folders(robot, municipality.slug, parsed)
    if cron or calendar_rule:
        validate_schedule(
            cron or (robot.schedule.cron if robot.schedule else ""), calendar_rule or "any_day"
        )
    if schedule_enabled and not (cron or robot.schedule):
        raise InputError(
            _("robot %(robot)s has no schedule; give one to run it on schedule"),
            field="cron",
            robot=robot.slug,
        )
    with transaction.atomic():
        deployment, _created = RobotDeployment.objects.select_for_update().get_or_create(
            municipality=municipality, robot_slug=robot.slug
        )
        before = {
            "enabled": deployment.enabled,
            "schedule_enabled": deployment.schedule_enabled,
            "cron": deployment.cron,
            "calendar_rule": deployment.calendar_rule,
            "parameters": deployment.parameters,
        }
        deployment.enabled = enabled
        deployment.schedule_enabled = schedule_enabled
        deployment.cron = cron
        deployment.calendar_rule = calendar_rule
        deployment.parameters = {k: v for k, v in parsed.items() if v is not None}
        if schedule_enabled and deployment.last_scheduled_for is None:
            deployment.last_scheduled_for = timezone.now()
        deployment.save()
        record(
            "robot.configure",
            actor=actor,
            municipality=municipality,
            obj=deployment,
            via=via,
            details={
                "robot": robot.slug,
                "before": before,
                "after": {
                    "enabled": enabled,
                    "schedule_enabled": schedule_enabled,
                    "cron": cron,
                    "calendar_rule": calendar_rule,
                    "parameters": deployment.parameters,
                },
            },
        )
    return deployment
