"""Phrases made during a call — a debt, a reading read back — spoken as audio files.

A phrase is rendered once by espeak-ng (about 15 ms measured here) and kept under a
name made from its text, so the next caller with the same debt hears the cached file.
Numbers must already be words (see :mod:`prompts.russian_numbers`): espeak-ng's own
number reading breaks Russian agreement.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path

from prompts.render import speak_to_wav


class PhraseLibrary:
    def __init__(self, directory: Path, asterisk_directory: str | None = None) -> None:
        self.directory = directory
        self.asterisk_directory = (asterisk_directory or str(directory.resolve())).rstrip("/")
        self._rendering: dict[str, asyncio.Task[None]] = {}
        self._rendered: set[str] = set()

    def _stem(self, text: str) -> str:
        return "phrase-" + hashlib.sha256(text.encode()).hexdigest()[:20]

    async def file_for(self, text: str) -> str:
        """The file name (as Asterisk sees it, no extension) that speaks ``text``."""
        text = " ".join(text.split())
        if not text:
            raise ValueError("an empty phrase cannot be spoken")
        stem = self._stem(text)
        target = self.directory / f"{stem}.wav"
        if stem not in self._rendered and not target.exists():
            task = self._rendering.get(stem)
            if task is None:
                task = asyncio.create_task(self._render(text, target))
                self._rendering[stem] = task
                task.add_done_callback(lambda _: self._rendering.pop(stem, None))
            await asyncio.shield(task)
        self._rendered.add(stem)
        return f"{self.asterisk_directory}/{stem}"

    async def _render(self, text: str, target: Path) -> None:
        """Render beside the target and rename, so a half-written file is never played.
        The text is kept beside the audio, for people reading what a caller heard."""
        self.directory.mkdir(parents=True, exist_ok=True)
        scratch = target.with_suffix(f".{os.getpid()}.tmp.wav")
        await asyncio.to_thread(speak_to_wav, text, scratch)
        target.with_suffix(".txt").write_text(text, encoding="utf-8")
        scratch.replace(target)


def phrase_text(audio_file: Path) -> str | None:
    """The words of a rendered phrase (``…/phrase-<hash>`` with or without ``.wav``)."""
    try:
        return audio_file.with_suffix(".txt").read_text(encoding="utf-8")
    except OSError:
        return None
