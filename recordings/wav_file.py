"""What a recording's file holds: finished or still being written, its length, checksum.

Asterisk writes a WAV header with zero sizes when MixMonitor opens the file and the
real sizes (RIFF: 36 + data) only when it closes it (``formats/format_wav.c``), so the
header tells a finished recording, an empty one included, from one being written.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

HEADER_BYTES = 44
CHUNK = 1 << 20


@dataclass(frozen=True)
class FileFacts:
    size_bytes: int
    finished: bool
    """The header's sizes were written: Asterisk closed the file."""
    duration_seconds: float
    sha256: str


class NotARecording(ValueError):
    """The file is no WAV Asterisk writes (RIFF, PCM)."""


def read_facts(path: Path) -> FileFacts:
    """Size, completeness, duration and SHA-256 of a recording; OSError when it cannot
    be read, :class:`NotARecording` when it is no PCM WAV."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        header = file.read(HEADER_BYTES)
        digest.update(header)
        while block := file.read(CHUNK):
            digest.update(block)
        size = file.tell()
    riff_bytes, data_bytes, bytes_per_second = _header(header)
    finished = riff_bytes == 36 + data_bytes and data_bytes in (
        size - HEADER_BYTES,
        size - HEADER_BYTES - 1,  # padded to an even length
    )
    audio = data_bytes if finished else size - HEADER_BYTES
    return FileFacts(size, finished, audio / bytes_per_second, digest.hexdigest())


def _header(header: bytes) -> tuple[int, int, int]:
    """The RIFF size, data size and bytes per second a 44-byte PCM WAV header gives:
    an open file says 0 and 0, a closed one 36 + data and data."""
    if len(header) < HEADER_BYTES or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
        raise NotARecording("no RIFF/WAVE header")
    audio_format, _channels, _rate, bytes_per_second = struct.unpack("<HHII", header[20:32])
    if header[36:40] != b"data" or audio_format != 1 or bytes_per_second == 0:
        raise NotARecording("not a PCM WAV with its data chunk after the format")
    (riff_bytes,) = struct.unpack("<I", header[4:8])
    (data_bytes,) = struct.unpack("<I", header[40:44])
    return riff_bytes, data_bytes, bytes_per_second


def checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()
