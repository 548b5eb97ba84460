"""Recordings put in the index with their files, as the engine would leave them."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

from recordings.model import RecordingState
from recordings.recorder import recording_path
from recordings.retention import delete_after
from recordings.storage import NewRecording, SqlRecordings
from recordings.wav_file import read_facts
from tests.audio import tone_wav
from worktime.clock import local_zone


def write_wav(path: Path, seconds: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tone_wav(path, seconds)


async def indexed(
    index: SqlRecordings,
    directory: Path,
    started_at: datetime,
    *,
    seconds: float = 2.0,
    caller_id: str = "79001234567",
    days: int = 60,
) -> int:
    """A finished recording of a call begun at ``started_at``: file and index row."""
    call_id = uuid.uuid4().hex
    path = recording_path(call_id, started_at, local_zone())
    write_wav(directory / path, seconds)
    recording_id = await index.started(
        NewRecording(
            call_id=call_id,
            uniqueid=f"{int(started_at.timestamp())}.{call_id[:6]}",
            path=path,
            file_format="wav",
            started_at=started_at,
            delete_after=delete_after(started_at, days, local_zone()),
            line="households",
            dialled_number="88002224902",
            caller_id=caller_id,
        )
    )
    facts = read_facts(directory / path)
    state = RecordingState.STORED if seconds > 0 else RecordingState.EMPTY
    await index.finished(
        recording_id,
        state,
        size_bytes=facts.size_bytes,
        duration_seconds=facts.duration_seconds,
        sha256=facts.sha256,
    )
    return recording_id
