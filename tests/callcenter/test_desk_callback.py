"""The desk's "Call back" on a callback that keeps its caller's queue place (CC-5): the
desk marks it "waiting in <queue>", and dialling it by hand takes it out of the place
for good, under the lock the engine's release claims with — so the engine and an
operator never dial one callback at once: while the engine dials it, the desk refuses."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from callcenter.plugin import BOARD, CALLBACK_RELEASE, TASKS
from callcenter.storage import SqlTasks
from callcenter.tasks import LEFT_FOR_DESK, WAITING, QueuePlace
from callgrid.database import Database
from telephony.emulator.ami_server import AmiEmulator
from telephony.emulator.callback_dialplan import CallbackDialplan
from tests.waiting import eventually
from tests.web.conftest import RunningWeb, running_web
from worktime.calendar import default_calendar
from worktime.clock import ManualClock

OLGA = "Local/olga@operators/n"
Site = tuple[RunningWeb, CallbackDialplan]


@pytest.fixture
async def site(database: Database, clock: ManualClock, tmp_path: Path) -> AsyncIterator[Site]:
    """The web and the AMI link of one engine (no workers: the release steps when told),
    olga taking the calls of billing; Friday 11:00 in Tomsk, billing open."""
    emulator = AmiEmulator(auth_failure_delay=0, queues={"billing": [OLGA]})
    dialplan = CallbackDialplan.install(emulator.calls)
    await emulator.start()
    try:
        async with running_web(database.url, clock, tmp_path / "var", emulator.port) as running:
            engine = running.engine
            await eventually(lambda: engine.ami is not None and engine.ami.is_connected)
            board = engine.host.require(BOARD).board
            await eventually(lambda: bool(board.taking_calls("billing", clock())))
            await running.add_user("olga", "operator")
            yield running, dialplan
    finally:
        await dialplan.stop()
        await emulator.stop()


async def kept(site: RunningWeb, number: str, minutes_ago: int) -> int:
    tasks = site.engine.host.require(TASKS)
    joined = site.clock() - timedelta(minutes=minutes_ago)
    return await tasks.request_callback(
        "c1", number, "households", None, joined, QueuePlace("billing", joined)
    )


async def row(client: aiohttp.ClientSession, task_id: int) -> str:
    """The task's row on olga's desk (empty when the desk does not show it)."""
    async with client.get("/desk") as page:
        found = re.search(rf'<tr data-task="{task_id}".*?</tr>', await page.text(), re.S)
    return html.unescape(found.group(0)) if found else ""


async def call_back(client: aiohttp.ClientSession, task_id: int) -> tuple[int, str]:
    async with client.get("/account") as account:
        token = re.search(r'name="csrf_token" value="([^"]+)"', await account.text())
    assert token is not None
    data = {"csrf_token": token.group(1)}
    async with client.post(f"/desk/tasks/{task_id}/call", data=data, allow_redirects=False) as r:
        return r.status, html.unescape(await r.text())


async def place_of(site: RunningWeb, task_id: int) -> QueuePlace:
    task = await site.engine.host.require(TASKS).get(task_id)
    assert task is not None and task.place is not None
    return task.place


async def test_a_kept_place_callback_dialled_by_hand_leaves_its_place_for_good(
    site: Site,
) -> None:
    web, dialplan = site
    first = await kept(web, "8 913 000-00-07", minutes_ago=5)
    second = await kept(web, "89130000008", minutes_ago=3)
    async with web.client() as client:
        await web.sign_in(client, "olga")
        marked = await row(client, first)
        status, _page = await call_back(client, first)
        after = await row(client, first)

    assert 'class="kept-place">waiting in billing<' in marked
    assert status == 303
    (placed,) = dialplan.placed
    assert (placed.dial_string, placed.exten) == (OLGA, "89130000007")
    assert "waiting in" not in after and "1 call(s) placed" in after, "an ordinary callback now"
    place = await place_of(web, first)
    assert (place.state, place.operator) == (LEFT_FOR_DESK, "olga")

    release = web.engine.host.require(CALLBACK_RELEASE)
    dials = await release.step()
    await release.settle()
    assert [dial.task_id for dial in dials] == [second], "the engine dials only the one kept"
    assert [request.exten for request in dialplan.placed] == ["89130000007", "89130000008"]
    dialplan.hang_up()


async def test_the_desk_refuses_a_callback_the_engine_is_dialling(site: Site) -> None:
    web, dialplan = site
    given_up = asyncio.Event()
    dialplan.customer = "NOANSWER"
    dialplan.sleep = lambda _seconds: given_up.wait()  # the customer rings until told
    task_id = await kept(web, "89130000007", minutes_ago=5)
    release = web.engine.host.require(CALLBACK_RELEASE)
    assert [dial.login for dial in await release.step()] == ["olga"]
    await release.settle()
    async with web.client() as client:
        await web.sign_in(client, "olga")
        status, page = await call_back(client, task_id)
        assert status == 409
        assert f"Task {task_id} is being dialled to olga by the engine now" in page
        assert len(dialplan.placed) == 1, "the desk placed no call of its own"
        assert (await place_of(web, task_id)).lease_by == release.owner, "still the engine's"

        given_up.set()  # Dial gives up: the engine's call is over, the place kept again

        async def back() -> bool:
            place = await place_of(web, task_id)
            return place.state == WAITING and place.lease_by is None

        await eventually(back)
        status, _page = await call_back(client, task_id)

    assert status == 303
    assert len(dialplan.placed) == 2
    place = await place_of(web, task_id)
    assert (place.state, place.operator, place.attempts) == (LEFT_FOR_DESK, "olga", 1)


async def test_a_claim_whose_lease_ran_out_no_longer_stops_the_desk(site: Site) -> None:
    web, dialplan = site
    task_id = await kept(web, "89130000007", minutes_ago=5)
    tasks = SqlTasks(web.engine.database, default_calendar())  # as another process
    lease = timedelta(seconds=60)
    assert await tasks.claim_place(task_id, "engine-2", "ivan", web.clock(), lease)
    async with web.client() as client:
        await web.sign_in(client, "olga")
        refused, _page = await call_back(client, task_id)
        web.clock.advance(61)  # the process that claimed it is gone
        status, _page = await call_back(client, task_id)

    assert (refused, status) == (409, 303)
    assert [request.exten for request in dialplan.placed] == ["89130000007"]
    place = await place_of(web, task_id)
    assert (place.state, place.operator, place.lease_by) == (LEFT_FOR_DESK, "olga", None)
    dialplan.hang_up()
