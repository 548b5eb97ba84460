"""The emulated app_queue and app_dial as a desk transfer uses them, as measured on
Asterisk 22.10.1 (tests/asterisk/test_real_transfer.py): Queue(…,c) returns 0 with
QUEUESTATUS=CONTINUE after the member's leg is hung up over AMI (AgentComplete, Reason
agent), and Dial(member,timeout,g) sets DIALSTATUS as app_dial does."""

from __future__ import annotations

import asyncio

from telephony.emulator.agi_channel_state import ChannelState, QueueBehaviour
from telephony.emulator.ami_queues import QueueBook
from telephony.emulator.caller import HangUp, ScriptedCaller
from telephony.emulator.queue_calls import QueueCalls
from telephony.emulator.queue_members import NEVER_ANSWERS, MemberBehaviour
from telephony.emulator.queue_state import EmulatedMember, EmulatedQueue, Headers
from telephony.emulator.sounds import SoundLibrary
from telephony.emulator.virtual_time import VirtualTime

OLGA, PETR, ANNA = "Local/olga@operators/n", "PJSIP/petr", "PJSIP/anna"


def app(events: list[tuple[str, Headers]]) -> tuple[QueueCalls, VirtualTime]:
    time = VirtualTime(manual=True)
    queues = [EmulatedQueue("billing", members=[EmulatedMember(m) for m in (OLGA, PETR, ANNA)])]
    behaviours = {
        OLGA: MemberBehaviour(answer_after=1.0, talk_seconds=60),
        PETR: NEVER_ANSWERS,
        ANNA: MemberBehaviour(answer_after=2.0, talk_seconds=10),
    }
    book = QueueBook(queues, time.wall)
    return QueueCalls(
        book, lambda name, _, headers: events.append((name, headers)), time, behaviours
    ), time


def caller(*actions: HangUp) -> ChannelState:
    channel = ChannelState(ScriptedCaller(list(actions)), SoundLibrary(), QueueBehaviour())
    channel.variables.update(CHANNEL="Local/s@caller-remote-00000001;1", UNIQUEID="1.1")
    return channel


async def test_a_hung_up_member_leg_lets_the_caller_go_on_with_c() -> None:
    events: list[tuple[str, Headers]] = []
    calls, time = app(events)
    calls.behave(PETR, MemberBehaviour(answer_after=None))
    calls.behave(ANNA, MemberBehaviour(answer_after=None))
    channel = caller()
    queued = asyncio.create_task(calls.execute(channel, "billing,c,,,30"))
    await time.advance(2)
    connect = dict(next(headers for name, headers in events if name == "AgentConnect"))
    leg = connect["DestChannel"]
    assert leg.startswith("Local/olga@operators-") and leg.endswith(";1")
    assert not calls.hang_up_leg(leg), "an AMI Hangup of ;1 is no member hangup to app_queue"
    assert calls.hang_up_leg(leg[:-1] + "2")
    assert await queued == 0
    assert channel.variables["QUEUESTATUS"] == "CONTINUE" and not channel.dead
    assert channel.variables["MEMBERINTERFACE"] == OLGA
    complete = dict(next(headers for name, headers in events if name == "AgentComplete"))
    assert complete["Reason"] == "agent"


async def test_without_c_an_answered_call_still_ends_the_callers_queue_with_minus_one() -> None:
    calls, time = app([])
    queued = asyncio.create_task(calls.execute(caller(), "billing,,,,30"))
    await time.advance(62)
    assert await queued == -1


async def test_dial_statuses_of_members() -> None:
    calls, time = app([])
    channel = caller()
    ringing = asyncio.create_task(calls.dial(channel, f"{PETR},5,g"))
    await time.advance(5)
    assert (await ringing, channel.variables["DIALSTATUS"]) == (0, "NOANSWER")

    answered = asyncio.create_task(calls.dial(channel, f"{ANNA},5,g"))
    await time.advance(2.5)
    assert ANNA in calls.dials.dialled
    busy = await calls.dial(caller(), f"{ANNA},5,g")
    assert busy == 0, "a member in a call: BUSY, and the caller goes on"
    await time.advance(10)
    assert (await answered, channel.variables["DIALSTATUS"]) == (0, "ANSWER")
    assert not channel.dead

    assert await calls.dial(channel, "PJSIP/nobody,5") == -1
    assert channel.variables["DIALSTATUS"] == "CHANUNAVAIL"
    assert await calls.dial(channel, "PJSIP/nobody,5,g") == 0


async def test_a_caller_who_hangs_up_while_it_rings_cancels_the_dial() -> None:
    calls, time = app([])
    channel = caller(HangUp(after=2.0))
    ringing = asyncio.create_task(calls.dial(channel, f"{PETR},15,g"))
    await time.advance(3)
    assert (await ringing, channel.variables["DIALSTATUS"]) == (-1, "CANCEL")
    assert channel.dead
