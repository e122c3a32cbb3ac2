"""`kuntarobo audit export | purge`."""

from __future__ import annotations

import csv
import datetime
import io
import json
from unittest import mock

import pytest
from django.utils import timezone

from kuntarobo.audit.models import AuditEvent
from kuntarobo.audit.trail import record


def recorded_days_ago(days: int, action: str = "item.view", municipality=None) -> AuditEvent:
    moment = timezone.now() - datetime.timedelta(days=days)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        return record(action, actor="test", municipality=municipality)


def test_the_csv_export_goes_to_stdout_oldest_first_and_is_audited(cli, world):
    result = cli("audit", "export", "--format", "csv")
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert [(r["action"], r["municipality"]) for r in rows] == [
        ("run.start", "esimerkkila"),
        ("run.start", "naapurila"),
    ]
    export = AuditEvent.objects.get(action="audit.export")
    assert (export.via, export.municipality, export.details["events"]) == ("cli", None, 2)
    assert export.actor_label.startswith("command line (")


def test_the_json_lines_export_of_one_municipality_is_written_to_a_file(cli, world, tmp_path):
    target = tmp_path / "audit.jsonl"
    result = cli(
        "audit", "export", "--format=jsonl", "--municipality=naapurila", f"--output={target}"
    )
    assert result.code == 0, result.err
    assert result.out == ""
    assert "1 audit events written" in result.err
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert [(r["action"], r["municipality"]) for r in rows] == [("run.start", "naapurila")]
    assert list(tmp_path.glob(".audit.jsonl.*")) == []
    assert AuditEvent.objects.get(action="audit.export").municipality.slug == "naapurila"


def test_an_export_as_a_user_covers_only_its_municipalities(cli, world):
    result = cli("audit", "export", "--format=jsonl", "--user=neighbour")
    rows = [json.loads(line) for line in result.out.splitlines()]
    assert {r["municipality"] for r in rows} == {"naapurila"}
    export = AuditEvent.objects.get(action="audit.export")
    assert (export.actor, export.municipality.slug) == (world.user("neighbour"), "naapurila")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--format=xml"], "invalid choice"),
        ([], "--format"),
        (["--format=csv", "--municipality=atlantis"], "unknown municipality 'atlantis'"),
        (["--format=csv", "--user=viewer"], "may not see the audit trail"),
        (["--format=csv", "--user=neighbour", "--municipality=esimerkkila"], "unknown munic"),
        (["--format=csv", "--user=nobody"], "unknown user 'nobody'"),
        (["--format=csv", "--output=/no/such/folder/audit.csv"], "existing folder"),
    ],
)
def test_a_bad_export_exits_with_2_and_records_nothing(cli, world, argv, message):
    before = AuditEvent.objects.count()
    result = cli("audit", "export", *argv)
    assert result.code == 2
    assert message in result.err
    assert AuditEvent.objects.count() == before


def test_the_purge_removes_events_older_than_the_date_and_records_itself(cli, world):
    ancient = recorded_days_ago(800, municipality=world.home.municipality)
    kept = recorded_days_ago(300)
    cutoff = timezone.localdate() - datetime.timedelta(days=400)
    result = cli("audit", "purge", f"--before={cutoff}", "--yes")
    assert result.code == 0, result.err
    assert result.out.strip() == f"removed 1 audit events recorded before {cutoff}"
    assert not AuditEvent.objects.filter(pk=ancient.pk).exists()
    assert AuditEvent.objects.filter(pk=kept.pk).exists()
    purge = AuditEvent.objects.get(action="audit.purge")
    assert purge.details["removed"] == 1
    assert purge.actor_label.startswith("command line (")


def test_a_purge_of_the_last_year_needs_force(cli, world):
    recent = recorded_days_ago(10)
    cutoff = timezone.localdate() - datetime.timedelta(days=5)
    refused = cli("audit", "purge", f"--before={cutoff}", "--yes")
    assert refused.code == 2
    assert "less than a year ago" in refused.err
    assert AuditEvent.objects.filter(pk=recent.pk).exists()
    forced = cli("audit", "purge", f"--before={cutoff}", "--yes", "--force")
    assert forced.code == 0, forced.err
    assert not AuditEvent.objects.filter(pk=recent.pk).exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--before=2020-01-01"], "--yes"),
        (["--before=1.1.2020", "--yes"], "YYYY-MM-DD"),
        (["--before=2020-02-30", "--yes"], "YYYY-MM-DD"),
        (["--yes"], "--before"),
        (["--before=FUTURE", "--yes", "--force"], "in the future"),
    ],
)
def test_a_bad_purge_exits_with_2_and_removes_nothing(cli, world, argv, message):
    recorded_days_ago(3000)
    future = timezone.localdate() + datetime.timedelta(days=1)
    argv = [a.replace("FUTURE", future.isoformat()) for a in argv]
    before = AuditEvent.objects.count()
    result = cli("audit", "purge", *argv)
    assert result.code == 2
    assert message in result.err
    assert AuditEvent.objects.count() == before
