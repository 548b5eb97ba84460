"""The web part with recorded calls: real WAV files under the recordings directory,
indexed as the engine indexes them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from callgrid.database import Database
from recordings.model import CallFacts, Recording, RecordingState
from recordings.plugin import RECORDINGS
from recordings.recorder import recording_path
from recordings.retention import delete_after
from recordings.settings import RecordingSettings
from recordings.storage import NewRecording, SqlRecordings
from recordings.wav_file import read_facts
from tests.audio import tone_wav
from tests.web.conftest import RunningWeb, running_web
from worktime.clock import ManualClock, local_zone


@dataclass
class RecordedCalls:
    """Calls recorded and indexed in the past of the site's clock."""

    web: RunningWeb

    @property
    def index(self) -> SqlRecordings:
        return self.web.engine.host.require(RECORDINGS)

    @property
    def settings(self) -> RecordingSettings:
        return self.web.engine.settings.of(RecordingSettings)

    @property
    def directory(self) -> Path:
        return Path(self.settings.recordings_dir)

    def file_of(self, recording: Recording) -> Path:
        return self.directory / recording.path

    async def add(
        self,
        *,
        ago: timedelta = timedelta(hours=1),
        seconds: float = 2.0,
        state: RecordingState = RecordingState.STORED,
        path: str = "",
        caller_id: str = "+79131234567",
        dialled_number: str = "88002000600",
        account_number: str | None = "100200",
        operator: str | None = "PJSIP/olga",
        topic: str | None = "billing",
        outcome: str | None = "answered",
    ) -> Recording:
        """A call begun ``ago`` before now; its file (a tone of ``seconds``) is written
        only for a stored recording; ``path`` puts the index row's file elsewhere."""
        started = self.web.clock() - ago
        call_id = uuid.uuid4().hex
        relative = path or recording_path(call_id, started, local_zone())
        recording_id = await self.index.started(
            NewRecording(
                call_id=call_id,
                uniqueid=f"1764216000.{call_id[:6]}",
                path=relative,
                file_format="wav",
                started_at=started,
                delete_after=delete_after(
                    started, self.settings.recording_retention_days, local_zone()
                ),
                line="billing",
                dialled_number=dialled_number,
                caller_id=caller_id,
            )
        )
        if state is RecordingState.RECORDING:
            return await self.found(recording_id)
        facts = CallFacts(
            ended_at=started + timedelta(seconds=seconds),
            account_number=account_number,
            operator=operator,
            topic=topic,
            outcome=outcome,
        )
        await self.index.call_ended(recording_id, facts)
        if state is RecordingState.STORED:
            file = self.directory / relative
            file.parent.mkdir(parents=True, exist_ok=True)
            measured = read_facts(tone_wav(file, seconds))
            await self.index.finished(
                recording_id,
                state,
                size_bytes=measured.size_bytes,
                duration_seconds=measured.duration_seconds,
                sha256=measured.sha256,
            )
        else:
            empty = state is RecordingState.EMPTY
            await self.index.finished(recording_id, state, size_bytes=0 if empty else None)
        return await self.found(recording_id)

    async def found(self, recording_id: int) -> Recording:
        recording = await self.index.find(recording_id)
        assert recording is not None
        return recording


@pytest.fixture
async def web(database: Database, clock: ManualClock, tmp_path: Path) -> AsyncIterator[RunningWeb]:
    async with running_web(database.url, clock, tmp_path / "var") as running:
        yield running


@pytest.fixture
def calls(web: RunningWeb) -> RecordedCalls:
    return RecordedCalls(web)
