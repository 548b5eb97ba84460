"""Rendering the catalog to 8 kHz 16-bit mono WAV files that Asterisk plays.

pyttsx3 drives espeak-ng's Russian voice and writes 22,050 Hz audio; sox converts it
to what Asterisk's ``format_wav`` expects. A manifest keeps a hash of each text so
only changed prompts are rendered again. pyttsx3 writes only the last of several
``save_to_file`` calls made before one ``runAndWait``, so each file gets its own run.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import io
import json
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from prompts.catalog import PromptCatalog, Variant

VOICE = "zle/ru"
SPEECH_RATE = 165
VARIANTS: tuple[Variant, ...] = ("short", "full")
MANIFEST = "manifest.json"


class RenderError(RuntimeError):
    """Speech could not be rendered (espeak-ng or sox missing or failing)."""


def file_stem(prompt_id: str, variant: Variant) -> str:
    return f"{prompt_id}-{variant}"


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as audio:
        return audio.getnframes() / audio.getframerate()


@dataclass(frozen=True)
class PromptLibrary:
    """Rendered prompts in one directory: their paths and durations."""

    directory: Path
    durations: dict[str, float]

    def path(self, prompt_id: str, variant: Variant) -> Path:
        return self.directory / f"{file_stem(prompt_id, variant)}.wav"

    def duration(self, prompt_id: str, variant: Variant) -> float | None:
        return self.durations.get(file_stem(prompt_id, variant))


class _Speaker:
    """pyttsx3's espeak driver holds global state in libespeak-ng: one speaker a process."""

    def __init__(self) -> None:
        import pyttsx3

        with contextlib.redirect_stdout(io.StringIO()):
            self.engine: Any = pyttsx3.init("espeak")
        self.engine.setProperty("voice", VOICE)
        self.engine.setProperty("rate", SPEECH_RATE)

    def to_wav(self, text: str, target: Path) -> None:
        with tempfile.TemporaryDirectory() as scratch:
            raw = Path(scratch) / "speech.wav"
            with contextlib.redirect_stdout(io.StringIO()):
                self.engine.save_to_file(text, str(raw))
                self.engine.runAndWait()
            if not raw.exists() or raw.stat().st_size <= 44:
                raise RenderError(f"espeak-ng produced no audio for {text[:40]!r}")
            converted = subprocess.run(
                [
                    "sox",
                    str(raw),
                    "-r",
                    "8000",
                    "-c",
                    "1",
                    "-b",
                    "16",
                    "-e",
                    "signed-integer",
                    str(target),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if converted.returncode != 0:
                raise RenderError(f"sox could not convert {target.name}: {converted.stderr}")


@cache
def _speaker() -> _Speaker:
    speaker = _Speaker()
    atexit.register(_speaker.cache_clear)  # let pyttsx3 clean up while Python still can
    return speaker


def _digest(text: str) -> str:
    return hashlib.sha256(f"{VOICE}|{SPEECH_RATE}|{text}".encode()).hexdigest()[:16]


def render_catalog(catalog: PromptCatalog, directory: Path) -> PromptLibrary:
    """Render every prompt variant not yet rendered with its current text."""
    directory.mkdir(parents=True, exist_ok=True)
    manifest_path = directory / MANIFEST
    manifest: dict[str, dict[str, Any]] = {}
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    fresh: dict[str, dict[str, Any]] = {}
    for prompt in catalog.prompts.values():
        for variant in VARIANTS:
            stem = file_stem(prompt.id, variant)
            target = directory / f"{stem}.wav"
            digest = _digest(prompt.text(variant))
            known = manifest.get(stem)
            if known and known["digest"] == digest and target.exists():
                fresh[stem] = known
                continue
            _speaker().to_wav(prompt.text(variant), target)
            fresh[stem] = {"digest": digest, "seconds": round(wav_seconds(target), 3)}
    manifest_path.write_text(json.dumps(fresh, indent=1, sort_keys=True), encoding="utf-8")
    return PromptLibrary(directory, {stem: entry["seconds"] for stem, entry in fresh.items()})
