"""Retry timing for application exceptions (a system down): exponential back-off with a ceiling."""

from __future__ import annotations


def retry_delay_seconds(attempt: int, base: int, ceiling: int) -> int:
    """Seconds to wait before attempt `attempt + 1`, after `attempt` failed attempts (1-based)."""
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    delay = base * 2 ** (attempt - 1)
    return int(min(delay, ceiling))
