"""Phrases made during a call — a debt, a reading read back — spoken as audio files.

A phrase is rendered once by espeak-ng (about 15 ms measured here) and kept under a
name made from its text, so the next caller with the same debt hears the cached file.
Numbers must already be words (see :mod:`prompts.russian_numbers`): espeak-ng's own
number reading breaks Russian agreement.

The cache is bounded (files and bytes, least recently used first out), on disk and in
memory alike; a phrase handed out recently is never removed, as a call may be about to
play it. The words are kept beside the audio for people reading what a caller heard:
they may be a caller's debt or readings, so only the engine's user may read them.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from prompts.render import speak_to_wav, wav_seconds

log = logging.getLogger(__name__)

DIRECTORY_MODE = 0o750
AUDIO_MODE = 0o640
"""Asterisk plays the audio; it runs in the engine's group."""
TEXT_MODE = 0o600
MAX_FILES = 2000
MAX_BYTES = 256 * 1024 * 1024
KEEP_SECONDS = 60.0
MAX_CHARACTERS = 600
MAX_SPOKEN_SECONDS = 60.0
"""The standard allows at most 60 s of information on a level."""
PHRASE_FILE = re.compile(r"phrase-[0-9a-f]{20}\.(wav|txt)\Z")
"""A cached phrase's audio or words (not the scratch files of a rendering)."""


