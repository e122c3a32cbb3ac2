"""Plain dicts of the platform's objects, shared by the JSON API and the command line."""

from __future__ import annotations

from typing import Any, cast

from kuntarobo.audit.models import AuditEvent
from kuntarobo.runtime.declarations import (
    Parameter,
    PathDescription,
    Robot,
    RobotClass,
    Text,
)
from kuntarobo.runtime.impact import manual_minutes_saved
from kuntarobo.runtime.models import Run, RunStatus, WorkItem
from kuntarobo.runtime.statuses import UNFINISHED_STATUSES, failed_count, run_outcome
from kuntarobo.runtime.visibility import ItemView, Sight

CLASS_MEANING = {
    RobotClass.ASSISTS: "assists: the robot does routine work on its own",
    RobotClass.PREPARES: "prepares: an official approves each proposal",
    RobotClass.DECIDES: "decides: automatic decisions under a documented deployment decision",
}
# Items the robot has still to work on; the rest count as processed for progress.
UNPROCESSED = UNFINISHED_STATUSES


def text_data(text: Text | None) -> dict[str, str] | None:
    if text is None:
        return None
    return {"fi": text.fi, "sv": text.sv or text.fi, "en": text.en or text.fi}


def parameter_data(parameter: Parameter) -> dict[str, Any]:
    return {
        "name": parameter.name,
        "label": text_data(parameter.label),
        "kind": parameter.kind,
        "default": parameter.default,
        "required": parameter.required,
        "choices": list(parameter.choices),
        "help": text_data(parameter.help),
    }


def path_data(path: PathDescription) -> dict[str, Any]:
    def texts(values: tuple[Text, ...]) -> list[dict[str, str] | None]:
        return [text_data(v) for v in values]

    return {
        "summary": text_data(path.summary),
        "steps": [
            {
                "name": text_data(step.name),
                "actor": step.actor,
                "system": str(step.system),
                "description": text_data(step.description),
            }
            for step in path.steps
        ],
        "inputs": texts(path.inputs),
        "outputs": texts(path.outputs),
        "rules": texts(path.rules),
        "business_exceptions": texts(path.business_exceptions),
        "technical_exceptions": texts(path.technical_exceptions),
        "human_role": text_data(path.human_role),
        "volume": text_data(path.volume),
    }


def robot_data(robot: type[Robot], *, detail: bool = False) -> dict[str, Any]:
    schedule = robot.schedule
    data: dict[str, Any] = {
        "slug": robot.slug,
        "name": text_data(robot.name),
        "description": text_data(robot.description),
        "class": str(robot.robot_class),
        "class_meaning": CLASS_MEANING[robot.robot_class],
        "systems": [str(system) for system in robot.systems],
        "manual_minutes_per_item": robot.manual_minutes_per_item,
        "parameters": [parameter_data(p) for p in robot.parameters],
        "correctable_fields": [parameter_data(p) for p in robot.correctable_fields],
        "schedule": (
            {
                "cron": schedule.cron,
                "calendar": schedule.calendar,
                "description": text_data(schedule.description),
            }
            if schedule
            else None
        ),
        "accepts_upload": robot.accepts_upload,
        "requires_upload": robot.requires_upload,
        "upload_suffixes": list(robot.upload_suffixes),
        "rule_version": robot.rule_version,
    }
    if detail:
        data["path"] = path_data(robot.path)
    return data


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def run_data(run: Run, sight: Sight, failed_items: int) -> dict[str, Any]:
    """A run, for anyone who may see it: the input file's name masked as `sight` says.
    `outcome` is the status as shown: `finished_with_failures` when a finished run has
    `failed_items`, never a plain `finished` then."""
    return {
        "id": run.pk,
        "municipality": run.municipality.slug,
        "robot": run.robot_slug,
        "trigger": run.trigger,
        "status": run.status,
        "outcome": run_outcome(run.status, failed_items),
        "failed_items": failed_items,
        "requested_by": _username(run.requested_by),
        "parameters": run.parameters,
        "input_name": sight.input_name(run),
        "scheduled_for": run.scheduled_for,
        "rule_version": run.rule_version,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
        "items_created": run.items_created,
        "items_duplicate": run.items_duplicate,
        # Of items_created: corrections that replaced failed items of the same reference; of
        # items_duplicate: references already done.
        "items_corrected": run.items_corrected,
        "items_already_done": run.items_already_done,
        # Why the input was refused (status "refused"); a crash's technical error is added by
        # the view for those who may see it.
        "refusal": (
            {"message": run.error.get("en", ""), "field": run.error.get("field", "")}
            if run.status == RunStatus.REFUSED
            else None
        ),
    }


def run_detail_data(run: Run, counts: dict[str, int], sight: Sight) -> dict[str, Any]:
    total = counts.get("total", 0)
    processed = total - sum(counts.get(s, 0) for s in UNPROCESSED)
    return {
        **run_data(run, sight, failed_count(counts)),
        "counts": counts,
        "progress": {
            "processed": processed,
            "total": total,
            "percent": round(100 * processed / total) if total else 100,
        },
        "manual_minutes_saved": manual_minutes_saved(run.robot_slug, counts),
        "summary": run.summary,
    }


def item_data(view: ItemView, actions: list[str] | None = None) -> dict[str, Any]:
    """An item as the caller may see it (`kuntarobo.runtime.visibility`): fields the caller's
    roles hide are left out, the reference has identity codes masked unless the view is full.
    `actions`: what the caller may do to it now (`kuntarobo.runtime.actions.allowed_actions`,
    empty for those who may not review), the same rule the web's buttons follow."""
    item = cast(WorkItem, view.item)
    data: dict[str, Any] = {
        "id": item.pk,
        "run": item.run_id,
        "municipality": item.municipality.slug,
        "robot": item.robot_slug,
        "reference": view.reference,
        "status": item.status,
        "priority": item.priority,
        "deadline": item.deadline,
        "attempts": item.attempts,
        "attention_count": view.attention_count,
        "created_at": item.created_at,
        "started_at": item.started_at,
        "finished_at": item.finished_at,
        "retry_at": item.retry_at,
        "wait_until": item.wait_until,
        "reviewed_by": _username(item.reviewed_by),
        "reviewed_at": item.reviewed_at,
        "personal_data_shown": view.personal,
        "actions": actions or [],
        # A failed item a corrected input replaced names the item made of the correction.
        "superseded_by": item.superseded_by_id,
    }
    if view.personal:
        data["title"] = view.title
        data["attention"] = view.attention
        data["review_note"] = view.review_note
        data["wait_reason"] = item.wait_reason
    return data


def item_detail_data(view: ItemView, actions: list[str] | None = None) -> dict[str, Any]:
    """The item's own view: with personal data, also its input, the robot's proposal, its
    reasoning and documents; the error for those who see personal data or technical details."""
    data = item_data(view, actions)
    if view.personal:
        data["payload"] = view.payload
        data["output"] = view.output
        data["explanation"] = view.explanation
        data["resume_payload"] = cast(WorkItem, view.item).resume_payload
        documents = cast(WorkItem, view.item).documents.order_by("id")
        data["documents"] = [
            {"id": d.pk, "name": d.name, "content_type": d.content_type} for d in documents
        ]
    if view.error_message is not None:
        data["error_message"] = view.error_message
    return data


def audit_data(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "at": event.at,
        "actor": event.actor_label,
        "municipality": event.municipality.slug if event.municipality else None,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "via": event.via,
        "details": event.details,
    }
