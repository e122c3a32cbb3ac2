"""The audio of a prompt: the uploaded recording of a step when there is one (a city may use the
mayor's own voice), else espeak-ng speech. Either way the call plays 8 kHz 16-bit mono WAV, the
rate of G.711, so the media stack does not resample on every call; TTS is made once per
(text, language, voice) and cached on disk, written atomically so a crash never leaves a half
file that a later call would play.
"""

from __future__ import annotations

import array
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from collections.abc import Mapping
from pathlib import Path
from typing import Final

RATE: Final = 8000  # G.711
VOICES: Final[Mapping[str, str]] = {"fi": "fi", "sv": "sv", "en": "en"}
FORMAT_VERSION: Final = "1"  # bump when the audio we write changes, so old cache files go unused
MAX_TEXT_CHARS: Final = 5000
ESPEAK_TIMEOUT_SECONDS: Final = 60


class PromptError(ValueError):
    """A prompt that cannot be made: unknown language, no TTS, an unreadable recording."""


def read_pcm16_mono(path: Path) -> tuple[array.array[int], int]:
    """The samples (16-bit, mono, mixed down) and rate of a PCM WAV file."""
    try:
        with wave.open(str(path), "rb") as source:
            channels = source.getnchannels()
            width = source.getsampwidth()
            rate = source.getframerate()
            raw = source.readframes(source.getnframes())
    except (wave.Error, EOFError) as error:
        raise PromptError(f"{path.name}: not a PCM WAV file ({error})") from None
    except OSError as error:
        raise PromptError(f"{path.name}: cannot be read ({error.strerror})") from None
    if rate <= 0 or channels <= 0:
        raise PromptError(f"{path.name}: a WAV file without a sample rate or channels")
    samples = _to_int16(raw, width, path.name)
    if channels > 1:
        frames = len(samples) // channels
        mixed = array.array("h", bytes(2 * frames))
        for index in range(frames):
            start = index * channels
            mixed[index] = sum(samples[start : start + channels]) // channels
        samples = mixed
    return samples, rate


def _to_int16(raw: bytes, width: int, name: str) -> array.array[int]:
    if width == 2:
        samples = array.array("h")
        samples.frombytes(raw[: len(raw) - len(raw) % 2])
        if sys.byteorder == "big":
            samples.byteswap()
        return samples
    if width == 1:  # unsigned 8-bit
        return array.array("h", ((byte - 128) << 8 for byte in raw))
    if width in (3, 4):  # keep the top 16 bits of each little-endian sample
        return array.array(
            "h",
            (
                int.from_bytes(raw[i + width - 2 : i + width], "little", signed=True)
                for i in range(0, len(raw) - width + 1, width)
            ),
        )
    raise PromptError(f"{name}: {8 * width}-bit samples are not supported")


def resample(samples: array.array[int], rate: int, target: int = RATE) -> array.array[int]:
    """Down-sampling averages the input over each output sample's span (a box filter, enough
    against aliasing for speech); up-sampling interpolates linearly. Pure Python: no numpy
    dependency, and audioop is gone in Python 3.13."""
    if rate == target or not samples:
        return array.array("h", samples)
    count = len(samples)
    out_count = max(1, count * target // rate)
    step = rate / target
    out = array.array("h", bytes(2 * out_count))
    if rate > target:
        prefix = [0] * (count + 1)
        total = 0
        for index, value in enumerate(samples):
            total += value
            prefix[index + 1] = total
        for index in range(out_count):
            start = int(index * step)
            end = min(count, max(start + 1, int((index + 1) * step)))
            out[index] = (prefix[end] - prefix[start]) // (end - start)
        return out
    last = count - 1
    for index in range(out_count):
        position = index * step
        left = int(position)
        right = min(left + 1, last)
        fraction = position - left
        out[index] = int(samples[left] * (1 - fraction) + samples[right] * fraction)
    return out


def write_wav_atomically(path: Path, samples: array.array[int], rate: int = RATE) -> None:
    """A temporary file in the same folder, renamed over `path`: readers see all or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-", suffix=".wav")
    os.close(handle)
    try:
        data = array.array("h", samples)
        if sys.byteorder == "big":
            data.byteswap()
        with wave.open(temporary, "wb") as target:
            target.setnchannels(1)
            target.setsampwidth(2)
            target.setframerate(rate)
            target.writeframes(data.tobytes())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def wav_seconds(path: Path) -> float:
    """The length of a WAV file, to know when its prompt has been played."""
    with wave.open(str(path), "rb") as source:
        return source.getnframes() / float(source.getframerate())


class PromptCache:
    """Prompts as 8 kHz WAV files in `directory`. `recordings` maps (step_id, language) to an
    uploaded WAV of any PCM format; other prompts are spoken by espeak-ng."""

    def __init__(
        self,
        directory: Path,
        recordings: Mapping[tuple[str, str], Path] | None = None,
        *,
        espeak: str = "espeak-ng",
        voices: Mapping[str, str] = VOICES,
    ) -> None:
        self.directory = directory
        self.recordings = dict(recordings or {})
        self.espeak = espeak
        self.voices = voices

    def path_for(self, text: str, language: str, step_id: str = "") -> Path:
        """The WAV to play for a prompt, made now if it is not cached yet."""
        recording = self.recordings.get((step_id, language))
        if recording is not None:
            return self._recorded(recording)
        return self._spoken(text, language)

    def _recorded(self, source: Path) -> Path:
        try:
            content = source.read_bytes()
        except OSError as error:
            raise PromptError(f"{source.name}: cannot be read ({error.strerror})") from None
        key = hashlib.sha256(b"recording\0" + FORMAT_VERSION.encode() + b"\0" + content)
        target = self.directory / f"rec-{key.hexdigest()[:32]}.wav"
        if not target.exists():
            samples, rate = read_pcm16_mono(source)
            write_wav_atomically(target, resample(samples, rate))
        return target

    def _spoken(self, text: str, language: str) -> Path:
        voice = self.voices.get(language)
        if voice is None:
            raise PromptError(f"language {language!r} has no TTS voice")
        if not text.strip():
            raise PromptError("an empty prompt text")
        if len(text) > MAX_TEXT_CHARS:
            raise PromptError(f"a prompt text over {MAX_TEXT_CHARS} characters")
        key = hashlib.sha256("\0".join(("tts", FORMAT_VERSION, voice, language, text)).encode())
        target = self.directory / f"tts-{key.hexdigest()[:32]}.wav"
        if target.exists():
            return target
        program = shutil.which(self.espeak)
        if program is None:
            raise PromptError(f"{self.espeak} is not installed (make system-deps)")
        self.directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.directory, prefix=".tts-") as work:
            raw = Path(work) / "speech.wav"
            # The text goes in on stdin: a text starting with "-" is never read as an option.
            result = subprocess.run(
                [program, "-v", voice, "-w", str(raw), "--stdin"],
                input=text.encode("utf-8"),
                capture_output=True,
                timeout=ESPEAK_TIMEOUT_SECONDS,
                check=False,
            )
            if result.returncode != 0 or not raw.exists():
                problem = result.stderr.decode("utf-8", "replace").strip().splitlines()
                detail = problem[0] if problem else f"exit {result.returncode}"
                raise PromptError(f"espeak-ng failed for language {language}: {detail}")
            samples, rate = read_pcm16_mono(raw)
            write_wav_atomically(target, resample(samples, rate))
        return target
