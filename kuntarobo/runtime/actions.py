"""Every state change of runs and work items is one function here. The web UI, the API, the CLI
and the scheduler all call these; each checks permission and writes the audit trail.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kuntarobo.accounts.models import Municipality, Permission, has_permission
from kuntarobo.audit.trail import record
from kuntarobo.core import localized
from kuntarobo.core.masking import mask_identity_codes
from kuntarobo.runtime import execution, review_sample, storage_roots
from kuntarobo.runtime.bulk import insert_rows
from kuntarobo.runtime.declarations import (
    InputError,
    ItemSpec,
    Robot,
    RobotClass,
    RunContext,
    get_robot,
    join_messages,
    message,
)
from kuntarobo.runtime.enqueue import (
    DELIVER_ITEM,
    PROCESS_ITEM,
    PRODUCE_RUN,
    enqueue,
    enqueue_items,
    enqueue_many,
)
from kuntarobo.runtime.files import save_file
from kuntarobo.runtime.localized import every_language, stored_line, stored_title
from kuntarobo.runtime.models import (
    ItemAction,
    ItemStatus,
    RobotDeployment,
    Run,
    RunStatus,
    Trigger,
    WorkItem,
)
from kuntarobo.runtime.schedule_validation import validate_schedule
from kuntarobo.runtime.statuses import FAILED_STATUSES, PERSON_ACTIONS, refusal_text

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from kuntarobo.audit.trail import Actor

MAX_REFERENCE_LENGTH = 200
logger = logging.getLogger(__name__)


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


def check_in_use(
    robot: type[Robot], municipality: Municipality, deployment: RobotDeployment | None
) -> None:
    """A robot runs in a municipality only where it is taken into use (a deployment) and not
    switched off: by hand (web, API, command line) as on schedule."""
    if deployment is None:
        raise InputError(
            _(
                "robot %(robot)s is not in use in %(municipality)s; an administrator or a "
                "coordinator takes it into use in the robot's settings"
            ),
            field="municipality",
            robot=robot.slug,
            municipality=municipality.slug,
        )
    if not deployment.enabled:
        raise InputError(
            _("robot %(robot)s is switched off in %(municipality)s"),
            field="municipality",
            robot=robot.slug,
            municipality=municipality.slug,
        )


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
    # Of `created`: corrections that replaced failed items; of `duplicates`: already done.
    corrected: int = 0
    already_done: int = 0


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
    background: bool = False,
    started_by: WorkItem | None = None,
) -> StartedRun:
    """Validate the request, store the run and its input, then read the input.

    Bad parameters raise InputError before anything is written. The input is read by
    `produce_run`, outside any write transaction (a large file must not hold SQLite's write
    lock): here, for the CLI, which then raises the refusal as an InputError and leaves nothing
    behind; or, with `background` (web, API, scheduler), by a task on the queue, and this
    returns at once with the run `starting`.
    """
    require(actor, municipality, Permission.RUN)
    robot = get_robot(robot_slug)
    deployment = deployment_for(municipality, robot)
    check_in_use(robot, municipality, deployment)
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

    with contextlib.ExitStack() as reading:
        # An inline reader beats a heartbeat while it reads; the run names it, so that if the
        # process dies mid-reading, the scheduler's sweep fails the run instead of leaving it
        # `starting` for ever (`recovery.recover_stalled_readings`).
        reader = "" if background else reading.enter_context(execution.inline_process("read"))
        run = _store_run(
            actor,
            municipality,
            robot,
            parsed,
            input_file,
            input_name,
            trigger=trigger,
            scheduled_for=scheduled_for,
            via=via,
            reader=reader,
            started_by=started_by,
        )
        if background:
            return StartedRun(run=run, created=0, duplicates=0)
        return produce_run(run.pk, actor=actor, via=via, inline=True)


def _store_run(
    actor: Actor,
    municipality: Municipality,
    robot: type[Robot],
    parsed: dict[str, Any],
    input_file: File[Any] | Path | None,
    input_name: str,
    *,
    trigger: str,
    scheduled_for: datetime.datetime | None,
    via: str,
    reader: str,
    started_by: WorkItem | None = None,
) -> Run:
    """Store the `starting` run and its input in one short transaction; with no inline
    `reader`, audit the start and queue the reading in the same transaction."""
    try:
        with transaction.atomic():
            run = Run(
                municipality=municipality,
                robot_slug=robot.slug,
                trigger=trigger,
                requested_by=actor if _is_user(actor) else None,
                status=RunStatus.STARTING,
                parameters=parsed,
                scheduled_for=scheduled_for,
                rule_version=robot.rule_version,
                input_name=input_name[:255],
                summary={"reader": reader} if reader else {},
                started_by=started_by,
            )
            if isinstance(input_file, Path):
                with input_file.open("rb") as handle:
                    save_file(run.input_file, input_name, File(handle))
            elif input_file is not None:
                save_file(run.input_file, input_name, input_file)
            run.save()
            if not reader:
                record(
                    "run.start",
                    actor=actor,
                    municipality=municipality,
                    obj=run,
                    via=via,
                    details=_start_details(run, robot, parsed, input_name),
                )
                enqueue(PRODUCE_RUN, run.pk, via)
    except IntegrityError as error:
        # The run row's only unique constraint is the schedule tick's (SQLite does not name it).
        if scheduled_for is not None:
            raise InputError(
                _("robot %(robot)s already ran for %(tick)s"),
                robot=robot.slug,
                tick=scheduled_for.isoformat(),
            ) from error
        raise
    return run


def _start_details(
    run: Run, robot: type[Robot], parameters: dict[str, Any], input_name: str
) -> dict[str, Any]:
    details: dict[str, Any] = {
        "robot": robot.slug,
        "trigger": run.trigger,
        "parameters": parameters,
        "input": input_name,
    }
    if run.started_by_id is not None:
        details["started_by_item"] = run.started_by_id
    return details


def produce_run(
    run_id: int, *, actor: Actor = None, via: str = "task", inline: bool = False
) -> StartedRun:
    """Read a starting run's input with its robot's producer, then create, queue and audit its
    items in one short transaction. Used by the queue's task and by the inline callers alike.

    The producer runs outside any transaction: reading a large input holds no write lock. When
    it refuses the input (InputError), the run ends `refused` with the reason in fi/sv/en and
    the event audited (`inline`: the run is removed and the error raised, so the command line
    changes nothing); any other exception ends it `failed` with a masked technical error. Either
    way the uploaded input is deleted.
    """
    run = Run.objects.select_related("municipality", "requested_by").get(pk=run_id)
    if run.status != RunStatus.STARTING:  # a task run twice (a worker lost and recovered)
        return _started(run)
    if actor is None:
        actor = run.requested_by or f"{run.trigger} ({run.robot_slug})"
    robot = get_robot(run.robot_slug)
    context = execution.run_context(run)
    try:
        specs = list(robot().produce(context))
        _check_specs(run, specs)
        with transaction.atomic():
            # First, so that of two producers of the same run (a task given again after its
            # worker was presumed lost) only one makes the items; the other waits, then stops.
            if not Run.objects.filter(pk=run.pk, status=RunStatus.STARTING).update(
                status=RunStatus.RUNNING
            ):
                raise _AlreadyProduced
            made = _create_items(run, specs, actor=actor, via=via)
            created, duplicates = made.created, made.duplicates
            run.status = RunStatus.RUNNING
            run.items_created = len(created)
            run.items_duplicate = duplicates
            run.items_corrected = made.corrected
            run.items_already_done = made.already_done
            run.summary = {"skipped": dict(context.skipped)} if context.skipped else {}
            if context.notices:
                run.summary["notices"] = [stored_line(text) for text in context.notices]
            run.save(
                update_fields=[
                    "items_created",
                    "items_duplicate",
                    "items_corrected",
                    "items_already_done",
                    "summary",
                ]
            )
            context.log(
                message(
                    _(
                        "New work items: %(new)d (corrections: %(corrected)d), already known: "
                        "%(known)d (already done: %(done)d)"
                    ),
                    new=len(created),
                    corrected=made.corrected,
                    known=duplicates,
                    done=made.already_done,
                ),
                "info",
            )
            execution.write_log(run.pk, None, context.log_lines)
            enqueue_many(PROCESS_ITEM, created)
            details = {
                "items": len(created),
                "duplicates": duplicates,
                "corrected": made.corrected,
                "already_done": made.already_done,
            }
            if inline:
                details = {
                    **_start_details(run, robot, run.parameters, run.input_name),
                    **details,
                }
            record(
                "run.start" if inline else "run.read",
                actor=actor,
                municipality=run.municipality,
                obj=run,
                via=via,
                details=details,
            )
            transaction.on_commit(lambda: execution.finish_run_if_done(run_id))
    except _AlreadyProduced:
        run.refresh_from_db()
        return _started(run)
    except IntegrityError as error:
        refusal = InputError(
            _(
                "another run created some of the same work items at the same time; start the run "
                "again"
            )
        )
        _refuse(run, refusal, actor=actor, via=via, inline=inline, context=context)
        if inline:
            raise refusal from error
        return StartedRun(run=run, created=0, duplicates=0)
    except InputError as error:
        _refuse(run, error, actor=actor, via=via, inline=inline, context=context)
        if inline:
            raise
        return StartedRun(run=run, created=0, duplicates=0)
    except Exception as error:
        technical = mask_identity_codes(
            "".join(traceback.format_exception_only(type(error), error)).strip()
        )
        _fail(run, technical, actor=actor, via=via, log_lines=context.log_lines)
        if inline:
            raise
        return StartedRun(run=run, created=0, duplicates=0)
    return _started(run)


def _started(run: Run) -> StartedRun:
    return StartedRun(
        run=run,
        created=run.items_created,
        duplicates=run.items_duplicate,
        corrected=run.items_corrected,
        already_done=run.items_already_done,
    )


class _AlreadyProduced(Exception):
    """The run's items were made by another call meanwhile."""


