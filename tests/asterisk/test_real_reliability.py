"""Never drop a caller, against a real Asterisk: an engine stopped with SIGTERM under
traffic, no engine at all, and one of two engines killed with SIGKILL mid-call.

Each call is a real call through asterisk-conf/extensions.conf; "not dropped" means
Asterisk itself connected the caller to the test operator (AgentConnect on the caller's
channel) or the caller left a message, with the caller's channel up until then.
"""

from __future__ import annotations

import asyncio
import signal
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bench.engine_process import EngineProcess, EngineSetup
from callcenter.plugin import TASKS
from callcenter.tasks import TaskKind
from ivr.call_record import Outcome
from ivr.content import IvrContent
from ivr.storage import CallRow, CallStatus
from recordings.model import Recording, RecordingState
from recordings.plugin import RECORDINGS
from telephony.ami import AmiActionError, AmiClient, actions
from tests.asterisk.asterisk_runner import OPERATOR_ANSWERS, AsteriskRunner
from tests.asterisk.conftest import (
    HANDED_TO_QUEUE,
    KEYPAD_TIMEOUT_MS,
    Observer,
    Phone,
    RealCall,
    RealEngine,
    engine_settings,
    real_engine,
)
from tests.waiting import eventually
from worktime.clock import system_clock

MAIN_MENU = r"^GET DATA \S+/toll_free_main-short "
CONNECTED_WITHIN = 90.0
"""Operators take one caller at a time (ring 1 s, talk 3 s): a bound for a few callers."""


async def _rows(engine: RealEngine, call: RealCall) -> list[CallRow]:
    await engine.call_log.flush()
    return await engine.call_log.rows_of_channel(call.ivr_uniqueid)


def _first_and_resumed(rows: list[CallRow], second: RealEngine) -> tuple[CallRow, CallRow]:
    """The killed engine's record of a call, and the second engine's."""
    (resumed,) = [row for row in rows if row.engine_id == second.call_log.engine_id]
    (first,) = [row for row in rows if row is not resumed]
    return first, resumed


async def _connected(observer: Observer, call: RealCall) -> None:
    """Asterisk connected this caller to an operator before their channel went."""
    _, seen = await observer.wait_for(
        lambda s: s.event.name in {"AgentConnect", "Hangup"} and s.channel == call.ivr_channel,
        CONNECTED_WITHIN,
    )
    assert seen.event.name == "AgentConnect", f"{call.ivr_channel} was dropped, not connected"


async def _operator_joins(ami: AmiClient) -> None:
    try:
        await ami.send(actions.QueueAdd("operators", OPERATOR_ANSWERS, member_name="Test Operator"))
    except AmiActionError as error:
        if "Already there" not in str(error):
            raise


async def _operator_leaves(ami: AmiClient) -> None:
    try:
        await ami.send(actions.QueueRemove("operators", OPERATOR_ANSWERS))
    except AmiActionError as error:
        if "Not there" not in str(error):
            raise


@pytest.fixture
async def operators_away(ami: AmiClient) -> AsyncIterator[None]:
    await _operator_leaves(ami)
    yield
    await _operator_leaves(ami)


