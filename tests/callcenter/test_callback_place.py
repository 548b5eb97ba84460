"""A callback keeps the caller's place, end to end through the emulated Asterisk (CC-5):
a caller waits past the limit while the only operator talks, asks for a callback and
hears their place is kept; a second caller joins later. Before the operator's call
ends the engine holds them (app_queue would ring them for the live caller the moment
they free up), so the callback is dialled to them first; once it is over the hold is
let go and the later caller is served."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from callcenter.plugin import CALLBACK_RELEASE, TASKS, WAITING
from callcenter.tasks import CONNECTED
from callgrid.database import Database
from callgrid.engine import Engine
from ivr.content import IvrContent
from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.ami_server import AmiEmulator
from telephony.emulator.callback_dialplan import CallbackDialplan
from telephony.emulator.caller import ScriptedCaller
from telephony.emulator.sounds import SoundLibrary
from telephony.emulator.virtual_time import VirtualTime
from tests.callcenter.test_callback_worker import OLGA, held, start_center
from tests.ivr.calls import played
from tests.waiting import eventually
from worktime.clock import ManualClock

Center = tuple[Engine, AmiEmulator, CallbackDialplan, ManualClock, VirtualTime]


@pytest.fixture
async def center(
    database: Database, ivr_content: IvrContent, tmp_path: Path
) -> AsyncIterator[Center]:
    time = VirtualTime(manual=True)
    engine, emulator, dialplan, clock = await start_center(database, ivr_content, tmp_path, time)
    yield engine, emulator, dialplan, clock, time
    await engine.stop()
    await emulator.stop()


def caller(center: Center, ivr_content: IvrContent, keys: str, number: str) -> EmulatedChannel:
    engine, emulator, *_ = center
    assert engine.agi is not None
    return EmulatedChannel(
        "127.0.0.1",
        engine.agi.port,
        ScriptedCaller.from_keys(keys),
        SoundLibrary([ivr_content.library.directory]),
        ChannelSettings(caller_id=number),
        ami_events=emulator.emit_event,
        queue_calls=emulator.queue_calls,
    )


async def test_the_callback_is_dialled_before_a_caller_who_joined_later(
    center: Center, ivr_content: IvrContent
) -> None:
    engine, emulator, dialplan, clock, time = center
    waiting = engine.host.require(WAITING)
    release = engine.host.require(CALLBACK_RELEASE)

    async def advance(seconds: float) -> None:
        clock.advance(seconds)
        await time.advance(seconds)

    def callers_waiting() -> list[str]:
        return [call.caller or "" for call in waiting.waiting()]

    first = caller(center, ivr_content, "0", "79130000001")  # talks with olga for 60 s
    calls = [asyncio.create_task(first.run())]
    await eventually(lambda: callers_waiting() == ["79130000001"])
    await advance(2)
    await eventually(lambda: callers_waiting() == [])

    keeper = caller(center, ivr_content, "0 # 1", "79130000002")
    calls.append(asyncio.create_task(keeper.run()))
    await eventually(lambda: callers_waiting() == ["79130000002"])
    await advance(41)  # past the 40 s limit (CC-2): the callback is offered and taken
    tasks = engine.host.require(TASKS)

    async def kept() -> bool:
        return any(task.keeps_place for task in await tasks.open_tasks("callback"))

    for _second in range(5):  # Queue() returns on app_queue's next look at the caller
        await advance(1)
        if keeper.model.variables.get("QUEUESTATUS"):
            break
    await eventually(kept)
    (callback,) = await tasks.open_tasks("callback")
    assert callback.place is not None and callback.place.queue == "operators"
    assert callback.phone == "79130000002"
    await asyncio.wait_for(calls.pop(), 10)
    heard = played(keeper)
    assert heard.index("callback_place_kept-short") > heard.index("callback_accepted-short")

    await advance(3)
    later = caller(center, ivr_content, "0", "79130000003")
    calls.append(asyncio.create_task(later.run()))
    await eventually(lambda: callers_waiting() == ["79130000003"])
    assert await release.step() == [], "olga still talks"
    await eventually(lambda: held(emulator))

    await advance(20)  # the first call ends at 61 s: olga is free, held for the callback
    assert callers_waiting() == ["79130000003"], "app_queue did not ring the held olga"
    dials = await release.step()
    assert [(d.task_id, d.login) for d in dials] == [(callback.id, "olga")]
    await release.settle()
    (placed,) = dialplan.placed
    assert (placed.dial_string, placed.exten) == (OLGA, "79130000002")

    async def connected() -> bool:
        found = await tasks.get(callback.id)
        return found is not None and found.place is not None and found.place.state == CONNECTED

    await eventually(connected)
    await advance(5)
    assert callers_waiting() == ["79130000003"], "the later caller waits during the callback"

    dialplan.hang_up()
    await eventually(lambda: not held(emulator))
    await advance(2)
    await eventually(lambda: callers_waiting() == [])
    await advance(61)
    await asyncio.wait_for(asyncio.gather(*calls), 10)
    assert later.model.variables["MEMBERINTERFACE"] == OLGA, "served after the callback"