def _refuse(
    run: Run,
    error: InputError,
    *,
    actor: Actor,
    via: str,
    inline: bool,
    context: RunContext,
) -> None:
    """End a run whose input was refused, and delete its input. On the command line (`inline`)
    the run goes too: the refusal is printed, and nothing is left changed."""
    texts = every_language(error)
    _end_reading(
        run,
        RunStatus.REFUSED,
        {**texts, "field": error.field or ""},
        log_lines=[*context.log_lines, ("error", localized.encode(texts))],
        event="run.refuse",
        # In every language, as the run keeps it: the audit page shows the reader's own.
        details={"reason": dict(texts)},
        actor=actor,
        via=via,
        remove=inline,
    )


def fail_reading(run_id: int, reason: str, *, via: str = "system") -> None:
    """End a `starting` run whose input cannot be read to the end (its readers keep stopping,
    e.g. killed for memory): failed, the input deleted."""
    run = Run.objects.select_related("municipality", "requested_by").get(pk=run_id)
    actor = run.requested_by or f"{run.trigger} ({run.robot_slug})"
    _fail(run, mask_identity_codes(reason), actor=actor, via=via, log_lines=[])


def _fail(
    run: Run, technical: str, *, actor: Actor, via: str, log_lines: list[tuple[str, str]]
) -> None:
    """End a run whose producer crashed: the technical error, masked, for those who may see
    logs; the input deleted."""
    logger.warning("run %s: reading the input failed: %s", run.pk, technical)
    _end_reading(
        run,
        RunStatus.FAILED,
        {"technical": technical},
        log_lines=[*log_lines, ("error", technical)],
        event="run.fail",
        details={"error": technical},
        actor=actor,
        via=via,
    )


