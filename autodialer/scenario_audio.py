"""A campaign's recorded audio: a WAV Asterisk plays as it is (``format_wav``: 8 kHz,
16-bit, mono), kept under a name made from its content, its length counted with the
spoken text's against the standard's minute (AD-7)."""

from __future__ import annotations

import hashlib
import shutil
import struct
import wave
from pathlib import Path

from autodialer.storage import CampaignError

ASTERISK_WAV = (1, 2, 8000)
"""Channels, bytes a sample, samples a second: what Asterisk's ``.wav`` format reads."""


def audio_seconds(path: Path) -> float:
    """The recording's length; CampaignError naming what is wrong with the file."""
    try:
        with wave.open(str(path), "rb") as audio:
            shape = (audio.getnchannels(), audio.getsampwidth(), audio.getframerate())
            frames = audio.getnframes()
    except (wave.Error, EOFError, RuntimeError, struct.error, OSError):
        raise CampaignError(f"{path.name} is not a WAV recording") from None
    if shape != ASTERISK_WAV:
        channels, width, rate = shape
        raise CampaignError(
            f"{path.name} is {rate} Hz, {width * 8}-bit, {channels} channel(s): Asterisk "
            "plays a WAV of 8000 Hz, 16-bit, mono (sox in.wav -r 8000 -b 16 -c 1 out.wav)"
        )
    if frames == 0:
        raise CampaignError(f"{path.name} holds no sound")
    return frames / ASTERISK_WAV[2]


def kept_audio(path: Path, folder: Path) -> str:
    """Copy the recording into ``folder`` under a name made from its content; the name."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:20]
    name = f"scenario-{digest}.wav"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, folder / name)
    return name
