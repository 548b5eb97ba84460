"""REC-1 on a real Asterisk: one MixMonitor recording covers the call from the notice,
through ``Queue()`` and the operator's answer, to the hang-up, with both legs in it."""

from __future__ import annotations

import array
import asyncio
import contextlib
import math
import time
import wave
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from recordings.model import Recording, RecordingState
from recordings.plugin import RECORDINGS
from recordings.settings import RecordingSettings
from telephony.ami import AmiActionError, AmiClient, actions
from tests.asterisk.asterisk_runner import OPERATOR_SPEAKS, OPERATOR_TALK_SECONDS, PROJECT_CONF
from tests.asterisk.conftest import HANDED_TO_QUEUE, Observer, Phone, RealEngine
from tests.audio import tone_wav

MAIN_MENU = r"^GET DATA \S+/toll_free_main-short "
CALLER_TONE_HZ = 440.0
CALLER_TONE_SECONDS = 1.5
WINDOW = 0.5
RINGING_GAP = 2.0
"""At most this of the operator's ringing (1 s) may be missing from the file."""


@pytest.fixture
async def operator_who_speaks(ami: AmiClient) -> AsyncIterator[str]:
    await ami.send(actions.QueueAdd("operators", OPERATOR_SPEAKS, member_name="Speaking Operator"))
    yield OPERATOR_SPEAKS
    with contextlib.suppress(AmiActionError):
        await ami.send(actions.QueueRemove("operators", OPERATOR_SPEAKS))


def _windows(file: Path) -> Iterator[tuple[float, list[int]]]:
    """The file's audio in half-second windows, with the moment each starts."""
    with wave.open(str(file), "rb") as audio:
        samples = array.array("h", audio.readframes(audio.getnframes()))
    size = int(WINDOW * 8000)
    for start in range(0, len(samples) - size + 1, size):
        yield start / 8000, list(samples[start : start + size])


def loudness(samples: list[int]) -> float:
    return math.sqrt(sum(s * s for s in samples) / max(len(samples), 1))


def tone_share(samples: list[int], hertz: float) -> float:
    """How much of the window's energy is the one tone (Goertzel): about 1 for the
    caller's tone, small for speech."""
    coefficient = 2 * math.cos(2 * math.pi * hertz / 8000)
    previous = before = 0.0
    for sample in samples:
        previous, before = sample + coefficient * previous - before, previous
    power = previous * previous + before * before - coefficient * previous * before
    energy = sum(s * s for s in samples) * len(samples) / 2
    return power / energy if energy else 0.0


async def _indexed(engine: RealEngine, call_id: str, timeout: float) -> Recording:
    """The recording once the engine's index worker has completed it."""
    index = engine.engine.host.require(RECORDINGS)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        recording = await index.of_call(call_id)
        if recording is not None and recording.state is not RecordingState.RECORDING:
            return recording
        await asyncio.sleep(0.2)
    raise AssertionError(f"the recording of call {call_id} was not completed in {timeout:g} s")


async def test_one_recording_covers_notice_queue_operator_and_both_legs(
    phone: Phone,
    engine: RealEngine,
    observer: Observer,
    operator_who_speaks: str,
    tmp_path: Path,
) -> None:
    tone = tone_wav(tmp_path / "caller-tone.wav", CALLER_TONE_SECONDS, CALLER_TONE_HZ)
    call = await phone.call()
    await call.next_agi(MAIN_MENU, engine.seconds("recording_notice") + 10)
    await call.press("0")
    await call.next_agi(HANDED_TO_QUEUE, engine.seconds("operator_connecting") + 10)
    await observer.wait_for(
        lambda seen: (
            seen.event.name == "AgentConnect" and seen.event.get("Interface") == operator_who_speaks
        ),
        30,
    )
    with wave.open(str(PROJECT_CONF / "sounds" / "callgrid-engine-down.wav"), "rb") as words:
        operator_speaks = words.getnframes() / words.getframerate()
    await asyncio.sleep(operator_speaks + 0.3)  # the operator has said their piece
    await call.say(tone.with_suffix(""))
    row = await call.stored(60)
    recording = await _indexed(engine, row.id, 30)

    assert row.outcome == "operator" and row.answered_at is not None and row.ended_at
    call_seconds = (row.ended_at - row.answered_at).total_seconds()
    assert recording.state is RecordingState.STORED
    assert recording.duration_seconds is not None
    # MixMonitor writes the frames that flow: while the operator's phone rings with no
    # music on hold installed, none do, and the file is shorter by that wait.
    assert call_seconds - RINGING_GAP <= recording.duration_seconds <= call_seconds + 0.2
    assert recording.operator == "op-speaks" and recording.caller_id == "79001234567"
    directory = Path(engine.engine.settings.of(RecordingSettings).recordings_dir)
    file = directory / recording.path
    assert recording.size_bytes == file.stat().st_size

    windows = list(_windows(file))
    assert loudness(windows[1][1]) > 300, "the recording notice is not at its start"
    tail = recording.duration_seconds - (OPERATOR_TALK_SECONDS + 2)
    caller = [at for at, samples in windows if at >= tail and _is_tone(samples)]
    assert caller, "the caller's voice is not in the recording, near the hang-up"
    joined = next(
        c.at for c in call.agi_commands() if c.command.startswith("SET VARIABLE CALLGRID_QUEUE ")
    )
    queue_from = joined - call.agi_commands()[0].at - RINGING_GAP
    operator = [
        at
        for at, samples in windows
        if queue_from <= at < caller[0] and loudness(samples) > 300 and not _is_tone(samples)
    ]
    assert len(operator) * WINDOW >= operator_speaks / 2, (
        "the operator's words are not in the recording, between the queue and the caller"
    )


def _is_tone(samples: list[int]) -> bool:
    return loudness(samples) > 300 and tone_share(samples, CALLER_TONE_HZ) > 0.6