def _end_reading(
    run: Run,
    status: str,
    error: dict[str, str],
    *,
    log_lines: list[tuple[str, str]],
    event: str,
    details: dict[str, Any],
    actor: Actor,
    via: str,
    remove: bool = False,
) -> None:
    """End a `starting` run whose reading gave no items, unless another call ended it first:
    the input deleted, the run given `status` and `error`, logged and audited (or, `remove`,
    the run itself deleted)."""
    with transaction.atomic():
        locked = Run.objects.select_for_update().filter(pk=run.pk).first()
        if locked is None or locked.status != RunStatus.STARTING:
            return
        _delete_input(locked)
        if remove:
            locked.log_entries.all().delete()
            locked.delete()
            return
        run.status = status
        run.finished_at = timezone.now()
        run.error = error
        run.input_file = locked.input_file
        run.save(update_fields=["status", "finished_at", "error", "input_file"])
        execution.write_log(run.pk, None, log_lines)
        record(
            event,
            actor=actor,
            municipality=run.municipality,
            obj=run,
            via=via,
            details={"robot": run.robot_slug, "input": run.input_name, **details},
        )


def _delete_input(run: Run) -> None:
    """Clear the run's input file, and delete the file once that commits."""
    if not run.input_file:
        return
    storage, name = run.input_file.storage, str(run.input_file.name)
    run.input_file = ""
    Run.objects.filter(pk=run.pk).update(input_file="")
    transaction.on_commit(lambda: storage.delete(name))


