"""The e-mail to a unit's supervisor: subject and body in the unit's language, the workbook
attached, and a Message-ID derived from the work item's reference, so that a send repeated
after a worker died is recognisable as the same message."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import translation
from django.utils.translation import gettext as _

from kuntarobo.robots.hr_reports.reports import UnitReport, format_cents
from kuntarobo.robots.hr_reports.workbooks import XLSX_CONTENT_TYPE, labels


def message_id(municipality_slug: str, reference: str) -> str:
    """The same reference in the same municipality always gives the same Message-ID."""
    digest = hashlib.sha256(f"{municipality_slug}\n{reference}".encode()).hexdigest()[:32]
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "kuntarobo.invalid"
    return f"<hr-report.{digest}@{domain}>"


def workbook_name(report: UnitReport) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in report.unit.unit_id)
    return f"hr-report-{safe}-{report.month_text}.xlsx"


def build_message(
    report: UnitReport,
    workbook: bytes,
    *,
    recipient: str,
    municipality_name: str,
    municipality_slug: str,
    reference: str,
) -> EmailMessage:
    """One message per unit and month, written in the unit's language."""
    with translation.override(report.unit.language or "fi"):
        subject = _("HR report %(month)s: %(unit)s") % {
            "month": report.month_text,
            "unit": report.unit.unit_name,
        }
        lines = [
            _("Hello %(name)s,") % {"name": report.unit.supervisor_name},
            "",
            _(
                "attached is the monthly HR report of %(unit)s for %(month)s from "
                "%(municipality)s: absences, salaries paid, employments started and ended, "
                "and early-support alerts."
            )
            % {
                "unit": report.unit.unit_name,
                "month": report.month_text,
                "municipality": municipality_name,
            },
            "",
            _("Absence days in the month: %(days)d") % {"days": report.absence_days_total},
            _("Salaries paid in the month: %(amount)s")
            % {"amount": format_cents(report.salaries_total_cents)},
            _("Employments started: %(started)d, ended: %(ended)d")
            % {"started": report.started_count, "ended": report.ended_count},
            _("Early-support alerts: %(alerts)d") % {"alerts": len(report.alerts)},
            *alert_lines(report),
            "",
            _(
                "The report contains personal data. Keep it safe and do not forward it. "
                "Questions to HR."
            ),
            "",
            _("This message was sent by a software robot."),
        ]
    message = EmailMessage(
        subject=subject,
        body="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        headers={
            "Message-ID": message_id(municipality_slug, reference),
            "Content-Language": report.unit.language or "fi",
        },
    )
    message.attach(workbook_name(report), workbook, XLSX_CONTENT_TYPE)
    return message


def alert_lines(report: UnitReport) -> list[str]:
    """Each alert with the rule that fired and its figures, in the active language."""
    rule_names = labels(report.unit.language or "fi")
    return [
        _(
            "- %(person)s: %(rule)s — %(days)d days of sickness absence in %(spells)d "
            "spells, %(start)s–%(end)s"
        )
        % {
            "person": alert.person.name,
            "rule": rule_names.get(alert.rule, alert.rule),
            "days": alert.days,
            "spells": alert.spells,
            "start": f"{alert.window_start:%-d.%-m.%Y}",
            "end": f"{alert.window_end:%-d.%-m.%Y}",
        }
        for alert in report.alerts
    ]


def build_summary_message(
    workbook: bytes,
    name: str,
    *,
    recipient: str,
    month: str,
    municipality_name: str,
    municipality_slug: str,
    reference: str,
) -> EmailMessage:
    """HR's summary of all units, in Finnish (HR works in the municipality's language)."""
    with translation.override("fi"):
        subject = _("HR reports %(month)s: summary of all units") % {"month": month}
        body = "\n".join(
            [
                _(
                    "Attached is the summary of the monthly HR reports of %(municipality)s for "
                    "%(month)s."
                )
                % {"municipality": municipality_name, "month": month},
                "",
                _("This message was sent by a software robot."),
            ]
        )
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        headers={"Message-ID": message_id(municipality_slug, reference), "Content-Language": "fi"},
    )
    message.attach(name, workbook, XLSX_CONTENT_TYPE)
    return message


def send(message: EmailMessage) -> None:
    """Send through the platform's e-mail settings; failures raise (the item is retried)."""
    connection = get_connection(fail_silently=False)
    connection.send_messages([message])
