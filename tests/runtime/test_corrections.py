"""Failed items can be fixed (a corrected input replaces them), corrections go through the
robot's own rules, and a robot not in use in a municipality does not run there: through the
actions, the web, the API and the command line."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import ManagementUtility
from django.db import connections
from django.urls import reverse
from django.utils import timezone, translation

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.robots.invoice_check.robot import outbox_dir
from kuntarobo.runtime import actions
from kuntarobo.runtime.declarations import InputError
from kuntarobo.runtime.execution import run_counts
from kuntarobo.runtime.impact import manual_minutes_saved
from kuntarobo.runtime.models import ItemStatus, RobotDeployment, Run, RunStatus, WorkItem
from kuntarobo.web.forms import PARAMETER_PREFIX
from kuntarobo.web.runs import figures
from tests.api.helpers import client_for
from tests.factories import MunicipalityFactory, RunFactory, WorkItemFactory, user_with_role
from tests.runtime.helpers import drain

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = "invoice_id;supplier_name;business_id;iban;reference;amount;invoice_date;due_date;"
HEADER += "purchase_order\n"
GOOD_IBAN = "FI2112345600000785"
BAD_IBAN = "FI2112345600000786"


def invoices(path: Path, *rows: tuple[str, str]) -> Path:
    """A purchase ledger file of (invoice id, IBAN) rows, otherwise valid, due next year."""
    due = datetime.date(timezone.localdate().year + 1, 3, 2)
    lines = [
        f"{invoice};Siivous Oy;1234561-2;{iban};1232;120,50;{due - datetime.timedelta(days=14)};"
        f"{due};PO-1\n"
        for invoice, iban in rows
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def municipality():
    return MunicipalityFactory(slug="esimerkkila")


def item(invoice: str, status: str | None = None) -> WorkItem:
    items = WorkItem.objects.filter(reference=f"1234561-2:{invoice}")
    if status is not None:
        items = items.filter(status=status)
    return items.get()


def test_a_corrected_input_replaces_the_failed_item_and_the_robot_does_the_corrected_data(
    municipality, tmp_path
):
    coordinator = user_with_role(Role.COORDINATOR, municipality)
    actions.start_run(
        coordinator,
        municipality,
        "invoice_check",
        input_file=invoices(tmp_path / "first.csv", ("A-1", BAD_IBAN), ("A-2", GOOD_IBAN)),
    )
    drain()
    failed = item("A-1")
    assert failed.status == ItemStatus.FAILED_BUSINESS

    corrected = actions.start_run(
        coordinator,
        municipality,
        "invoice_check",
        input_file=invoices(tmp_path / "fixed.csv", ("A-1", GOOD_IBAN), ("A-2", GOOD_IBAN)),
    )
    assert (corrected.created, corrected.corrected, corrected.duplicates) == (1, 1, 1)
    failed.refresh_from_db()
    new = item("A-1", ItemStatus.NEW)
    assert (failed.status, failed.superseded_by_id) == (ItemStatus.SUPERSEDED, new.pk)
    assert new.payload["iban"] == GOOD_IBAN
    event = AuditEvent.objects.get(action="item.supersede")
    assert (event.object_id, event.details["by"], event.details["from"]) == (
        str(failed.pk),
        new.pk,
        ItemStatus.FAILED_BUSINESS,
    )
    drain()
    new.refresh_from_db()
    assert (new.status, new.output["iban"]) == (ItemStatus.NEEDS_REVIEW, GOOD_IBAN)


def test_retrying_the_replaced_item_is_refused_and_names_the_item_made_of_the_correction(
    municipality, tmp_path
):
    reviewer = user_with_role(Role.ADMINISTRATOR, municipality)
    actions.start_run(
        reviewer,
        municipality,
        "invoice_check",
        input_file=invoices(tmp_path / "first.csv", ("B-1", BAD_IBAN)),
    )
    drain()
    failed = item("B-1")
    actions.start_run(
        reviewer,
        municipality,
        "invoice_check",
        input_file=invoices(tmp_path / "fixed.csv", ("B-1", GOOD_IBAN)),
    )
    new = item("B-1", ItemStatus.NEW)
    with translation.override("en"):
        result = actions.retry_items(reviewer, [failed.pk])
    assert result.done == []
    assert f"replaced by the corrected work item {new.pk}" in result.refused[failed.pk]
    # The corrected item failing again is retried with its own, corrected data.
    drain()
    new.refresh_from_db()
    WorkItem.objects.filter(pk=new.pk).update(status=ItemStatus.FAILED_APPLICATION)
    assert actions.retry_items(reviewer, [new.pk]).done == [new.pk]
    drain()
    new.refresh_from_db()
    assert (new.status, new.output["iban"]) == (ItemStatus.NEEDS_REVIEW, GOOD_IBAN)


def test_a_done_item_is_never_replaced_and_the_upload_reports_it_as_already_done(
    municipality, tmp_path
):
    coordinator = user_with_role(Role.COORDINATOR, municipality)
    run = RunFactory(municipality=municipality)
    done = WorkItemFactory(
        run=run,
        reference="1234561-2:C-1",
        status=ItemStatus.DONE,
        payload={"iban": BAD_IBAN},
    )
    again = actions.start_run(
        coordinator,
        municipality,
        "invoice_check",
        input_file=invoices(tmp_path / "again.csv", ("C-1", GOOD_IBAN), ("C-2", GOOD_IBAN)),
    )
    assert (again.created, again.corrected, again.duplicates, again.already_done) == (1, 0, 1, 1)
    done.refresh_from_db()
    assert (done.status, done.superseded_by_id) == (ItemStatus.DONE, None)
    assert not AuditEvent.objects.filter(action="item.supersede").exists()


def test_the_same_failed_input_again_is_already_known_not_a_correction(municipality, tmp_path):
    coordinator = user_with_role(Role.COORDINATOR, municipality)
    first = invoices(tmp_path / "first.csv", ("D-1", BAD_IBAN))
    actions.start_run(coordinator, municipality, "invoice_check", input_file=first)
    drain()
    again = actions.start_run(coordinator, municipality, "invoice_check", input_file=first)
    assert (again.created, again.corrected, again.duplicates) == (0, 0, 1)
    assert item("D-1").status == ItemStatus.FAILED_BUSINESS


def test_saved_time_counts_each_reference_once_and_never_a_repeat_of_counted_work(municipality):
    run = RunFactory(municipality=municipality)
    WorkItemFactory(run=run, status=ItemStatus.DONE, reference="unit-1:2026-11")
    WorkItemFactory(
        run=run, status=ItemStatus.DONE, reference="unit-1:2026-11:resend-9", saves_time=False
    )
    WorkItemFactory(run=run, status=ItemStatus.SUPERSEDED, reference="unit-2:2026-11")
    WorkItemFactory(run=run, status=ItemStatus.APPROVED, reference="unit-2:2026-11")
    per_item = Decimal(3)  # the invoice robot's manual minutes per item
    assert manual_minutes_saved("invoice_check", run_counts(run)) == 2 * per_item
    assert figures(run).minutes_saved == 2 * per_item
    admin = user_with_role(Role.ADMINISTRATOR, municipality)
    body = client_for(admin).get(f"/api/v1/runs/{run.pk}").json()
    assert Decimal(body["manual_minutes_saved"]) == 2 * per_item


def test_the_run_page_says_in_finnish_what_the_upload_came_to(municipality, tmp_path):
    coordinator = user_with_role(Role.ADMINISTRATOR, municipality)
    actions.start_run(
        coordinator,
        municipality,
        "invoice_check",
        input_file=invoices(tmp_path / "first.csv", ("E-1", BAD_IBAN), ("E-2", GOOD_IBAN)),
    )
    drain()
    client = client_for(coordinator)
    upload = invoices(
        tmp_path / "fixed.csv", ("E-1", GOOD_IBAN), ("E-2", GOOD_IBAN), ("E-3", GOOD_IBAN)
    )
    response = client.post(
        reverse("robot_start", args=["invoice_check"]),
        {
            "municipality": "esimerkkila",
            "input_file": SimpleUploadedFile("fixed.csv", upload.read_bytes()),
        },
        HTTP_ACCEPT_LANGUAGE="fi",
    )
    assert response.status_code == 302
    drain()  # the worker reads the upload, then does the items
    run = Run.objects.latest("pk")
    page = client.get(reverse("run_detail", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="fi")
    text = page.content.decode()
    assert "1 uusi tehtävä; 1 korjaus korvasi keskeytyneen tehtävän; 1 jo tunnettu." in text, text
    old = item("E-1", ItemStatus.SUPERSEDED)
    old_page = client.get(reverse("item_detail", args=[old.pk]), HTTP_ACCEPT_LANGUAGE="fi")
    assert reverse("item_detail", args=[old.superseded_by_id]) in old_page.content.decode()


def test_the_api_answers_how_many_corrections_replaced_failed_items(municipality, tmp_path):
    coordinator = user_with_role(Role.ADMINISTRATOR, municipality)
    actions.start_run(
        coordinator,
        municipality,
        "invoice_check",
        input_file=invoices(tmp_path / "first.csv", ("F-1", BAD_IBAN)),
    )
    drain()
    failed = item("F-1")
    response = client_for(coordinator).post(
        "/api/v1/runs",
        {
            "municipality": "esimerkkila",
            "robot": "invoice_check",
            "file": SimpleUploadedFile(
                "fixed.csv", invoices(tmp_path / "fixed.csv", ("F-1", GOOD_IBAN)).read_bytes()
            ),
        },
    )
    assert response.status_code == 202, response.content
    drain()
    body = client_for(coordinator).get(f"/api/v1/runs/{response.json()['id']}").json()
    assert (body["items_created"], body["items_corrected"], body["items_duplicate"]) == (1, 1, 0)
    old = client_for(coordinator).get(f"/api/v1/items/{failed.pk}").json()
    assert old["status"] == "superseded"
    assert old["superseded_by"] == item("F-1", ItemStatus.NEEDS_REVIEW).pk
    assert "retry" not in old["actions"]


def kuntarobo(capsys, *argv: str) -> tuple[int, str, str]:
    """`kuntarobo ...` in this process, as the console script runs it: exit code, stdout and
    stderr."""
    capsys.readouterr()
    argv_full = ["kuntarobo", *argv]
    command = ManagementUtility(argv_full).fetch_command(argv[0])
    with mock.patch.object(connections, "close_all"):
        try:
            command.run_from_argv(argv_full)
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_command_line_upload_says_how_many_corrections_replaced_failed_items(
    municipality, tmp_path, capsys
):
    user_with_role(Role.COORDINATOR, municipality, username="koordinaattori")
    first = invoices(tmp_path / "first.csv", ("G-1", BAD_IBAN), ("G-2", GOOD_IBAN))
    start = ("robots", "run", "invoice_check", "--municipality", "esimerkkila")
    code, _, _ = kuntarobo(capsys, *start, "--user", "koordinaattori", "--input", str(first))
    assert code == 0
    drain()
    WorkItem.objects.filter(reference="1234561-2:G-2").update(status=ItemStatus.DONE)
    fixed = invoices(tmp_path / "fixed.csv", ("G-1", GOOD_IBAN), ("G-2", GOOD_IBAN))
    code, out, _ = kuntarobo(capsys, *start, "--user", "koordinaattori", "--input", str(fixed))
    assert code == 0
    summary = json.loads(out.strip().splitlines()[-1])
    assert (summary["created"], summary["corrected"], summary["duplicates"]) == (1, 1, 1)
    assert summary["already_done"] == 1


# --- corrections go through the robot's own rules ----------------------------------------------


@pytest.fixture
def proposal(municipality, tmp_path) -> WorkItem:
    coordinator = user_with_role(Role.COORDINATOR, municipality)
    actions.start_run(
        coordinator,
        municipality,
        "invoice_check",
        input_file=invoices(tmp_path / "first.csv", ("H-1", GOOD_IBAN)),
    )
    drain()
    return item("H-1", ItemStatus.NEEDS_REVIEW)


def boxing_day() -> str:
    """26 December (a Finnish public holiday) of a year to come, on a weekday."""
    year = timezone.localdate().year + 1
    while datetime.date(year, 12, 26).weekday() >= 5:
        year += 1
    return f"{year}-12-26"


def test_a_corrected_payment_date_on_a_holiday_is_refused_and_nothing_reaches_the_outbox(
    municipality, proposal
):
    reviewer = user_with_role(Role.REVIEWER, municipality)
    before = dict(proposal.output)
    with translation.override("en"), pytest.raises(InputError) as refused:
        actions.correct_item(reviewer, proposal.pk, {"payment_date": boxing_day()}, via="cli")
    assert refused.value.field == "payment_date"
    assert "Payment date: 26 December" in str(refused.value)
    assert "is a holiday; payments are made on working days" in str(refused.value)
    drain()
    proposal.refresh_from_db()
    assert (proposal.status, proposal.output) == (ItemStatus.NEEDS_REVIEW, before)
    assert not outbox_dir(municipality.slug).exists()
    assert not AuditEvent.objects.filter(action="item.correct").exists()


def test_a_corrected_payment_date_on_a_working_day_is_accepted_and_delivered(
    municipality, proposal
):
    reviewer = user_with_role(Role.REVIEWER, municipality)
    day = datetime.date.fromisoformat(boxing_day()) + datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    result = actions.correct_item(reviewer, proposal.pk, {"payment_date": day.isoformat()})
    assert result.done == [proposal.pk]
    drain()
    assert [path.name[:8] for path in outbox_dir(municipality.slug).glob("*.json")] == [
        f"{day:%Y%m%d}"
    ]


def test_the_web_correction_form_refuses_a_holiday_in_finnish_naming_the_field(
    municipality, proposal
):
    reviewer = user_with_role(Role.REVIEWER, municipality)
    response = client_for(reviewer).post(
        reverse("item_correct", args=[proposal.pk]),
        {f"{PARAMETER_PREFIX}payment_date": boxing_day(), "note": ""},
        HTTP_ACCEPT_LANGUAGE="fi",
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Maksupäivä: 26.12." in text
    assert "on pyhäpäivä; maksut suoritetaan arkipäivinä" in text
    proposal.refresh_from_db()
    assert proposal.status == ItemStatus.NEEDS_REVIEW


def test_the_api_refuses_a_correction_on_a_weekend_and_names_the_field(municipality, proposal):
    reviewer = user_with_role(Role.REVIEWER, municipality)
    saturday = datetime.date.fromisoformat(boxing_day())
    while saturday.weekday() != 5:
        saturday += datetime.timedelta(days=1)
    response = client_for(reviewer).post(
        f"/api/v1/items/{proposal.pk}/correct",
        json.dumps({"corrections": {"payment_date": saturday.isoformat()}}),
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["field"] == "corrections.payment_date"
    assert "falls on a weekend" in error["message"]
    proposal.refresh_from_db()
    assert proposal.status == ItemStatus.NEEDS_REVIEW


def test_the_command_line_refuses_a_correction_in_the_past(municipality, proposal, capsys):
    user_with_role(Role.REVIEWER, municipality, username="tarkastaja")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    code, _, err = kuntarobo(
        capsys,
        "items",
        "correct",
        "--user",
        "tarkastaja",
        "--set",
        f"payment_date={yesterday.isoformat()}",
        str(proposal.pk),
    )
    assert code != 0
    assert "Payment date: " in err
    assert "is in the past" in err
    proposal.refresh_from_db()
    assert proposal.status == ItemStatus.NEEDS_REVIEW


# --- a robot not in use does not run --------------------------------------------------------------


def test_a_robot_not_in_use_in_a_municipality_does_not_run_by_hand_by_api_or_by_command_line(
    municipality, tmp_path, capsys
):
    RobotDeployment.objects.filter(municipality=municipality, robot_slug="invoice_check").delete()
    coordinator = user_with_role(Role.COORDINATOR, municipality, username="koordinaattori")
    upload = invoices(tmp_path / "new.csv", ("I-1", GOOD_IBAN))
    with translation.override("en"), pytest.raises(InputError) as refused:
        actions.start_run(coordinator, municipality, "invoice_check", input_file=upload)
    assert "robot invoice_check is not in use in esimerkkila" in str(refused.value)
    page = client_for(coordinator).post(
        reverse("robot_start", args=["invoice_check"]),
        {
            "municipality": "esimerkkila",
            "input_file": SimpleUploadedFile("new.csv", upload.read_bytes()),
        },
        HTTP_ACCEPT_LANGUAGE="fi",
    )
    assert page.status_code == 400
    assert "ei ole käytössä kunnassa esimerkkila" in page.content.decode()
    api = client_for(coordinator).post(
        "/api/v1/runs",
        {
            "municipality": "esimerkkila",
            "robot": "invoice_check",
            "file": SimpleUploadedFile("new.csv", upload.read_bytes()),
        },
    )
    assert api.status_code == 400
    assert api.json()["error"]["field"] == "municipality"
    code, _, err = kuntarobo(
        capsys,
        "robots",
        "run",
        "invoice_check",
        "--municipality",
        "esimerkkila",
        "--user",
        "koordinaattori",
        "--input",
        str(upload),
    )
    assert code != 0
    assert "robot invoice_check is not in use in esimerkkila" in err
    assert (Run.objects.count(), WorkItem.objects.count()) == (0, 0)
    assert RunStatus.STARTING not in Run.objects.values_list("status", flat=True)