def _is_user(actor: Actor) -> TypeGuard[User]:
    return actor is not None and not isinstance(actor, str) and actor.is_authenticated


def _check_specs(run: Run, specs: Sequence[ItemSpec]) -> None:
    """The producer's items are ItemSpecs with a usable reference, or the input is refused."""
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


@dataclass
class MadeItems:
    """What an input's items came to: the new items' (key, priority) pairs for the queue (the
    corrections among them), and how many were already known (of which already done)."""

    created: list[tuple[int, int]]
    duplicates: int
    corrected: int
    already_done: int


def _normalised(payload: dict[str, Any]) -> Any:
    """The payload as the database gives it back, so a stored one compares equal."""
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


def _create_items(
    run: Run, specs: Sequence[ItemSpec], *, actor: Actor = None, via: str = "task"
) -> MadeItems:
    """Make the new items of an input, in the caller's transaction.

    A reference already known is not made again, with one exception: a failed item (business
    or application) whose input now comes different, i.e. corrected, is replaced. The failed
    item becomes "superseded" (the status table's `supersede`), linked to the new item made of
    the corrected input, and audited (`item.supersede`). A done item (or one in any other
    status) is never replaced: its reference stays known, a done one counted as already done.
    The same input again, unchanged, is known too: retry is the way to do a failed item again.
    """
    seen: set[str] = set()
    unique: list[ItemSpec] = []
    for spec in specs:
        if spec.reference not in seen:
            seen.add(spec.reference)
            unique.append(spec)
    known: dict[str, tuple[int, str, Any]] = {}
    references = [s.reference for s in unique]
    for start in range(0, len(references), 500):
        for pk, reference, status, payload in (
            WorkItem.objects.filter(
                municipality=run.municipality,
                robot_slug=run.robot_slug,
                reference__in=references[start : start + 500],
            )
            .exclude(status=ItemStatus.SUPERSEDED)
            .values_list("pk", "reference", "status", "payload")
        ):
            known[reference] = (pk, status, payload)
    fresh: list[ItemSpec] = []
    replacing: dict[str, int] = {}  # reference → the failed item a correction replaces
    already_done = 0
    for spec in unique:
        found = known.get(spec.reference)
        if found is None:
            fresh.append(spec)
        elif found[1] in FAILED_STATUSES and _normalised(spec.payload) != found[2]:
            replacing[spec.reference] = found[0]
            fresh.append(spec)
        elif found[1] == ItemStatus.DONE:
            already_done += 1
    replaced = _supersede(replacing)
    fresh = [s for s in fresh if s.reference not in replacing or s.reference in replaced]
    rows = [
        {
            "reference": s.reference,
            "title": stored_title(s.title),
            "payload": s.payload,
            "priority": s.priority,
            "deadline": s.deadline,
            "saves_time": s.saves_time,
        }
        for s in fresh
    ]
    shared = {
        "run": run,
        "municipality": run.municipality,
        "robot_slug": run.robot_slug,
        "created_at": timezone.now(),
    }
    ids = insert_rows(WorkItem(**shared), rows, returning_ids=True)
    created = [(pk, s.priority) for pk, s in zip(ids, fresh, strict=True)]
    new_of = {s.reference: pk for pk, s in zip(ids, fresh, strict=True)}
    for old, before in replaced.values():
        old.superseded_by_id = new_of[old.reference]
        old.save(update_fields=["superseded_by"])
        record(
            "item.supersede",
            actor=actor,
            municipality=run.municipality,
            obj=old,
            via=via,
            details={
                "reference": old.reference,
                "from": before,
                "status": old.status,
                "by": old.superseded_by_id,
                "run": run.pk,
            },
        )
    return MadeItems(
        created=created,
        duplicates=len(specs) - len(created),
        corrected=len(replaced),
        already_done=already_done,
    )


