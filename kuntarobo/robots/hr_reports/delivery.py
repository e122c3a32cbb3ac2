"""How a report reaches its reader, through the platform's delivery channels
(`kuntarobo.sdk.channels`), each send kept as a Delivery record.

Health data never goes in a plain e-mail. By default the supervisor gets a secure link: the
workbook stays in the platform, the e-mail holds only a neutral notice in the supervisor's
language and the link, and only the supervisor, signed in, can open it (every download is in
the audit trail). The workbook goes as an attachment only when the municipality allows it in
the HR settings *and* the mail connection enforces TLS with a verified certificate (the
`email_tls` channel checks that before anything is sent); otherwise the link is used. Either
way the address must be in one of the municipality's allowed domains."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _

from kuntarobo.robots.hr_reports.reports import UnitReport
from kuntarobo.robots.hr_reports.workbooks import XLSX_CONTENT_TYPE
from kuntarobo.sdk import BusinessException
from kuntarobo.sdk.channels import (
    ChannelError,
    Content,
    Delivery,
    Document,
    deliver,
    get_channel,
    mask_address,
    usernames_for_email,
)

ROBOT = "hr_reports"


@dataclass
class Sent:
    """The delivery of one report and what the explanation says of it."""

    delivery: Delivery
    notes: list[str] = field(default_factory=list)


def workbook_name(report: UnitReport) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in report.unit.unit_id)
    return f"hr-report-{safe}-{report.month_text}.xlsx"


def domain_refusal(address: str, domains: Sequence[str]) -> str:
    """Why `address` may not get a report ("" when it may), with the address masked: the
    domain is named, the person is not."""
    masked = mask_address("email", address)
    if not domains:
        return (
            f"no allowed e-mail domains are set in the HR robot's settings, so the report "
            f"to {masked} is not sent; an administrator enters the municipality's domains "
            "(allowed_email_domains) and the item is retried"
        )
    domain = address.rpartition("@")[2].strip().lower()
    if domain not in domains:
        return (
            f"the address {masked} is outside the allowed e-mail domains "
            f"({', '.join(domains)}), so the report is not sent; correct the address in the "
            "HR system or the allowed domains in the settings"
        )
    return ""


def unit_subject(report: UnitReport, *, resend: bool) -> str:
    """The subject of the report's record and of an e-mail with the attachment: the unit and
    the month, no person."""
    with translation.override(report.unit.language or "fi"):
        subject = _("HR report %(month)s: %(unit)s") % {
            "month": report.month_text,
            "unit": report.unit.unit_name,
        }
        return _("Sent again: %(subject)s") % {"subject": subject} if resend else subject


def unit_body(report: UnitReport, municipality_name: str) -> str:
    """The body of an e-mail that carries the workbook: what it is, no names, no figures."""
    with translation.override(report.unit.language or "fi"):
        return "\n".join(
            [
                _(
                    "Attached is the monthly HR report of %(unit)s for %(month)s from "
                    "%(municipality)s. The figures and the early-support alerts are in the "
                    "workbook."
                )
                % {
                    "unit": report.unit.unit_name,
                    "month": report.month_text,
                    "municipality": municipality_name,
                },
                "",
                _(
                    "The report contains personal data. Keep it safe and do not forward it. "
                    "Questions to HR."
                ),
                "",
                _("This message was sent by a software robot."),
            ]
        )


def summary_subject(month: str, *, resend: bool) -> str:
    with translation.override("fi"):
        subject = _("HR reports %(month)s: summary of all units") % {"month": month}
        return _("Sent again: %(subject)s") % {"subject": subject} if resend else subject


def summary_body(month: str, municipality_name: str) -> str:
    with translation.override("fi"):
        return "\n".join(
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


def send_report(
    *,
    municipality_slug: str,
    reference: str,
    item_id: int,
    address: str,
    language: str,
    subject: str,
    body: str,
    document: Document,
    domains: Sequence[str],
    attachment_allowed: bool,
    resend: bool,
) -> Sent:
    """Send one report to the person at `address`: refused outside the allowed domains (a
    BusinessException: a person must act), by e-mail attachment when allowed and the
    connection enforces TLS, otherwise by secure link to the platform user with that address.
    A passing failure (the mail server down) is raised as ChannelError: the item is retried,
    and the Delivery record makes sure a retry sends nothing twice."""
    refusal = domain_refusal(address, domains)
    if refusal:
        raise BusinessException(refusal)
    masked = mask_address("email", address)
    content = Content(body=body, document=document, personal=True, resend=resend)
    notes: list[str] = []
    channel, recipient = "secure_link", ""
    if attachment_allowed:
        try:
            get_channel("email_tls").check(content, subject)
        except ChannelError as error:
            notes.append(f"Not sent as an e-mail attachment: {error}.")
        else:
            channel, recipient = "email_tls", address
    if channel == "secure_link":
        users = usernames_for_email(municipality_slug, address)
        if len(users) != 1:
            problem = "no user" if not users else f"{len(users)} users"
            raise BusinessException(
                f"the report goes by secure link, and {problem} of the municipality in "
                f"Kuntarobo has the address {masked}; give the recipient one account with that "
                "address (any role) and retry the item"
            )
        recipient = users[0]
    try:
        delivery = deliver(
            municipality=municipality_slug,
            robot=ROBOT,
            channel=channel,
            recipient=recipient,
            subject=subject,
            content=content,
            language=language if language in ("fi", "sv", "en") else "fi",
            reference=reference,
            item=item_id,
        )
    except ChannelError as error:
        if error.retryable:
            raise
        raise BusinessException(f"the report was not sent: {error}") from None
    if channel == "email_tls":
        notes.append(f"Sent to {masked} as an e-mail attachment over TLS.")
    else:
        notes.append(
            f"Sent to {masked} as a secure link (user {recipient}): the e-mail holds only a "
            "notice and the link; the workbook opens after signing in."
        )
    if resend:
        notes.append("This was a resend: the message says so, and it counts no saved time.")
    return Sent(delivery, notes)


__all__ = ["XLSX_CONTENT_TYPE", "Sent", "domain_refusal", "send_report", "workbook_name"]
