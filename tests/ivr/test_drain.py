"""Stopping an engine with calls in progress drops no caller (IVR-4): it stops taking
calls, lets the live ones go on for the drain period, then hands each back to the
dialplan, which offers it to the next engine to go on at the operator step."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from dataclasses import replace
from pathlib import Path

from callgrid.database import Database
from ivr.call_record import Outcome
from ivr.content import IvrContent
from ivr.storage import CallRow, CallStatus
from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.agi_channel_state import QueueBehaviour
from telephony.emulator.caller import Press, ScriptedCaller, StaySilent
from telephony.emulator.dialplan import DialplanCall, EmulatedDialplan
from telephony.emulator.sounds import SoundLibrary
from tests.conftest import RunningIvr, running_ivr
from worktime.clock import ManualClock

CALLS = 8
REPLY_SECONDS = 0.02
"""Each reply of the emulated Asterisk is held back this long (real time): calls last
long enough to be in progress when the engine stops."""


def _channel(ivr: RunningIvr, caller: ScriptedCaller) -> EmulatedChannel:
    return EmulatedChannel(
        "127.0.0.1",
        ivr.port,
        caller,
        SoundLibrary([ivr.content.library.directory]),
        replace(ChannelSettings(), queue=QueueBehaviour(answer_after=5, talk_seconds=30)),
        keep_wire=True,
        think_time=lambda: REPLY_SECONDS,
    )


def _browsing() -> ScriptedCaller:
    """A caller who wanders the reference menus for a while (never asks for anyone)."""
    return ScriptedCaller([Press(key, after=1.0) for key in "4*4*4*4*4*4*4*4*"] + [StaySilent()])


def _pressed(channel: EmulatedChannel) -> int:
    return sum(event.kind == "pressed" for event in channel.heard)


async def _rows(ivr: RunningIvr, uniqueid: str) -> list[CallRow]:
    await ivr.call_log.flush()
    return await ivr.call_log.rows_of_channel(uniqueid)


async def test_sigterm_hands_every_live_call_to_the_other_engine(
    database: Database, ivr_content: IvrContent, clock: ManualClock, tmp_path: Path
) -> None:
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(
            running_ivr(
                database,
                ivr_content,
                clock,
                tmp_path / "a",
                drain_seconds=0.1,
                hand_back_seconds=5,
            )
        )
        second = await stack.enter_async_context(
            running_ivr(database, ivr_content, clock, tmp_path / "b")
        )
        dialplan = EmulatedDialplan([("127.0.0.1", first.port), ("127.0.0.1", second.port)])
        channels = [_channel(first, _browsing()) for _ in range(CALLS)]
        calls = [asyncio.create_task(dialplan.run(channel)) for channel in channels]
        while not all(_pressed(channel) >= 2 for channel in channels):  # noqa: ASYNC110
            await asyncio.sleep(0.01)  # every caller is in the menus

        await first.engine.stop()
        after_stop = _channel(first, ScriptedCaller([Press("0")]))
        late = await dialplan.run(after_stop)
        done: list[DialplanCall] = await asyncio.gather(*calls)

        for call in done:
            assert not call.without_engine
            assert call.engines == [first.port, second.port], call.offers
            assert call.offers[1].endswith("&resume=operator")
            heard = [event.kind for event in call.channel.heard]
            assert "operator answered" in heard, "the caller was not taken on to an operator"
            assert not call.channel.model.caller_hung_up
            rows = {row.engine_id: row for row in await _rows(second, call.channel.uniqueid)}
            handed = rows[first.call_log.engine_id]
            resumed = rows[second.call_log.engine_id]
            assert (handed.outcome, handed.ended_by) == (Outcome.HANDED_BACK, "engine")
            assert handed.path[:2] == ["main", "reference"] and handed.inputs.startswith("4")
            assert (resumed.outcome, resumed.ended_by) == (Outcome.OPERATOR, "queue")
            assert resumed.path[0] == "operator"
            notices = [e.detail for e in call.channel.heard if "recording_notice" in e.detail]
            assert len(notices) == 1, "the recording notice is not played again"
        assert late.engines == [second.port], "a stopped engine must refuse new calls"
        (row,) = await _rows(second, after_stop.uniqueid)
        assert row.outcome == Outcome.OPERATOR


async def test_calls_that_end_within_the_drain_period_are_not_handed_back(
    database: Database, ivr_content: IvrContent, clock: ManualClock, tmp_path: Path
) -> None:
    async with running_ivr(database, ivr_content, clock, tmp_path / "a", drain_seconds=30) as ivr:
        channel = _channel(ivr, ScriptedCaller([Press("4"), Press("2"), Press("0")]))
        dialplan = EmulatedDialplan([("127.0.0.1", ivr.port)])
        call = asyncio.create_task(dialplan.run(channel))
        while ivr.server.active_calls < 1:  # noqa: ASYNC110 (the engine's own count)
            await asyncio.sleep(0.01)
        await ivr.engine.drain()
        finished = await call
        (row,) = await _rows(ivr, channel.uniqueid)

    assert finished.engines == [ivr.port]
    # The engine handed the caller to the dialplan's queue before it stopped: Asterisk
    # had them there, an operator answered, and with no engine to come back to the
    # dialplan hung up. The record waits, its path kept, for the after-queue request,
    # or for this engine to start again and Asterisk's queue_log to close it.
    assert "operator answered" in [event.kind for event in channel.heard]
    assert (row.status, row.outcome, row.topic) == (
        CallStatus.QUEUED,
        None,
        "Офисы и часы работы",
    )
    assert channel.model.dead and not channel.model.caller_hung_up, "Asterisk hung up"
