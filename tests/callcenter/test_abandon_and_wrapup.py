"""Calls through the emulated Asterisk into the engine (as in test_routed_call): callers
who give up in the queue before any operator answers, and an operator whose after-call
work runs past the standard's 5 minutes (CC-2) — what the stays, the call records, the
wallboard and the report say of them."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from callcenter.call_register import CallOutcome, QueueCall
from callcenter.operator_state import Activity
from callcenter.plugin import BOARD, OPERATORS, QUEUE_CALLS
from callgrid.database import Database
from callgrid.engine import Engine
from ivr.call_record import Outcome
from ivr.content import IvrContent
from ivr.plugin import CALL_LOG
from telephony.ami.actions import QueuePause
from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.ami_server import AmiEmulator
from telephony.emulator.caller import CallerAction, HangUp, ScriptedCaller, parse_keys
from telephony.emulator.queue_members import NEVER_ANSWERS, MemberBehaviour
from telephony.emulator.queue_state import EmulatedMember, EmulatedQueue
from telephony.emulator.sounds import SoundLibrary
from telephony.emulator.virtual_time import VirtualTime
from tests.callcenter.engine_site import engine_site
from tests.waiting import eventually
from tests.web.conftest import RunningWeb
from worktime.clock import ManualClock

WEDNESDAY_10 = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # 10:00 in Tomsk
DAY = (WEDNESDAY_10, WEDNESDAY_10 + timedelta(days=1))
IVAN, OLGA = "Local/ivan@operators/n", "Local/olga@operators/n"
OLGA_WRAPUP = 420
"""Olga's own wrapuptime (7 min): Asterisk rings her again only after it."""


@dataclass
class Center:
    site: RunningWeb
    emulator: AmiEmulator
    sounds: SoundLibrary

    @property
    def engine(self) -> Engine:
        return self.site.engine

    async def call(self, number: int, *then: CallerAction) -> EmulatedChannel:
        """A caller from ``number`` presses 0 for an operator, then does ``then`` (in the
        queue); returns once the call is over."""
        assert self.engine.agi is not None
        channel = EmulatedChannel(
            "127.0.0.1",
            self.engine.agi.port,
            ScriptedCaller([*parse_keys("0"), *then]),
            self.sounds,
            ChannelSettings(caller_id=f"7913000{number:04d}"),
            ami_events=self.emulator.emit_event,
            queue_calls=self.emulator.queue_calls,
        )
        await asyncio.wait_for(channel.run(), 20)
        return channel

    async def stays(self, count: int) -> list[QueueCall]:
        """Today's queue stays, once ``count`` of them are stored."""
        store = self.engine.host.require(QUEUE_CALLS)

        async def stored() -> bool:
            return len(await store.joined_between(*DAY)) >= count

        await eventually(stored)
        return await store.joined_between(*DAY)

    async def wallboard(self) -> dict[str, Any]:
        """The figures a supervisor's wallboard gets on opening."""
        async with self.site.client() as browser:
            await self.site.sign_in(browser, "sofia")
            async with browser.ws_connect("/ws/wallboard") as socket:
                message = await asyncio.wait_for(socket.receive(), 5)
        figures: dict[str, Any] = json.loads(message.data)["data"]
        return figures

    async def report_row(self, queue: str) -> dict[str, str]:
        """The queue's line of the month's figures, as the report's CSV gives it."""
        async with self.site.client() as browser:
            await self.site.sign_in(browser, "sofia")
            async with browser.get("/reports/queue.csv?month=2026-12") as response:
                assert response.status == 200
                text = await response.text()
        return next(row for row in csv.DictReader(io.StringIO(text)) if row["name"] == queue)


@pytest.fixture
async def center(
    database: Database, ivr_content: IvrContent, tmp_path: Path
) -> AsyncIterator[Center]:
    """Ivan's phone rings unanswered; Olga answers after 3 s, talks 40 s, then wraps up."""
    queue = EmulatedQueue(
        "operators", members=[EmulatedMember(IVAN), EmulatedMember(OLGA, wrapup_time=OLGA_WRAPUP)]
    )
    emulator = AmiEmulator(
        auth_failure_delay=0,
        queues=[queue],
        members={IVAN: NEVER_ANSWERS, OLGA: MemberBehaviour(answer_after=3.0, talk_seconds=40)},
        queue_time=VirtualTime(),
    )
    async with engine_site(
        database, emulator, ivr_content, tmp_path, ManualClock(WEDNESDAY_10)
    ) as site:
        await site.add_user("sofia", "supervisor")
        yield Center(site, emulator, SoundLibrary([ivr_content.library.directory]))


