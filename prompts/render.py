"""Rendering the catalog to 8 kHz 16-bit mono WAV files that Asterisk plays.

espeak-ng's Russian voice speaks each text (22,050 Hz); sox converts it to what
Asterisk's ``format_wav`` expects. A manifest keeps a hash of each text so only
changed prompts are rendered again. Beside the prompts go a pause and the engine's
signal before a recording (:mod:`prompts.tones`), played by absolute path like them.
Every file is written beside its place and renamed into it: a stop halfway leaves the
old file, never half a new one.

espeak-ng is run as a program rather than through pyttsx3: pyttsx3's espeak driver
keeps libespeak-ng's global state in the process and, measured here, wrote no audio
at all in about half the runs made inside an asyncio loop in debug mode.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import subprocess
import tempfile
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prompts.catalog import PromptCatalog, Variant
from prompts.tones import beep_frames, silence_frames, write_wav

VOICE_NAME = "ru"
SPEECH_RATE = 165
VARIANTS: tuple[Variant, ...] = ("short", "full")
MANIFEST = "manifest.json"
PAUSE = "pause"
"""A tenth of a second of silence: the prompt of a GET DATA that only listens."""
BEEP = "record-beep"
"""The engine's own signal before a recording (not Asterisk's ``beep``, which may be absent)."""
PAUSE_SECONDS = 0.1


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


def speak_to_wav(text: str, target: Path) -> None:
    """espeak-ng speaks the text to a WAV file, sox resamples it for Asterisk.

    The text goes to espeak-ng on its standard input, never as an argument: a text
    starting with ``-`` would be read as its option (``--version``, ``-f/etc/hostname``).
    sox runs with ``-R`` (its dither seeded the same each time), so one text gives the
    same file byte for byte on every run.
    """
    with tempfile.TemporaryDirectory() as scratch:
        raw = Path(scratch) / "speech.wav"
        speak = ["espeak-ng", "-v", VOICE_NAME, "-s", str(SPEECH_RATE), "-w", str(raw), "--stdin"]
        _run(speak, text, text.encode("utf-8", "replace"))
        resample = ["sox", "-R", str(raw), "-r", "8000", "-c", "1", "-b", "16"]
        _run([*resample, "-e", "signed-integer", str(target)], text, b"")
        if not target.exists() or wav_seconds(target) <= 0:
            raise RenderError(f"espeak-ng produced no audio for {text[:40]!r}")


def _run(command: list[str], text: str, stdin: bytes) -> None:
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise RenderError(
            f"{command[0]} is not installed (Debian: apt-get install espeak-ng sox)"
        ) from None
    if done.returncode != 0:
        problem = done.stderr.decode("utf-8", "replace").strip()
        raise RenderError(f"{command[0]} failed on {text[:40]!r}: {problem}")


def _digest(text: str) -> str:
    return hashlib.sha256(f"{VOICE_NAME}|{SPEECH_RATE}|{text}".encode()).hexdigest()[:16]


def _read_manifest(path: Path) -> dict[str, dict[str, Any]]:
    """The entries of the manifest that are whole; none if it is missing or unreadable
    (a stop while it was written, an edit by hand): then everything is rendered again."""
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {stem: entry for stem, entry in loaded.items() if _is_entry(entry)}


def _is_entry(entry: object) -> bool:
    if not isinstance(entry, dict) or not isinstance(entry.get("digest"), str):
        return False
    seconds = entry.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        return False
    return math.isfinite(seconds) and seconds > 0


def _in_place(target: Path, write: Callable[[Path], object]) -> None:
    """``write`` a file beside ``target`` and rename it over, so Asterisk never plays half
    a file and a stop halfway leaves the old one."""
    partial = target.with_name(f".{target.stem}.{os.getpid()}{target.suffix}")
    try:
        write(partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def render_catalog(catalog: PromptCatalog, directory: Path) -> PromptLibrary:
    """Render every prompt variant not yet rendered with its current text; write the
    pause and the signal before a recording."""
    directory.mkdir(parents=True, exist_ok=True)
    manifest_path = directory / MANIFEST
    manifest = _read_manifest(manifest_path)
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
            _in_place(target, functools.partial(speak_to_wav, prompt.text(variant)))
            fresh[stem] = {"digest": digest, "seconds": round(wav_seconds(target), 3)}
    _in_place(
        directory / f"{PAUSE}.wav",
        functools.partial(write_wav, frames=silence_frames(PAUSE_SECONDS)),
    )
    _in_place(directory / f"{BEEP}.wav", functools.partial(write_wav, frames=beep_frames()))
    text = json.dumps(fresh, indent=1, sort_keys=True)
    _in_place(manifest_path, functools.partial(Path.write_text, data=text, encoding="utf-8"))
    return PromptLibrary(directory, {stem: entry["seconds"] for stem, entry in fresh.items()})