def _supersede(replacing: dict[str, int]) -> dict[str, tuple[WorkItem, str]]:
    """Mark the failed items corrections replace "superseded" (by the status table), locked and
    checked again: one retried meanwhile is left alone, and its correction counts as known."""
    if not replacing:
        return {}
    replaced: dict[str, tuple[WorkItem, str]] = {}
    for item in _locked_items(replacing.values()):
        if refusal(item, ItemAction.SUPERSEDE) is not None:
            continue
        before = str(item.status)
        item.status = ItemStatus(item.status).after(ItemAction.SUPERSEDE)
        item.finished_at = timezone.now()
        # Saved first: the reference is free for the corrected item only once this one is no
        # longer its current item (the unique constraint).
        item.save(update_fields=["status", "finished_at"])
        get_robot(item.robot_slug).on_status(execution.item_view(item), str(item.status))
        replaced[item.reference] = (item, before)
    return replaced


# --- review -------------------------------------------------------------------------------------


@dataclass
class ReviewResult:
    done: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)

    def merge(self, other: ReviewResult) -> None:
        self.done += other.done
        self.refused.update(other.refused)


UNFLAGGED_BATCH = 500  # items approved per transaction by `approve_unflagged`
TIMER = "wait timer"  # the actor of a timed wait's end


def _no_such_item(item_id: int) -> str:
    """Also the answer for an item of a municipality the actor may not review: never reveal
    that it exists."""
    return _("no such work item: %(item)s") % {"item": item_id}


def refusal(item: WorkItem, action: str) -> str | None:
    """Why `action` cannot be done to the item now, in the active language; None when it can.

    The one rule: the actions below refuse by it, the web shows a button and the API lists an
    action exactly when it says None. The status table (`ItemStatus.allows`) decides, and an
    item a worker holds right now (an approved item being delivered) waits for the worker."""
    if not ItemStatus(item.status).allows(action):
        text = refusal_text(action, item.pk, item.status)
        if item.superseded_by_id is not None:
            return (
                text
                + " "
                + _("(replaced by the corrected work item %(item)s)")
                % {"item": item.superseded_by_id}
            )
        return text
    if item.claim_token:
        return _(
            "work item %(item)s is being worked on by the robot right now; try again in a moment"
        ) % {"item": item.pk}
    if action == ItemAction.CORRECT and not _correctable(item):
        return _("work item %(item)s has no fields a reviewer may correct") % {"item": item.pk}
    return None


def _correctable(item: WorkItem) -> bool:
    try:
        return bool(get_robot(item.robot_slug).correctable_fields)
    except InputError:  # a robot no longer installed
        return False


def allowed_actions(item: WorkItem) -> list[str]:
    """What a person may do to the item now (web buttons, the API's `actions`)."""
    return [str(action) for action in PERSON_ACTIONS if refusal(item, action) is None]


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
    change: Callable[[WorkItem], str | None] | None = None,
    reviews: bool = True,
) -> ReviewResult:
    """Do `action` to each item the actor may review and the table allows, in one transaction:
    the new status from the table, `change` for the rest (or a reason to refuse the item),
    the robot's `on_status`, the audit trail. `reviews`: the actor is recorded as the item's
    reviewer (not for resuming, which decides nothing)."""
    ids = list(dict.fromkeys(int(i) for i in item_ids))
    if not ids:
        raise InputError(_("no work items chosen"), field="ids")
    result = ReviewResult()
    with transaction.atomic():
        items = _locked_items(ids)
        found = {item.pk for item in items}
        for missing in ids:
            if missing not in found:
                result.refused[missing] = _no_such_item(missing)
        for item in items:
            try:
                require(actor, item.municipality, Permission.REVIEW)
            except PermissionDeniedError:
                result.refused[item.pk] = _no_such_item(item.pk)
                continue
            problem = refusal(item, action) or (change(item) if change else None)
            if problem:
                result.refused[item.pk] = problem
                continue
            before = str(item.status)
            item.status = ItemStatus(before).after(action)
            if reviews:
                item.reviewed_by = actor if _is_user(actor) else None
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
                details={
                    "reference": item.reference,
                    "note": note,
                    "status": item.status,
                    "from": before,
                },
            )
            result.done.append(item.pk)
    return result


