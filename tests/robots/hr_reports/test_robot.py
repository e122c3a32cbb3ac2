"""The HR robot end to end through the real queue and a real SMTP server on loopback: the
supervisor's e-mail carries a link and nothing personal, the workbook opens only for the
signed-in supervisor, the attachment goes only over enforced TLS when the settings allow it."""

from __future__ import annotations

import dataclasses
import io
import re

import openpyxl
import pytest

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.channels.models import Delivery, DeliveryStatus
from kuntarobo.core.localized import pick
from kuntarobo.robots.hr_reports.exchange import write_export_xlsx
from kuntarobo.robots.hr_reports.models import SentReport
from kuntarobo.robots.hr_reports.robot import HrReportsRobot, default_month
from kuntarobo.runtime import actions
from kuntarobo.runtime.declarations import InputError
from kuntarobo.runtime.execution import run_counts
from kuntarobo.runtime.impact import manual_minutes_saved
from kuntarobo.runtime.models import ItemDocument, ItemStatus, RunStatus, WorkItem
from tests.factories import user_with_role
from tests.robots.hr_reports.conftest import NO_EMAIL
from tests.robots.hr_reports.test_reports import dataset
from tests.runtime.helpers import drain, read_inputs

pytestmark = pytest.mark.django_db(transaction=True)

# What the export says of the people: none of it may be in an e-mail.
PERSONAL = ("Aalto", "Virtanen", "Berg", "Pekka", "Anna", "Aino", "Erik", "Esihenkilö", "Chef")


def english(lines: list[object]) -> list[str]:
    """An item's explanation lines as an English reader sees them."""
    return [pick(line, "en") for line in lines]


def start(coordinator, municipality, export, **parameters):
    return actions.start_run(
        coordinator,
        municipality,
        "hr_reports",
        input_file=export,
        parameters={"month": "2026-01", **parameters},
    )


def link_in(message) -> str:
    match = re.search(
        r"https://kuntarobo\.esimerkkila\.fi(/channels/documents/[^/\s]+/)",
        str(message.get_content()),
    )
    assert match, message.get_content()
    return match.group(1)


def workbook_at(client, link):
    response = client.get(link)
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def workbook_of(message):
    attachments = list(message.iter_attachments())
    assert len(attachments) == 1
    assert attachments[0].get_filename().endswith(".xlsx")
    return openpyxl.load_workbook(io.BytesIO(attachments[0].get_content()))


def saved_minutes(run):
    """As the run page and the API count it (a resend's items repeat work: `saves_time`)."""
    return manual_minutes_saved(run.robot_slug, run_counts(run))


def test_by_default_the_supervisor_gets_a_link_and_no_name_or_sickness_figure_by_email(
    smtp, client, municipality, coordinator, supervisors, export
):
    started = start(coordinator, municipality, export)
    assert started.created == 3 + 1  # three units and HR's summary
    drain()
    assert len(smtp.messages) == 2
    [finnish] = smtp.to("sanna@example.fi")
    [swedish] = smtp.to("Sven@Example.fi")
    assert finnish["Subject"] == "Esimerkkilä: asiakirja odottaa sinua"
    assert swedish["Subject"] == "Exempelby: ett dokument väntar på dig"
    for message in (finnish, swedish):
        assert not message.is_multipart()  # no attachment
        text = message["Subject"] + message.get_content()
        assert not [word for word in PERSONAL if word in text]
        # No figure of the report: absence days, rules, alerts, salaries, the unit.
        for figure in ("Poissaolo", "Frånvaro", "sairau", "sjuk", "30-", "€", "Kirjasto"):
            assert figure not in text
        assert "Bibliotek" not in text
    assert {d.channel for d in Delivery.objects.filter(status=DeliveryStatus.SENT)} == {
        "secure_link"
    }

    link = link_in(finnish)
    assert client.get(link).status_code == 302  # not signed in: to the sign-in page
    client.force_login(supervisors["sven"])
    assert client.get(link).status_code == 404  # another supervisor
    assert AuditEvent.objects.filter(action="channels.secure_document.refused").count() == 1
    client.force_login(supervisors["sanna"])
    book = workbook_at(client, link)
    download = AuditEvent.objects.get(action="channels.secure_document.download")
    assert download.actor == supervisors["sanna"]

    absences = book["Poissaolot"]
    total_row = next(r for r in absences.iter_rows(values_only=True) if r[0] == "Yhteensä")
    assert total_row[6] == 3 + 2 + 7 + 5  # hand-computed: overlapping sick notes count once
    salaries = book["Palkat"]
    rows = list(salaries.iter_rows(values_only=True))
    total_column = rows[0].index("Yhteensä")
    assert [r[total_column] for r in rows[1:4]] == [1500.5, 3123.45, 2500.0]
    client.force_login(supervisors["sven"])
    swedish_book = workbook_at(client, link_in(swedish))
    assert swedish_book.sheetnames[0] == "Frånvaro"
    alerts = [a for a in swedish_book["Tidigt stöd"].iter_rows(min_row=2, values_only=True) if a[1]]
    assert [(a[1], a[2], a[4]) for a in alerts] == [
        ("Berg Erik", "30-dagarsregeln", 31),
        ("Berg Erik", "kontakt med företagshälsovården", 31),
    ]

    started.run.refresh_from_db()
    assert started.run.status == RunStatus.FINISHED
    done = WorkItem.objects.get(reference="U1:2026-01")
    assert done.status == ItemStatus.DONE
    assert done.output["channel"] == "secure_link"
    assert any("Salaries paid: 7\u00a0123,95 €" in line for line in english(done.explanation))
    assert any("as a secure link" in line for line in english(done.explanation))
    assert ItemDocument.objects.filter(item=done, name__endswith=".xlsx").count() == 1
    sent = SentReport.objects.get(unit_id="U1", month="2026-01")
    assert (sent.recipient, sent.language, sent.work_item_id) == ("sanna@example.fi", "fi", done.pk)
    assert sent.message_id == Delivery.objects.get(reference="U1:2026-01").external_id


