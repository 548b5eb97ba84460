"""An engine that stops gives its live calls back to the dialplan (IVR-4): the caller is
never dropped, and the record says the engine handed the call back, with the path so far.
A caller waiting in the operator queue stays there, and their record stays open."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from callgrid.database import Database
from ivr.call_record import CallEnd, CallStart, Outcome
from ivr.content import IvrContent
from telephony.agi import AgiCall, FastAgiServer
from telephony.dialplan import HANDBACK_VARIABLE
from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.caller import ScriptedCaller
from telephony.emulator.sounds import SoundLibrary
from tests.conftest import RunningIvr, running_ivr
from tests.ivr.calls import hand_back_once, place, sent
from worktime.clock import DEFAULT_ZONE, ManualClock

FRIDAY_NIGHT = datetime(2026, 11, 27, 23, 0, tzinfo=DEFAULT_ZONE)
IN_THE_QUEUE = ChannelSettings(unanswered_commands=frozenset({"EXEC"}))
"""Asterisk runs ``Queue()`` for as long as the test needs: the caller waits in it."""


class RecordedCalls:
    """The call log port, keeping what the flow stores (to see what the storage gets)."""

    def __init__(self) -> None:
        self.ended: dict[str, CallEnd] = {}
        self._started = 0

    async def call_started(self, start: CallStart) -> str:
        self._started += 1
        return f"call-{self._started}"

    async def call_ended(self, call_id: str, end: CallEnd) -> None:
        self.ended[call_id] = end


async def test_a_caller_in_the_menu_is_handed_back_to_the_operators(ivr: RunningIvr) -> None:
    channel, row = await place(ivr, "2 _ _", watch=hand_back_once(ivr, "payments_menu-short"))
    assert channel.model.variables[HANDBACK_VARIABLE] == "operator"
    assert sent(channel)[-1] == f"SET VARIABLE {HANDBACK_VARIABLE} operator"
    assert channel.closed_by_engine, "the engine closed the socket: the dialplan goes on"
    assert not channel.model.dead, "the caller is still on the line"
    assert (row.outcome, row.ended_by) == (Outcome.HANDED_BACK, "engine")
    assert row.path == ["main", "payments"]
    assert row.inputs == "2 -"
    assert row.topic == "Оплата и задолженность"


async def test_out_of_hours_the_caller_is_handed_back_to_the_answering_machine(
    ivr: RunningIvr, clock: ManualClock
) -> None:
    clock.now = FRIDAY_NIGHT
    channel, row = await place(ivr, "2 _ _", watch=hand_back_once(ivr, "payments_menu-short"))
    assert channel.model.variables[HANDBACK_VARIABLE] == "answering_machine"
    assert channel.closed_by_engine
    assert (row.outcome, row.ended_by) == (Outcome.HANDED_BACK, "engine")


async def test_a_caller_who_hangs_up_as_the_call_is_handed_back_hung_up(
    ivr: RunningIvr,
) -> None:
    """The caller hangs up right after the menu prompt; Asterisk tells so just before
    its next reply, which is the one to the hand-back's SET VARIABLE."""

    def hang_up_as_the_engine_stops(channel: EmulatedChannel) -> None:
        if any("payments_menu-short" in event.detail for event in channel.heard):
            ivr.server.hand_back_all()
            channel.model.die()  # once this reply is out; Asterisk tells before the next

    channel, row = await place(
        ivr, "2 _", watch=hang_up_as_the_engine_stops, hangup_notice="before_next_reply"
    )
    assert sent(channel)[-1] == f"SET VARIABLE {HANDBACK_VARIABLE} operator"
    assert channel.model.caller_hung_up
    assert (row.outcome, row.ended_by) == (Outcome.ABANDONED_IN_MENU, "caller")
    assert row.path == ["main", "payments"]


async def _wait_in_queue(channel: EmulatedChannel) -> None:
    # real sockets: wait until the engine has sent the caller into Queue()
    while not any(line.startswith("EXEC Queue") for _, line in channel.wire):  # noqa: ASYNC110
        await asyncio.sleep(0.01)


async def test_a_caller_in_the_queue_when_the_engine_is_cancelled_stays_queued(
    ivr: RunningIvr,
) -> None:
    calls = RecordedCalls()
    ivr.flow.call_log = calls
    ivr.flow.recorder = None  # every EXEC stays unanswered here, MixMonitor too
    flows: list[asyncio.Task[None]] = []

    async def route(call: AgiCall) -> None:
        task = asyncio.current_task()
        assert task is not None
        flows.append(task)
        await ivr.flow(call)

    server = FastAgiServer({"ivr": route}, port=0)
    await server.start()
    channel = EmulatedChannel(
        "127.0.0.1",
        server.port,
        ScriptedCaller.from_keys("0"),
        SoundLibrary([ivr.content.library.directory]),
        IN_THE_QUEUE,
        keep_wire=True,
    )
    running = asyncio.create_task(channel.run())
    try:
        await asyncio.wait_for(_wait_in_queue(channel), 10)
        flows[0].cancel()
        await asyncio.wait_for(running, 10)
    finally:
        await server.stop()
    (end,) = calls.ended.values()
    assert end.left_in_queue, "Asterisk keeps the caller queued: the record stays open"
    assert (end.outcome, end.ended_by) == (Outcome.ABANDONED_IN_QUEUE, "caller")
    assert end.path == ["main", "operator"]


async def test_a_caller_in_the_queue_when_the_engine_stops_stays_queued(
    database: Database, ivr_content: IvrContent, clock: ManualClock, tmp_path: Path
) -> None:
    calls = RecordedCalls()
    settings = {"drain_seconds": 0, "hand_back_seconds": 0}
    async with running_ivr(database, ivr_content, clock, tmp_path / "var", **settings) as ivr:
        ivr.flow.call_log = calls
        ivr.flow.recorder = None  # every EXEC stays unanswered here, MixMonitor too
        channel = EmulatedChannel(
            "127.0.0.1",
            ivr.port,
            ScriptedCaller.from_keys("0"),
            SoundLibrary([ivr_content.library.directory]),
            IN_THE_QUEUE,
            keep_wire=True,
        )
        running = asyncio.create_task(channel.run())
        await asyncio.wait_for(_wait_in_queue(channel), 10)
    await asyncio.wait_for(running, 10)
    (end,) = calls.ended.values()
    assert end.left_in_queue
    assert end.outcome == Outcome.ABANDONED_IN_QUEUE


async def test_a_call_stopped_outside_the_queue_is_interrupted(
    database: Database, ivr_content: IvrContent, clock: ManualClock, tmp_path: Path
) -> None:
    calls = RecordedCalls()
    in_menu = ChannelSettings(unanswered_commands=frozenset({"GET DATA"}))
    settings = {"drain_seconds": 0, "hand_back_seconds": 0}
    async with running_ivr(database, ivr_content, clock, tmp_path / "var", **settings) as ivr:
        ivr.flow.call_log = calls
        ivr.flow.recorder = None  # every EXEC stays unanswered here, MixMonitor too
        channel = EmulatedChannel(
            "127.0.0.1",
            ivr.port,
            ScriptedCaller(),
            SoundLibrary([ivr_content.library.directory]),
            in_menu,
            keep_wire=True,
        )
        running = asyncio.create_task(channel.run())
        while not any(line.startswith("GET DATA") for _, line in channel.wire):  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    await asyncio.wait_for(running, 10)
    (end,) = calls.ended.values()
    assert not end.left_in_queue
    assert (end.outcome, end.ended_by) == (Outcome.INTERRUPTED, "engine")