def _approval_refusal(actor: Actor, item: WorkItem) -> str | None:
    """The robot's own reason why this person may not approve the item (a delegation)."""
    user_id = actor.pk if _is_user(actor) else None
    return get_robot(item.robot_slug).approval_refusal(execution.item_view(item), user_id)


def approve_items(
    actor: Actor, item_ids: Iterable[int], *, note: str = "", via: str = "web"
) -> ReviewResult:
    """Approve robot proposals; for class B this is what lets delivery happen."""
    approved: list[WorkItem] = []

    def change(item: WorkItem) -> str | None:
        problem = _approval_refusal(actor, item)
        if problem is None:
            approved.append(item)
        return problem

    with transaction.atomic():
        result = _review(actor, item_ids, ItemAction.APPROVE, note=note, via=via, change=change)
        enqueue_items(DELIVER_ITEM, approved)
    return result


def _unflagged_batch(
    actor: Actor, *, up_to: int, municipality: Municipality | None, robot_slug: str
) -> QuerySet[WorkItem]:
    """The proposals `approve_unflagged` would approve: without flags, waiting for review, up
    to `up_to`, where the actor may review (or in `municipality`), optionally of one robot."""
    if isinstance(up_to, bool) or not isinstance(up_to, int) or up_to < 1:
        raise InputError(
            _("up_to must be the id of the last item shown, a whole number above zero"),
            field="up_to",
        )
    items = WorkItem.objects.filter(status=ItemStatus.NEEDS_REVIEW, attention=[], pk__lte=up_to)
    if municipality is not None:
        require(actor, municipality, Permission.REVIEW)
        items = items.filter(municipality=municipality)
    elif actor is not None and not isinstance(actor, str):
        scope = Municipality.objects.for_user(actor, Permission.REVIEW)
        if not scope.exists():
            raise PermissionDeniedError(
                f"{getattr(actor, 'username', actor)} may not review work items anywhere"
            )
        items = items.filter(municipality__in=scope)
    if robot_slug:
        items = items.filter(robot_slug=get_robot(robot_slug).slug)
    return items


def unflagged_sample(
    actor: Actor,
    *,
    up_to: int,
    municipality: Municipality | None = None,
    robot_slug: str = "",
    via: str = "web",
) -> list[review_sample.SampleGroup]:
    """The random sample the actor must open before `approve_unflagged` of the same batch, per
    municipality and class B robot; drawn (and audited) where it is missing, otherwise as
    stored, so a reload shows the same items."""
    batch = _unflagged_batch(actor, up_to=up_to, municipality=municipality, robot_slug=robot_slug)
    return review_sample.draw(actor, batch, via=via)


def record_sample_opening(actor: Any, item: WorkItem, *, via: str) -> bool:
    """The reviewer opened `item` (its page, the API's detail, `items show`): if it is in their
    sample, it counts as opened (audited as `review.sample_open`)."""
    return review_sample.record_opening(actor, item, via=via)


UNOPENED_SAMPLE = _(
    "approve the proposals one by one or open the random sample first: %(unopened)d of the "
    "%(size)d sample proposals of %(robot)s in %(municipality)s are still unopened "
    "(items %(items)s)"
)


