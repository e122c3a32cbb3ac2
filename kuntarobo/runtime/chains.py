"""Chained robots: a done item of one robot starts the next robot's run with one of its
documents as the input (`Chain`). The file goes through the platform's storage, copied into
the next run's input like an upload; no robot ever hands another a path.

Started by a task the item's completion queued in its own transaction, so the next run starts
once per chain step (a unique constraint on the run guards a task that runs twice), and a
refusal (the next robot not in use, a parameter it refuses) is written in the first run's log
and the audit trail, where the person who follows the chain sees it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError
from django.utils.translation import gettext_lazy as _

from kuntarobo.audit.trail import record
from kuntarobo.runtime.actions import start_run
from kuntarobo.runtime.declarations import Chain, InputError, get_robot, message
from kuntarobo.runtime.execution import write_log
from kuntarobo.runtime.models import ItemDocument, ItemStatus, Run, Trigger, WorkItem

logger = logging.getLogger(__name__)


def chain_actor(robot_slug: str) -> str:
    """Who starts a chained run in the audit trail: the robot whose item finished."""
    return f"robot ({robot_slug})"


def start_chained_runs(item_id: int) -> int:
    """Start every robot the done item's robot chains to; returns how many runs started now."""
    item = WorkItem.objects.select_related("municipality", "run").filter(pk=item_id).first()
    if item is None or item.status != ItemStatus.DONE:
        return 0
    try:
        robot = get_robot(item.robot_slug)
    except InputError:  # a robot no longer installed chains to nothing
        return 0
    started = 0
    for step in robot.chains:
        if Run.objects.filter(started_by=item, robot_slug=step.robot).exists():
            continue
        try:
            started += _start(item, step)
        except InputError as error:
            _refused(item, step, error)
    return started


def _start(item: WorkItem, step: Chain) -> int:
    document = _document(item, step)
    if document is None:
        raise InputError(
            _("the work item %(reference)s has no document ending in %(suffix)s to pass on"),
            reference=item.reference,
            suffix=step.document,
        )
    parameters = {
        parameter: item.output.get(key)
        for key, parameter in step.parameters
        if item.output.get(key) not in (None, "")
    }
    with document.file.open("rb") as handle:
        try:
            result = start_run(
                chain_actor(item.robot_slug),
                item.municipality,
                step.robot,
                parameters=parameters,
                input_file=handle,
                input_name=document.name,
                trigger=Trigger.CHAIN,
                via="chain",
                background=True,
                started_by=item,
            )
        except IntegrityError:  # started meanwhile by another run of this task
            return 0
    write_log(
        item.run_id,
        item.pk,
        [
            (
                "info",
                message(
                    _("%(reference)s: started the next robot, run %(run)d (%(robot)s)"),
                    reference=item.reference,
                    run=result.run.pk,
                    robot=step.robot,
                ),
            )
        ],
    )
    return 1


def _document(item: WorkItem, step: Chain) -> ItemDocument | None:
    """The newest of the item's documents whose name ends with the step's suffix."""
    suffix = step.document.lower()
    for document in item.documents.order_by("-id"):
        if document.name.lower().endswith(suffix):
            return document
    return None


def _refused(item: WorkItem, step: Chain, error: InputError) -> None:
    logger.warning("item %s: the chained run of %s was refused: %s", item.pk, step.robot, error)
    write_log(
        item.run_id,
        item.pk,
        [
            (
                "error",
                message(
                    _("%(reference)s: the next robot %(robot)s could not be started: %(reason)s"),
                    reference=item.reference,
                    robot=step.robot,
                    reason=message(error.message, **error.params),
                ),
            )
        ],
    )
    record(
        "run.chain_refused",
        actor=chain_actor(item.robot_slug),
        municipality=item.municipality,
        obj=item.run,
        details={"item": item.pk, "robot": step.robot, "reason": str(error)},
        via="chain",
    )


@dataclass(frozen=True)
class ChainLink:
    """One run of a chain as a run's page lists it."""

    run: Run
    current: bool


def chain_of(run: Run) -> list[ChainLink]:
    """The runs chained with `run`, first to last: the runs that started it (walking back), the
    run itself, and the runs its items started (walking on, the first of each). Empty when
    the run stands alone."""
    before: list[Run] = []
    seen = {run.pk}
    current = run
    while current.started_by_id is not None:
        previous = (
            Run.objects.filter(items__pk=current.started_by_id)
            .select_related("municipality")
            .first()
        )
        if previous is None or previous.pk in seen:
            break
        before.append(previous)
        seen.add(previous.pk)
        current = previous
    after: list[Run] = []
    current = run
    while True:
        following = (
            Run.objects.filter(started_by__run=current)
            .select_related("municipality")
            .order_by("id")
            .first()
        )
        if following is None or following.pk in seen:
            break
        after.append(following)
        seen.add(following.pk)
        current = following
    if not before and not after:
        return []
    runs: list[Any] = [*reversed(before), run, *after]
    return [ChainLink(entry, entry.pk == run.pk) for entry in runs]
