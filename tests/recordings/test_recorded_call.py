"""REC-1: a call through notice, menu, queue and an answering operator is recorded from
the notice to the hang-up, and its index row says what the call was."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from callgrid.database import Database
from ivr.content import IvrContent
from recordings.model import RecordingState
from recordings.plugin import FINISHER, RECORDINGS
from recordings.retention import delete_after
from recordings.retention_status import retention_status
from recordings.wav_file import read_facts
from telephony.emulator.caller import HangUp
from tests.conftest import running_ivr
from tests.ivr.calls import place
from tests.recordings.recorded_call import loudness, record_a_call
from worktime.clock import ManualClock, local_zone


async def test_one_recording_covers_the_call_from_the_notice_to_the_hang_up(
    database: Database, ivr_content: IvrContent, clock: ManualClock, tmp_path: Path
) -> None:
    call = await record_a_call(database, ivr_content, clock, tmp_path / "var")
    row, recording = call.row, call.recording
    assert row.ended_at is not None and row.answered_at is not None
    call_seconds = (row.ended_at - row.answered_at).total_seconds()
    assert call_seconds > 60, "the operator talked 45 s: the call is long"
    assert recording.duration_seconds == pytest.approx(call_seconds, abs=0.1)

    assert (recording.call_id, recording.uniqueid) == (row.id, row.uniqueid)
    assert (recording.caller_id, recording.dialled_number) == (row.caller_id, row.dialled_number)
    assert (recording.line, recording.topic) == (row.line, row.topic)
    assert (recording.operator, recording.outcome) == ("operator", "operator")
    assert recording.state is RecordingState.STORED and recording.playable
    assert recording.file_format == "wav" and not recording.on_hold
    assert recording.delete_after == delete_after(row.started_at, 60, local_zone())
    assert recording.size_bytes == call.file.stat().st_size
    assert recording.sha256 == hashlib.sha256(call.file.read_bytes()).hexdigest()
    assert recording.path.startswith(row.started_at.astimezone(local_zone()).strftime("%Y/%m/%d/"))
    assert row.id in recording.path and row.caller_id not in recording.path

    assert loudness(call.file, 0.0, 1.0) > 300, "the recording notice is in the file"
    answered = next(e.at for e in call.channel.heard if e.kind == "operator answered")
    assert loudness(call.file, answered + 1, answered + 5) > 300, "the operator's leg is audible"


async def test_a_caller_gone_before_any_sound_leaves_an_empty_recording_counted_as_such(
    database: Database, ivr_content: IvrContent, clock: ManualClock, tmp_path: Path
) -> None:
    async with running_ivr(database, ivr_content, clock, tmp_path / "var") as ivr:
        _, row = await place(ivr, [HangUp(after=0, anywhere=True)])
        finisher, index = ivr.engine.host.require(FINISHER), ivr.engine.host.require(RECORDINGS)
        assert await finisher.finish_due() == 1
        recording = await index.of_call(row.id)
        status = await retention_status(database, clock(), local_zone(), 60)
    assert recording is not None and recording.state is RecordingState.EMPTY
    assert not recording.playable and recording.duration_seconds == 0
    assert read_facts(finisher.directory / recording.path).size_bytes == 44
    assert (status.empty, status.kept) == (1, 1)
