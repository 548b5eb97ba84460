"""Voice input (IVR-2, IVR-4): the caller's words, recognised against a small grammar.

FastAGI carries no audio, so the engine has Asterisk record each utterance (RECORD
FILE, ended by two seconds of silence or by a key) into a directory both can read, and
recognises the file. Recognition is restricted to the words the prompt expects (menu
keywords, number words, "да/нет", "оператор", "назад"), which keeps it fast and
accurate. A key pressed instead of speaking is always taken; a caller whose speech
fails twice is given the keypad for the rest of the call.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import uuid
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ivr.spoken_numbers import FILLER_WORDS, NUMBER_WORDS, parse_digits

UNKNOWN = "[unk]"
ALL_KEYS = "0123456789*#"
UTTERANCE_MS = 8000
SILENCE_ENDS_UTTERANCE_S = 2


@dataclass(frozen=True)
class Recognition:
    text: str
    confidence: float
    """0 to 1: the mean of the words' confidences; 0 for nothing recognised."""


class Recognizer(Protocol):
    async def recognize(self, audio: Path, phrases: Sequence[str]) -> Recognition:
        """Recognise ``audio``, restricted to ``phrases``; no phrases: free speech."""
        ...


class VoskRecognizer:
    """vosk with a grammar per prompt. The model (~0.5 GB in memory) loads once."""

    def __init__(self, model_path: Path) -> None:
        if not (model_path / "am").is_dir() and not (model_path / "conf").is_dir():
            raise FileNotFoundError(
                f"{model_path} is not a vosk model directory (get vosk-model-small-ru-0.22)"
            )
        self.model_path = model_path
        self._model: Any = None
        self._loading = asyncio.Lock()

    async def recognize(self, audio: Path, phrases: Sequence[str]) -> Recognition:
        async with self._loading:
            if self._model is None:
                self._model = await asyncio.to_thread(self._load)
        return await asyncio.to_thread(self._recognize, audio, list(phrases))

    def _load(self) -> Any:
        import vosk

        vosk.SetLogLevel(-1)
        return vosk.Model(str(self.model_path))

    def _recognize(self, audio: Path, phrases: list[str]) -> Recognition:
        import vosk

        with wave.open(str(audio), "rb") as recording:
            rate, frames = recording.getframerate(), recording.readframes(recording.getnframes())
        if phrases:
            grammar = json.dumps([*phrases, UNKNOWN])
            recognizer = vosk.KaldiRecognizer(self._model, rate, grammar)
        else:  # free speech: a message to transcribe
            recognizer = vosk.KaldiRecognizer(self._model, rate)
        recognizer.SetWords(True)
        recognizer.AcceptWaveform(frames)
        result = json.loads(recognizer.FinalResult())
        words = [w for w in result.get("result", []) if w.get("word") != UNKNOWN]
        if not words:
            return Recognition("", 0.0)
        text = " ".join(w["word"] for w in words)
        return Recognition(text, statistics.fmean(float(w.get("conf", 0.0)) for w in words))


@dataclass(frozen=True)
class Heard:
    """What one turn of listening gave: a key, recognised words, or nothing usable."""

    key: str | None = None
    text: str = ""


class Listener:
    """Records one utterance and recognises it; knows where Asterisk puts recordings."""

    def __init__(
        self,
        recognizer: Recognizer,
        asterisk_dir: str,
        engine_dir: Path,
        min_confidence: float = 0.6,
    ) -> None:
        self.recognizer = recognizer
        self.asterisk_dir = asterisk_dir.rstrip("/")
        self.engine_dir = engine_dir
        self.min_confidence = min_confidence

    async def listen(self, call: Any, phrases: Sequence[str]) -> Heard:
        """Record until silence or a key; the recording is deleted once recognised."""
        name = uuid.uuid4().hex
        recording = await call.record(
            f"{self.asterisk_dir}/{name}",
            escape=ALL_KEYS,
            max_ms=UTTERANCE_MS,
            silence_s=SILENCE_ENDS_UTTERANCE_S,
            beep=False,
        )
        if recording.ended_by == "dtmf":
            return Heard(key=recording.digit)
        audio = self.engine_dir / f"{name}.wav"
        try:
            if recording.samples == 0:
                return Heard()
            result = await self.recognizer.recognize(audio, phrases)
        finally:
            audio.unlink(missing_ok=True)
        return Heard(text=result.text if result.confidence >= self.min_confidence else "")


NUMBER_GRAMMAR: tuple[str, ...] = (*NUMBER_WORDS, *FILLER_WORDS)


def digits_heard(heard: Heard) -> str | None:
    """The digits in what was heard: spoken numbers, or None."""
    return parse_digits(heard.text) if heard.text else None
