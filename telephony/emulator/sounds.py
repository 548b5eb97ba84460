"""Where the emulated Asterisk finds sound files, and how long they play."""

from __future__ import annotations

import wave
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

SOUND_EXTENSIONS = (".wav", ".gsm", ".sln")


@lru_cache(maxsize=4096)
def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as audio:
        return audio.getnframes() / audio.getframerate()


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
        candidates = [Path(name)] if name.startswith("/") else [d / name for d in self.directories]
        for base in candidates:
            for extension in SOUND_EXTENSIONS:
                path = base.with_name(base.name + extension)
                if path.exists() and extension == ".wav":
                    return wav_seconds(path)
                if path.exists():
                    return path.stat().st_size / 1650.0
        return None
