"""Voice input through the emulator: menus and readings by voice, and the fallbacks.

No Russian speech model can be installed here, so the recogniser of these tests is a
stand-in for vosk that knows which recording carries which words (each test utterance
is a tone of its own frequency); everything around it — recording over RECORD FILE,
grammars, parsing spoken numbers, falling back to the keypad — is the engine's code.
The real vosk recogniser is tested at the end when ``CALLGRID_VOSK_MODEL`` names a model.
"""

from __future__ import annotations

import hashlib
import os
import wave
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from callgrid.database import Database
from customers.model import Channel, Zone
from ivr.content import IvrContent
from ivr.speech_input import NUMBER_GRAMMAR, Recognition, VoskRecognizer
from ivr.spoken_numbers import parse_digits
from prompts.render import speak_to_wav
from telephony.emulator.caller import CallerAction, Press, Speak, StaySilent
from tests.audio import tone_wav
from tests.conftest import RunningIvr, running_ivr
from tests.ivr.calls import place, played
from tests.ivr.self_service import seed_household, stored_readings
from worktime.clock import ManualClock


def _fingerprint(path: Path) -> str:
    with wave.open(str(path), "rb") as audio:
        return hashlib.sha256(audio.readframes(audio.getnframes())).hexdigest()


@dataclass
class KnownUtterances:
    """Stands in for the speech model: each test recording is known by its audio."""

    directory: Path
    texts: dict[str, str] = field(default_factory=dict)
    grammars: list[list[str]] = field(default_factory=list)

    def say(self, text: str) -> Speak:
        path = tone_wav(self.directory / f"{len(self.texts)}.wav", 1.0, 300 + 40 * len(self.texts))
        self.texts[_fingerprint(path)] = text
        return Speak(path)

    async def recognize(self, audio: Path, phrases: Sequence[str]) -> Recognition:
        self.grammars.append(list(phrases))
        text = self.texts.get(_fingerprint(audio), "")
        words = [word for word in text.split() if not phrases or word in phrases]
        return Recognition(" ".join(words), 0.9 if words else 0.0)


@pytest.fixture
async def voice(tmp_path: Path) -> KnownUtterances:
    return KnownUtterances(tmp_path)


@pytest.fixture
async def voice_ivr(
    database: Database,
    ivr_content: IvrContent,
    clock: ManualClock,
    tmp_path: Path,
    voice: KnownUtterances,
) -> AsyncIterator[RunningIvr]:
    async with running_ivr(database, ivr_content, clock, tmp_path / "var", voice) as running:
        yield running


async def test_menus_by_voice_keywords(voice_ivr: RunningIvr, voice: KnownUtterances) -> None:
    script: list[CallerAction] = [voice.say("справка"), voice.say("три"), voice.say("оператор")]
    _, row = await place(voice_ivr, script)
    assert row.path == ["main", "reference", "documents", "operator"]
    assert row.outcome == "operator"
    assert {"справка", "оператор", "назад", "один"} <= set(voice.grammars[0])


async def test_a_key_still_works_when_voice_is_on(voice_ivr: RunningIvr) -> None:
    _, row = await place(voice_ivr, [Press("4", after=0.3), Press("2", after=0.3)])
    assert row.path[:3] == ["main", "reference", "offices"]


async def test_readings_keyed_in_one_go_with_voice_on_are_stored_whole(
    voice_ivr: RunningIvr,
) -> None:
    """The first key stops the prompt; the caller's next keys are the rest of the number."""
    account = await seed_household(voice_ivr)
    script: list[CallerAction] = [Press("1"), Press("1"), Press("12345#"), Press("04567#")]
    await place(voice_ivr, [*script, Press("1")])
    stored = await stored_readings(voice_ivr, account)
    assert {zone: (r.value, r.channel) for zone, r in stored.items()} == {
        Zone.DAY: (12345, Channel.KEYPAD),
        Zone.NIGHT: (4567, Channel.KEYPAD),
    }


async def test_readings_by_voice_are_stored_as_voice(
    voice_ivr: RunningIvr, voice: KnownUtterances
) -> None:
    account = await seed_household(voice_ivr)
    script: list[CallerAction] = [
        voice.say("показания"),
        Press("1"),  # the account of the caller's number
        voice.say("двенадцать тысяч триста сорок пять"),
        voice.say("ноль четыре пять шесть семь"),
        Press("1"),
    ]
    await place(voice_ivr, script)
    stored = await stored_readings(voice_ivr, account)
    assert {zone: (r.value, r.channel) for zone, r in stored.items()} == {
        Zone.DAY: (12345, Channel.VOICE),
        Zone.NIGHT: (4567, Channel.VOICE),
    }
    assert tuple(voice.grammars[-1]) == NUMBER_GRAMMAR


async def test_speech_failing_twice_gives_the_keypad(
    voice_ivr: RunningIvr, voice: KnownUtterances
) -> None:
    # silence takes two windows in voice mode: the prompt, then the recording
    script: list[CallerAction] = [voice.say("абракадабра"), StaySilent(), StaySilent(), Press("2")]
    channel, row = await place(voice_ivr, script)
    assert row.path[:2] == ["main", "payments"]
    wire = [line for direction, line in channel.wire if direction == ">>"]
    menu_commands = [line for line in wire if "toll_free_main" in line]
    assert menu_commands[0].startswith("STREAM FILE")  # voice: prompt, then RECORD FILE
    assert menu_commands[-1].startswith("GET DATA")  # then keypad only
    assert "toll_free_main-full" in played(channel)


@pytest.mark.skipif(
    not os.environ.get("CALLGRID_VOSK_MODEL"),
    reason="CALLGRID_VOSK_MODEL is not set: no Russian vosk model (vosk-model-small-ru-0.22)",
)
async def test_vosk_recognises_a_spoken_reading(tmp_path: Path) -> None:
    recognizer = VoskRecognizer(Path(os.environ["CALLGRID_VOSK_MODEL"]))
    audio = tmp_path / "reading.wav"
    speak_to_wav("двенадцать тысяч триста сорок пять", audio)
    result = await recognizer.recognize(audio, NUMBER_GRAMMAR)
    assert parse_digits(result.text) == "12345"


async def test_answering_machine_messages_are_transcribed(
    voice_ivr: RunningIvr, voice: KnownUtterances, clock: ManualClock
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    clock.now = datetime(2026, 11, 28, 21, 30, tzinfo=ZoneInfo("Asia/Tomsk"))  # Saturday night
    message = voice.say("лицевой счёт семь ноль один два показания двенадцать тысяч")
    await place(voice_ivr, [voice.say("оператор"), message, StaySilent()])
    (task,) = await voice_ivr.tasks.open_tasks("answering_machine")
    assert voice.grammars[-1] == []  # free speech, no grammar
    assert task.transcript is not None and "показания" in task.transcript