class PhraseRejected(ValueError):
    """A phrase too long to be read out to a caller; nothing of it is kept."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class CachedPhrase:
    size: int
    """Bytes of the audio and the words together."""
    handed_out_at: datetime | None
    """None for a file found on disk that this library has not handed out."""


class PhraseLedger:
    """Which phrases are cached, in order of last use, and which to drop: no I/O."""

    def __init__(self, max_files: int, max_bytes: int, keep_seconds: float) -> None:
        self.max_files = max_files
        self.max_bytes = max_bytes
        self.keep = timedelta(seconds=keep_seconds)
        self.entries: OrderedDict[str, CachedPhrase] = OrderedDict()
        self.total_bytes = 0

    def __contains__(self, stem: str) -> bool:
        return stem in self.entries

    def add(self, stem: str, size: int, handed_out_at: datetime | None) -> None:
        self.forget(stem)
        self.entries[stem] = CachedPhrase(size, handed_out_at)
        self.total_bytes += size

    def hand_out(self, stem: str, at: datetime) -> None:
        self.entries[stem].handed_out_at = at
        self.entries.move_to_end(stem)

    def forget(self, stem: str) -> None:
        entry = self.entries.pop(stem, None)
        if entry is not None:
            self.total_bytes -= entry.size

    def to_evict(self, now: datetime) -> list[str]:
        """The least recently used phrases to drop to come within the bounds, stopping at
        one handed out within the keep time (every later one was used later still)."""
        files, size, chosen = len(self.entries), self.total_bytes, []
        for stem, entry in self.entries.items():
            if files <= self.max_files and size <= self.max_bytes:
                break
            if entry.handed_out_at is not None and now - entry.handed_out_at < self.keep:
                break
            chosen.append(stem)
            files, size = files - 1, size - entry.size
        return chosen


class PhraseLibrary:
    def __init__(
        self,
        directory: Path,
        asterisk_directory: str | None = None,
        *,
        clock: Callable[[], datetime] = _utc_now,
        max_files: int = MAX_FILES,
        max_bytes: int = MAX_BYTES,
        keep_seconds: float = KEEP_SECONDS,
        max_characters: int = MAX_CHARACTERS,
        max_spoken_seconds: float = MAX_SPOKEN_SECONDS,
    ) -> None:
        for name, value in (
            ("max_files", max_files),
            ("max_bytes", max_bytes),
            ("keep_seconds", keep_seconds),
            ("max_characters", max_characters),
            ("max_spoken_seconds", max_spoken_seconds),
        ):
            if value <= 0:
                raise ValueError(f"the phrase library's {name} must be positive, not {value!r}")
        self.directory = directory
        self.asterisk_directory = (asterisk_directory or str(directory.resolve())).rstrip("/")
        self.clock = clock
        self.max_characters = max_characters
        self.max_spoken_seconds = max_spoken_seconds
        self._ledger = PhraseLedger(max_files, max_bytes, keep_seconds)
        self._rendering: dict[str, asyncio.Task[None]] = {}
        self._adopt_directory()

    @property
    def cached_files(self) -> int:
        return len(self._ledger.entries)

    @property
    def cached_bytes(self) -> int:
        return self._ledger.total_bytes

    async def file_for(self, text: str) -> str:
        """The file name (as Asterisk sees it, no extension) that speaks ``text``.

        Raises TypeError for anything but text, PhraseRejected for a text or a rendered
        phrase longer than the limits.
        """
        if not isinstance(text, str):
            raise TypeError(f"a phrase must be text (str), not {type(text).__name__}")
        text = " ".join(text.split())
        if not text:
            raise ValueError("an empty phrase cannot be spoken")
        if len(text) > self.max_characters:
            raise PhraseRejected(
                f"a phrase of {len(text)} characters is longer than the "
                f"{self.max_characters} allowed: {text[:40]!r}…"
            )
        stem = "phrase-" + hashlib.sha256(text.encode()).hexdigest()[:20]
        if not self._on_disk(stem):
            task = self._rendering.get(stem)
            if task is None:
                task = asyncio.create_task(self._render(text, stem))
                self._rendering[stem] = task
                task.add_done_callback(lambda _: self._rendering.pop(stem, None))
            await asyncio.shield(task)
        if stem not in self._ledger:
            self._ledger.add(stem, self._size(stem), None)
        self._ledger.hand_out(stem, self.clock())
        self._evict()
        return f"{self.asterisk_directory}/{stem}"

    def _audio(self, stem: str) -> Path:
        return self.directory / f"{stem}.wav"

    def _size(self, stem: str) -> int:
        audio = self._audio(stem)
        return sum(
            path.stat().st_size for path in (audio, audio.with_suffix(".txt")) if path.exists()
        )

    def _on_disk(self, stem: str) -> bool:
        """Whether the audio is there; one removed behind the library's back (another
        engine sharing the directory) is forgotten, to be rendered again."""
        if self._audio(stem).exists():
            return True
        self._ledger.forget(stem)
        return False

    def _make_directory(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        _set_mode(self.directory, DIRECTORY_MODE)

    def _adopt_directory(self) -> None:
        """Count the phrases already on disk (oldest first) and bring them within the
        bounds, so a restart does not let the cache grow; fix their modes on the way.
        One directory scan and one stat a file: thousands of phrases take milliseconds."""
        self._make_directory()
        with os.scandir(self.directory) as entries:
            files = {entry.name: entry for entry in entries if PHRASE_FILE.match(entry.name)}
        found: list[tuple[float, str, int]] = []
        for name, audio in files.items():
            stem, suffix = name.rsplit(".", 1)
            if suffix != "wav":
                continue
            _set_mode(audio.path, AUDIO_MODE, audio.stat())
            size = audio.stat().st_size
            if (words := files.get(f"{stem}.txt")) is not None:
                _set_mode(words.path, TEXT_MODE, words.stat())
                size += words.stat().st_size
            found.append((audio.stat().st_mtime, stem, size))
        for _, stem, size in sorted(found):
            self._ledger.add(stem, size, None)
        self._evict()

    async def _render(self, text: str, stem: str) -> None:
        """Render beside the target and rename, so a half-written file is never played;
        the words are renamed into place first, so no audio is ever without them."""
        audio = self._audio(stem)
        scratch_audio = audio.with_suffix(f".{os.getpid()}.tmp.wav")
        scratch_text = audio.with_suffix(f".{os.getpid()}.tmp.txt")
        try:
            if not self.directory.is_dir():
                self._make_directory()
            await asyncio.to_thread(speak_to_wav, text, scratch_audio)
            seconds = wav_seconds(scratch_audio)
            if seconds > self.max_spoken_seconds:
                raise PhraseRejected(
                    f"the phrase {text[:40]!r}… lasts {seconds:.1f} s, longer than the "
                    f"{self.max_spoken_seconds:g} s a caller may be told at once"
                )
            _set_mode(scratch_audio, AUDIO_MODE)
            _write_private(scratch_text, text)
            scratch_text.replace(audio.with_suffix(".txt"))
            scratch_audio.replace(audio)
        finally:
            scratch_audio.unlink(missing_ok=True)
            scratch_text.unlink(missing_ok=True)
        self._ledger.add(stem, self._size(stem), self.clock())
        self._evict()

    def _evict(self) -> None:
        for stem in self._ledger.to_evict(self.clock()):
            audio = self._audio(stem)
            try:
                audio.unlink(missing_ok=True)
                audio.with_suffix(".txt").unlink(missing_ok=True)
            except OSError as error:
                log.warning("cannot remove the cached phrase %s: %s", stem, error)
            self._ledger.forget(stem)


def _set_mode(path: Path | str, mode: int, current: os.stat_result | None = None) -> None:
    """Exactly ``mode``, whatever the umask made of it (``current``: its stat, if read)."""
    if (current or os.stat(path)).st_mode & 0o7777 != mode:
        os.chmod(path, mode)


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, TEXT_MODE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        os.fchmod(file.fileno(), TEXT_MODE)
        file.write(text)


def phrase_text(audio_file: Path) -> str | None:
    """The words of a rendered phrase (``…/phrase-<hash>`` with or without ``.wav``)."""
    try:
        return audio_file.with_suffix(".txt").read_text(encoding="utf-8")
    except OSError:
        return None
