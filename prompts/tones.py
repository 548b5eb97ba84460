"""Sounds the engine makes without speech: the signal before a recording, and silence.

They are written sample by sample, so they come out the same on every machine; like
the rendered speech they are 8 kHz 16-bit mono PCM, what Asterisk's ``format_wav`` plays.
The engine plays its own signal because a stock Asterisk may lack its ``beep`` file,
and then refuses ``RECORD FILE … BEEP`` outright.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 8000
SAMPLE_BYTES = 2
BEEP_HERTZ = 1000
BEEP_SECONDS = 0.25
BEEP_LEVEL = 0.5
"""Of full scale (about −6 dBFS): plainly heard, never clipped by a codec."""
BEEP_RAMP_SECONDS = 0.005
"""The tone fades in and out over this, so it starts and stops without a click."""
_FULL_SCALE = 32767


class AudioFormatError(ValueError):
    """A file is not 8 kHz 16-bit mono PCM WAV."""


def beep_frames() -> bytes:
    """The signal: a short 1 kHz tone."""
    count = round(RATE * BEEP_SECONDS)
    ramp = round(RATE * BEEP_RAMP_SECONDS)
    samples = []
    for n in range(count):
        envelope = min(1.0, n / ramp, (count - 1 - n) / ramp)
        value = BEEP_LEVEL * envelope * math.sin(2 * math.pi * BEEP_HERTZ * n / RATE)
        samples.append(round(value * _FULL_SCALE))
    return struct.pack(f"<{count}h", *samples)


def silence_frames(seconds: float) -> bytes:
    return b"\x00" * SAMPLE_BYTES * round(RATE * seconds)


def write_wav(target: Path, frames: bytes) -> None:
    with wave.open(str(target), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(SAMPLE_BYTES)
        audio.setframerate(RATE)
        audio.writeframes(frames)


def read_frames(source: Path) -> bytes:
    """The samples of an 8 kHz 16-bit mono WAV; AudioFormatError for any other kind."""
    with wave.open(str(source), "rb") as audio:
        kind = (audio.getframerate(), audio.getsampwidth(), audio.getnchannels())
        if kind != (RATE, SAMPLE_BYTES, 1):
            raise AudioFormatError(f"{source} is {kind} (rate, sample bytes, channels)")
        return audio.readframes(audio.getnframes())