async def test_sigterm_under_traffic_drops_no_caller(
    real_asterisk: AsteriskRunner,
    ivr_content: IvrContent,
    tmp_path: Path,
    postgres_url: str,
    ami: AmiClient,
    observer: Observer,
    operators_away: None,
) -> None:
    """Three callers in the main menu and one waiting in the queue when the first engine
    gets SIGTERM: the three go on on the second engine, to an operator; the fourth stays
    queued in Asterisk and its record is completed from queue_log. 4 calls."""
    first_settings = engine_settings(
        real_asterisk,
        ivr_content,
        tmp_path / "a",
        real_asterisk.agi_port,
        database_url=postgres_url,
        drain_seconds=1.0,
        hand_back_seconds=KEYPAD_TIMEOUT_MS / 1000 + 8,
    )
    second_settings = engine_settings(
        real_asterisk,
        ivr_content,
        tmp_path / "b",
        real_asterisk.second_agi_port,
        database_url=postgres_url,
    )
    async with real_engine(second_settings, ivr_content) as second:
        async with real_engine(first_settings, ivr_content) as first:
            phone = Phone(ami, observer, first, real_asterisk, [])
            in_menu = [await phone.call() for _ in range(3)]
            for call in in_menu:
                await call.next_agi(MAIN_MENU, first.seconds("recording_notice") + 15)
            queued = await phone.call()
            await queued.next_agi(MAIN_MENU, first.seconds("recording_notice") + 15)
            await queued.press("0")
            await queued.next_agi(HANDED_TO_QUEUE, first.seconds("operator_connecting") + 10)

            await first.engine.stop()  # what SIGTERM does in ``callgrid serve``
            assert first.server.active_calls == 0
            left = (await _rows(second, queued))[0]
            for call in in_menu:
                await call.next_agi(HANDED_TO_QUEUE, 30)  # on the second engine now
            await _operator_joins(ami)
            for call in [*in_menu, queued]:
                await _connected(observer, call)
                await call.gone(30)

        for call in in_menu:
            handed, resumed = await _rows(second, call)
            assert (handed.outcome, handed.ended_by) == (Outcome.HANDED_BACK, "engine")
            assert handed.engine_id == first.call_log.engine_id
            assert handed.path == ["main"] and handed.status == CallStatus.ENDED
            assert (resumed.outcome, resumed.ended_by) == (Outcome.OPERATOR, "queue")
            assert resumed.engine_id == second.call_log.engine_id
            assert resumed.operator == OPERATOR_ANSWERS
            assert [c.command for c in call.agi_commands()].count(
                next(c.command for c in call.agi_commands() if "recording_notice" in c.command)
            ) == 1, "the recording notice was played again"
        assert (left.status, left.outcome) == (CallStatus.QUEUED, None)
        assert left.path == ["main", "operator"] and left.inputs == "0"

        async def completed() -> bool:
            (row,) = await _rows(second, queued)
            return row.status == CallStatus.ENDED

        await eventually(completed, 20)
        (row,) = await _rows(second, queued)
        # the second engine, offered the after-queue request, stored the end
        assert (row.outcome, row.ended_by, row.operator) == (
            Outcome.OPERATOR,
            "queue",
            OPERATOR_ANSWERS,
        )
        assert row.ended_at is not None and row.answered_at is not None


async def test_with_no_engine_asterisk_serves_the_caller_and_the_engine_registers_it(
    real_asterisk: AsteriskRunner,
    ivr_content: IvrContent,
    tmp_path: Path,
    ami: AmiClient,
    observer: Observer,
    operators_away: None,
) -> None:
    """No engine listens: one caller is queued and answered by the operator, one (no
    operator logged in) leaves a message and hangs up; the engine started afterwards registers both
    from queue_log, the message as a task. 2 calls."""
    settings = engine_settings(real_asterisk, ivr_content, tmp_path, real_asterisk.agi_port)
    phone = Phone(ami, observer, None, real_asterisk, [])
    await _operator_joins(ami)
    answered = await phone.call()
    await _connected(observer, answered)
    await answered.gone(30)
    await _operator_leaves(ami)
    message = await phone.call()
    await observer.wait_for(
        lambda s: (
            s.event.name == "Newexten"
            and s.channel == message.ivr_channel
            and s.event.get("Application") == "Record"
        ),
        30,
    )
    await message.say(ivr_content.library.directory / "recording_notice-short")
    await asyncio.sleep(2.5)  # the caller speaks for a while, then hangs up
    await message.hang_up()
    await message.gone(15)

    playbacks = [
        seen.event.get("AppData") or ""
        for seen in observer.named("Newexten", answered.ivr_channel)
        if seen.event.get("Application") == "Playback"
    ]
    assert [Path(data).name for data in playbacks] == ["callgrid-engine-down"]
    assert not [line for line in real_asterisk.log_since(answered.log_offset) if "ERROR[" in line]
    recorded = real_asterisk.messages_dir / f"{message.ivr_uniqueid}.wav"
    assert recorded.exists() and recorded.stat().st_size > 8000

    async with real_engine(settings, ivr_content) as engine:

        async def registered() -> bool:
            rows = [await _rows(engine, call) for call in (answered, message)]
            return all(r and r[0].status == CallStatus.WITHOUT_ENGINE for r in rows)

        await eventually(registered, 20)
        (talked,) = await _rows(engine, answered)
        (left,) = await _rows(engine, message)
        tasks = await engine.engine.host.require(TASKS).for_call(left.id)
        index = engine.engine.host.require(RECORDINGS)

        async def recorded_calls() -> list[Recording]:
            found = [await index.of_call(row.id) for row in (talked, left)]
            return [r for r in found if r is not None and r.state is RecordingState.STORED]

        async def both_recorded() -> bool:
            return len(await recorded_calls()) == 2

        await eventually(both_recorded, 20)
        recordings = await recorded_calls()

    assert (talked.outcome, talked.operator, talked.line) == (
        Outcome.OPERATOR,
        "Test Operator",
        "toll_free",
    )
    assert talked.caller_id == "79001234567" and talked.path == ["no_engine"]
    assert talked.ended_at is not None and talked.started_at is not None
    assert talked.ended_at - talked.started_at >= timedelta(seconds=3)
    assert left.outcome == Outcome.ANSWERING_MACHINE
    assert [(t.kind, t.recording) for t in tasks] == [(TaskKind.ANSWERING_MACHINE, str(recorded))]
    # Asterisk recorded both calls itself (REC-1); the engine indexed them once back
    assert len(recordings) == 2, recordings
    for call, recording in zip((talked, left), recordings, strict=True):
        assert call.ended_at is not None and recording.duration_seconds is not None
        assert recording.duration_seconds == pytest.approx(
            (call.ended_at - call.started_at).total_seconds(), abs=2.5
        )
    assert not list((real_asterisk.recordings_dir / "no-engine").glob("*.wav"))


