"""After-call work on a real Asterisk (CC-2): when the operator's queue call ends, the
engine pauses the member with the after-call-work reason; app_queue then offers the
next caller to nobody until the operator is ready (the desk's Ready: QueuePause off),
and then at once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from callcenter.operator_state import Activity
from callcenter.plugin import OPERATORS
from callcenter.settings import CallcenterSettings
from ivr.content import IvrContent
from telephony.ami import AmiClient
from telephony.ami.actions import QueuePause
from tests.asterisk.asterisk_runner import OPERATOR_TALK_SECONDS, AsteriskRunner
from tests.asterisk.conftest import Observer, Phone, RealEngine, engine_settings, real_engine
from tests.waiting import eventually

MAIN_MENU = r"^GET DATA \S+/toll_free_main-short "
REASON = CallcenterSettings().after_call_work_reason
NOT_OFFERED_FOR = 7.0
"""Longer than the queues' wrapuptime (5 s): a member not paused would be rung by now."""


@pytest.fixture
async def engine(
    real_asterisk: AsteriskRunner, ivr_content: IvrContent, tmp_path: Path
) -> AsyncIterator[RealEngine]:
    settings = engine_settings(real_asterisk, ivr_content, tmp_path, real_asterisk.agi_port)
    settings = replace(settings, ami_enabled=True, ami_port=real_asterisk.ami_port)
    async with real_engine(settings, ivr_content, parts=("agi", "ami", "workers")) as running:
        ami = running.engine
        await eventually(lambda: ami.ami is not None and ami.ami.is_connected, within=15)
        yield running


async def test_the_operator_is_paused_after_a_call_until_ready(
    phone: Phone, engine: RealEngine, observer: Observer, operator_on_duty: str, ami: AmiClient
) -> None:
    host = engine.engine.host

    async def operator_is(activity: Activity, reason: str = "") -> bool:
        found = {s.login: s for s in await host.require(OPERATORS).now()}
        state = found.get("op-answer")
        return state is not None and (state.activity, state.reason) == (activity, reason)

    await eventually(lambda: operator_is(Activity.AVAILABLE), within=10)
    first = await phone.call()
    await first.next_agi(MAIN_MENU, engine.seconds("recording_notice") + 10)
    await first.press("0")
    complete, _ = await observer.wait_for(
        lambda seen: (
            seen.event.name == "AgentComplete" and seen.event.get("Interface") == operator_on_duty
        ),
        30 + OPERATOR_TALK_SECONDS,
    )
    _, pause = await observer.wait_for(
        lambda seen: (
            seen.event.name == "QueueMemberPause"
            and seen.event.get("Interface") == operator_on_duty
        ),
        5,
        complete,
    )
    assert (pause.event.get("Paused"), pause.event.get("PausedReason")) == ("1", REASON)
    await eventually(lambda: operator_is(Activity.AFTER_CALL_WORK, REASON), within=5)

    second = await phone.call()
    await second.next_agi(MAIN_MENU, engine.seconds("recording_notice") + 10)
    await second.press("0")
    joined, _ = await observer.wait_for(
        lambda seen: seen.event.name == "QueueCallerJoin" and seen.channel == second.ivr_channel,
        15,
    )
    with pytest.raises(TimeoutError):
        await observer.wait_for(
            lambda seen: seen.event.name == "AgentCalled", NOT_OFFERED_FOR, joined
        )

    await ami.send(QueuePause(operator_on_duty, False))  # what Ready on the desk sends
    _, connect = await observer.wait_for(
        lambda seen: seen.event.name == "AgentConnect" and seen.channel == second.ivr_channel,
        15,
    )
    assert connect.event.get("Interface") == operator_on_duty
    # The call ends within the test: the after-queue request then comes to this
    # engine, not to the next test's.
    await second.gone(OPERATOR_TALK_SECONDS + 15)
