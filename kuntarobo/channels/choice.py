"""Which channels reach a recipient, in the order to try them. Pure Python: a robot gives what
it knows of the person and gets routes; the platform stays out of the decision's data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from kuntarobo.channels.addresses import AddressKind


@dataclass(frozen=True)
class Contact:
    """What a robot knows of how to reach one recipient.

    `uses_suomifi` is None when unknown: Suomi.fi is then tried (the API refuses a message to
    someone without a mailbox and the next route is taken). `postal_address` is three lines:
    name, street, postal code and city. `prefers` lists channel names the person asked for."""

    identity_code: str = ""
    uses_suomifi: bool | None = None
    email: str = ""
    username: str = ""
    postal_address: str = ""
    staff: bool = False
    prefers: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Route:
    """One channel and the address it takes."""

    channel: str
    address_kind: AddressKind
    address: str


def choose_channels(
    contact: Contact, *, personal: bool, available: Iterable[str] | None = None
) -> list[Route]:
    """The routes to try, best first.

    Staff: a personal document by secure link (its notice goes by e-mail), anything else by
    e-mail. Citizens: Suomi.fi Messages when they use it (or it is unknown), else a printed
    letter; e-mail only for content without personal data. The person's own preferences come
    first among the routes that are allowed at all."""
    allowed = None if available is None else set(available)
    routes: list[Route] = []

    def add(channel: str, kind: AddressKind, address: str) -> None:
        if address and (allowed is None or channel in allowed):
            routes.append(Route(channel, kind, address))

    if contact.staff:
        if personal:
            add("secure_link", AddressKind.USER, contact.username)
        else:
            add("email", AddressKind.EMAIL, contact.email)
            add("secure_link", AddressKind.USER, contact.username)
    else:
        if contact.uses_suomifi is not False:
            add("suomifi", AddressKind.IDENTITY_CODE, contact.identity_code)
        if not personal:
            add("email", AddressKind.EMAIL, contact.email)
        add("print", AddressKind.POSTAL_ADDRESS, contact.postal_address)
    if contact.prefers:
        rank = {name: index for index, name in enumerate(contact.prefers)}
        routes.sort(key=lambda route: rank.get(route.channel, len(rank)))
    return routes
