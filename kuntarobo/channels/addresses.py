"""Recipient address kinds and how each is shown masked. Pure Python: the choice helper, the
model and the tests share one definition."""

from __future__ import annotations

import re
from enum import StrEnum

from kuntarobo.core.masking import IDENTITY_CODE, mask_identity_codes


class AddressKind(StrEnum):
    """What a channel needs to reach someone."""

    EMAIL = "email"
    USER = "user"  # a platform user's username: the secure link is theirs only
    IDENTITY_CODE = "identity_code"  # Suomi.fi Messages
    POSTAL_ADDRESS = "postal_address"  # a letter: "name\nstreet\npostal code city"


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_BIRTH_AND_SIGN = 7  # DDMMYY and the century sign


def validate_address(kind: str, value: str) -> str:
    """The address stripped, or ValueError naming what is wrong (the value itself is not
    repeated: it may be personal data)."""
    text = value.strip()
    if not text:
        raise ValueError(f"the recipient's {kind} is empty")
    if kind == AddressKind.EMAIL and not _EMAIL.fullmatch(text):
        raise ValueError("the recipient's e-mail address is not of the form name@domain.fi")
    if kind == AddressKind.IDENTITY_CODE and not IDENTITY_CODE.fullmatch(text):
        raise ValueError("the recipient's personal identity code is not of the form DDMMYY-NNNC")
    if kind == AddressKind.POSTAL_ADDRESS and len(text.splitlines()) < 3:
        raise ValueError(
            "the recipient's postal address needs three lines: name, street, postal code and city"
        )
    if kind not in set(AddressKind):
        raise ValueError(f"unknown address kind {kind!r}")
    return text.upper() if kind == AddressKind.IDENTITY_CODE else text


def mask_address(kind: str, value: str) -> str:
    """How a recipient is shown in logs, the admin and pages: enough to tell deliveries apart,
    not enough to contact or identify the person."""
    if kind == AddressKind.EMAIL:
        local, _at, domain = value.partition("@")
        return f"{local[:1]}***@{domain}" if domain else "***"
    if kind == AddressKind.IDENTITY_CODE:
        if IDENTITY_CODE.fullmatch(value.strip()):
            return f"{value.strip()[:_BIRTH_AND_SIGN].upper()}****"
        return "***"
    if kind == AddressKind.POSTAL_ADDRESS:
        lines = [line.strip() for line in value.splitlines() if line.strip()]
        return f"***, {lines[-1]}" if len(lines) > 1 else "***"
    if kind == AddressKind.USER:
        return value  # a staff username is no secret and is in the audit trail anyway
    return "***"


def mask_text(text: str, *secrets: str) -> str:
    """An error text with identity codes and the given values (the recipient's address and its
    lines) masked, for the delivery record and the log."""
    masked = mask_identity_codes(text)
    for secret in secrets:
        for part in [secret, *secret.splitlines()]:
            part = part.strip()
            if len(part) >= 3:
                masked = masked.replace(part, "***")
    return masked
