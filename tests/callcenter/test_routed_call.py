"""A call routed end to end through the emulated Asterisk: the caller presses 0 in the
IVR, waits in the operators' queue, the first operator's phone rings without an answer
and the next one's rings — their desk shows the caller's card — and answers; the queue
call is registered with Asterisk's own figures and the operators' states follow."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from callcenter.call_register import CallOutcome
from callcenter.operator_state import Activity
from callcenter.plugin import OPERATORS, QUEUE_CALLS
from callgrid.database import Database
from ivr.content import IvrContent
from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.ami_server import AmiEmulator
from telephony.emulator.caller import ScriptedCaller
from telephony.emulator.queue_members import NEVER_ANSWERS, MemberBehaviour
from telephony.emulator.sounds import SoundLibrary
from telephony.emulator.virtual_time import VirtualTime
from tests.autodialer.campaign_fixtures import account, add_customers
from tests.callcenter.engine_site import engine_site
from tests.waiting import eventually
from tests.web.conftest import RunningWeb
from worktime.clock import ManualClock

WEDNESDAY_10 = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # 10:00 in Tomsk
IVAN, OLGA = "Local/ivan@operators/n", "Local/olga@operators/n"


@pytest.fixture
async def center(
    database: Database, ivr_content: IvrContent, tmp_path: Path
) -> AsyncIterator[tuple[RunningWeb, AmiEmulator]]:
    emulator = AmiEmulator(
        auth_failure_delay=0,
        queues={"operators": [IVAN, OLGA]},
        members={IVAN: NEVER_ANSWERS, OLGA: MemberBehaviour(answer_after=3.0, talk_seconds=40)},
        queue_time=VirtualTime(),
    )
    async with engine_site(
        database, emulator, ivr_content, tmp_path, ManualClock(WEDNESDAY_10)
    ) as site:
        yield site, emulator


async def test_a_caller_reaches_the_next_operator_who_sees_their_card(
    center: tuple[RunningWeb, AmiEmulator], ivr_content: IvrContent
) -> None:
    site, emulator = center
    engine = site.engine
    await add_customers(engine.database, [account(7)], site.clock())
    await site.add_user("olga", "operator")
    assert engine.agi is not None
    async with site.client() as desk:
        await site.sign_in(desk, "olga")
        async with desk.ws_connect("/ws/desk") as ringing:
            channel = EmulatedChannel(
                "127.0.0.1",
                engine.agi.port,
                ScriptedCaller.from_keys("0"),
                SoundLibrary([ivr_content.library.directory]),
                ChannelSettings(caller_id="79130000007"),
                ami_events=emulator.emit_event,
                queue_calls=emulator.queue_calls,
            )
            call = asyncio.create_task(channel.run())
            message = await asyncio.wait_for(ringing.receive(), 10)
            await asyncio.wait_for(call, 20)
    ring = json.loads(message.data)["data"]

    assert ring["caller"].endswith("79130000007") and ring["queue"] == "operators"
    assert [customer["number"] for customer in ring["customers"]] == ["7000000007"]
    assert channel.model.variables["MEMBERINTERFACE"] == OLGA
    stays = engine.host.require(QUEUE_CALLS)

    async def registered() -> bool:
        return len(await stays.joined_between(WEDNESDAY_10, WEDNESDAY_10 + timedelta(days=1))) == 1

    await eventually(registered)
    (stay,) = await stays.joined_between(WEDNESDAY_10, WEDNESDAY_10 + timedelta(days=1))
    assert stay.outcome is CallOutcome.ANSWERED and stay.operator_interface == OLGA
    assert stay.ring_attempts == 2, "ivan rang without an answer, then olga"
    assert stay.talk_seconds == pytest.approx(40, abs=1)

    async def states() -> dict[str, Activity]:
        stored = await engine.host.require(OPERATORS).now()
        return {state.login: state.activity for state in stored}

    async def settled() -> bool:
        found = await states()
        return found.get("olga") in (Activity.AFTER_CALL_WORK, Activity.AVAILABLE)

    await eventually(settled)
    assert (await states())["ivan"] is Activity.AVAILABLE
