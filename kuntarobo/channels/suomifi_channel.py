"""Suomi.fi Messages: the document to the recipient's Suomi.fi mailbox, through the client in
`kuntarobo.runtime.suomifi_messages` (configured by the KUNTAROBO_SUOMIFI_* variables). With a
postal address and the Posti credentials configured, Suomi.fi prints and posts the letter itself
when the person has no mailbox; without them a person without a mailbox is refused (not
retryable), and the robot takes the next route (usually a print batch)."""

from __future__ import annotations

import dataclasses
import os
import threading

from kuntarobo.channels.addresses import AddressKind, mask_text
from kuntarobo.channels.base import Channel, ChannelError, Outgoing, SendResult, register
from kuntarobo.runtime import suomifi_messages as suomifi

_clients: dict[suomifi.MessagesConfig, suomifi.MessagesClient] = {}
_clients_lock = threading.Lock()


def config() -> suomifi.MessagesConfig:
    try:
        configured = suomifi.MessagesConfig.from_environment(os.environ)
    except ValueError as error:
        raise ChannelError(f"Suomi.fi Messages configuration: {error}", retryable=False) from None
    if configured is None:
        raise ChannelError(
            "Suomi.fi Messages is not configured here (KUNTAROBO_SUOMIFI_URL is not set)",
            retryable=False,
        )
    return configured


def client_for(configured: suomifi.MessagesConfig) -> suomifi.MessagesClient:
    """One client per configuration, so the access token is reused across deliveries."""
    with _clients_lock:
        client = _clients.get(configured)
        if client is None:
            client = _clients[configured] = suomifi.MessagesClient(configured)
        return client


@register
class SuomiFiChannel(Channel):
    name = "suomifi"
    address_kind = AddressKind.IDENTITY_CODE
    carries_personal_data = True

    def send(self, outgoing: Outgoing) -> SendResult:
        delivery = outgoing.delivery
        content = outgoing.content
        if content.document is None:
            raise ChannelError("a Suomi.fi message needs a document (PDF)", retryable=False)
        configured = config()
        if content.service_id:
            configured = dataclasses.replace(configured, service_id=content.service_id)
        paper = (
            content.postal_address
            if configured.paper_mail_enabled and content.sender_address is not None
            else None
        )
        message = suomifi.Message(
            # The same on every retry of this delivery: Suomi.fi then answers with the first
            # message instead of delivering a second one.
            external_id=content.external_id
            or f"{delivery.robot_slug}-{delivery.reference or delivery.pk}",
            recipient_id=delivery.recipient,
            title=delivery.subject,
            body=content.body,
            attachment_name=content.document.name,
            attachment=content.document.content,
            paper_mail_address=paper,
            sender_address=content.sender_address if paper is not None else None,
        )
        try:
            sent = client_for(configured).send(message)
        except suomifi.MessagesError as error:
            raise ChannelError(
                mask_text(f"Suomi.fi Messages: {error}", delivery.recipient),
                retryable=error.retryable,
            ) from None
        except ValueError as error:
            raise ChannelError(
                mask_text(f"the message cannot be sent by Suomi.fi: {error}", delivery.recipient),
                retryable=False,
            ) from None
        return SendResult(external_id=sent.message_id, details={"route": sent.channel})
