"""`kuntarobo robots list | show | run`."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.management import call_command

from kuntarobo.api.management.commands import robots as robots_command
from kuntarobo.audit.models import AuditEvent
from kuntarobo.demo.data import write_invoice_file
from kuntarobo.runtime.models import Run
from tests.api.helpers import build_world, state

MALFORMED_CSV = (
    "invoice_id;supplier_name;business_id;iban;reference;amount;invoice_date;due_date\n"
    "1;A;0737546-2;FI2112345600000785;13;12,5;2026-13-01;2026-12-01\n"
)


def test_the_robot_list_is_a_table_of_every_robot(cli):
    result = cli("robots", "list")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].split() == ["SLUG", "CLASS", "NAME", "SCHEDULE", "UPLOAD", "MIN/ITEM"]
    invoice = next(line for line in lines if line.startswith("invoice_check"))
    assert "Ostolaskujen tarkistus" in invoice
    assert ".csv" in invoice


def test_the_robot_list_speaks_english_when_asked(cli):
    assert "Purchase invoice check" in cli("robots", "list", "--language", "en").out


def test_a_robot_is_shown_with_parameters_and_path(cli):
    result = cli("robots", "show", "invoice_check", "--language", "en")
    assert result.code == 0
    assert result.out.startswith("invoice_check — Purchase invoice check")
    assert "Class: B (prepares" in result.out
    assert "approval_limit (decimal, default 5000)" in result.out
    assert "4. person: Approve the proposal" in result.out


def test_a_robot_can_be_shown_as_json(cli):
    data = json.loads(cli("robots", "show", "file_archiver", "--json").out)
    assert data["slug"] == "file_archiver"
    assert [p["name"] for p in data["parameters"] if p["required"]] == [
        "inbox_folder",
        "archive_folder",
    ]
    assert data["path"]["steps"]


def test_showing_an_unknown_robot_exits_with_2(cli):
    result = cli("robots", "show", "no_such_robot")
    assert result.code == 2
    assert "unknown robot 'no_such_robot'" in result.err
    assert "invoice_check" in result.err


def test_a_run_started_from_the_command_line_prints_a_json_summary(cli, world):
    result = cli(
        "robots",
        "run",
        "invoice_check",
        "--municipality",
        "esimerkkila",
        "--input",
        str(next(world.inbox.glob("*.csv"))),
        "--param",
        "approval_limit=9000",
        "--user",
        "coordinator",
    )
    assert result.code == 0, result.err
    summary = result.json()
    run = Run.objects.get(pk=summary["run"])
    assert summary == {
        "run": run.pk,
        "municipality": "esimerkkila",
        "robot": "invoice_check",
        "created": 3,
        "duplicates": 0,
        "corrected": 0,
        "already_done": 0,
        "status": "running",
    }
    assert (run.trigger, run.parameters["approval_limit"]) == ("cli", "9000")
    assert AuditEvent.objects.get(action="run.start", object_id=str(run.pk)).via == "cli"
    again = cli(
        "robots",
        "run",
        "invoice_check",
        "--municipality=esimerkkila",
        "--param=inbox_folder=inbox",
        "--user=coordinator",
    )
    assert (again.json()["created"], again.json()["duplicates"]) == (0, 3)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["no_such", "--municipality", "esimerkkila"], "unknown robot 'no_such'"),
        (["invoice_check", "--municipality", "atlantis"], "unknown municipality 'atlantis'"),
        (["invoice_check", "--municipality", "esimerkkila", "--input", "/no/file.csv"], "no such"),
        (["invoice_check", "--municipality", "esimerkkila", "--input", "BAD"], "row 2: column"),
        (["invoice_check", "--municipality", "esimerkkila", "--param", "limit"], "name=value"),
        (
            ["invoice_check", "--municipality", "esimerkkila", "--param", "colour=red"],
            "unknown parameter 'colour'",
        ),
        (
            ["invoice_check", "--municipality", "esimerkkila", "--param", "approval_limit=x"],
            "parameter 'approval_limit'",
        ),
        (
            ["invoice_check", "--municipality", "esimerkkila", "--param", "a=1", "--param", "a=2"],
            "more than once",
        ),
        (["file_archiver", "--municipality", "esimerkkila"], "parameter 'inbox_folder'"),
        (
            ["invoice_check", "--municipality", "esimerkkila", "--param", "inbox_folder=../../x"],
            "parameter 'inbox_folder': '../../x' is not a folder inside the robot's own storage",
        ),
        (["invoice_check", "--municipality", "esimerkkila", "--timeout", "soon"], "--timeout"),
        (["invoice_check", "--municipality", "naapurila"], "may not run in naapurila"),
    ],
)
def test_a_run_with_bad_input_exits_with_2_and_changes_nothing(cli, world, tmp_path, argv, message):
    bad = tmp_path / "bad.csv"
    bad.write_text(MALFORMED_CSV)
    argv = [str(bad) if a == "BAD" else a for a in argv]
    before = state()
    result = cli("robots", "run", *argv, "--user", "coordinator")
    assert result.code == 2
    assert message in result.err
    assert result.out == ""
    assert state() == before


@pytest.mark.parametrize(
    ("user", "message"),
    [
        ("viewer", "viewer may not run in esimerkkila"),
        ("reviewer", "reviewer may not run in esimerkkila"),
        ("nobody", "unknown user 'nobody'"),
    ],
)
def test_a_run_by_a_user_without_the_right_exits_with_2(cli, world, user, message):
    before = state()
    result = cli(
        "robots",
        "run",
        "invoice_check",
        "--municipality",
        "esimerkkila",
        "--param=inbox_folder=inbox",
        "--user",
        user,
    )
    assert (result.code, message in result.err) == (2, True), result.err
    assert state() == before


def test_a_run_without_a_user_is_refused_by_the_parser(cli, world):
    result = cli("robots", "run", "invoice_check", "--municipality", "esimerkkila")
    assert result.code == 2
    assert "--user" in result.err


def test_a_deactivated_user_cannot_start_a_run(cli, world):
    coordinator = world.user("coordinator")
    coordinator.is_active = False
    coordinator.save()
    result = cli(
        "robots", "run", "invoice_check", "--municipality=esimerkkila", "--user=coordinator"
    )
    assert (result.code, "deactivated" in result.err) == (2, True)


@pytest.mark.django_db(transaction=True)
def test_waiting_prints_the_counts_once_the_workers_have_finished_the_run(
    cli, tmp_path, monkeypatch
):
    build_world()
    invoices = write_invoice_file(tmp_path / "in", datetime.date(2030, 5, 6), count=8, seed=2)
    looks = []

    def worker_instead_of_sleeping(seconds: float) -> None:
        looks.append(seconds)
        call_command("worker", batch=True, interval=0, verbosity=0)

    monkeypatch.setattr(robots_command, "sleep", worker_instead_of_sleeping)
    result = cli(
        "robots",
        "run",
        "invoice_check",
        "--municipality=esimerkkila",
        f"--input={invoices}",
        "--user=coordinator",
        "--wait",
        "--poll-interval=0.25",
    )
    assert result.code == 0, result.err
    summary = result.json()
    assert summary["status"] == "finished"
    assert summary["created"] == 8
    counts = summary["counts"]
    assert counts["total"] == 8
    assert counts["needs_review"] + counts["failed_business"] == 8
    assert counts["failed_business"] >= 1
    # Never a plain success when items failed: the outcome names them.
    assert summary["outcome"] == "finished_with_failures"
    assert summary["failed_items"] == counts["failed_business"]
    assert looks == [0.25]
    assert "no worker is running" in result.err


def test_waiting_gives_up_after_the_timeout_with_exit_code_1(cli, world):
    result = cli(
        "robots",
        "run",
        "invoice_check",
        "--municipality=esimerkkila",
        "--param=inbox_folder=inbox",
        "--user=coordinator",
        "--wait",
        "--timeout=0",
    )
    assert result.code == 1
    assert result.json()["status"] == "running"
    assert result.json()["counts"] == {"new": 3, "total": 3}
    assert "still running" in result.err


def test_an_identity_code_in_bad_input_is_masked_in_the_error(cli, world):
    result = cli("robots", "run", "invoice_check", "--municipality=131052-308T", "--user=viewer")
    assert result.code == 2
    assert "131052-308T" not in result.err
    assert "unknown municipality '******-****'" in result.err
