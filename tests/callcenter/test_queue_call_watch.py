"""Queue calls registered by the engine from its live AMI link: the app_queue events a
real Asterisk 22.10.1 sent (the reference transcripts) replayed through the emulator at
their captured moments, and the call stored as soon as it ended — by one process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from callcenter.call_register import CallOutcome
from callcenter.plugin import QUEUE_CALLS, WAITING
from callgrid.database import Database
from callgrid.engine import Engine
from callgrid.settings import Settings
from telephony.ami.actions import Ping
from telephony.emulator.ami_server import AmiEmulator
from tests.callcenter.test_call_register import ABANDONED, ANSWERED, CONNECTED, at, received
from tests.waiting import eventually
from worktime.clock import ManualClock

DAY = (CONNECTED - timedelta(hours=1), CONNECTED + timedelta(hours=1))


@pytest.fixture
async def wired(database: Database, tmp_path: Path) -> AsyncIterator[tuple[Engine, AmiEmulator]]:
    emulator = AmiEmulator(auth_failure_delay=0)
    await emulator.start()
    settings = Settings(
        var_dir=tmp_path / "var",
        database_url=database.url,
        ami_port=emulator.port,
        ami_username="ivr",
        ami_secret="ivrsecret",
    )
    engine = Engine(settings, ManualClock(CONNECTED), parts=("ami",))
    await engine.start()
    await eventually(lambda: engine.ami is not None and engine.ami.is_connected)
    yield engine, emulator
    await engine.stop()
    await emulator.stop()


async def replay(engine: Engine, emulator: AmiEmulator, transcript: str) -> None:
    """Each event pushed at its captured moment on the engine's clock, and read by the
    engine (a Ping's round trip after it) before the clock moves on."""
    clock, ami = engine.clock, engine.ami
    assert isinstance(clock, ManualClock) and ami is not None
    for moment, event in received(transcript):
        clock.now = moment
        emulator.emit_event(event.name, [(n, v) for n, v in event.message.headers if n != "Event"])
        await ami.send(Ping())


async def test_an_answered_queue_call_is_stored_with_asterisks_own_times(
    wired: tuple[Engine, AmiEmulator],
) -> None:
    engine, emulator = wired
    await replay(engine, emulator, ANSWERED)
    store = engine.host.require(QUEUE_CALLS)

    async def stored() -> bool:
        return len(await store.joined_between(*DAY)) == 1

    await eventually(stored)
    (call,) = await store.joined_between(*DAY)
    assert call.outcome is CallOutcome.ANSWERED
    assert (call.queue, call.operator, call.caller) == ("support", "Operator Answer", "79001234567")
    assert (call.joined_at, call.answered_at, call.ended_at) == (
        at(0.006),
        at(6.020),
        at(9.945),
    )
    assert (call.wait_seconds, call.ring_attempts) == (6.0, 2)
    assert call.ring_seconds == pytest.approx(5.0)
    assert engine.host.require(WAITING).waiting() == []


async def test_an_abandoned_call_is_stored_with_its_place_in_the_queue(
    wired: tuple[Engine, AmiEmulator],
) -> None:
    engine, emulator = wired
    await replay(engine, emulator, ABANDONED)
    store = engine.host.require(QUEUE_CALLS)

    async def stored() -> bool:
        return len(await store.joined_between(*DAY)) == 1

    await eventually(stored)
    (call,) = await store.joined_between(*DAY)
    assert call.outcome is CallOutcome.ABANDONED
    assert call.answered_at is None and call.abandon_position == 1