def test_a_wrong_supervisor_address_is_not_repeated_where_developers_read(
    smtp, municipality, coordinator, tmp_path
):
    """The address names the supervisor: the error and the run log (both shown to developers)
    say what is wrong with it, the item's input (personal data) holds it."""
    wrong = dataclasses.replace(NO_EMAIL, supervisor_email="teemu.tekninen(at)kunta.fi")
    data = dataset()
    target = tmp_path / "export.xlsx"
    write_export_xlsx(dataclasses.replace(data, units=(*data.units, wrong)), target)
    started = start(coordinator, municipality, target)
    drain()
    failed = WorkItem.objects.get(reference="U3:2026-01")
    assert failed.status == ItemStatus.FAILED_BUSINESS
    assert "(not an e-mail address)" in failed.error_message
    log = " ".join(started.run.log_entries.values_list("message", flat=True))
    assert "(not an e-mail address)" in log
    assert "teemu" not in (failed.error_message + log).lower()
    assert failed.payload["recipient"] == "teemu.tekninen(at)kunta.fi"


def test_a_unit_without_a_supervisor_email_fails_for_a_person_and_gets_nothing(
    smtp, municipality, coordinator, supervisors, export
):
    start(coordinator, municipality, export)
    drain()
    failed = WorkItem.objects.get(reference="U3:2026-01")
    assert failed.status == ItemStatus.FAILED_BUSINESS
    assert "unit U3 (Tekninen toimi) has no valid supervisor e-mail (none given)" in (
        failed.error_message
    )
    assert failed.attempts == 1
    assert {tuple(rcpt) for rcpt, _ in smtp.messages} == {
        ("sanna@example.fi",),
        ("Sven@Example.fi",),
    }
    assert not SentReport.objects.filter(unit_id="U3").exists()


def test_the_same_month_again_sends_nothing_and_a_resend_says_so_and_saves_no_time_again(
    smtp, municipality, coordinator, supervisors, export
):
    first = start(coordinator, municipality, export)
    drain()
    assert len(smtp.messages) == 2
    assert saved_minutes(first.run) == 3 * HrReportsRobot.manual_minutes_per_item  # U1, U2, HR
    again = start(coordinator, municipality, export)
    assert (again.created, again.duplicates) == (0, 3 + 1)
    drain()
    assert len(smtp.messages) == 2

    resend = start(coordinator, municipality, export, resend=True)
    assert resend.created == 3 + 1
    assert WorkItem.objects.filter(reference=f"U1:2026-01:resend-{resend.run.pk}").exists()
    drain()
    assert len(smtp.messages) == 4
    first_notice, second_notice = smtp.to("sanna@example.fi")
    assert first_notice["Message-ID"] != second_notice["Message-ID"]
    assert second_notice["Subject"].strip() == (
        "Lähetetty uudelleen: Esimerkkilä: asiakirja odottaa sinua"
    )
    assert "uudelleenlähetys" in second_notice.get_content()
    assert not first_notice["Subject"].startswith("Lähetetty uudelleen")
    assert saved_minutes(resend.run) == 0  # the work was counted once, by the first run
    resent = WorkItem.objects.get(reference=f"U1:2026-01:resend-{resend.run.pk}")
    assert resent.output["resend"] is True
    assert any("This was a resend" in line for line in english(resent.explanation))
    sent = SentReport.objects.get(unit_id="U1", month="2026-01")
    assert sent.work_item_id == resent.pk
    assert SentReport.objects.count() == 2
    # The resend repeats work already counted: its saved time is not counted again.


