"""Personal identity codes must never reach a log unmasked: this module finds and masks them.

Pure Python (no Django) so robots, log filters and tests share one definition.
"""

from __future__ import annotations

import logging
import re
from typing import Any

# DDMMYY, a century sign (+ - Y X W V U A B C D E F), three digits and a check character. Lower
# case counts too, and so does a code glued to letters ("HETU131052-308T"): only a longer run of
# digits on either side makes it something else.
IDENTITY_CODE = re.compile(
    r"(?<!\d)"
    r"(?P<birth>(0[1-9]|[12]\d|3[01])(0[1-9]|1[0-2])\d{2})"
    r"(?P<sign>[-+YXWVUABCDEF])"
    r"(?P<individual>\d{3})"
    r"(?P<check>[0-9ABCDEFHJKLMNPRSTUVWXY])"
    r"(?!\d)",
    re.IGNORECASE,
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
        return {mask_value(key): mask_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_value(item) for item in value]
    return value


class IdentityCodeFilter(logging.Filter):
    """A logging filter that masks identity codes in the message, its arguments, the traceback
    and the stack. The traceback is rendered here, since a formatter would render it after the
    filter has run."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_identity_codes(message)
        if masked != message:
            record.msg = masked
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_identity_codes(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_identity_codes(record.stack_info)
        return True
