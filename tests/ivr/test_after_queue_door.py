"""The after-queue request names a call: one that is not waiting in a queue (unknown,
or a live call of another caller) gets no end stored, and the caller on the line is
still served and hung up."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import cast

import pytest

from ivr.call_record import CallStart
from ivr.parked_calls import LONGEST_STAY, CallState, ParkedCalls
from ivr.storage import CallStatus
from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.caller import ScriptedCaller, StaySilent
from telephony.emulator.sounds import SoundLibrary
from tests.conftest import RunningIvr
from tests.ivr.calls import played
from worktime.clock import DEFAULT_ZONE, ManualClock


async def test_an_after_queue_request_cannot_close_another_callers_live_record(
    ivr: RunningIvr, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    live = await ivr.call_log.call_started(
        CallStart("1700.1", "Local/a;1", "toll_free", "88002224902", "79001112233", clock())
    )
    await ivr.call_log.flush()
    for call_id in (live, "no-such-call", "x" * 5000):
        query = f"call={call_id}&line=88002224902&queue=operators&wait=40"
        channel = EmulatedChannel(
            "127.0.0.1",
            ivr.port,
            ScriptedCaller([StaySilent()]),
            SoundLibrary([ivr.content.library.directory]),
            ChannelSettings(script="after-queue", query=query),
            keep_wire=True,
        )
        await channel.run()
        await ivr.server.drained(timeout=10)
        assert "operator_busy-short" in played(channel), "nobody answered: the caller hears so"
        assert channel.model.dead and not channel.model.caller_hung_up, "the engine hung up"
    row = await ivr.call_log.get(live)
    assert row is not None and (row.status, row.ended_at) == (CallStatus.IN_PROGRESS, None)
    refused = [r for r in caplog.records if "is not waiting in a queue" in r.getMessage()]
    assert len(refused) == 3


def test_parked_calls_are_dropped_once_older_than_the_longest_stay() -> None:
    clock = ManualClock(datetime(2026, 12, 1, 9, 0, tzinfo=DEFAULT_ZONE))
    parked = ParkedCalls()
    first, second = cast(CallState, object()), cast(CallState, object())
    parked.park("a", first, clock())
    clock.advance(LONGEST_STAY.total_seconds() - 1)
    parked.park("b", second, clock())
    assert len(parked) == 2
    clock.advance(2)
    parked.park("c", second, clock())
    assert parked.take("a") is None, "older than the longest stay"
    assert parked.take("b") is second and len(parked) == 1
