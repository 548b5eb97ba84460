"""One call walked through the IVR on the emulator, recorded as the engine records it."""

from __future__ import annotations

import array
import math
import wave
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from callgrid.database import Database
from ivr.content import IvrContent
from ivr.storage import CallRow
from recordings.model import Recording
from recordings.plugin import FINISHER, RECORDINGS
from telephony.emulator.agi_channel import EmulatedChannel
from telephony.emulator.caller import CallerAction, Press
from tests.conftest import running_ivr
from tests.ivr.calls import place
from worktime.clock import ManualClock

TO_THE_OPERATOR: list[CallerAction] = [Press("0")]
"""Notice, main menu, 0: the operator queue, where the emulated operator answers after
8 s and talks 45 s, then hangs up."""


@dataclass(frozen=True)
class RecordedCall:
    channel: EmulatedChannel
    row: CallRow
    recording: Recording
    file: Path


async def record_a_call(
    database: Database, content: IvrContent, clock: ManualClock, var_dir: Path
) -> RecordedCall:
    """The call placed through the IVR engine, the index completed as its worker does."""
    async with running_ivr(database, content, clock, var_dir) as ivr:
        start = clock.now

        def follow(channel: EmulatedChannel) -> None:
            clock.now = start + timedelta(seconds=channel.model.now)

        channel, row = await place(ivr, TO_THE_OPERATOR, watch=follow)
        finisher = ivr.engine.host.require(FINISHER)
        assert await finisher.finish_due() == 1
        recording = await ivr.engine.host.require(RECORDINGS).of_call(row.id)
        assert recording is not None, "the call has no recording in the index"
        return RecordedCall(channel, row, recording, finisher.directory / recording.path)


def loudness(file: Path, start: float, end: float) -> int:
    """The RMS of the file's audio between two moments (seconds)."""
    with wave.open(str(file), "rb") as audio:
        audio.setpos(int(start * audio.getframerate()))
        frames = audio.readframes(int((end - start) * audio.getframerate()))
    samples = array.array("h", frames)
    return int(math.sqrt(sum(sample * sample for sample in samples) / max(len(samples), 1)))
