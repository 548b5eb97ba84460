"""Emulated queue members: the ring order of each strategy, operators who log in, answer
and hang up when a test says so, and a queue call that runs on the default clock."""

from __future__ import annotations

from telephony.ami import actions
from telephony.ami.member_events import QueueMember
from telephony.ami.queue_events import AgentComplete, AgentConnect
from telephony.emulator.queue_members import MemberBehaviour
from telephony.emulator.queue_state import EmulatedMember
from tests.telephony.queue_desk import PHONES, billing, desk


async def test_an_operator_logs_in_picks_up_and_hangs_up_while_a_caller_waits() -> None:
    waits_for_the_test = MemberBehaviour(answer_after=None, talk_seconds=3600)
    async with desk(billing(), {"PJSIP/olga": waits_for_the_test}) as d:
        channel = await d.call("billing")
        await d.clock.advance(2.5)
        add = actions.QueueAdd(queue="billing", interface="PJSIP/olga", member_name="Olga")
        await d.client.send(add)
        _, logged_in = await d.client.send_list(actions.QueueStatus(queue="billing"))
        await d.clock.advance(0.5)  # the caller looks again each second since it joined
        await d.until("AgentCalled", Interface="PJSIP/olga")
        await d.clock.advance(4)
        assert d.emulator.queue_calls.answer("PJSIP/olga")
        connect = await d.until("AgentConnect")
        await d.clock.advance(60)
        assert d.emulator.queue_calls.member_hangs_up("PJSIP/olga")
        complete = await d.until("AgentComplete")
        await d.finished()

    olga = next(item for item in logged_in if isinstance(item, QueueMember))
    assert olga.status == 1  # not rung the moment she logged in
    assert isinstance(connect, AgentConnect)
    assert (connect.hold_time, connect.ring_time) == (7, 4)
    assert isinstance(complete, AgentComplete)
    assert (complete.talk_time, complete.reason) == (60, "agent")
    assert d.results[channel.channel].operator == "PJSIP/olga"
    assert channel.model.now == 67


async def test_leastrecent_rings_the_member_idle_longest_and_rrmemory_goes_round() -> None:
    olga, ivan = EmulatedMember("PJSIP/olga"), EmulatedMember("PJSIP/ivan")
    quick = MemberBehaviour(answer_after=1, talk_seconds=1)
    behaviours = {phone: quick for phone in PHONES}
    least = billing(olga, ivan, strategy="leastrecent")
    async with desk(least, behaviours) as d:
        olga.last_call, ivan.last_call = d.clock.epoch - 60, d.clock.epoch - 600
        await d.call("billing")
        first = await d.until("AgentCalled")
    members = [EmulatedMember(phone) for phone in PHONES]
    async with desk(billing(*members, strategy="rrmemory"), behaviours) as d:
        for count in (1, 2, 3, 4):
            await d.call("billing")
            await d.until("AgentCalled", count)
            await d.clock.advance(3)
        rung = [e.get("Interface") for e in d.events("AgentCalled")]

    assert first.get("Interface") == "PJSIP/ivan"
    assert rung == [*PHONES, PHONES[0]]


async def test_a_queue_call_runs_by_itself_on_the_default_clock() -> None:
    async with desk(manual=False) as d:
        channel = await d.call("support")
        await d.finished()
        await d.until("AgentComplete")

    assert d.results[channel.channel].operator == "Local/op-answer@operators/n"
    assert [h.kind for h in channel.heard][1:] == [
        "queued",
        "operator answered",
        "operator hung up",
    ]
    assert channel.model.now == 9.925