def approve_unflagged(
    actor: Actor,
    *,
    up_to: int,
    municipality: Municipality | None = None,
    robot_slug: str = "",
    note: str = "",
    via: str = "web",
) -> ReviewResult:
    """Approve every proposal the robot did not flag (no attention points) that the actor may
    review: the ordinary cases of a large run, thousands of fee decisions at once.

    Only items up to the id `up_to` (the last one the person was shown) are approved, so
    nothing that arrived since is approved unseen; optionally only in one municipality or of
    one robot. For a class B robot the reviewer must first have opened a random sample of the
    batch (`unflagged_sample`, meaningful review by GDPR art. 22): otherwise nothing is
    approved, and the refusal names how many sample items are unopened and which (drawing the
    sample if it was not drawn yet). Each item is approved and audited as by `approve_items`,
    in transactions of UNFLAGGED_BATCH; one `items.approve_unflagged` event per municipality
    sums it up."""
    batch = _unflagged_batch(actor, up_to=up_to, municipality=municipality, robot_slug=robot_slug)
    for group in review_sample.draw(actor, batch, via=via):
        if group.unopened:
            raise InputError(
                UNOPENED_SAMPLE,
                field="sample",
                unopened=len(group.unopened),
                size=len(group.items),
                robot=get_robot(group.robot_slug).name,
                municipality=group.municipality_name,
                items=", ".join(str(item.pk) for item in group.unopened),
            )
    ids = list(batch.order_by("id").values_list("id", flat=True))
    result = ReviewResult()
    for start in range(0, len(ids), UNFLAGGED_BATCH):
        result.merge(approve_items(actor, ids[start : start + UNFLAGGED_BATCH], note=note, via=via))
    approved = (
        WorkItem.objects.filter(pk__in=result.done)
        .values("municipality")
        .annotate(count=Count("id"))
        .order_by("municipality")
    )
    by_pk = Municipality.objects.in_bulk([row["municipality"] for row in approved])
    for row in approved:
        record(
            "items.approve_unflagged",
            actor=actor,
            municipality=by_pk[row["municipality"]],
            via=via,
            details={"up_to": up_to, "robot": robot_slug, "items": row["count"], "note": note},
        )
    return result


def reject_items(
    actor: Actor, item_ids: Iterable[int], *, reason: str, via: str = "web"
) -> ReviewResult:
    if not reason.strip():
        raise InputError(_("a rejection needs a reason"), field="reason")

    def change(item: WorkItem) -> None:
        item.finished_at = timezone.now()

    return _review(actor, item_ids, ItemAction.REJECT, note=reason.strip(), via=via, change=change)


def correct_item(
    actor: Actor, item_id: int, corrections: dict[str, Any], *, note: str = "", via: str = "web"
) -> ReviewResult:
    """A reviewer fixes the proposal's correctable fields; the item is then approved."""
    item = WorkItem.objects.filter(pk=item_id).first()
    if item is None:
        raise InputError(_("no such work item: %(item)s"), item=item_id)
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
    if refusal(item, ItemAction.CORRECT) is None:  # else the status's refusal says why
        check_correction(robot, item, parsed)
    approved: list[WorkItem] = []

    def change(locked: WorkItem) -> str | None:
        problem = _approval_refusal(actor, locked)
        if problem is not None:
            return problem
        lines = []
        for name, value in parsed.items():
            old = locked.output.get(name)
            lines.append(f"Corrected by reviewer: {name} {old!r} → {value!r}")
            locked.output[name] = value
        locked.explanation = [*locked.explanation, *lines]
        approved.append(locked)
        return None

    with transaction.atomic():
        result = _review(actor, [item_id], ItemAction.CORRECT, note=note, via=via, change=change)
        enqueue_items(DELIVER_ITEM, approved)
    return result


def check_correction(robot: type[Robot], item: WorkItem, parsed: dict[str, Any]) -> None:
    """The robot's own rules on a correction (`Robot.validate_correction`): an InputError naming
    the first field at fault and every reason, in the reader's language; nothing is changed."""
    problems = robot.validate_correction(execution.item_view(item), parsed)
    if not problems:
        return
    labels = {p.name: p.label for p in robot.correctable_fields}
    reasons = [
        message(_("%(name)s: %(reason)s"), name=labels.get(p.field, p.field), reason=p.reason)
        for p in problems
    ]
    raise InputError(
        _("the correction breaks the robot's rules: %(problems)s"),
        field=problems[0].field,
        problems=join_messages("; ", reasons),
    )


