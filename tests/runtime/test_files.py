"""Stored files never outlive their rows: a rollback removes what its transaction wrote, the
sweep removes what no row refers to, and the retention purge removes what has been kept long
enough."""

from __future__ import annotations

import datetime
import json
import os
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase
from django.utils import timezone

from kuntarobo.audit.models import AuditEvent
from kuntarobo.runtime.files import save_file, write_file_atomically
from kuntarobo.runtime.housekeeping import housekeeping, purge_expired, sweep_orphan_files
from kuntarobo.runtime.models import ItemDocument, ItemStatus, Run, RunStatus, WorkItem
from tests.factories import RunFactory, WorkItemFactory

pytestmark = pytest.mark.django_db


class Refused(Exception):
    pass


def media(settings, name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def stored_run(municipality, content: bytes = b"010101A123N;x\n", **fields) -> Run:
    run = RunFactory.build(municipality=municipality, robot_slug="test_scripted", **fields)
    with transaction.atomic():
        save_file(run.input_file, "families.csv", ContentFile(content))
        run.save()
    return run


def store(run: Run, name: str, *, fail: bool = False) -> None:
    with transaction.atomic():
        save_file(run.input_file, name, ContentFile(b"x"))
        run.save()
        if fail:
            raise Refused


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


@pytest.mark.django_db(transaction=True)
def test_a_file_saved_in_a_transaction_that_rolls_back_is_removed(municipality, settings):
    run = Run(municipality=municipality, robot_slug="test_scripted", trigger="manual")
    written: list[bool] = []

    def store_then_fail() -> None:
        with transaction.atomic():
            save_file(run.input_file, "families.csv", ContentFile(b"x"))
            run.save()
            written.append(media(settings, run.input_file.name).exists())
            raise Refused

    with pytest.raises(Refused):
        store_then_fail()
    assert written == [True]
    assert not media(settings, run.input_file.name).exists()
    assert not Run.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_file_of_a_savepoint_rolled_back_goes_and_one_committed_stays(municipality, settings):
    kept = Run(municipality=municipality, robot_slug="test_scripted", trigger="manual")
    dropped = Run(municipality=municipality, robot_slug="test_scripted", trigger="manual")
    with transaction.atomic():
        kept_name = save_file(kept.input_file, "kept.csv", ContentFile(b"x"))
        kept.save()
        with pytest.raises(Refused):
            store(dropped, "dropped.csv", fail=True)
        assert not media(settings, dropped.input_file.name).exists()
    assert media(settings, kept_name).exists()
    assert list(Run.objects.values_list("input_file", flat=True)) == [kept_name]


@pytest.mark.django_db(transaction=True)
def test_a_file_saved_in_a_committed_inner_block_goes_when_the_outer_rolls_back(
    municipality, settings
):
    run = Run(municipality=municipality, robot_slug="test_scripted", trigger="manual")

    def inner_commits_outer_fails() -> None:
        with transaction.atomic():
            store(run, "families.csv")
            assert media(settings, run.input_file.name).exists()
            raise Refused

    with pytest.raises(Refused):
        inner_commits_outer_fails()
    assert not media(settings, run.input_file.name).exists()


def test_a_failed_atomic_write_leaves_neither_the_file_nor_its_temporary(tmp_path, monkeypatch):
    target = tmp_path / "decisions" / "VAKA-1.pdf"

    def full_disk(self, data):
        Path(self).write_text("half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    with pytest.raises(OSError, match="No space left"):
        write_file_atomically(target, b"%PDF")
    assert list(target.parent.iterdir()) == []


def test_the_sweep_removes_an_orphan_and_keeps_a_referenced_file_and_a_fresh_one(
    municipality, settings
):
    referenced = stored_run(municipality)
    kept = media(settings, referenced.input_file.name)
    orphan = media(settings, "inputs/2026/11/left-behind.csv")
    fresh = media(settings, "documents/2026/12/being-written.pdf")
    outside = media(settings, "outbox/invoice_check/esimerkkila/payment.csv")
    for path in (orphan, fresh, outside):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"131052-308T")
    for path in (kept, orphan, outside):
        age(path, 7200)
    dry = sweep_orphan_files(grace_seconds=3600, dry_run=True)
    assert (dry.removed, orphan.exists()) == (["inputs/2026/11/left-behind.csv"], True)
    assert not AuditEvent.objects.filter(action="files.sweep").exists()
    result = sweep_orphan_files(grace_seconds=3600)
    assert result.counts() == {"removed": 1, "referenced": 1, "fresh": 1}
    assert (orphan.exists(), kept.exists(), fresh.exists(), outside.exists()) == (
        False,
        True,
        True,
        True,
    )
    event = AuditEvent.objects.get(action="files.sweep")
    assert (event.municipality, event.details["removed"]) == (None, 1)
    assert "left-behind" not in json.dumps(event.details)  # names can be personal data


def test_the_sweep_command_prints_its_counts_and_removes_nothing_on_a_dry_run(
    municipality, settings, capsys
):
    orphan = media(settings, "inputs/2026/11/left-behind.csv")
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"x")
    age(orphan, 7200)
    call_command("files", "sweep", "--dry-run")
    assert json.loads(capsys.readouterr().out) == {
        "removed": 1,
        "referenced": 0,
        "fresh": 0,
        "dry_run": True,
    }
    assert orphan.exists()
    call_command("files", "sweep")
    assert json.loads(capsys.readouterr().out)["removed"] == 1
    assert not orphan.exists()


