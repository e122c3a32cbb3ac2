"""Personal identity codes must never reach a log unmasked: this module finds and masks them.

Pure Python (no Django) so robots, log filters and tests share one definition.
"""

from __future__ import annotations

import logging
import re
from typing import Any

# DDMMYY, a century sign (+ - Y X W V U A B C D E F), three digits and a check character.
IDENTITY_CODE = re.compile(
    r"(?<![0-9A-Za-z])"
    r"(?P<birth>(0[1-9]|[12]\d|3[01])(0[1-9]|1[0-2])\d{2})"
    r"(?P<sign>[-+YXWVUABCDEF])"
    r"(?P<individual>\d{3})"
    r"(?P<check>[0-9ABCDEFHJKLMNPRSTUVWXY])"
    r"(?![0-9A-Za-z])"
)
MASK = "******-****"


def mask_identity_codes(text: str) -> str:
    """Replace every personal identity code in `text`; the birth date is hidden too."""
    return IDENTITY_CODE.sub(MASK, text)


def mask_value(value: Any) -> Any:
    """Mask identity codes inside nested JSON-like data (dicts, lists, strings)."""
    if isinstance(value, str):
        return mask_identity_codes(value)
    if isinstance(value, dict):
        return {key: mask_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_value(item) for item in value]
    return value


class IdentityCodeFilter(logging.Filter):
    """A logging filter that masks identity codes in the rendered message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_identity_codes(message)
        if masked != message:
            record.msg = masked
            record.args = None
        if record.exc_text:
            record.exc_text = mask_identity_codes(record.exc_text)
        return True
