"""Where the emulated Asterisk finds sound files, how long they play, what they sound like."""

from __future__ import annotations

import wave
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

from telephony.emulator.recording import RATE, SAMPLE_BYTES

SOUND_EXTENSIONS = (".wav", ".gsm", ".sln")


@lru_cache(maxsize=4096)
def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as audio:
        return audio.getnframes() / audio.getframerate()


def pcm_frames(path: Path) -> bytes | None:
    """The samples of an 8 kHz 16-bit mono WAV (what a recording takes as it is), or
    None for any other file."""
    try:
        modified = path.stat().st_mtime_ns
    except OSError:
        return None
    return _pcm_frames(path, modified)


@lru_cache(maxsize=256)
def _pcm_frames(path: Path, modified: int) -> bytes | None:
    try:
        with wave.open(str(path), "rb") as audio:
            shape = (audio.getframerate(), audio.getsampwidth(), audio.getnchannels())
            return (
                audio.readframes(audio.getnframes()) if shape == (RATE, SAMPLE_BYTES, 1) else None
            )
    except (OSError, EOFError, wave.Error):
        return None


class SoundLibrary:
    """Resolves a name as STREAM FILE gives it (no extension) to a duration in seconds.

    Absolute names are looked up as they are; relative ones in each sound directory.
    Asterisk's own sounds (those given as ``known``, and the core set) have fixed
    durations. ``core_sounds``: whether Asterisk's core sound set is installed — ``beep``
    for RECORD FILE's BEEP, ``digits/`` and ``letters/`` for SAY — as on the Asterisk the
    reference transcripts were taken on. By default it is when any of Asterisk's own
    sounds are ``known``; a library of the engine's directories alone is an Asterisk
    without sound packages, where ``RECORD FILE … BEEP`` fails and SAY says nothing.
    """

    BUILTIN: ClassVar[dict[str, float]] = {"silence/1": 1.0}
    CORE: ClassVar[dict[str, float]] = {
        "beep": 0.44,
        **{f"digits/{name}": 0.6 for name in [*"0123456789", "star", "pound", "minus"]},
        **{f"letters/{letter}": 0.6 for letter in "abcdefghijklmnopqrstuvwxyz"},
    }

    def __init__(
        self,
        directories: list[Path] | None = None,
        known: dict[str, float] | None = None,
        core_sounds: bool | None = None,
    ) -> None:
        self.directories = directories or []
        core = bool(known) if core_sounds is None else core_sounds
        self.known = {**self.BUILTIN, **(self.CORE if core else {}), **(known or {})}

    def duration(self, name: str) -> float | None:
        if name in self.known:
            return self.known[name]
        path = self._file(name)
        if path is None:
            return None
        if path.suffix == ".wav":
            return wav_seconds(path)
        return path.stat().st_size / 1650.0

    def frames(self, name: str) -> bytes | None:
        """What the sound sounds like: its samples when its file is an 8 kHz 16-bit mono
        WAV; None (silence as long as :meth:`duration`) for anything else."""
        if name in self.known:
            return None
        path = self._file(name)
        return None if path is None or path.suffix != ".wav" else pcm_frames(path)

    def _file(self, name: str) -> Path | None:
        candidates = [Path(name)] if name.startswith("/") else [d / name for d in self.directories]
        for base in candidates:
            for extension in SOUND_EXTENSIONS:
                path = base.with_name(base.name + extension)
                if path.exists():
                    return path
        return None
