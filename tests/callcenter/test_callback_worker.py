"""The release of kept-place callbacks against the emulated Asterisk (CC-5): a free
operator of the queue is dialled (Originate to their device into [callgrid-callback],
the task's number as the extension), held in the queue for the call and let go after;
a customer who does not answer sends the callback back to its place, and after the last
attempt to the desk; two processes on one PostgreSQL database dial a callback once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from callcenter.callback_release_worker import CallbackRelease
from callcenter.plugin import BOARD, CALLBACK_RELEASE, TASKS, WAITING
from callcenter.storage import SqlTasks
from callcenter.tasks import CONNECTED, LEFT_FOR_DESK, QueuePlace, Task
from callcenter.tasks import WAITING as PLACE_WAITING
from callgrid.database import Database
from callgrid.engine import Engine
from callgrid.settings import Settings
from ivr.content import IvrContent
from ivr.settings import IvrSettings
from telephony.emulator.ami_server import AmiEmulator
from telephony.emulator.callback_dialplan import CallbackDialplan
from telephony.emulator.queue_members import MemberBehaviour
from telephony.emulator.virtual_time import VirtualTime
from tests.waiting import eventually
from worktime.calendar import default_calendar
from worktime.clock import ManualClock

WEDNESDAY_10 = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # 10:00 in Tomsk
OLGA = "Local/olga@operators/n"


async def start_center(
    database: Database, ivr_content: IvrContent, tmp_path: Path, queue_time: VirtualTime
) -> tuple[Engine, AmiEmulator, CallbackDialplan, ManualClock]:
    emulator = AmiEmulator(
        auth_failure_delay=0,
        queues={"operators": [OLGA]},
        members={OLGA: MemberBehaviour(answer_after=1.0, talk_seconds=60)},
        queue_time=queue_time,
    )
    dialplan = CallbackDialplan.install(emulator.calls)
    await emulator.start()
    settings = Settings(
        var_dir=tmp_path / "var",
        database_url=database.url,
        agi_port=0,
        agi_reply_timeout=5.0,
        ami_port=emulator.port,
        ami_username="ivr",
        ami_secret="ivrsecret",
        web_port=0,
    ).with_sections(IvrSettings(prompts_dir=ivr_content.library.directory))
    clock = ManualClock(WEDNESDAY_10)
    engine = Engine(settings, clock, parts=("agi", "ami"))
    await engine.start()
    await eventually(lambda: engine.ami is not None and engine.ami.is_connected)
    board = engine.host.require(BOARD).board
    await eventually(lambda: bool(board.taking_calls("operators", clock())))
    return engine, emulator, dialplan, clock


@pytest.fixture
async def center(
    database: Database, ivr_content: IvrContent, tmp_path: Path
) -> AsyncIterator[tuple[Engine, AmiEmulator, CallbackDialplan, ManualClock]]:
    started = await start_center(database, ivr_content, tmp_path, VirtualTime())
    yield started
    await started[0].stop()
    await started[1].stop()


async def kept_callback(engine: Engine, number: str, joined: datetime) -> int:
    tasks = engine.host.require(TASKS)
    place = QueuePlace("operators", joined)
    return await tasks.request_callback("c1", number, "toll_free", None, joined, place)


async def task(engine: Engine, task_id: int) -> Task:
    found = await engine.host.require(TASKS).get(task_id)
    assert found is not None
    return found


def held(emulator: AmiEmulator) -> bool:
    (member,) = emulator.queues.queues["operators"].members
    return member.paused and member.paused_reason == "callback"


async def test_a_free_operator_is_dialled_the_callback_and_held_for_its_call(
    center: tuple[Engine, AmiEmulator, CallbackDialplan, ManualClock],
) -> None:
    engine, emulator, dialplan, clock = center
    task_id = await kept_callback(engine, "8 913 000-00-07", clock() - timedelta(minutes=2))
    release = engine.host.require(CALLBACK_RELEASE)

    dials = await release.step()
    await release.settle()

    assert [(d.task_id, d.login) for d in dials] == [(task_id, "olga")]
    (placed,) = dialplan.placed
    assert (placed.dial_string, placed.exten) == (OLGA, "89130000007")
    assert placed.variables["CALLGRID_TASK"] == str(task_id)
    assert held(emulator), "app_queue does not ring olga during the callback"

    async def connected() -> bool:
        place = (await task(engine, task_id)).place
        return place is not None and place.state == CONNECTED

    await eventually(connected)
    assert (await task(engine, task_id)).owner == "olga", "the callback is olga's to finish"
    assert await release.step() == [], "a connected callback is not dialled again"
    dialplan.hang_up()
    await eventually(lambda: not held(emulator))


async def test_a_busy_customer_keeps_the_place_until_the_attempts_run_out(
    center: tuple[Engine, AmiEmulator, CallbackDialplan, ManualClock],
) -> None:
    engine, emulator, dialplan, clock = center
    dialplan.customer = "BUSY"
    task_id = await kept_callback(engine, "89130000007", clock() - timedelta(minutes=2))
    release = engine.host.require(CALLBACK_RELEASE)
    states = []
    for _attempt in range(3):
        assert len(await release.step()) == 1
        await release.settle()

        async def back(attempts: int = _attempt + 1) -> bool:
            place = (await task(engine, task_id)).place
            return place is not None and place.attempts == attempts and place.lease_by is None

        await eventually(back)
        place = (await task(engine, task_id)).place
        assert place is not None
        states.append(place.state)
        if place.state == PLACE_WAITING:
            assert await release.step() == [], "not before the retry interval"
            clock.advance(10 * 60)
        await eventually(lambda: not held(emulator))

    assert states == [PLACE_WAITING, PLACE_WAITING, LEFT_FOR_DESK]
    left = await task(engine, task_id)
    assert left.status == "open" and not left.keeps_place, "an ordinary callback for the desk"
    assert len(left.details["calls"]) == 3
    clock.advance(3600)
    assert await release.step() == []


async def test_two_processes_on_postgresql_dial_a_callback_once(
    center: tuple[Engine, AmiEmulator, CallbackDialplan, ManualClock],
    database: Database,
) -> None:
    engine, _emulator, dialplan, clock = center
    if database.is_sqlite:
        pytest.skip("one process serves an SQLite database")
    task_id = await kept_callback(engine, "89130000007", clock() - timedelta(minutes=2))
    other_database = Database(database.url)
    try:
        releases = [
            CallbackRelease(
                SqlTasks(db, default_calendar()),
                engine.host.require(BOARD).board,
                engine.host.require(WAITING),
                lambda: engine.ami,
                lambda _queue, _now: True,
                engine.host.require(CALLBACK_RELEASE).rules,
                clock,
                owner=f"engine-{n}",
            )
            for n, db in enumerate((database, other_database))
        ]
        dialled = await asyncio.gather(*(release.step() for release in releases))
        for release in releases:
            await release.settle()
    finally:
        await other_database.close()

    assert sorted(len(dials) for dials in dialled) == [0, 1]
    assert [request.variables["CALLGRID_TASK"] for request in dialplan.placed] == [str(task_id)]
