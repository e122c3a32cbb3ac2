"""Retry timing for application exceptions (a system down): exponential back-off with a ceiling."""

from __future__ import annotations


def retry_delay_seconds(attempt: int, base: int, ceiling: int) -> int:
    """Seconds to wait before attempt `attempt + 1`, after `attempt` failed attempts (1-based)."""
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    delay = base * 2 ** (attempt - 1)
    return int(min(delay, ceiling))


def outage_delay_seconds(failures: int, base: float, ceiling: float, fraction: float) -> float:
    """Seconds to wait after `failures` failed tries (1-based) to reach the platform's database.

    Doubles from `base` up to `ceiling`, then takes a point between half of that and all of it
    (`fraction` in [0, 1), a random number): workers that lost the database together do not
    all knock again at the same moment ("equal jitter").
    """
    if failures < 1:
        raise ValueError("failures count from 1")
    if not 0 <= fraction < 1:
        raise ValueError("fraction must be in [0, 1)")
    delay = min(base * float(2 ** min(failures - 1, 60)), ceiling)
    return delay / 2 + delay / 2 * fraction
