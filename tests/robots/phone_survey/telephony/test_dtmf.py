"""The in-band DTMF detector on generated keypad tones, silence, noise and speech-like sound."""

from __future__ import annotations

import math
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from kuntarobo.robots.phone_survey.telephony.dtmf import (
    KEYS,
    DtmfDetector,
    block_key,
    tone,
)

ALL_KEYS = "".join(KEYS)


def _silence(seconds: float) -> list[int]:
    return [0] * int(seconds * 8000)


def _noise(seconds: float, amplitude: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    return [int(rng.gauss(0, amplitude)) for _ in range(int(seconds * 8000))]


def _mix(a: list[int], b: list[int]) -> list[int]:
    return [max(-32768, min(32767, x + y)) for x, y in zip(a, b, strict=True)]


def test_every_key_alone_is_read_from_its_tone() -> None:
    for key in ALL_KEYS:
        detector = DtmfDetector()
        assert detector.feed(tone(key, 0.1) + _silence(0.1)) == key


def test_a_sequence_of_keys_with_pauses_is_read_in_order() -> None:
    audio: list[int] = []
    for key in "1942#0*":
        audio += tone(key, 0.08) + _silence(0.06)
    assert DtmfDetector().feed(audio) == "1942#0*"


def test_a_held_key_is_one_press_and_a_repeated_key_two() -> None:
    assert DtmfDetector().feed(tone("5", 1.0)) == "5"
    assert DtmfDetector().feed(tone("5", 0.1) + _silence(0.1) + tone("5", 0.1)) == "55"


def test_silence_and_white_noise_give_no_keys() -> None:
    assert DtmfDetector().feed(_silence(1.0)) == ""
    for seed in range(5):
        assert DtmfDetector().feed(_noise(1.0, 3000, seed)) == ""


def test_a_single_frequency_is_not_a_key() -> None:
    hum = [int(8000 * math.sin(2 * math.pi * 697 * n / 8000)) for n in range(8000)]
    assert DtmfDetector().feed(hum) == ""


def test_speech_like_harmonics_are_not_read_as_keys() -> None:
    # A voiced sound: a 140 Hz fundamental with many harmonics, none matching a key pair alone.
    voice = [
        int(sum(2500 / k * math.sin(2 * math.pi * 140 * k * n / 8000) for k in range(1, 20)))
        for n in range(8000)
    ]
    assert DtmfDetector().feed(voice) == ""


def test_a_key_too_short_for_two_blocks_is_ignored() -> None:
    assert DtmfDetector().feed(tone("7", 0.03) + _silence(0.1)) == ""


def test_a_loud_twisted_pair_is_still_a_key_but_an_extreme_one_is_not() -> None:
    def pair(low_amp: int, high_amp: int) -> list[int]:
        return [
            int(
                low_amp * math.sin(2 * math.pi * 770 * n / 8000)
                + high_amp * math.sin(2 * math.pi * 1336 * n / 8000)
            )
            for n in range(800)
        ]

    assert DtmfDetector().feed(pair(4000, 2500)) == "5"  # about 4 dB twist
    assert DtmfDetector().feed(pair(6000, 600)) == ""  # 20 dB twist


@settings(max_examples=40, deadline=None)
@given(
    keys=st.text(alphabet=ALL_KEYS, min_size=1, max_size=6),
    chunk=st.integers(min_value=1, max_value=400),
    noise=st.integers(min_value=0, max_value=400),
    seed=st.integers(min_value=0, max_value=10_000),
    amplitude=st.integers(min_value=2000, max_value=20000),
)
def test_keys_in_light_noise_are_read_whatever_the_chunking(
    keys: str, chunk: int, noise: int, seed: int, amplitude: int
) -> None:
    audio: list[int] = _silence(0.05)
    for key in keys:
        audio += tone(key, 0.09, amplitude=amplitude, phase=seed % 7) + _silence(0.07)
    audio = _mix(audio, _noise(len(audio) / 8000, noise, seed))
    detector = DtmfDetector()
    found = "".join(detector.feed(audio[i : i + chunk]) for i in range(0, len(audio), chunk))
    assert found == keys


def test_pcm_bytes_are_read_as_little_endian_16_bit() -> None:
    samples = tone("#", 0.1) + _silence(0.05)
    pcm = b"".join(s.to_bytes(2, "little", signed=True) for s in samples)
    assert DtmfDetector().feed_pcm16(pcm[:301]) + DtmfDetector().feed_pcm16(b"") == ""
    detector = DtmfDetector()
    assert detector.feed_pcm16(pcm[:301]) + detector.feed_pcm16(pcm[301:]) == "#"


def test_one_block_is_judged_alone() -> None:
    assert block_key(tone("D", 0.03)[:205]) == "D"
    assert block_key([]) == ""