def test_an_export_with_errors_lists_every_row_and_creates_and_sends_nothing(
    smtp, municipality, coordinator, tmp_path
):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("this is not an export\n1;2;3\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        start(coordinator, municipality, bad)
    assert "cannot be used" in str(raised.value)
    assert raised.value.field == "file"
    assert WorkItem.objects.count() == 0
    assert smtp.messages == []


def test_the_month_defaults_to_the_previous_calendar_month():
    import datetime

    assert default_month(datetime.date(2026, 1, 2)) == "2025-12"
    assert default_month(datetime.date(2026, 11, 30)) == "2026-10"


def test_an_export_with_errors_is_shown_in_the_ui_with_sheet_row_and_column_and_sends_nothing(
    smtp, client, municipality, coordinator, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    data = dataset()
    broken = dataclasses.replace(data.units[1], language="de")
    bad = tmp_path / "palkat.xlsx"
    write_export_xlsx(dataclasses.replace(data, units=(data.units[0], broken)), bad)
    client.force_login(coordinator)
    response = client.post(
        reverse("robot_start", args=["hr_reports"]),
        {
            "municipality": "esimerkkila",
            "param_month": "2026-01",
            "input_file": SimpleUploadedFile("palkat.xlsx", bad.read_bytes()),
        },
        HTTP_ACCEPT_LANGUAGE="fi",
    )
    assert response.status_code == 302  # to the run's page, where the refusal shows
    read_inputs()
    text = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "aineistoa &#x27;palkat.xlsx&#x27; ei voi käyttää" in text
    assert "taulukko units, rivi 3, sarake &#x27;language&#x27;: ei kieli (fi, sv tai en)" in text
    assert WorkItem.objects.count() == 0
    assert smtp.messages == []


def test_the_demo_deploys_the_robot_in_esimerkkila_with_an_export_it_sends_from(
    smtp, settings, tmp_path
):
    from kuntarobo.demo.data import hr_inbox, load_demo
    from kuntarobo.practice.columns import HR_EXCHANGE_MAPPING
    from kuntarobo.robots.hr_reports.exchange import ColumnMapping, read_export
    from kuntarobo.runtime.models import RobotDeployment

    settings.VAR_DIR = tmp_path / "var"
    load_demo()
    load_demo()  # loading twice changes nothing
    deployment = RobotDeployment.objects.get(
        municipality__slug="esimerkkila", robot_slug="hr_reports"
    )
    assert deployment.parameters["input_folder"] == "exports"  # below the robot's root
    folder = hr_inbox()
    [export] = list(folder.glob("*.xlsx"))
    # In the payroll system's names, which the demo's column mapping reads (as the HR fetch
    # robot's download from the practice system).
    data = read_export(export, ColumnMapping.from_json(HR_EXCHANGE_MAPPING))
    assert len(data.units) == 4
    assert len(data.employees) == 40
    assert [u.language for u in data.units].count("sv") == 1
    assert [u.supervisor_email for u in data.units].count("") == 1
    assert not RobotDeployment.objects.filter(
        municipality__slug="naapurila", robot_slug="hr_reports"
    ).exists()

    coordinator = user_with_role(Role.COORDINATOR, deployment.municipality)
    started = actions.start_run(coordinator, deployment.municipality, "hr_reports")
    assert started.created == 4 + 1
    drain()
    assert len(smtp.messages) == 3  # links to the three supervisors with an address
    assert all(not message.is_multipart() for _rcpt, message in smtp.messages)
    assert WorkItem.objects.filter(status=ItemStatus.FAILED_BUSINESS).count() == 1
    units = WorkItem.objects.filter(status="done").exclude(reference__startswith="summary:")
    alerts = sum(i.output.get("alerts", 0) for i in units)
    assert alerts >= 2  # a few people are over the early-support thresholds


def test_hr_gets_the_summary_of_all_units_by_link_too(
    smtp, client, municipality, coordinator, supervisors, export
):
    hr = user_with_role(Role.REVIEWER, municipality, username="hr", email="hr@example.fi")
    started = start(coordinator, municipality, export, hr_email="hr@example.fi")
    drain()
    [notice] = smtp.to("hr@example.fi")
    assert notice["Subject"] == "Esimerkkilä: asiakirja odottaa sinua"
    client.force_login(hr)
    rows = list(workbook_at(client, link_in(notice)).active.iter_rows(values_only=True))
    units = {row[0]: row for row in rows[1:] if row[0] and row[0].startswith("U")}
    assert set(units) == {"U1", "U2", "U3"}
    item = WorkItem.objects.get(run=started.run, reference="summary:2026-01")
    assert item.status == ItemStatus.DONE
    assert item.output["units"] == 3
    assert ItemDocument.objects.filter(item=item, name__endswith=".xlsx").count() == 1


def test_the_next_months_run_does_not_raise_the_same_alerts_again(
    smtp, municipality, coordinator, supervisors, export
):
    start(coordinator, municipality, export)
    drain()
    january = WorkItem.objects.get(reference="U2:2026-01")
    assert january.output["alerts"] == 2  # Berg Erik: the 30-day rule and occupational health
    start(coordinator, municipality, export, month="2026-02")
    drain()
    february = WorkItem.objects.get(reference="U2:2026-02")
    assert february.status == ItemStatus.DONE
    assert february.output["alerts"] == 0
    assert len(february.payload["earlier_alerts"]) == 2
    assert any("reported earlier (2026-01)" in line for line in english(february.explanation))
    from kuntarobo.robots.hr_reports.models import ReportedAlert

    rows = ReportedAlert.objects.filter(employee_id="E9").order_by("rule")
    assert [(r.rule, r.first_month, r.last_month) for r in rows] == [
        ("occupational_health", "2026-01", "2026-02"),
        ("thirty_day_rule", "2026-01", "2026-02"),
    ]
