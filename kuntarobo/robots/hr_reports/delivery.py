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
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kuntarobo.robots.hr_reports.reports import UnitReport
from kuntarobo.robots.hr_reports.workbooks import XLSX_CONTENT_TYPE
from kuntarobo.sdk import BusinessException, message
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
    notes: list[Any] = field(default_factory=list)  # lazy texts, said in the reader's language


# How a report went, as the explanation and the run log name it.
CHANNEL_TEXTS = {
    "secure_link": gettext_lazy("secure link"),
    "email_tls": gettext_lazy("e-mail attachment over TLS"),
}


def channel_text(channel: str) -> Any:
    return CHANNEL_TEXTS.get(channel, channel)


def workbook_name(report: UnitReport) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in report.unit.unit_id)
    return f"hr-report-{safe}-{report.month_text}.xlsx"


def domain_refusal(address: str, domains: Sequence[str]) -> Any | None:
    """Why `address` may not get a report (None when it may), a lazy text with the address
    masked: the domain is named, the person is not."""
    masked = mask_address("email", address)
    if not domains:
        return message(
            gettext_lazy(
                "no allowed e-mail domains are set in the HR robot's settings, so the report "
                "to %(address)s is not sent; an administrator enters the municipality's "
                "domains (allowed_email_domains) and the item is retried"
            ),
            address=masked,
        )
    domain = address.rpartition("@")[2].strip().lower()
    if domain not in domains:
        return message(
            gettext_lazy(
                "the address %(address)s is outside the allowed e-mail domains (%(domains)s), "
                "so the report is not sent; correct the address in the HR system or the "
                "allowed domains in the settings"
            ),
            address=masked,
            domains=", ".join(domains),
        )
    return None


def unit_subject(report: UnitReport, *, resend: bool) -> str:
    """The subject of the report's record and of an e-mail with the attachment: the unit and
    the month, no person."""
    with translation.override(report.unit.language or "fi"):
        subject = _("HR report %(month)s: %(unit)s") % {
            "month": report.month_text,
            "unit": report.unit.unit_name,
        }
        return _("Sent again: %(subject)s") % {"subject": subject} if resend else subject


def feedback_lines(feedback: str | None) -> list[str]:
    """The municipality's customer feedback link (kuntarobo.sdk.feedback), when it is on."""
    if not feedback:
        return []
    return [_("How satisfied were you with how your matter was handled? Tell us:"), feedback, ""]


def unit_body(report: UnitReport, municipality_name: str, feedback: str | None = None) -> str:
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
                *feedback_lines(feedback),
                _("This message was sent by a software robot."),
            ]
        )


def summary_subject(month: str, *, resend: bool) -> str:
    with translation.override("fi"):
        subject = _("HR reports %(month)s: summary of all units") % {"month": month}
        return _("Sent again: %(subject)s") % {"subject": subject} if resend else subject


def summary_body(month: str, municipality_name: str, feedback: str | None = None) -> str:
    with translation.override("fi"):
        return "\n".join(
            [
                _(
                    "Attached is the summary of the monthly HR reports of %(municipality)s for "
                    "%(month)s."
                )
                % {"municipality": municipality_name, "month": month},
                "",
                *feedback_lines(feedback),
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
    if refusal is not None:
        raise BusinessException(refusal)
    masked = mask_address("email", address)
    content = Content(body=body, document=document, personal=True, resend=resend)
    notes: list[Any] = []
    channel, recipient = "secure_link", ""
    if attachment_allowed:
        try:
            get_channel("email_tls").check(content, subject)
        except ChannelError as error:
            notes.append(
                message(
                    gettext_lazy("Not sent as an e-mail attachment: %(problem)s."),
                    problem=error,
                )
            )
        else:
            channel, recipient = "email_tls", address
    if channel == "secure_link":
        users = usernames_for_email(municipality_slug, address)
        if len(users) != 1:
            if not users:
                refusal = message(
                    gettext_lazy(
                        "the report goes by secure link, and no user of the municipality in "
                        "Kuntarobo has the address %(address)s; give the recipient one account "
                        "with that address (any role) and retry the item"
                    ),
                    address=masked,
                )
            else:
                refusal = message(
                    gettext_lazy(
                        "the report goes by secure link, and %(count)d users of the "
                        "municipality in Kuntarobo have the address %(address)s; give the "
                        "recipient one account with that address (any role) and retry the item"
                    ),
                    count=len(users),
                    address=masked,
                )
            raise BusinessException(refusal)
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
        raise BusinessException(
            message(gettext_lazy("the report was not sent: %(problem)s"), problem=error)
        ) from None
    if channel == "email_tls":
        notes.append(
            message(
                gettext_lazy("Sent to %(address)s as an e-mail attachment over TLS."),
                address=masked,
            )
        )
    else:
        notes.append(
            message(
                gettext_lazy(
                    "Sent to %(address)s as a secure link (user %(user)s): the e-mail holds "
                    "only a notice and the link; the workbook opens after signing in."
                ),
                address=masked,
                user=recipient,
            )
        )
    if resend:
        notes.append(
            gettext_lazy("This was a resend: the message says so, and it counts no saved time.")
        )
    return Sent(delivery, notes)


__all__ = ["XLSX_CONTENT_TYPE", "Sent", "domain_refusal", "send_report", "workbook_name"]
