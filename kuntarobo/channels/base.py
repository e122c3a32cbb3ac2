"""The channel plug-in interface and the registry of channels by name.

A channel is one class: the address kind it needs, whether it may carry personal data, and
`send(outgoing) -> SendResult`. Registering a subclass under a new name adds a channel; robots
pick channels by name (see `choice.choose_channels`)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from kuntarobo.channels.addresses import AddressKind

if TYPE_CHECKING:
    from kuntarobo.channels.models import Delivery
    from kuntarobo.runtime.suomifi_messages import PostalAddress


class ChannelError(Exception):
    """The channel did not take the message. `retryable` is True when trying again later may
    help (a server down, a timeout) and False when this message cannot go this way (no mailbox,
    personal data refused): the robot then tries the next route. The text is masked."""

    def __init__(self, message: Any, *, retryable: bool) -> None:
        # `message` is a text, or a lazy one (said in the reader's language when shown).
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class Document:
    """A file delivered with the message (a decision PDF, a workbook)."""

    name: str
    content: bytes
    content_type: str = "application/pdf"

    def __repr__(self) -> str:
        return f"Document(name={self.name!r}, {len(self.content)} bytes)"


@dataclass(frozen=True)
class Content:
    """What is sent. `personal` says the body or the document holds personal data: channels
    that may not carry it refuse such content. `sender_address` is the return address of a
    letter (Suomi.fi paper mail)."""

    body: str
    document: Document | None = None
    personal: bool = True
    sender_address: PostalAddress | None = None
    postal_address: PostalAddress | None = None  # Suomi.fi's paper mail when no mailbox
    # A repeated send of something already delivered: the channel says so to the recipient
    # (a secure link's notice), so that a second copy never arrives unexplained.
    resend: bool = False
    # Suomi.fi Messages only: the sender's own service id (a municipality's palvelutunnus on a
    # shared installation; "" the installation's), and the message's id there when the robot
    # names it (unique within the service and the same on every retry; "" the default).
    service_id: str = ""
    external_id: str = ""

    def __repr__(self) -> str:
        # Bodies may hold personal data: never in a traceback.
        return (
            f"Content(personal={self.personal}, document={self.document!r}, resend={self.resend})"
        )


@dataclass(frozen=True)
class Outgoing:
    """One delivery row with what it carries: what a channel's send() gets."""

    delivery: Delivery
    content: Content


@dataclass(frozen=True)
class SendResult:
    """What the channel did: `queued` is True when the message waits (a letter for its print
    batch) rather than having left."""

    external_id: str
    queued: bool = False
    details: dict[str, str] = field(default_factory=dict)


class Channel(ABC):
    """One delivery channel."""

    name: ClassVar[str]
    address_kind: ClassVar[AddressKind]
    carries_personal_data: ClassVar[bool]

    @abstractmethod
    def send(self, outgoing: Outgoing) -> SendResult:
        """Send (or queue) the message; raise ChannelError when it cannot."""

    def check(self, content: Content, subject: str = "") -> None:
        """Refuse content this channel may not carry, before anything is sent."""
        if content.personal and not self.carries_personal_data:
            raise ChannelError(
                f"the {self.name} channel may not carry personal data: "
                "send it by secure link, Suomi.fi Messages or letter",
                retryable=False,
            )


_registry: dict[str, type[Channel]] = {}


def register(channel: type[Channel]) -> type[Channel]:
    """Class decorator: make a channel available by its name."""
    existing = _registry.get(channel.name)
    if existing is not None and existing is not channel:
        raise ValueError(f"a channel named {channel.name!r} is already registered")
    _registry[channel.name] = channel
    return channel


def registered() -> dict[str, type[Channel]]:
    """The channels registered so far (see `registry` for all built-in ones loaded)."""
    return dict(_registry)
