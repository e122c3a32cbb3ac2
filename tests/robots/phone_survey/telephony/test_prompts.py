"""Prompts: espeak-ng speech made once per (text, language, voice) and cached; uploaded
recordings of any PCM format turned into 8 kHz 16-bit mono; nothing half written."""

from __future__ import annotations

import math
import wave
from pathlib import Path

import pytest

from kuntarobo.robots.phone_survey.telephony.caller import rms_of_wav
from kuntarobo.robots.phone_survey.telephony.prompts import (
    PromptCache,
    PromptError,
    read_pcm16_mono,
    resample,
    write_wav_atomically,
)


def _format(path: Path) -> tuple[int, int, int]:
    with wave.open(str(path), "rb") as audio:
        return audio.getframerate(), audio.getnchannels(), audio.getsampwidth()


def _write(path: Path, rate: int, channels: int, width: int, frames: bytes) -> None:
    with wave.open(str(path), "wb") as audio:
        audio.setframerate(rate)
        audio.setnchannels(channels)
        audio.setsampwidth(width)
        audio.writeframes(frames)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_speech_in_each_language_is_8_khz_mono_16_bit_and_audible(
    tmp_path: Path, language: str
) -> None:
    path = PromptCache(tmp_path).path_for("Hei, tämä on testi. Tack. Thank you.", language)

    assert _format(path) == (8000, 1, 2)
    assert rms_of_wav(path) > 500


def test_the_same_prompt_is_spoken_once_and_a_different_text_or_language_again(
    tmp_path: Path,
) -> None:
    cache = PromptCache(tmp_path)
    first = cache.path_for("Paina yksi.", "fi")
    made = first.stat().st_mtime_ns
    again = PromptCache(tmp_path).path_for("Paina yksi.", "fi")

    assert again == first
    assert again.stat().st_mtime_ns == made
    assert cache.path_for("Paina kaksi.", "fi") != first
    assert cache.path_for("Paina yksi.", "sv") != first
    assert sorted(p.name.startswith("tts-") for p in tmp_path.iterdir()) == [True] * 3


def test_an_uploaded_recording_replaces_speech_and_is_resampled(tmp_path: Path) -> None:
    upload = tmp_path / "mayor.wav"
    tone = [int(9000 * math.sin(2 * math.pi * 440 * n / 44100)) for n in range(44100)]
    stereo = b"".join(s.to_bytes(2, "little", signed=True) * 2 for s in tone)
    _write(upload, 44100, 2, 2, stereo)
    cache = PromptCache(tmp_path / "cache", {("consent", "fi"): upload})

    path = cache.path_for("Vastataksenne painakaa 1.", "fi", "consent")
    samples, rate = read_pcm16_mono(path)

    assert _format(path) == (8000, 1, 2)
    assert rate == 8000
    assert abs(len(samples) - 8000) <= 1
    assert 9000 / math.sqrt(2) * 0.9 < rms_of_wav(path) < 9000 / math.sqrt(2) * 1.1
    assert cache.path_for("Vastataksenne painakaa 1.", "sv", "consent").name.startswith("tts-")


def test_an_8_bit_recording_at_a_low_rate_is_upsampled(tmp_path: Path) -> None:
    upload = tmp_path / "old.wav"
    _write(upload, 4000, 1, 1, bytes([128, 200, 128, 56] * 1000))
    path = PromptCache(tmp_path / "cache", {("intro", "en"): upload}).path_for("x", "en", "intro")

    samples, rate = read_pcm16_mono(path)
    assert rate == 8000
    assert abs(len(samples) - 8000) <= 2
    assert max(samples) > 15000
    assert min(samples) < -15000


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"not a wav", "not a PCM WAV file"), (b"", "not a PCM WAV file")],
)
def test_a_broken_recording_is_refused_naming_the_file(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    upload = tmp_path / "broken.wav"
    upload.write_bytes(content)
    cache = PromptCache(tmp_path / "cache", {("intro", "fi"): upload})

    with pytest.raises(PromptError, match=rf"broken\.wav: {problem}"):
        cache.path_for("Hei", "fi", "intro")
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").iterdir())


def test_a_missing_recording_and_an_unknown_language_are_clear_errors(tmp_path: Path) -> None:
    cache = PromptCache(tmp_path, {("intro", "fi"): tmp_path / "missing.wav"})
    with pytest.raises(PromptError, match=r"missing\.wav: cannot be read"):
        cache.path_for("Hei", "fi", "intro")
    with pytest.raises(PromptError, match="language 'de' has no TTS voice"):
        cache.path_for("Hallo", "de")
    with pytest.raises(PromptError, match="empty prompt"):
        cache.path_for("  ", "fi")


def test_a_missing_tts_program_is_named(tmp_path: Path) -> None:
    with pytest.raises(PromptError, match="no-such-espeak is not installed"):
        PromptCache(tmp_path, espeak="no-such-espeak").path_for("Hei", "fi")


def test_a_failed_write_leaves_no_file_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import array

    def disk_full(self: wave.Wave_write, data: bytes) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(wave.Wave_write, "writeframes", disk_full)
    with pytest.raises(OSError, match="disk full"):
        write_wav_atomically(tmp_path / "prompt.wav", array.array("h", [1, 2, 3]))
    assert list(tmp_path.iterdir()) == []


def test_resampling_keeps_length_and_level() -> None:
    import array

    tone = array.array(
        "h", (int(8000 * math.sin(2 * math.pi * 300 * n / 22050)) for n in range(22050))
    )
    out = resample(tone, 22050)
    assert len(out) == 8000
    level = math.sqrt(sum(s * s for s in out) / len(out))
    assert 8000 / math.sqrt(2) * 0.9 < level < 8000 / math.sqrt(2) * 1.05
    assert list(resample(array.array("h"), 22050)) == []
