"""A secure link: the document is stored in the platform for one signed-in user, and an e-mail
tells them it is there. The e-mail holds only a notice and the link, never the document or
anything from it; the page behind the link checks that the signed-in user is the recipient,
refuses an expired link and records every download in the audit trail."""

from __future__ import annotations

import datetime
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from kuntarobo.channels.addresses import AddressKind
from kuntarobo.channels.base import Channel, ChannelError, Outgoing, SendResult, register
from kuntarobo.channels.email_channel import send_email
from kuntarobo.channels.models import Delivery, SecureDocument

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DEFAULT_DAYS = 14


def link_days() -> int:
    return int(getattr(settings, "KUNTAROBO_SECURE_LINK_DAYS", DEFAULT_DAYS))


def link_for(document: SecureDocument) -> str:
    path = reverse("channels:secure_document", args=[document.token])
    return settings.SITE_ROOT.rstrip("/") + path


def store_document(delivery: Delivery, outgoing: Outgoing, recipient: User) -> SecureDocument:
    """The document of this delivery, stored once: a retry after a failed notice reuses it."""
    if delivery.secure_document_id is not None:
        existing = delivery.secure_document
        assert existing is not None
        return existing
    document = outgoing.content.document
    assert document is not None
    stored = SecureDocument(
        municipality=delivery.municipality,
        recipient=recipient,
        token=secrets.token_urlsafe(32),
        name=document.name,
        content_type=document.content_type,
        expires_at=timezone.now() + datetime.timedelta(days=link_days()),
    )
    stored.file.save(f"{secrets.token_hex(8)}.bin", ContentFile(document.content), save=False)
    stored.save()
    return stored


def notice(
    delivery: Delivery, document: SecureDocument, *, resend: bool = False
) -> tuple[str, str]:
    """The e-mail's subject and body: the municipality, the link and its expiry, nothing of
    the document itself (not even the robot's subject, which may name a person). A resend says
    so in the subject and the body."""
    with translation.override(delivery.language):
        municipality = delivery.municipality.name_in(delivery.language)
        subject = _("%(municipality)s: a document is waiting for you") % {
            "municipality": municipality
        }
        if resend:
            subject = _("Sent again: %(subject)s") % {"subject": subject}
        expires = formats.date_format(timezone.localtime(document.expires_at), "SHORT_DATE_FORMAT")
        body = "\n".join(
            [
                _(
                    "%(municipality)s has stored a document for you in Kuntarobo. "
                    "Sign in to read it:"
                )
                % {"municipality": municipality},
                "",
                link_for(document),
                "",
                _("The link works only for you and until %(date)s.") % {"date": expires},
                "",
                *(
                    [
                        _(
                            "This is a repeated send of a document sent to you earlier; "
                            "you need not act on it twice."
                        ),
                        "",
                    ]
                    if resend
                    else []
                ),
                _("This message was sent by a software robot."),
            ]
        )
    return subject, body


@register
class SecureLinkChannel(Channel):
    name = "secure_link"
    address_kind = AddressKind.USER
    carries_personal_data = True

    def send(self, outgoing: Outgoing) -> SendResult:
        delivery = outgoing.delivery
        if outgoing.content.document is None:
            raise ChannelError("a secure link needs a document to link to", retryable=False)
        user = (
            get_user_model()
            .objects.filter(username=delivery.recipient, is_active=True)
            .only("pk", "email")
            .first()
        )
        if user is None:
            raise ChannelError(
                "the recipient of a secure link is not an active user of the platform",
                retryable=False,
            )
        if not getattr(user, "email", ""):
            raise ChannelError(
                "the recipient of a secure link has no e-mail address for the notice",
                retryable=False,
            )
        document = store_document(delivery, outgoing, user)
        delivery.secure_document = document
        subject, body = notice(delivery, document, resend=outgoing.content.resend)
        ident = send_email(
            to=user.email,
            subject=subject,
            body=body,
            language=delivery.language,
            message_key=f"secure-document-{document.pk}",
            municipality_slug=delivery.municipality.slug,
        )
        return SendResult(
            external_id=f"secure-document-{document.pk}", details={"message_id": ident}
        )
