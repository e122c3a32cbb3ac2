"""The channels by name: the built-in ones and any a package registers with `base.register`."""

from __future__ import annotations

from kuntarobo.channels import email_channel, print_channel, secure_link, suomifi_channel
from kuntarobo.channels.base import Channel, registered

BUILTIN: tuple[type[Channel], ...] = (
    email_channel.EmailChannel,
    email_channel.TlsEmailChannel,
    secure_link.SecureLinkChannel,
    suomifi_channel.SuomiFiChannel,
    print_channel.PrintChannel,
)


def get_channel(name: str) -> Channel:
    """The channel of that name, or ValueError listing the known ones."""
    channels = registered()
    try:
        return channels[name]()
    except KeyError:
        known = ", ".join(sorted(channels))
        raise ValueError(f"unknown delivery channel {name!r}; known channels: {known}") from None


def channel_names() -> list[str]:
    return sorted(registered())
