"""The contact center on a real Asterisk: a caller who presses 0 waits in app_queue and
a Local-channel operator answers; the engine's own AMI link registers the queue call
from Asterisk's events, with Asterisk's figures, and follows the operator's state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from callcenter.call_register import CallOutcome
from callcenter.operator_state import Activity
from callcenter.plugin import OPERATORS, QUEUE_CALLS
from ivr.content import IvrContent
from tests.asterisk.asterisk_runner import OPERATOR_TALK_SECONDS, AsteriskRunner
from tests.asterisk.conftest import Observer, Phone, RealEngine, engine_settings, real_engine
from tests.waiting import eventually

MAIN_MENU = r"^GET DATA \S+/toll_free_main-short "


@pytest.fixture
async def engine(
    real_asterisk: AsteriskRunner, ivr_content: IvrContent, tmp_path: Path
) -> AsyncIterator[RealEngine]:
    """The IVR with its AMI link to this Asterisk, as ``callgrid serve`` runs it."""
    settings = engine_settings(real_asterisk, ivr_content, tmp_path, real_asterisk.agi_port)
    settings = replace(settings, ami_enabled=True, ami_port=real_asterisk.ami_port)
    async with real_engine(settings, ivr_content, parts=("agi", "ami", "workers")) as running:
        ami = running.engine
        await eventually(lambda: ami.ami is not None and ami.ami.is_connected, within=15)
        yield running


async def test_a_queue_call_is_registered_from_a_real_asterisks_events(
    phone: Phone, engine: RealEngine, observer: Observer, operator_on_duty: str
) -> None:
    host = engine.engine.host

    async def on_the_board() -> bool:
        return any(state.login == "op-answer" for state in await host.require(OPERATORS).now())

    await eventually(on_the_board, within=10)  # QueueAdd reached the board
    call = await phone.call()
    await call.next_agi(MAIN_MENU, engine.seconds("recording_notice") + 10)
    await call.press("0")
    await observer.wait_for(
        lambda seen: (
            seen.event.name == "AgentComplete" and seen.event.get("Interface") == operator_on_duty
        ),
        30 + OPERATOR_TALK_SECONDS,
    )
    stays = host.require(QUEUE_CALLS)
    clock = engine.engine.clock
    day = (clock() - timedelta(hours=1), clock() + timedelta(hours=1))

    async def registered() -> bool:
        return len(await stays.joined_between(*day)) == 1

    await eventually(registered, within=10)
    (stay,) = await stays.joined_between(*day)
    assert stay.outcome is CallOutcome.ANSWERED
    assert (stay.queue, stay.operator_interface) == ("operators", operator_on_duty)
    assert stay.ring_attempts >= 1 and 0 <= stay.wait_seconds <= 15
    assert stay.talk_seconds == pytest.approx(OPERATOR_TALK_SECONDS, abs=2)

    async def back_to_calls() -> bool:
        found = {s.login: s.activity for s in await host.require(OPERATORS).now()}
        return found.get("op-answer") in (Activity.AVAILABLE, Activity.AFTER_CALL_WORK)

    await eventually(back_to_calls, within=10)
