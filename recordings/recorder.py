"""Recording a call: MixMonitor on the caller's channel from the moment it is answered.

MixMonitor is started over the call's own FastAGI session (``EXEC MixMonitor``), not
over AMI: the engine holds the channel then, so the recording surely starts before the
notice is played, with no race against the call's first command and no need for the
AMI link to be up. MixMonitor stays on the channel through ``Queue()``, the operator's
answer and transfers, until the hang-up, even when the engine hands the call back.
The file's name is made here from the engine's own call id and the call's local date;
nothing the caller sends (caller ID, digits) goes into it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path, PurePosixPath

from recordings.model import CallFacts
from recordings.retention import delete_after
from recordings.settings import RecordingSettings
from recordings.storage import NewRecording, SqlRecordings
from telephony.agi import AgiCall, AgiCommandError
from worktime.clock import local_date

log = logging.getLogger(__name__)
FILE_FORMAT = "wav"
CALL_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
UNIQUEID = re.compile(r"[0-9]{1,20}\.[0-9]{1,20}")
NO_ENGINE_FOLDER = "no-engine"
"""Where the dialplan records a call no engine took (asterisk-conf/extensions.conf)."""


@dataclass(frozen=True)
class RecordedCall:
    """The call as it starts, for its recording's index row."""

    call_id: str
    uniqueid: str
    started_at: datetime
    line: str
    dialled_number: str
    caller_id: str


def recording_path(call_id: str, started_at: datetime, zone: tzinfo) -> str:
    """``2026/12/02/<call id>.wav``: one folder a local day, named by the engine."""
    if not CALL_ID.fullmatch(call_id):
        raise ValueError(f"call id {call_id[:40]!r} is not one the engine makes")
    day = local_date(started_at, zone)
    return f"{day:%Y/%m/%d}/{call_id}.{FILE_FORMAT}"


class CallRecorder:
    def __init__(self, index: SqlRecordings, settings: RecordingSettings, zone: tzinfo) -> None:
        self.index = index
        self.settings = settings
        self.zone = zone

    async def start(self, call: AgiCall, recorded: RecordedCall) -> int | None:
        """Index the recording, then start MixMonitor; the row's id (None when the
        database refused it: the call is recorded all the same, and ``recordings check``
        reports the file)."""
        path = recording_path(recorded.call_id, recorded.started_at, self.zone)
        recording_id = None
        try:
            recording_id = await self.index.started(self._new(recorded, path))
        except Exception as error:
            log.error("call %s: its recording could not be indexed (%s)", recorded.call_id, error)
        target = str(PurePosixPath(self.settings.asterisk_recordings_dir) / path)
        try:
            await call.exec("MixMonitor", target)
        except AgiCommandError:
            log.error(
                "call %s: Asterisk has no MixMonitor, the call is not recorded", recorded.call_id
            )
        return recording_id

    async def adopt(self, recorded: RecordedCall, facts: CallFacts | None) -> int | None:
        """A call the dialplan served while no engine ran, recorded there as
        ``no-engine/<uniqueid>.wav``: indexed under the engine's call id, its file moved
        to the call's day folder (Asterisk may still be writing it: the moved file stays
        open to it). None when there is no such file — a call handed back by an engine
        is recorded by the MixMonitor that engine started — or it is indexed already."""
        directory = Path(self.settings.recordings_dir)
        source = directory / NO_ENGINE_FOLDER / f"{recorded.uniqueid}.{FILE_FORMAT}"
        if not UNIQUEID.fullmatch(recorded.uniqueid) or not source.exists():
            return None
        if await self.index.of_call(recorded.call_id) is not None:
            return None
        path = recording_path(recorded.call_id, recorded.started_at, self.zone)
        recording_id = await self.index.started(self._new(recorded, path))
        if facts is not None:
            await self.index.call_ended(recording_id, facts)
        (directory / path).parent.mkdir(parents=True, exist_ok=True)
        source.rename(directory / path)
        return recording_id

    async def call_closed(self, call_id: str, facts: CallFacts) -> None:
        """A call's end learnt later (from Asterisk's queue_log): its recording's row
        takes the outcome and the operator."""
        found = await self.index.of_call(call_id)
        if found is not None:
            await self.ended(found.id, facts)

    async def resumed(self, uniqueid: str) -> int | None:
        """A call handed back by another engine is still recorded by the MixMonitor that
        engine started: its row, to complete when the call ends here."""
        found = await self.index.of_channel(uniqueid)
        return None if found is None else found.id

    def _new(self, recorded: RecordedCall, path: str) -> NewRecording:
        return NewRecording(
            call_id=recorded.call_id,
            uniqueid=recorded.uniqueid,
            path=path,
            file_format=FILE_FORMAT,
            started_at=recorded.started_at,
            delete_after=delete_after(
                recorded.started_at, self.settings.recording_retention_days, self.zone
            ),
            line=recorded.line,
            dialled_number=recorded.dialled_number,
            caller_id=recorded.caller_id,
        )

    async def ended(self, recording_id: int | None, facts: CallFacts) -> None:
        if recording_id is None:
            return
        try:
            await self.index.call_ended(recording_id, facts)
        except Exception as error:
            log.error(
                "recording #%d: the call's end could not be indexed (%s)", recording_id, error
            )