def retry_items(
    actor: Actor, item_ids: Iterable[int], *, note: str = "", via: str = "web"
) -> ReviewResult:
    """Send failed items back to the robot, e.g. after the source data was fixed."""
    again: list[WorkItem] = []
    runs: set[int] = set()

    def change(item: WorkItem) -> None:
        item.attempts = 0
        item.error_message = ""
        item.finished_at = None
        again.append(item)
        runs.add(item.run_id)

    with transaction.atomic():
        result = _review(actor, item_ids, ItemAction.RETRY, note=note, via=via, change=change)
        enqueue_items(PROCESS_ITEM, again)
        Run.objects.filter(pk__in=runs).update(status=RunStatus.RUNNING, finished_at=None)
    return result


def abandon_items(
    actor: Actor, item_ids: Iterable[int], *, reason: str, via: str = "web"
) -> ReviewResult:
    """Give up on items (paid by hand, moved away): they leave processing for good."""
    if not reason.strip():
        raise InputError(_("abandoning needs a reason"), field="reason")
    runs: set[int] = set()

    def change(item: WorkItem) -> None:
        item.finished_at = timezone.now()
        item.wait_until = None
        runs.add(item.run_id)

    with transaction.atomic():
        result = _review(
            actor, item_ids, ItemAction.ABANDON, note=reason.strip(), via=via, change=change
        )
    for run_id in runs:  # an abandoned new or waiting item may have been the run's last
        execution.finish_run_if_done(run_id)
    return result


# --- waiting ------------------------------------------------------------------------------------


def resume_items(
    actor: Actor,
    item_ids: Iterable[int],
    *,
    payload: dict[str, Any] | None = None,
    note: str = "",
    via: str = "web",
    due_by: datetime.datetime | None = None,
) -> ReviewResult:
    """Bring waiting items back to the robot: the outside event came (a call answered, a reply
    received) and `payload` is what it brought, which the robot reads as the item's
    `resume_payload`. The attempts are not touched: waiting spent none.

    `due_by`: only items whose wait ends by then (the timer's own resumption), so that an item
    resumed meanwhile and waiting again for a later time is left alone."""
    if payload is not None and not isinstance(payload, dict):
        raise InputError(_("the payload must be a JSON object"), field="payload")
    again: list[WorkItem] = []
    runs: set[int] = set()

    def change(item: WorkItem) -> str | None:
        if due_by is not None and (item.wait_until is None or item.wait_until > due_by):
            return _("work item %(item)s waits for an outside event or a later time") % {
                "item": item.pk
            }
        item.wait_until = None
        item.resume_payload = payload or {}
        item.retry_at = None
        again.append(item)
        runs.add(item.run_id)
        return None

    with transaction.atomic():
        result = _review(
            actor,
            item_ids,
            ItemAction.RESUME,
            note=note,
            via=via,
            change=change,
            reviews=False,
        )
        enqueue_items(PROCESS_ITEM, again)
        Run.objects.filter(pk__in=runs, status=RunStatus.FINISHED).update(
            status=RunStatus.RUNNING, finished_at=None
        )
    return result


def resume_item(
    actor: Actor,
    item_id: int,
    payload: dict[str, Any] | None = None,
    *,
    note: str = "",
    via: str = "system",
) -> ReviewResult:
    """One waiting item's outside event (`resume_items`), e.g. from a robot's own endpoint."""
    return resume_items(actor, [item_id], payload=payload, note=note, via=via)


def resume_due_items(
    *,
    now: datetime.datetime | None = None,
    item_ids: Sequence[int] | None = None,
    via: str = "timer",
) -> int:
    """Resume the waiting items whose time has come (all of them, or of these ids); how many.
    Called by each timed wait's own task and, as a safety net, by the scheduler's passes."""
    now = now or timezone.now()
    due = WorkItem.objects.filter(status=ItemStatus.WAITING, wait_until__lte=now)
    if item_ids is not None:
        due = due.filter(pk__in=list(item_ids))
    ids = list(due.order_by("id").values_list("id", flat=True))
    resumed = 0
    for start in range(0, len(ids), UNFLAGGED_BATCH):
        result = resume_items(TIMER, ids[start : start + UNFLAGGED_BATCH], via=via, due_by=now)
        resumed += len(result.done)
    return resumed


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
