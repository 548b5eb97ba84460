"""An engine that stops gives its live calls back to the dialplan (IVR-4): the caller is
never dropped, and the record says the engine handed the call back, with the path so far.
A caller waiting in the operator queue is Asterisk's, not an engine session's: the
engine that has the call after the queue stores how it ended."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from datetime import datetime
from pathlib import Path

import pytest

from callgrid.database import Database
from ivr.call_record import CallEnd, CallStart, Outcome
from ivr.content import IvrContent
from ivr.storage import CallStatus
from telephony.dialplan import HANDBACK_VARIABLE
from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.agi_channel_state import ChannelState
from telephony.emulator.caller import ScriptedCaller
from telephony.emulator.dialplan import EmulatedDialplan
from telephony.emulator.sounds import SoundLibrary
from tests.conftest import RunningIvr, running_ivr
from tests.ivr.calls import hand_back_once, place, sent
from worktime.clock import DEFAULT_ZONE, ManualClock

FRIDAY_NIGHT = datetime(2026, 11, 27, 23, 0, tzinfo=DEFAULT_ZONE)


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


class QueueOverAStop:
    """Asterisk's app_queue while the engine that queued the caller stops: the caller
    waits, then an operator answers, talks and hangs up, or the caller gives up."""

    def __init__(self, stop: Callable[[], Awaitable[None]], *, answered: bool) -> None:
        self.stop = stop
        self.answered = answered

    async def execute(self, channel: ChannelState, data: str) -> int:
        channel.note("queued", data)
        await self.stop()
        if not self.answered:
            channel.variables["ABANDONED"] = "TRUE"
            channel.die()
            return -1
        channel.variables["MEMBERINTERFACE"] = "Local/101@operators"
        channel.variables["QUEUESTATUS"] = "CONTINUE"
        return 0

    def caller_hangs_up(self, channel: ChannelState) -> bool:
        return False

    async def dial(self, channel: ChannelState, data: str) -> int:
        raise AssertionError("no transfer here")


@pytest.mark.parametrize("answered", [True, False])
async def test_a_caller_queued_when_the_engine_stops_is_served_and_recorded(
    database: Database,
    ivr_content: IvrContent,
    clock: ManualClock,
    tmp_path: Path,
    answered: bool,
) -> None:
    """The engine holds no session while the caller waits in the dialplan's queue: it
    stops with nothing to hand back, and the other engine, offered the after-queue
    request, stores how the queue ended, keeping the path the first one recorded."""
    settings = {"drain_seconds": 0, "hand_back_seconds": 0}
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(
            running_ivr(database, ivr_content, clock, tmp_path / "a", **settings)
        )
        second = await stack.enter_async_context(
            running_ivr(database, ivr_content, clock, tmp_path / "b")
        )

        async def stop_the_first() -> None:
            assert first.server.active_calls == 0, "the queued caller holds no session"
            assert len(first.flow.parked) == 1
            await first.engine.stop()

        channel = EmulatedChannel(
            "127.0.0.1",
            first.port,
            ScriptedCaller.from_keys("0"),
            SoundLibrary([ivr_content.library.directory]),
            keep_wire=True,
            queue_calls=QueueOverAStop(stop_the_first, answered=answered),
        )
        dialplan = EmulatedDialplan([("127.0.0.1", first.port), ("127.0.0.1", second.port)])
        done = await dialplan.run(channel)
        await second.server.drained(timeout=10)
        await second.call_log.flush()
        (row,) = await second.call_log.rows_of_channel(channel.uniqueid)

    assert done.engines == [first.port] and not done.without_engine
    assert channel.settings.script == "after-queue"
    assert row.status == CallStatus.ENDED and row.path == ["main", "operator"]
    assert row.answered_at is not None, "the first engine's part of the record is kept"
    if answered:
        assert (row.outcome, row.ended_by, row.operator) == (
            Outcome.OPERATOR,
            "queue",
            "Local/101@operators",
        )
        assert sent(channel)[-1] == "HANGUP", "the second engine ended the call"
    else:
        assert (row.outcome, row.ended_by) == (Outcome.ABANDONED_IN_QUEUE, "caller")


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
