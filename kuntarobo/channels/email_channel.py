"""E-mail: for messages without personal data (notices, summaries, staff reminders).

Personal content never goes in an e-mail body: the channel refuses content marked personal and
any body with a personal identity code in it. Such documents go by secure link, whose notice is
an e-mail with the link only."""

from __future__ import annotations

import hashlib
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.translation import gettext_lazy as _

from kuntarobo.channels import smtp
from kuntarobo.channels.addresses import AddressKind, mask_text
from kuntarobo.channels.base import Channel as ChannelBase
from kuntarobo.channels.base import ChannelError, Content, Outgoing, SendResult, register
from kuntarobo.core.masking import IDENTITY_CODE
from kuntarobo.runtime.declarations import message


def message_id(municipality_slug: str, key: str) -> str:
    """The same key in the same municipality always gives the same Message-ID, so a send
    repeated after a worker died is recognisable as the same message."""
    digest = hashlib.sha256(f"{municipality_slug}\n{key}".encode()).hexdigest()[:32]
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "kuntarobo.invalid"
    return f"<delivery.{digest}@{domain}>"


def send_email(
    *,
    to: str,
    subject: str,
    body: str,
    language: str,
    message_key: str,
    municipality_slug: str,
    content: Content | None = None,
) -> str:
    """One message through the platform's connection; returns its Message-ID."""
    ident = message_id(municipality_slug, message_key)
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Message-ID": ident, "Content-Language": language},
    )
    if content is not None and content.document is not None:
        document = content.document
        message.attach(document.name, document.content, document.content_type)
    try:
        smtp.connection().send_messages([message])
    except smtplib.SMTPRecipientsRefused as error:
        raise ChannelError(
            mask_text(f"the mail server refused the recipient: {error}", to), retryable=False
        ) from None
    except (smtplib.SMTPException, OSError) as error:
        # Connection refused, timeout, a certificate that does not verify, a 4xx answer.
        raise ChannelError(
            mask_text(f"sending e-mail failed: {type(error).__name__}: {error}", to),
            retryable=True,
        ) from None
    return ident


@register
class EmailChannel(ChannelBase):
    name = "email"
    address_kind = AddressKind.EMAIL
    carries_personal_data = False

    def check(self, content: Content, subject: str = "") -> None:
        super().check(content, subject)
        if IDENTITY_CODE.search(subject):
            raise ChannelError(
                "the e-mail subject contains a personal identity code", retryable=False
            )
        if IDENTITY_CODE.search(content.body):
            raise ChannelError(
                "the e-mail body contains a personal identity code: send it by secure link instead",
                retryable=False,
            )

    def send(self, outgoing: Outgoing) -> SendResult:
        delivery = outgoing.delivery
        self.check(outgoing.content, delivery.subject)
        key = delivery.reference or str(delivery.pk)
        ident = send_email(
            to=delivery.recipient,
            subject=delivery.subject,
            body=outgoing.content.body,
            language=delivery.language,
            message_key=f"{delivery.robot_slug}\n{delivery.channel}\n{key}",
            municipality_slug=delivery.municipality.slug,
            content=outgoing.content,
        )
        return SendResult(external_id=ident)


@register
class TlsEmailChannel(EmailChannel):
    """E-mail that may carry a personal document as an attachment, and only over a connection
    that enforces TLS with a verified certificate (`smtp.tls_refusal`). The robot decides
    whether it may be used at all (e.g. a municipal setting); the body stays free of identity
    codes like the plain e-mail's."""

    name = "email_tls"
    carries_personal_data = True

    def check(self, content: Content, subject: str = "") -> None:
        super().check(content, subject)
        refusal = smtp.tls_refusal()
        if refusal is not None:
            raise ChannelError(
                message(
                    _("personal data is not sent by e-mail: %(refusal)s; send it by secure link"),
                    refusal=refusal,
                ),
                retryable=False,
            )
