"""The supervisor's e-mail: one per unit, in the unit's language, the workbook attached, the same
Message-ID when a send is repeated; through Django's SMTP backend to a loopback server."""

from __future__ import annotations

import dataclasses
import io

import openpyxl
from django.utils import translation

from kuntarobo.robots.hr_reports.mail import build_message, message_id, send
from kuntarobo.robots.hr_reports.reports import build_report
from kuntarobo.robots.hr_reports.workbooks import XLSX_CONTENT_TYPE, unit_workbook
from tests.robots.hr_reports.test_reports import OTHER, TODAY, UNIT, dataset


def message_for(unit, reference="U1:2026-01"):
    report = build_report(
        unit, dataset(), year=2026, month=1, previous_month_in_export=True, today=TODAY
    )
    return build_message(
        report,
        unit_workbook(report),
        recipient=unit.supervisor_email,
        municipality_name="Esimerkkilä",
        municipality_slug="esimerkkila",
        reference=reference,
    )


def test_the_message_is_in_the_units_language_whatever_language_is_active(smtp):
    with translation.override("en"):
        swedish = message_for(OTHER, "U2:2026-01")
        english = message_for(dataclasses.replace(UNIT, language="en"))
    assert swedish.subject == "Personalrapport 2026-01: Bibliotek"
    assert swedish.body.startswith("Hej Sven Chef,")
    assert "Frånvarodagar under månaden: 31" in swedish.body
    assert english.subject == "HR report 2026-01: Kirjasto"
    assert translation.get_language() == "en"


def test_a_sent_message_arrives_with_its_workbook_and_a_message_id_from_the_reference(smtp):
    message = message_for(UNIT)
    send(message)
    send(message_for(UNIT))  # a repeated send after a lost worker: the same Message-ID
    assert len(smtp.messages) == 2
    (first_to, first), (_, second) = smtp.messages
    assert first_to == ["sanna@example.fi"]
    assert first["Message-ID"] == second["Message-ID"] == message_id("esimerkkila", "U1:2026-01")
    assert first["Message-ID"].endswith("@esimerkkila.fi>")
    assert first["Subject"] == "Henkilöstöraportti 2026-01: Kirjasto"
    assert "Kuukauden aikana maksetut palkat: 7\u00a0123,95 €" in first.get_body().get_content()
    [attachment] = list(first.iter_attachments())
    assert attachment.get_content_type() == XLSX_CONTENT_TYPE
    assert attachment.get_filename() == "hr-report-U1-2026-01.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(attachment.get_content()))
    assert book.sheetnames == ["Poissaolot", "Palkat", "Palvelussuhteet", "Varhainen tuki"]
