"""REC-1 when no engine is up: the dialplan records the call itself, and the engine that
comes back indexes the recording with the call it registers from queue_log."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench.engine_process import free_port as unused_port
from callcenter.storage import SqlTasks
from callgrid.database import Database
from callgrid.settings import Settings
from callgrid.web.audit import AuditLog
from ivr.queue_log_import import QueueLogImport
from recordings.finisher import RecordingFinisher
from recordings.model import RecordingState
from recordings.recorder import CallRecorder
from recordings.settings import RecordingSettings
from recordings.storage import RecordingQuery, SqlRecordings
from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.agi_channel_state import QueueBehaviour
from telephony.emulator.caller import ScriptedCaller, StaySilent
from telephony.emulator.dialplan import EmulatedDialplan, NoEnginePath, QueueLogFile
from telephony.emulator.sounds import SoundLibrary
from worktime.calendar import default_calendar
from worktime.clock import ManualClock, local_zone

EPOCH = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)
CONF_SOUNDS = Path(__file__).resolve().parents[2] / "asterisk-conf" / "sounds"


async def _call_without_engine(tmp_path: Path, recorded_already: bool = False) -> EmulatedChannel:
    channel = EmulatedChannel(
        "127.0.0.1",
        unused_port(),
        ScriptedCaller([StaySilent()]),
        SoundLibrary([CONF_SOUNDS]),
        replace(ChannelSettings(), queue=QueueBehaviour(answer_after=8, talk_seconds=20)),
    )
    if recorded_already:  # an engine started MixMonitor, then gave the call back
        channel.model.variables["MIXMONITOR_FILENAME"] = "/elsewhere/call.wav"
    dialplan = EmulatedDialplan(
        [("127.0.0.1", unused_port())],
        no_engine=NoEnginePath(
            sounds=str(CONF_SOUNDS),
            messages=str(tmp_path / "messages"),
            recordings=str(tmp_path / "recordings"),
        ),
        queue_log=QueueLogFile(tmp_path / "queue_log", wall_clock=EPOCH.timestamp),
    )
    assert (await dialplan.run(channel)).without_engine
    return channel


async def test_a_call_no_engine_took_is_recorded_and_indexed_once_the_engine_is_back(
    database: Database, tmp_path: Path
) -> None:
    talked = await _call_without_engine(tmp_path)
    handed_back = await _call_without_engine(tmp_path, recorded_already=True)
    waiting = tmp_path / "recordings" / "no-engine" / f"{talked.uniqueid}.wav"
    assert waiting.exists() and not (waiting.parent / f"{handed_back.uniqueid}.wav").exists()

    clock = ManualClock(EPOCH + timedelta(hours=1))
    settings = RecordingSettings(recordings_dir=str(tmp_path / "recordings")).resolved(Settings())
    index = SqlRecordings(database, AuditLog(database, clock))
    importer = QueueLogImport(
        database,
        tmp_path / "queue_log",
        clock=clock,
        tasks=SqlTasks(database, default_calendar()),
        calendar=default_calendar(),
        line_of=lambda number: "toll_free",
        messages_dir=tmp_path / "messages",
        recorder=CallRecorder(index, settings, local_zone()),
    )
    figures = await importer.import_new()
    await importer.import_new()
    finisher = RecordingFinisher(
        index, tmp_path / "recordings", clock, settle_seconds=2, stale_minutes=10
    )
    assert await finisher.finish_due() == 1

    assert figures.calls_without_engine == 2
    found, _ = await index.search(RecordingQuery())
    (recording,) = found
    assert recording.uniqueid == talked.uniqueid and not waiting.exists()
    assert recording.state is RecordingState.STORED
    assert (recording.outcome, recording.operator) == ("operator", "operator")
    assert recording.duration_seconds == pytest.approx(talked.model.now, abs=0.01)
    assert (tmp_path / "recordings" / recording.path).exists()
    assert recording.path.startswith("2026/11/26/")