async def test_callers_who_give_up_in_the_queue_are_counted_as_abandoned(center: Center) -> None:
    answered = await center.call(1)
    ami = center.engine.ami
    assert ami is not None
    await ami.send(QueuePause(OLGA, True, reason="lunch"))  # only Ivan is rung now
    gave_up = await center.call(2, HangUp(after=12))
    short = await center.call(3, HangUp(after=2))

    first, stay, short_stay = await center.stays(3)
    assert first.outcome is CallOutcome.ANSWERED and first.operator_interface == OLGA
    assert (stay.outcome, stay.abandon_position, stay.wait_seconds) == (
        CallOutcome.ABANDONED,
        1,
        12,
    )
    assert stay.operator is None and stay.answered_at is None and stay.ring_attempts >= 1
    assert (short_stay.outcome, short_stay.wait_seconds) == (CallOutcome.ABANDONED, 2)
    calls = center.engine.host.require(CALL_LOG)
    await calls.flush()
    records = [await calls.find_by_uniqueid(c.uniqueid) for c in (answered, gave_up, short)]
    assert [(r.outcome, r.ended_by) if r else None for r in records] == [
        (Outcome.OPERATOR, "queue"),
        (Outcome.ABANDONED_IN_QUEUE, "caller"),
        (Outcome.ABANDONED_IN_QUEUE, "caller"),
    ]

    center.site.clock.advance(60)  # the supervisor looks a minute later
    (queue,) = (await center.wallboard())["queues"]
    assert (queue["queue"], queue["answered"], queue["abandoned"]) == ("operators", 1, 2)
    row = await center.report_row("operators")
    assert (row["offered"], row["abandoned"], row["short_abandoned"]) == ("3", "2", "1")
    assert row["abandon_rate"] == "50.0", "without the short abandon: 1 of 2"


async def test_after_call_work_past_five_minutes_shows_and_is_stored(center: Center) -> None:
    site = center.site
    await center.call(1)
    (stay,) = await center.stays(1)
    assert stay.after_call_work_seconds is None, "the work has not ended yet"
    operators = center.engine.host.require(OPERATORS)

    async def olga() -> tuple[Activity, bool]:
        found = {state.login: state for state in await operators.now()}
        return found["olga"].activity, found["olga"].over_limit

    async def wrapping_up() -> bool:
        return await olga() == (Activity.AFTER_CALL_WORK, False)

    await eventually(wrapping_up)
    board = center.engine.host.require(BOARD)
    site.clock.advance(5 * 60)
    await board.tick()
    assert await olga() == (Activity.AFTER_CALL_WORK, False), "5 min is within the limit"

    site.clock.advance(1)
    await board.tick()
    assert await olga() == (Activity.AFTER_CALL_WORK, True)
    shown = await center.wallboard()
    (olga_shown,) = [o for o in shown["operators"] if o["login"] == "olga"]
    assert (olga_shown["activity"], olga_shown["over_limit"]) == ("after_call_work", True)
    assert olga_shown["seconds"] == 301
    assert "olga: after-call work over its limit" in shown["alerts"]

    site.clock.advance(OLGA_WRAPUP - 301)
    await board.tick()
    assert await olga() == (Activity.AFTER_CALL_WORK, True), "paused until she is ready"
    ami = center.engine.ami
    assert ami is not None
    await ami.send(QueuePause(OLGA, False))  # what her Ready on the desk sends

    async def worked() -> bool:
        (stay,) = await center.stays(1)
        return stay.after_call_work_seconds is not None

    await eventually(worked)
    assert await olga() == (Activity.AVAILABLE, False)
    (stay,) = await center.stays(1)
    assert stay.after_call_work_seconds == OLGA_WRAPUP
