"""MixMonitor on an emulated channel: the call's audio, written as Asterisk 22 writes it.

A recording lives on the channel's virtual timeline (seconds of ``ChannelState.now``).
Its file exists from the start with a header that says 0 data bytes, as
formats/format_wav.c writes it; closing writes every sample from start to close
(silence where nothing was heard) and only then the header's sizes, so a reader can
tell an unfinished file from a finished one.
"""

from __future__ import annotations

import itertools
import math
import re
import struct
import wave
from array import array
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

RATE = 8000
SAMPLE_BYTES = 2
HEADER_BYTES = 44
FULL_SCALE = 32767
TONE_HERTZ = 440  # whole cycles in one second, so a second of it repeats seamlessly
TONE_AMPLITUDE = FULL_SCALE // 4
# Asterisk's MixMonitor ids are the address of its datastore, such as 0x7f76200034e0.
_MIXMONITOR_ADDRESSES = itertools.count(0x7F7620003400, 0xE0)
_OPTION = re.compile(r"([A-Za-z])(?:\(([^)]*)\))?")


def wav_header(data_bytes: int | None) -> bytes:
    """The 44-byte header of 8 kHz 16-bit mono PCM; ``None``: sizes not known yet (0)."""
    riff_size, data_size = (0, 0) if data_bytes is None else (36 + data_bytes, data_bytes)
    return (
        b"RIFF"
        + struct.pack("<I", riff_size)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, RATE, RATE * SAMPLE_BYTES, SAMPLE_BYTES, 16)
        + b"data"
        + struct.pack("<I", data_size)
    )


def write_wav(path: Path, frames: bytes) -> None:
    """A finished 8 kHz 16-bit mono WAV of ``frames``, with its directory made."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(wav_header(len(frames)) + frames)


def read_frames(path: Path) -> bytes:
    with wave.open(str(path), "rb") as audio:
        return audio.readframes(audio.getnframes())


def samples_in(seconds: float) -> int:
    return max(round(seconds * RATE), 0)


def fit_to(frames: bytes, samples: int) -> bytes:
    """``frames`` repeated or cut to exactly ``samples`` samples (silence if empty)."""
    wanted = samples * SAMPLE_BYTES
    if not frames:
        return bytes(wanted)
    return (frames * -(-wanted // len(frames)))[:wanted]


@lru_cache(maxsize=1)
def _tone_second() -> bytes:
    return array(
        "h",
        (
            round(TONE_AMPLITUDE * math.sin(2 * math.pi * TONE_HERTZ * n / RATE))
            for n in range(RATE)
        ),
    ).tobytes()


def voice_band_tone(seconds: float) -> bytes:
    """An audible 440 Hz tone at a quarter of full scale, standing in for a voice."""
    return fit_to(_tone_second(), samples_in(seconds))


def mixmonitor_options(text: str) -> dict[str, str]:
    """MixMonitor's option letters, each with its ``(argument)`` or ``""``."""
    return {match[1]: match[2] or "" for match in _OPTION.finditer(text)}


@dataclass(frozen=True)
class _Segment:
    start: int
    frames: bytes


class CallRecording:
    """One MixMonitor file, from ``started_at`` to the moment it is closed.

    Raises OSError when the file cannot be created (Asterisk then records nothing).
    """

    def __init__(self, path: Path, started_at: float) -> None:
        self.path = path
        self.started_at = started_at
        self.closed = False
        self._segments: list[_Segment] = []
        path.parent.mkdir(parents=True, exist_ok=True)  # as MixMonitor's ast_mkdir
        path.write_bytes(wav_header(None))

    def add(self, at: float, frames: bytes) -> None:
        """Audio heard at virtual second ``at``; overlapping audio is mixed at close."""
        if self.closed or not frames:
            return
        start = round((at - self.started_at) * RATE)
        if start < 0:
            frames, start = frames[-start * SAMPLE_BYTES :], 0
        self._segments.append(_Segment(start, frames[: len(frames) // SAMPLE_BYTES * SAMPLE_BYTES]))

    def close(self, at: float) -> None:
        """Write the samples up to ``at``, then the header's sizes. A second close is a no-op."""
        if self.closed:
            return
        self.closed = True
        data = _mix(self._segments, samples_in(at - self.started_at))
        self._segments = []
        with self.path.open("r+b") as file:
            file.seek(HEADER_BYTES)
            file.write(data)
            file.truncate()
            file.seek(0)
            file.write(wav_header(len(data)))


def _mix(segments: list[_Segment], total: int) -> bytes:
    """``total`` samples of silence with every segment summed in, clipped to 16 bits."""
    mixed = array("h", bytes(total * SAMPLE_BYTES))
    written = 0  # samples beyond this are still silence: copy instead of summing
    for segment in sorted(segments, key=lambda segment: segment.start):
        samples = array("h", segment.frames)[: max(total - segment.start, 0)]
        end = segment.start + len(samples)
        overlap = max(min(end, written) - segment.start, 0)
        for index in range(overlap):
            value = mixed[segment.start + index] + samples[index]
            mixed[segment.start + index] = max(-FULL_SCALE - 1, min(FULL_SCALE, value))
        mixed[segment.start + overlap : end] = samples[overlap:]
        written = max(written, end)
    return mixed.tobytes()


class MixMonitors:
    """The MixMonitors running on one channel, by id; a recording of ``None`` is one
    Asterisk runs in a format the emulator does not write."""

    def __init__(self) -> None:
        self._running: dict[str, CallRecording | None] = {}

    @property
    def listening(self) -> bool:
        return any(recording is not None for recording in self._running.values())

    def start(self, recording: CallRecording | None) -> str:
        mixmonitor_id = f"0x{next(_MIXMONITOR_ADDRESSES):x}"
        self._running[mixmonitor_id] = recording
        return mixmonitor_id

    def hear(self, at: float, frames: bytes) -> None:
        for recording in self._running.values():
            if recording is not None:
                recording.add(at, frames)

    def stop(self, at: float, mixmonitor_id: str = "") -> bool:
        """Stop the one with ``mixmonitor_id`` (or the latest started); False if none."""
        if not mixmonitor_id and self._running:
            mixmonitor_id = next(reversed(self._running))
        if mixmonitor_id not in self._running:
            return False
        recording = self._running.pop(mixmonitor_id)
        if recording is not None:
            recording.close(at)
        return True

    def close_all(self, at: float) -> None:
        """The channel ends: every file is closed, with no MixMonitorStop."""
        for recording in self._running.values():
            if recording is not None:
                recording.close(at)
        self._running.clear()
