"""Texts kept in every language of the UI, so each reader sees them in their own.

A robot's reasons, flags, errors and log lines are written once, by a worker, but read later by
people of different languages. The runtime keeps a translatable text in all languages
(`kuntarobo.runtime.localized`); this pure module tells such a stored text apart and picks the
reader's language. An explanation or attention line is stored as {"fi": …, "sv": …, "en": …};
a text column (an item's error, a log line) holds the same mapping as JSON after `MARK`.
Plain strings (older rows, texts that are not translatable) are shown as they are."""

from __future__ import annotations

import json
from typing import Any

LANGUAGES = ("fi", "sv", "en")
# A control character no text typed by a person or written by a robot starts with.
MARK = "\x1elocalized:"


def is_localized(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(key in LANGUAGES for key in value)


def encode(texts: dict[str, str]) -> str:
    """The texts in every language as one string for a text column."""
    return MARK + json.dumps(texts, ensure_ascii=False, sort_keys=True)


def pick(value: Any, language: str | None) -> str:
    """The text in `language` (Finnish, then any, when it is missing); a plain value as it is."""
    if isinstance(value, str) and value.startswith(MARK):
        try:
            value = json.loads(value[len(MARK) :])
        except ValueError:
            return str(value)
    if is_localized(value):
        code = (language or "fi")[:2]
        return str(value.get(code) or value.get("fi") or next(iter(value.values())))
    return "" if value is None else str(value)
