"""Keeping a robot's translatable texts in every language (see `kuntarobo.core.localized`).

A robot writes its reasons, flags and errors with `kuntarobo.sdk.message(_("…"), …)` (a lazy
text); the worker renders it here in each language of the UI, masked, so the page shows it
in the reader's language. Plain strings are stored as they are."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise

from kuntarobo.core.localized import encode
from kuntarobo.core.masking import mask_identity_codes


def every_language(value: Any) -> dict[str, str]:
    """`value` rendered in each language of the UI (masked): a lazy text, or an error whose
    message is one (`InputError`)."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = mask_identity_codes(str(value))
    return texts


def in_languages(value: Any) -> dict[str, str] | None:
    """A lazy text rendered in every language of the UI (masked); None for a plain value."""
    return every_language(value) if isinstance(value, Promise) else None


def stored_line(value: Any) -> str | dict[str, str]:
    """An explanation or attention line as stored in the item's JSON list."""
    texts = in_languages(value)
    return texts if texts is not None else mask_identity_codes(str(value))


def stored_text(value: Any) -> str:
    """A text for a text column (an item's error, a log line)."""
    texts = in_languages(value)
    if texts is None:
        return mask_identity_codes(str(value))
    if len(set(texts.values())) == 1:  # the same in every language (a robot's own words)
        return next(iter(texts.values()))
    return encode(texts)


def stored_title(value: Any, length: int = 300) -> str:
    """An item's title for its column: a lazy text in every language (shortened to fit), a
    plain title as it is."""
    texts = in_languages(value)
    if texts is None:
        return str(value)[:length]
    while len(encode(texts)) > length:
        longest = max(texts, key=lambda code: len(texts[code]))
        texts[longest] = texts[longest][:-1]
    return encode(texts) if len(set(texts.values())) > 1 else next(iter(texts.values()))
