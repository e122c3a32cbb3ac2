"""Personal identity codes and the vault's secrets must never reach a log unmasked: this module
finds and masks them.

Pure Python (no Django) so robots, log filters and tests share one definition.
"""

from __future__ import annotations

import html
import logging
import re
import threading
from typing import Any
from urllib.parse import quote, quote_plus

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
SECRET_MASK = "********"  # noqa: S105  (the mask, not a secret)
# Secrets shorter than this are refused when saved (kuntarobo.vault): masking a two-letter
# "secret" everywhere would garble every log line.
MIN_SECRET_LENGTH = 6

_secrets_lock = threading.Lock()
_secret_forms: frozenset[str] = frozenset()
_secret_pattern: re.Pattern[str] | None = None


def remember_secret(secret: str) -> None:
    """Mask `secret` from now on in everything this process masks (logs, stored errors, audit
    details, documents kept with an item). The vault calls it whenever a secret is read, before
    the robot sees it; the set only grows for the life of the process."""
    global _secret_forms, _secret_pattern
    if len(secret) < MIN_SECRET_LENGTH:
        return
    # The forms a secret takes when a page, a URL or an XML file quotes it.
    forms = {secret, html.escape(secret), html.escape(secret, quote=False)}
    forms |= {quote(secret, safe=""), quote_plus(secret)}
    with _secrets_lock:
        if forms <= _secret_forms:
            return
        _secret_forms = _secret_forms | forms
        ordered = sorted(_secret_forms, key=len, reverse=True)
        _secret_pattern = re.compile("|".join(re.escape(form) for form in ordered))


def mask_secrets(text: str) -> str:
    """Replace every remembered secret in `text`."""
    pattern = _secret_pattern
    if pattern is None or not text:
        return text
    return pattern.sub(SECRET_MASK, text)


def mask_secrets_in_bytes(content: bytes) -> bytes:
    """`mask_secrets` for a document's bytes (a page's HTML, a Robot Framework output.xml)."""
    pattern = _secret_pattern
    if pattern is None or not content:
        return content
    binary = re.compile(pattern.pattern.encode("utf-8"))
    return binary.sub(SECRET_MASK.encode("ascii"), content)


def mask_identity_codes(text: str) -> str:
    """Replace every personal identity code in `text`, the birth date too, and every secret
    read from the vault in this process."""
    return mask_secrets(IDENTITY_CODE.sub(MASK, text))


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