def test_the_retention_purge_removes_what_is_due_and_keeps_the_rest(municipality, settings):
    settings.KUNTAROBO_RETAIN_INPUT_DAYS = 30
    settings.KUNTAROBO_RETAIN_DOCUMENT_DAYS = 90
    settings.KUNTAROBO_RETAIN_ITEM_DATA_DAYS = 90
    settings.KUNTAROBO_RETAIN_PRINT_BATCH_DAYS = None
    now = timezone.now()
    old = now - datetime.timedelta(days=100)
    recent = now - datetime.timedelta(days=10)
    due = stored_run(municipality, status=RunStatus.FINISHED, finished_at=old)
    young = stored_run(municipality, status=RunStatus.FINISHED, finished_at=recent)
    running = stored_run(municipality, status=RunStatus.RUNNING)
    due_file = media(settings, due.input_file.name)
    done_long_ago = WorkItemFactory(
        run=due, reference="a", status=ItemStatus.DONE, finished_at=old, payload={"hetu": "x"},
        output={"fee": 1}, record={"hetu": "x"}, explanation=["line"],
    )  # fmt: skip
    done_lately = WorkItemFactory(
        run=due, reference="b", status=ItemStatus.DONE, finished_at=recent, payload={"hetu": "y"}
    )
    waiting = WorkItemFactory(
        run=due, reference="c", status=ItemStatus.NEEDS_REVIEW, finished_at=old,
        payload={"hetu": "z"},
    )  # fmt: skip
    documents = {}
    for item in (done_long_ago, done_lately, waiting):
        document = ItemDocument(item=item, name="letter.pdf", content_type="application/pdf")
        with transaction.atomic():
            save_file(document.file, "letter.pdf", ContentFile(b"%PDF"))
            document.save()
        documents[item.reference] = media(settings, document.file.name)

    dry = purge_expired(now=now, dry_run=True)
    assert dry.counts() == {"inputs": 1, "documents": 1, "print_batches": 0, "items": 1}
    assert due_file.exists()
    assert ItemDocument.objects.count() == 3

    with TestCase.captureOnCommitCallbacks(execute=True):
        result = purge_expired(now=now)
    assert result.counts() == dry.counts()
    due.refresh_from_db()
    assert (due.input_file.name, due_file.exists()) == ("", False)
    for run in (young, running):
        run.refresh_from_db()
        assert media(settings, run.input_file.name).exists()
    assert [d.exists() for d in documents.values()] == [False, True, True]
    assert sorted(ItemDocument.objects.values_list("item__reference", flat=True)) == ["b", "c"]
    done_long_ago.refresh_from_db()
    assert (
        done_long_ago.payload,
        done_long_ago.output,
        done_long_ago.record,
        done_long_ago.explanation,
    ) == ({}, {}, {}, [])
    assert WorkItem.objects.get(pk=done_lately.pk).payload == {"hetu": "y"}
    assert WorkItem.objects.get(pk=waiting.pk).payload == {"hetu": "z"}
    event = AuditEvent.objects.get(action="retention.purge")
    assert event.details["items"] == 1
    assert purge_expired(now=now).counts() == {
        "inputs": 0,
        "documents": 0,
        "print_batches": 0,
        "items": 0,
    }


def test_retention_keeps_everything_when_no_period_is_set(municipality, settings):
    for name in ("INPUT", "DOCUMENT", "PRINT_BATCH", "ITEM_DATA"):
        setattr(settings, f"KUNTAROBO_RETAIN_{name}_DAYS", None)
    run = stored_run(
        municipality,
        status=RunStatus.FINISHED,
        finished_at=timezone.now() - datetime.timedelta(days=3650),
    )
    assert sum(purge_expired().counts().values()) == 0
    assert media(settings, Run.objects.get(pk=run.pk).input_file.name).exists()


def test_the_scheduler_does_housekeeping_once_an_interval(municipality, settings):
    settings.KUNTAROBO_HOUSEKEEPING_INTERVAL_SECONDS = 3600
    orphan = media(settings, "inputs/2026/11/left-behind.csv")
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"x")
    age(orphan, 7200)
    state: dict[str, float] = {}
    assert housekeeping(state, now_seconds=10_000.0)["files_swept"] == 1
    orphan.write_bytes(b"x")
    age(orphan, 7200)
    assert housekeeping(state, now_seconds=10_100.0) == {}  # not yet an hour
    assert orphan.exists()
    assert housekeeping(state, now_seconds=13_700.0)["files_swept"] == 1
