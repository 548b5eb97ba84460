"""The operators' board on real wires: an engine's AMI link to the emulated Asterisk, its
members read from QueueStatus at login, changed by QueueAdd and QueuePause as Asterisk
reports them, stored for every process's wallboard; the link's loss shows as a stretch
of ``unknown``, and the next login's QueueStatus sets the board right again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from callcenter.operator_state import Activity
from callcenter.plugin import LINK_OUTAGES, OPERATORS
from callgrid.database import Database
from callgrid.engine import Engine
from callgrid.settings import Settings
from telephony.ami.actions import QueueAdd, QueuePause
from telephony.emulator.ami_server import AmiEmulator
from tests.waiting import eventually
from worktime.clock import ManualClock

NOON = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)


@pytest.fixture
async def wired(database: Database, tmp_path: Path) -> AsyncIterator[tuple[Engine, AmiEmulator]]:
    queues = {"billing": ["Local/olga@operators/n"], "dispatch": []}
    emulator = AmiEmulator(auth_failure_delay=0, queues=queues)
    await emulator.start()
    settings = Settings(
        var_dir=tmp_path / "var",
        database_url=database.url,
        ami_port=emulator.port,
        ami_username="ivr",
        ami_secret="ivrsecret",
    )
    engine = Engine(settings, ManualClock(NOON), parts=("ami",))
    await engine.start()
    yield engine, emulator
    await engine.stop()
    await emulator.stop()


async def states(engine: Engine) -> dict[str, tuple[Activity, str, tuple[str, ...]]]:
    stored = await engine.host.require(OPERATORS).now()
    return {state.login: (state.activity, state.reason, state.queues) for state in stored}


async def test_members_added_and_paused_are_on_the_board_of_every_process(
    wired: tuple[Engine, AmiEmulator],
) -> None:
    engine, _emulator = wired
    clock = engine.clock
    assert isinstance(clock, ManualClock)

    async def olga_available() -> bool:
        return (await states(engine)).get("olga") == (Activity.AVAILABLE, "", ("billing",))

    await eventually(olga_available)  # from QueueStatus at login
    assert engine.ami is not None
    await engine.ami.send(QueueAdd("dispatch", "Local/ivan@operators/n", member_name="Иван"))
    await engine.ami.send(QueueAdd("billing", "Local/ivan@operators/n", member_name="Иван"))

    async def ivan_in_both() -> bool:
        found = (await states(engine)).get("ivan")
        return found == (Activity.AVAILABLE, "", ("billing", "dispatch"))

    await eventually(ivan_in_both)
    clock.advance(60)
    await engine.ami.send(QueuePause("Local/olga@operators/n", True, reason="lunch"))

    async def olga_at_lunch() -> bool:
        return (await states(engine)).get("olga") == (Activity.BREAK, "lunch", ("billing",))

    await eventually(olga_at_lunch)
    spans = await engine.host.require(OPERATORS).spans(NOON, NOON + timedelta(hours=1))
    assert [(s.login, s.activity, s.seconds) for s in spans] == [("olga", Activity.AVAILABLE, 60.0)]


async def test_a_lost_link_is_a_gap_and_the_next_login_sets_the_board_right(
    wired: tuple[Engine, AmiEmulator],
) -> None:
    engine, emulator = wired
    clock = engine.clock
    assert isinstance(clock, ManualClock)

    async def olga_is(activity: Activity) -> bool:
        found = (await states(engine)).get("olga")
        return found is not None and found[0] is activity

    await eventually(lambda: olga_is(Activity.AVAILABLE))
    emulator.queues.queues["billing"].members[0].paused = True  # changed while away
    clock.advance(30)
    emulator.drop_connections()
    await eventually(lambda: olga_is(Activity.UNKNOWN), within=10)
    clock.advance(90)
    await eventually(lambda: olga_is(Activity.BREAK), within=10)

    spans = await engine.host.require(OPERATORS).spans(NOON, NOON + timedelta(hours=1))
    assert [(s.activity, s.seconds) for s in spans] == [
        (Activity.AVAILABLE, 30.0),
        (Activity.UNKNOWN, 90.0),
    ], "the gap is a gap, not 2 minutes available"
    outages = await engine.host.require(LINK_OUTAGES).overlapping(NOON, NOON + timedelta(hours=1))
    assert [(o.started_at, o.ended_at) for o in outages] == [
        (NOON + timedelta(seconds=30), NOON + timedelta(seconds=120))
    ], "the link's outage is stored with its interval (CC-10)"
