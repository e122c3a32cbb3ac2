"""In-band DTMF: keypad presses that arrive as audio tones (old phones, some trunks and gateways
that do not send RFC 2833 events) are read from the call's 8 kHz PCM with the Goertzel
algorithm. Pure Python, no I/O.

A block of 205 samples (25.6 ms, the classic choice whose bins fall near the eight DTMF
frequencies) is a key when one low and one high frequency carry most of the block's energy,
neither is far louder than the other (twist), each clearly beats the rest of its group, and
the block is not near silence. A key is reported once, after `min_blocks` equal blocks, and again
only after a block without it - so a held key is one press and speech rarely makes a key.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Final

RATE: Final = 8000
BLOCK: Final = 205
LOW: Final = (697.0, 770.0, 852.0, 941.0)
HIGH: Final = (1209.0, 1336.0, 1477.0, 1633.0)
KEYS: Final = ("123A", "456B", "789C", "*0#D")

MIN_RMS: Final = 60.0  # about -55 dBFS: below this a block is silence
MIN_SHARE: Final = 0.45  # of the block's energy in the two winning bins (a clean key: ~1.0)
MIN_EACH: Final = 0.12  # of the block's energy in each of the two bins
MAX_TWIST: Final = 6.3  # ratio of the two tone powers, about 8 dB
MIN_DOMINANCE: Final = 5.0  # the winner over the runner-up of its group


def _coefficients(frequencies: Sequence[float], rate: int, block: int) -> tuple[float, ...]:
    return tuple(
        2.0 * math.cos(2.0 * math.pi * round(block * f / rate) / block) for f in frequencies
    )


def _power(samples: Sequence[int], coefficient: float) -> float:
    s1 = 0.0
    s2 = 0.0
    for sample in samples:
        s0 = sample + coefficient * s1 - s2
        s2 = s1
        s1 = s0
    return s1 * s1 + s2 * s2 - coefficient * s1 * s2


def _winner(powers: Sequence[float]) -> tuple[int, float, float]:
    """Index, power of the strongest bin, and the power of the runner-up."""
    order = sorted(range(len(powers)), key=powers.__getitem__, reverse=True)
    return order[0], powers[order[0]], powers[order[1]]


def block_key(samples: Sequence[int], rate: int = RATE) -> str:
    """The key one block of samples holds, or "" for none."""
    count = len(samples)
    if count == 0:
        return ""
    energy = float(sum(sample * sample for sample in samples))
    if math.sqrt(energy / count) < MIN_RMS:
        return ""
    low_powers = [_power(samples, c) for c in _coefficients(LOW, rate, count)]
    high_powers = [_power(samples, c) for c in _coefficients(HIGH, rate, count)]
    row, low, low_second = _winner(low_powers)
    column, high, high_second = _winner(high_powers)
    scale = energy * count / 2.0  # a pure tone filling the block scores about 1.0
    low_share = low / scale
    high_share = high / scale
    if low_share < MIN_EACH or high_share < MIN_EACH or low_share + high_share < MIN_SHARE:
        return ""
    if max(low, high) > MAX_TWIST * min(low, high):
        return ""
    if low < MIN_DOMINANCE * low_second or high < MIN_DOMINANCE * high_second:
        return ""
    return KEYS[row][column]


class DtmfDetector:
    """Feed the call's audio as it comes (any chunk size); get back the keys newly pressed."""

    def __init__(self, rate: int = RATE, min_blocks: int = 2) -> None:
        self.rate = rate
        self.min_blocks = min_blocks
        self._pending: list[int] = []
        self._odd = b""  # the first byte of a sample split between two chunks
        self._candidate = ""
        self._run = 0
        self._reported = ""

    def feed_pcm16(self, pcm: bytes) -> str:
        """Little-endian 16-bit mono PCM, as a media port hands it over."""
        data = self._odd + pcm
        even = len(data) - len(data) % 2
        self._odd = data[even:]
        return self.feed(
            int.from_bytes(data[i : i + 2], "little", signed=True) for i in range(0, even, 2)
        )

    def feed(self, samples: Iterable[int]) -> str:
        self._pending.extend(samples)
        keys: list[str] = []
        while len(self._pending) >= BLOCK:
            block = self._pending[:BLOCK]
            del self._pending[:BLOCK]
            key = block_key(block, self.rate)
            if key and key == self._candidate:
                self._run += 1
            else:
                self._candidate = key
                self._run = 1 if key else 0
                if key != self._reported:
                    self._reported = ""
            if key and self._run >= self.min_blocks and key != self._reported:
                self._reported = key
                keys.append(key)
        return "".join(keys)


def tone(
    key: str, seconds: float, *, amplitude: int = 8000, rate: int = RATE, phase: float = 0.0
) -> list[int]:
    """The two-tone signal of one key, to send keys in-band (and to test the detector)."""
    for row, keys in enumerate(KEYS):
        column = keys.find(key)
        if column >= 0:
            low, high = LOW[row], HIGH[column]
            break
    else:
        raise ValueError(f"{key!r} is not a DTMF key")
    count = int(seconds * rate)
    half = amplitude / 2.0
    return [
        int(
            half * math.sin(2 * math.pi * low * n / rate + phase)
            + half * math.sin(2 * math.pi * high * n / rate + phase)
        )
        for n in range(count)
    ]
