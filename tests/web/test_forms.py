"""Forms with bad input show the problem and change nothing; good input goes through the
action functions."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.runtime.models import ItemStatus, RobotDeployment, Run, WorkItem
from kuntarobo.runtime.storage_roots import robot_root
from tests.runtime.helpers import read_inputs
from tests.web.conftest import write_invoices

START = reverse("robot_start", args=["invoice_check"])
SETTINGS = reverse("robot_settings", args=["invoice_check", "esimerkkila"])


def snapshot() -> tuple[int, int, int]:
    return Run.objects.count(), WorkItem.objects.count(), AuditEvent.objects.count()


def csv_upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type="text/csv")


def test_starting_a_run_with_an_upload_creates_the_run_and_shows_it(world, tmp_path):
    client = world.client_for(Role.COORDINATOR)
    invoices = write_invoices(tmp_path / "new", "ESIM-N", "Esimerkin Siivous Oy")
    response = client.post(
        START,
        {"municipality": "esimerkkila", "input_file": csv_upload(invoices)},
        follow=True,
    )
    run = Run.objects.exclude(pk=world.run.pk).get(municipality=world.esimerkkila)
    assert response.redirect_chain[-1][0] == reverse("run_detail", args=[run.pk])
    page = response.content.decode()
    assert "Ajo käynnistetty: robotti lukee syötettä." in page
    assert "Robotti lukee syötettä." in page
    assert run.items.count() == 0
    assert read_inputs() == 1
    assert run.items.count() == 5
    assert run.input_name == invoices.name
    assert run.requested_by == world.users[Role.COORDINATOR]


def test_a_run_parameter_given_in_the_form_overrides_the_municipalitys_setting(world, tmp_path):
    client = world.client_for(Role.DEVELOPER)
    invoices = write_invoices(tmp_path / "new", "ESIM-P", "Esimerkin Siivous Oy")
    client.post(
        START,
        {
            "municipality": "esimerkkila",
            "input_file": csv_upload(invoices),
            "param_approval_limit": "100",
        },
    )
    run = Run.objects.exclude(pk=world.run.pk).get(municipality=world.esimerkkila)
    assert run.parameters["approval_limit"] == "100"


@pytest.mark.parametrize(
    ("upload", "data", "message"),
    [
        (
            SimpleUploadedFile("invoices.txt", b"x", content_type="text/plain"),
            {},
            "ei ole sallittua tyyppiä (.csv)",
        ),
        (
            SimpleUploadedFile("empty.csv", b"", content_type="text/csv"),
            {},
            "Lähetetty tiedosto on tyhjä.",
        ),
        (None, {"param_approval_limit": "lots"}, "Anna luku, esimerkiksi 5000 tai 1234,50."),
        (None, {"municipality": "naapurila"}, "Valitse oikea vaihtoehto."),
    ],
    ids=["wrong-type", "empty-file", "bad-parameter", "elsewhere"],
)
def test_a_start_with_bad_input_shows_the_problem_and_changes_nothing(world, upload, data, message):
    client = world.client_for(Role.COORDINATOR)
    before = snapshot()
    form = {"municipality": "esimerkkila", **data}
    if upload is not None:
        form["input_file"] = upload
    response = client.post(START, form)
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text, text[text.find('role="alert"') - 200 :][:3000]
    assert 'role="alert"' in text
    assert snapshot() == before


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile(
                "bad.csv",
                b"invoice_id;supplier_name;business_id;iban;reference;amount;invoice_date;"
                b"due_date\n1;A;0737546-2;FI2112345600000785;13;12,5;2026-13-01;2026-12-01\n",
                content_type="text/csv",
            ),
            "rivi 2: sarake &#x27;invoice_date&#x27;: &#x27;2026-13-01&#x27; ei ole päivämäärä",
        ),
        (None, "anna syötetiedosto tai aseta saapuvien kansio -parametri"),
    ],
    ids=["malformed-csv", "no-input"],
)
def test_an_input_the_robot_refuses_ends_the_run_refused_with_the_reason_and_no_items(
    world, upload, message
):
    client = world.client_for(Role.COORDINATOR)
    form = {"municipality": "esimerkkila"}
    if upload is not None:
        form["input_file"] = upload
    response = client.post(START, form)
    run = Run.objects.exclude(pk=world.run.pk).get(municipality=world.esimerkkila)
    assert response.status_code == 302
    read_inputs()
    run.refresh_from_db()
    assert (run.status, run.items.count(), run.input_file.name) == ("refused", 0, "")
    text = client.get(reverse("run_detail", args=[run.pk])).content.decode()
    assert message in text
    assert 'role="alert"' in text


def test_a_start_refused_by_a_switched_off_deployment_says_so_and_changes_nothing(world, tmp_path):
    RobotDeployment.objects.filter(municipality=world.esimerkkila).update(enabled=False)
    client = world.client_for(Role.COORDINATOR)
    before = snapshot()
    invoices = write_invoices(tmp_path / "new", "ESIM-N", "Esimerkin Siivous Oy")
    response = client.post(
        START, {"municipality": "esimerkkila", "input_file": csv_upload(invoices)}
    )
    assert response.status_code == 400
    assert "on poistettu käytöstä kunnassa esimerkkila" in response.content.decode()
    assert snapshot() == before


def test_the_reason_a_start_was_refused_is_given_in_the_users_language(world, tmp_path):
    RobotDeployment.objects.filter(municipality=world.esimerkkila).update(enabled=False)
    client = world.client_for(Role.COORDINATOR)
    invoices = write_invoices(tmp_path / "new", "ESIM-S", "Esimerkin Siivous Oy")
    response = client.post(
        START,
        {"municipality": "esimerkkila", "input_file": csv_upload(invoices)},
        HTTP_ACCEPT_LANGUAGE="sv",
    )
    assert response.status_code == 400
    assert "roboten invoice_check är avstängd i esimerkkila" in response.content.decode()


def deployment(world) -> RobotDeployment:
    return RobotDeployment.objects.get(municipality=world.esimerkkila, robot_slug="invoice_check")


def test_saving_deployment_settings_changes_them_through_the_action_and_is_audited(world):
    client = world.client_for(Role.COORDINATOR)
    response = client.post(
        SETTINGS,
        {
            "enabled": "on",
            "schedule_enabled": "on",
            "cron": "30 6 * * 1-5",
            "calendar_rule": "working_days",
            "param_approval_limit": "2500",
            "param_inbox_folder": "",
        },
    )
    assert response.status_code == 302
    saved = deployment(world)
    assert (saved.cron, saved.calendar_rule) == ("30 6 * * 1-5", "working_days")
    assert saved.parameters["approval_limit"] == "2500"
    event = AuditEvent.objects.filter(action="robot.configure").latest("id")
    assert event.actor_id == world.users[Role.COORDINATOR].pk
    page = client.get(reverse("robot_detail", args=["invoice_check"])).content.decode()
    assert "maanantai–perjantai klo 6.30" in page


def test_the_settings_form_shows_the_current_values(world):
    response = world.client_for(Role.ADMINISTRATOR).get(SETTINGS)
    form = response.context["form"]
    assert form.initial["schedule_enabled"] is True
    assert form.initial["param_approval_limit"] == "5000"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"cron": "99 * * *"}, "cron", "ei ole kelvollinen ajastus"),
        ({"calendar_rule": "every_full_moon"}, "calendar_rule", "Valitse oikea vaihtoehto."),
        ({"param_approval_limit": "5000 euroa"}, "param_approval_limit", "Anna luku"),
        (
            {"param_inbox_folder": "../../naapurila/invoice_check/inbox"},
            "param_inbox_folder",
            "Anna robotin oman tallennuskansion sisällä oleva kansio",
        ),
    ],
    ids=["bad-cron", "bad-calendar-rule", "bad-parameter", "folder-out-of-the-root"],
)
def test_settings_with_bad_input_show_the_error_at_the_field_and_change_nothing(
    world, data, field, message
):
    client = world.client_for(Role.COORDINATOR)
    before = deployment(world)
    events = AuditEvent.objects.count()
    form = {"enabled": "on", "schedule_enabled": "on", "param_approval_limit": "5000", **data}
    response = client.post(SETTINGS, form)
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert 'aria-invalid="true"' in response.content.decode()
    after = deployment(world)
    assert (after.cron, after.calendar_rule, after.parameters) == (
        before.cron,
        before.calendar_rule,
        before.parameters,
    )
    assert AuditEvent.objects.count() == events


def test_a_folder_symlinked_out_of_the_root_is_refused_at_its_field_in_finnish(world, tmp_path):
    root = robot_root("esimerkkila", "invoice_check")
    root.mkdir(parents=True)
    (tmp_path / "decoy").mkdir()
    (root / "linked").symlink_to(tmp_path / "decoy")
    before = deployment(world).parameters
    form = {"enabled": "on", "param_approval_limit": "5000", "param_inbox_folder": "linked"}
    response = world.client_for(Role.COORDINATOR).post(SETTINGS, form)
    assert response.status_code == 400
    errors = str(response.context["form"].errors["param_inbox_folder"])
    assert "Asetuksia ei tallennettu" in errors
    assert "robotin oman tallennuskansion sisällä oleva kansio" in errors
    assert str(tmp_path) not in response.content.decode()
    assert deployment(world).parameters == before


def test_settings_for_a_municipality_that_does_not_exist_are_not_found(world):
    url = reverse("robot_settings", args=["invoice_check", "no-such-place"])
    assert world.client_for(Role.ADMINISTRATOR).get(url).status_code == 404


def test_reject_without_a_reason_shows_the_error_and_changes_nothing(world):
    client = world.client_for(Role.REVIEWER)
    url = reverse("item_reject", args=[world.review_item.pk])
    response = client.post(url, {"reason": "   "})
    assert response.status_code == 400
    assert "Kirjoita perustelu." in response.content.decode()
    world.review_item.refresh_from_db()
    assert world.review_item.status == ItemStatus.NEEDS_REVIEW


def test_a_correction_with_a_bad_date_shows_the_error_and_changes_nothing(world):
    client = world.client_for(Role.REVIEWER)
    url = reverse("item_correct", args=[world.review_item.pk])
    output = dict(world.review_item.output)
    response = client.post(url, {"param_payment_date": "31.2.2030"})
    assert response.status_code == 400
    assert "Anna päivämäärä" in response.content.decode()
    world.review_item.refresh_from_db()
    assert world.review_item.output == output
    assert world.review_item.status == ItemStatus.NEEDS_REVIEW


def test_a_correction_updates_the_proposal_explains_it_and_approves(world):
    client = world.client_for(Role.REVIEWER)
    url = reverse("item_correct", args=[world.review_item.pk])
    response = client.post(url, {"param_payment_date": "2030-01-15", "note": "agreed by phone"})
    assert response.status_code == 302
    item = WorkItem.objects.get(pk=world.review_item.pk)
    assert item.status == ItemStatus.APPROVED
    assert item.output["payment_date"] == "2030-01-15"
    assert any("Corrected by reviewer" in line for line in item.explanation)
    assert item.review_note == "agreed by phone"


def test_abandoning_without_a_reason_shows_the_error_and_changes_nothing(world):
    client = world.client_for(Role.ADMINISTRATOR)
    response = client.post(reverse("item_abandon", args=[world.failed_item.pk]), {"reason": ""})
    assert response.status_code == 400
    assert "Kirjoita perustelu." in response.content.decode()
    world.failed_item.refresh_from_db()
    assert world.failed_item.status == ItemStatus.FAILED_BUSINESS


def test_the_audit_filter_with_a_reversed_date_range_shows_the_error(world):
    client = world.client_for(Role.ADMINISTRATOR)
    response = client.get(reverse("audit"), {"date_from": "2030-02-01", "date_to": "2030-01-01"})
    assert response.status_code == 400
    assert "Loppupäivä on ennen alkupäivää." in response.content.decode()
    export = client.get(
        reverse("audit_export", args=["csv"]), {"date_from": "2030-02-01", "date_to": "2030-01-01"}
    )
    assert export.status_code == 400
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_every_parameter_kind_of_the_sdk_has_a_label_and_a_form_error():
    from kuntarobo.runtime.declarations import PARAMETER_KINDS
    from kuntarobo.web.forms import KIND_ERRORS
    from kuntarobo.web.labels import PARAMETER_KINDS as LABELS

    assert set(PARAMETER_KINDS) == set(LABELS) == set(KIND_ERRORS)
