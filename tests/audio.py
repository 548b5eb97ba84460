"""Audio for tests: a tone standing in for a caller's voice."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path


def tone_wav(path: Path, seconds: float = 1.42, hertz: float = 440.0) -> Path:
    """An 8 kHz 16-bit mono WAV of a tone (1.42 s is Asterisk's hello-world)."""
    frames = int(8000 * seconds)
    with wave.open(str(path), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(
            b"".join(
                struct.pack("<h", int(8000 * math.sin(2 * math.pi * hertz * n / 8000)))
                for n in range(frames)
            )
        )
    return path