async def test_sigkill_of_one_of_two_engines_drops_no_caller(
    real_asterisk: AsteriskRunner,
    ivr_content: IvrContent,
    tmp_path: Path,
    postgres_url: str,
    ami: AmiClient,
    observer: Observer,
    operator_on_duty: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first engine is a ``callgrid serve`` process, killed with SIGKILL while three
    callers are in its main menu: Asterisk offers each to the second engine, which puts
    them through to the operator; a new call goes to the second engine directly; the
    second engine's next start closes the killed one's records. 4 calls."""
    monkeypatch.setenv("CALLGRID_KEYPAD_TIMEOUT_MS", str(KEYPAD_TIMEOUT_MS))
    monkeypatch.setenv("CALLGRID_CALL_HEARTBEAT_SECONDS", "0.5")
    monkeypatch.setenv("CALLGRID_MESSAGES_DIR", str(real_asterisk.messages_dir))
    setup = EngineSetup(
        tmp_path / "a",
        postgres_url,
        port=real_asterisk.agi_port,
        prompts_dir=ivr_content.library.directory,
    )
    setup.scratch.mkdir()
    second_settings = engine_settings(
        real_asterisk,
        ivr_content,
        tmp_path / "b",
        real_asterisk.second_agi_port,
        database_url=postgres_url,
    )
    killed = EngineProcess.start(setup, 1)
    try:
        async with real_engine(second_settings, ivr_content) as second:
            phone = Phone(ami, observer, second, real_asterisk, [])
            on_first = [await phone.call() for _ in range(3)]
            for call in on_first:
                await call.next_agi(MAIN_MENU, second.seconds("recording_notice") + 15)
            assert second.server.calls_served == 0
            killed.kill(signal.SIGKILL)
            later = await phone.call()
            await later.next_agi(MAIN_MENU, second.seconds("recording_notice") + 15)
            await later.hang_up()
            for call in on_first:
                await _connected(observer, call)
                await call.gone(30)
            rows = [_first_and_resumed(await _rows(second, call), second) for call in on_first]
            (later_row,) = await _rows(second, later)
        left_open = [first_row for first_row, _ in rows]
        await asyncio.sleep(1.2)  # longer than the lease below: the killed engine is gone
        restart = engine_settings(
            real_asterisk,
            ivr_content,
            tmp_path / "b",
            real_asterisk.second_agi_port,
            ivr={"call_lease_seconds": 1.0},
            database_url=postgres_url,
        )
        async with real_engine(restart, ivr_content, system_clock) as restarted:
            closed = [
                _first_and_resumed(await _rows(restarted, call), second)[0] for call in on_first
            ]
    finally:
        killed.ensure_stopped()

    assert later_row.engine_id == second.call_log.engine_id
    assert later_row.outcome == Outcome.ABANDONED_IN_MENU
    for first_row, resumed in rows:
        assert first_row.engine_id == f"{socket.gethostname()}:{real_asterisk.agi_port}"
        assert (resumed.outcome, resumed.operator) == (Outcome.OPERATOR, OPERATOR_ANSWERS)
        assert resumed.path[0] == "operator"
    assert [r.status for r in left_open] == [CallStatus.IN_PROGRESS] * 3
    for row in closed:
        assert (row.status, row.outcome, row.ended_by) == (
            CallStatus.INTERRUPTED,
            Outcome.INTERRUPTED,
            "engine",
        )
        assert row.ended_at is not None and row.ended_at >= row.started_at
