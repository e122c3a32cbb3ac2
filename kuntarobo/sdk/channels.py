"""Delivery channels a robot sends through (docs/channels.md): pick routes per recipient with
`choose_channels`, send with `deliver` or `deliver_first`, and gather letters into a print batch.
Loads models: import it where models may be loaded (a robot's tasks and actions)."""

from kuntarobo.channels.actions import (
    deliver,
    deliver_first,
    make_print_batch,
    record_posted,
    usernames_for_email,
)
from kuntarobo.channels.addresses import AddressKind, mask_address
from kuntarobo.channels.base import (
    Channel,
    ChannelError,
    Content,
    Document,
    Outgoing,
    SendResult,
    register,
)
from kuntarobo.channels.choice import Contact, Route, choose_channels
from kuntarobo.channels.models import Delivery, DeliveryStatus, PrintBatch
from kuntarobo.channels.registry import channel_names, get_channel
from kuntarobo.runtime import suomifi_messages
from kuntarobo.runtime.suomifi_messages import PostalAddress

__all__ = [
    "AddressKind",
    "Channel",
    "ChannelError",
    "Contact",
    "Content",
    "Delivery",
    "DeliveryStatus",
    "Document",
    "Outgoing",
    "PostalAddress",
    "PrintBatch",
    "Route",
    "SendResult",
    "channel_names",
    "choose_channels",
    "deliver",
    "deliver_first",
    "get_channel",
    "make_print_batch",
    "mask_address",
    "record_posted",
    "register",
    "suomifi_messages",
    "usernames_for_email",
]
