"""Keeping personal data no longer than needed: the sweep of files no row refers to, and the
retention purge of run inputs, item documents, work items' data and what each robot declares of
its own (`Robot.retention`, e.g. the fee robot's print batches).

Archived records (fee decisions and their PDFs) are never purged here; neither is the audit
trail (its own purge is `kuntarobo audit purge`).
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kuntarobo.audit.trail import record
from kuntarobo.runtime.declarations import robot_retention
from kuntarobo.runtime.files import managed_prefixes, referenced_names, stored_files
from kuntarobo.runtime.models import FINAL_STATUSES, ItemDocument, Run, RunStatus, WorkItem

# Runs whose input is no longer read: their items hold what the robot took from it.
_ENDED_RUNS = (RunStatus.FINISHED, RunStatus.REFUSED, RunStatus.FAILED)


@dataclass
class SweepResult:
    removed: list[str] = field(default_factory=list)
    referenced: int = 0
    fresh: int = 0

    def counts(self) -> dict[str, int]:
        return {"removed": len(self.removed), "referenced": self.referenced, "fresh": self.fresh}


def sweep_orphan_files(
    *,
    grace_seconds: int | None = None,
    dry_run: bool = False,
    actor: str = "files sweep",
    via: str = "system",
    audit_empty: bool = True,
) -> SweepResult:
    """Remove the files under the models' upload folders that no row refers to and that are
    older than the grace period (a file being written now, whose row is not yet committed, is
    left alone). Files elsewhere under MEDIA_ROOT (e.g. a robot's outbox) are not looked at."""
    grace = settings.KUNTAROBO_FILES_GRACE_SECONDS if grace_seconds is None else grace_seconds
    root = Path(settings.MEDIA_ROOT)
    prefixes = sorted(managed_prefixes())
    # Listed before the rows are read: a file whose row commits in between is then seen as
    # referenced, never removed as an orphan.
    found = list(stored_files(root, prefixes))
    referenced = referenced_names()
    cutoff = time.time() - grace
    result = SweepResult()
    for name, modified in found:
        if name in referenced:
            result.referenced += 1
        elif modified > cutoff:
            result.fresh += 1
        else:
            result.removed.append(name)
            if not dry_run:
                (root / name).unlink(missing_ok=True)
    if not dry_run and (result.removed or audit_empty):
        record(
            "files.sweep",
            actor=actor,
            via=via,
            details={**result.counts(), "folders": prefixes, "grace_seconds": grace},
        )
    return result


@dataclass
class RetentionResult:
    inputs: int = 0
    documents: int = 0
    items: int = 0
    # Each robot-declared kind's count (`Robot.retention`), e.g. "print_batches".
    robots: dict[str, int] = field(default_factory=dict)
    periods: dict[str, int | None] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {
            "inputs": self.inputs,
            "documents": self.documents,
            **self.robots,
            "items": self.items,
        }


def retention_periods() -> dict[str, int | None]:
    """Days each kind of data is kept after its work ended; None keeps it."""
    return {
        "inputs": settings.KUNTAROBO_RETAIN_INPUT_DAYS,
        "documents": settings.KUNTAROBO_RETAIN_DOCUMENT_DAYS,
        **{kind.kind: getattr(settings, kind.days_setting, None) for kind in robot_retention()},
        "items": settings.KUNTAROBO_RETAIN_ITEM_DATA_DAYS,
    }


def purge_expired(
    *,
    now: datetime.datetime | None = None,
    dry_run: bool = False,
    actor: str = "retention purge",
    via: str = "system",
    audit_empty: bool = True,
) -> RetentionResult:
    """Delete what has been kept its retention period: input files of ended runs, documents of
    items in a final status, what the robots declare of their own (`Robot.retention`), and the
    personal data (input, output, the robot's record data, explanation) of items in a final
    status. Rows stay, so counts and the audit trail still add up; files go once the deletion
    commits."""
    now = now or timezone.now()
    periods = retention_periods()
    result = RetentionResult(periods=periods)

    def before(kind: str) -> datetime.datetime | None:
        days = periods[kind]
        return None if days is None else now - datetime.timedelta(days=days)

    files: list[str] = []
    with transaction.atomic():
        if (cutoff := before("inputs")) is not None:
            runs = Run.objects.filter(status__in=_ENDED_RUNS, finished_at__lt=cutoff).exclude(
                input_file=""
            )
            names = list(runs.values_list("input_file", flat=True))
            result.inputs = len(names)
            if not dry_run:
                runs.update(input_file="")
                files += names
        if (cutoff := before("documents")) is not None:
            documents = ItemDocument.objects.filter(
                item__status__in=FINAL_STATUSES, item__finished_at__lt=cutoff
            )
            names = list(documents.values_list("file", flat=True))
            result.documents = len(names)
            if not dry_run:
                documents.delete()
                files += names
        for kind in robot_retention():
            result.robots[kind.kind] = 0
            if (cutoff := before(kind.kind)) is not None:
                result.robots[kind.kind], names = kind.purge(cutoff, dry_run)
                if not dry_run:
                    files += names
        if (cutoff := before("items")) is not None:
            items = WorkItem.objects.filter(
                status__in=FINAL_STATUSES, finished_at__lt=cutoff
            ).filter(
                ~Q(payload={})
                | ~Q(output={})
                | ~Q(record={})
                | ~Q(explanation=[])
                | ~Q(attention=[])
            )
            if dry_run:
                result.items = items.count()
            else:
                result.items = items.update(
                    payload={},
                    output={},
                    record={},
                    explanation=[],
                    attention=[],
                    error_message="",
                )
        if not dry_run and (any(result.counts().values()) or audit_empty):
            record(
                "retention.purge",
                actor=actor,
                via=via,
                details={**result.counts(), "days": periods},
            )
        if files:
            transaction.on_commit(lambda: _delete_files(files))
    return result


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def housekeeping(state: dict[str, Any], now_seconds: float | None = None) -> dict[str, int]:
    """The scheduler's periodic sweep and retention purge, once per
    KUNTAROBO_HOUSEKEEPING_INTERVAL_SECONDS; `state` is the scheduler's memory of the last."""
    now_seconds = time.monotonic() if now_seconds is None else now_seconds
    interval = settings.KUNTAROBO_HOUSEKEEPING_INTERVAL_SECONDS
    last = state.get("housekeeping")
    if interval <= 0 or (last is not None and now_seconds - last < interval):
        return {}
    state["housekeeping"] = now_seconds
    swept = sweep_orphan_files(actor="scheduler", via="scheduler", audit_empty=False)
    purged = purge_expired(actor="scheduler", via="scheduler", audit_empty=False)
    return {"files_swept": len(swept.removed), "retention_purged": sum(purged.counts().values())}
