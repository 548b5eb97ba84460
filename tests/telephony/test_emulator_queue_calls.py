"""Queue calls through the emulator: an engine transfers an emulated FastAGI caller with
``EXEC Queue``, and the AMI tells what app_queue did, event for event as the reference
Asterisk 22 did (ami-queue-answered.txt, ami-queue-abandon.txt), read back through the
project's AmiClient as typed events."""

from __future__ import annotations

from datetime import timedelta

from callcenter.board import Board
from callcenter.operator_state import StateRules
from callcenter.queue_transfer import QueueOutcome
from telephony.ami import AmiEvent, actions
from telephony.ami.member_events import QueueEntry, QueueMember, QueueParams
from telephony.ami.queue_events import AgentCalled, AgentConnect, AgentRingNoAnswer
from telephony.emulator.caller import HangUp
from telephony.emulator.queue_members import NEVER_ANSWERS, MemberBehaviour
from telephony.emulator.queue_state import EmulatedMember
from tests.telephony.queue_desk import PHONES, QUEUE_EVENTS, billing, desk
from tests.transcripts import ami_messages

Message = list[str]
COMPARED = {"Event", "Privilege", "ChannelState", "ChannelStateDesc", "CallerIDNum"}
COMPARED |= {"CallerIDName", "Language", "Priority", "Queue", "Position", "Count"}
COMPARED |= {"OriginalPosition", "HoldTime", "TalkTime", "RingTime", "Reason", "Interface"}
COMPARED |= {"MemberName", "DestChannelState", "DestChannelStateDesc", "DestCallerIDNum"}
COMPARED |= {"DestContext", "DestPriority", "DestLanguage", "StateInterface", "Membership"}
COMPARED |= {"Penalty", "CallsTaken", "InCall", "Status", "Paused", "PausedReason", "Wait"}
COMPARED |= {"Ringinuse", "Wrapuptime", "Name", "Location", "Strategy", "Calls", "Holdtime"}
COMPARED |= {"Max", "Completed", "Abandoned", "ServiceLevel", "Weight"}
"""Headers compared by value; the others (channel names, ids, epochs, the dialplan
context the caller is in) by name and place only."""
IVAN_TAKES_THE_CALL = [
    (6, "AgentCalled", "6"),
    (3, "AgentConnect", "2"),
    (20, "AgentComplete", "1"),
]
"""Seconds on, the event about Ivan then, and his device's status after it."""


def lines(event: AmiEvent) -> Message:
    return [f"{name}: {value}" for name, value in event.message.headers]


def shape(message: Message) -> list[str]:
    names = [line.partition(": ")[0] for line in message]
    return [line if name in COMPARED else name for name, line in zip(names, message, strict=True)]


def reference(relative: str, names: frozenset[str] = QUEUE_EVENTS) -> list[list[str]]:
    return [shape(m) for m in ami_messages(relative) if m[0].removeprefix("Event: ") in names]


async def test_one_member_rings_unanswered_then_the_next_answers_as_asterisk_does() -> None:
    async with desk() as d:
        channel = await d.call("support", wait=30)
        await d.clock.advance(1)
        _, status = await d.client.send_list(actions.QueueStatus(queue="support"))
        await d.clock.advance(9)
        await d.until("AgentComplete")
        await d.until("QueueMemberStatus", CallsTaken="1")
        await d.finished()

    ours = [shape(lines(event)) for event in d.events()]
    assert ours == reference("ami/ami-queue-answered.txt")
    reference_list = ami_messages("ami/ami-queue-answered.txt")
    start = next(i for i, m in enumerate(reference_list) if "EventList: start" in m)
    listed = [shape(m) for m in reference_list[start + 1 : start + 5]]
    assert [shape(lines(item)) for item in status] == listed
    no_answer = next(e for e in d.events() if isinstance(e, AgentRingNoAnswer))
    connect = next(e for e in d.events() if isinstance(e, AgentConnect))
    assert (no_answer.ring_time_ms, connect.hold_time, connect.ring_time) == (4000, 6, 1)
    result = d.results[channel.channel]
    assert (result.outcome, result.operator) == (
        QueueOutcome.ANSWERED,
        "Local/op-answer@operators/n",
    )
    assert channel.model.now == 9.925  # waited 6 s, talked 3.925 s
    assert not channel.model.dead


async def test_a_caller_hanging_up_while_waiting_abandons_the_queue() -> None:
    async with desk() as d:
        channel = await d.call("sales", wait=60, caller=[HangUp(after=3)])
        await d.clock.advance(3)
        await d.until("QueueCallerLeave")
        await d.finished()

    assert [shape(lines(event)) for event in d.events()] == reference("ami/ami-queue-abandon.txt")
    assert d.results[channel.channel].outcome is QueueOutcome.ABANDONED
    assert channel.model.dead and channel.model.now == 3


async def test_a_vip_caller_joins_ahead_of_callers_already_waiting() -> None:
    olga = EmulatedMember("PJSIP/olga", "Olga", paused=True)
    async with desk(billing(olga), {"PJSIP/olga": NEVER_ANSWERS}) as d:
        ordinary = await d.call("billing")
        await d.clock.advance(2)
        vip = await d.call("billing", priority=10)
        joins = d.events("QueueCallerJoin")
        await d.clock.advance(1)
        _, status = await d.client.send_list(actions.QueueStatus(queue="billing"))
        await d.client.send(actions.QueuePause(interface="PJSIP/olga", paused=False))
        called = await d.until("AgentCalled")
        await d.caught_up()

    assert [(e.get("Position"), e.get("Count")) for e in joins] == [("1", "1"), ("1", "2")]
    entries = [item for item in status if isinstance(item, QueueEntry)]
    waiting = [(e.position, e.channel, e.wait, e.get("Priority")) for e in entries]
    assert waiting == [(1, vip.channel, 1, "10"), (2, ordinary.channel, 3, "0")]
    assert next(i for i in status if isinstance(i, QueueParams)).calls == 2
    assert isinstance(called, AgentCalled) and called.channel == vip.channel
    assert len(d.events("AgentCalled")) == 1  # the one member rings for the VIP only


async def test_paused_and_unreachable_members_are_not_rung() -> None:
    members = [EmulatedMember(phone) for phone in PHONES]
    async with desk(billing(*members)) as d:
        await d.client.send(actions.QueuePause(interface="PJSIP/olga", paused=True, reason="tea"))
        d.emulator.queue_calls.set_device_state("PJSIP/petr", 5)
        await d.call("billing")
        await d.until("AgentCalled")
        await d.caught_up()

    assert [e.get("Interface") for e in d.events("AgentCalled")] == ["PJSIP/ivan"]
    assert [e.get("Status") for e in d.events("QueueMemberStatus")] == ["5", "6"]


async def test_a_member_in_wrap_up_is_not_rung_until_it_ends() -> None:
    ivan = EmulatedMember("PJSIP/ivan", "Ivan")
    answers = MemberBehaviour(answer_after=1, talk_seconds=5)
    async with desk(billing(ivan, wrapup_time=10), {"PJSIP/ivan": answers}) as d:
        await d.call("billing")
        await d.clock.advance(7)  # talked from 1 to 6: wrap-up until 16
        second = await d.call("billing")
        await d.clock.advance(8)
        await d.caught_up()
        rung_in_wrap_up = len(d.events("AgentCalled"))
        await d.clock.advance(1)
        called = await d.until("AgentCalled", 2)
        await d.clock.advance(1)
        connect = await d.until("AgentConnect", 2)

    assert rung_in_wrap_up == 1
    assert called.get("Channel") == second.channel
    assert isinstance(connect, AgentConnect) and connect.hold_time == 10


async def test_queue_status_shows_the_call_and_who_waits_live() -> None:
    ivan = EmulatedMember("PJSIP/ivan", "Ivan")
    answers = MemberBehaviour(answer_after=2, talk_seconds=30)
    async with desk(billing(ivan), {"PJSIP/ivan": answers}) as d:
        await d.call("billing")
        await d.clock.advance(2)
        await d.until("AgentConnect")
        await d.clock.advance(3)
        waiting = await d.call("billing")
        await d.clock.advance(4)
        _, during = await d.client.send_list(actions.QueueStatus(queue="billing"))
        _, summary = await d.client.send_list(actions.QueueSummary(queue="billing"))
        await d.clock.advance(23)
        await d.until("AgentComplete")
        _, after = await d.client.send_list(actions.QueueStatus(queue="billing"))

    member = next(item for item in during if isinstance(item, QueueMember))
    assert (member.in_call, member.status, member.calls_taken) == (True, 2, 0)
    entries = [(e.channel, e.wait) for e in during if isinstance(e, QueueEntry)]
    assert entries == [(waiting.channel, 4)]
    assert (summary[0].get("Callers"), summary[0].get("Available")) == ("1", "0")
    assert summary[0].get("LongestHoldTime") == "4"
    params = next(item for item in after if isinstance(item, QueueParams))
    assert (params.completed, params.hold_time, params.talk_time) == (1, 2, 30)
    ended = next(item for item in after if isinstance(item, QueueMember))
    assert (ended.in_call, ended.calls_taken, ended.last_call) == (
        False,
        1,
        d.clock.epoch + 32,
    )


async def test_the_board_follows_an_operator_through_a_call() -> None:
    rules = StateRules(timedelta(minutes=5), {"billing": timedelta(seconds=15)})
    board = Board(rules)
    behaviours = {"PJSIP/olga": NEVER_ANSWERS, "PJSIP/ivan": MemberBehaviour(3, 20)}
    queue = billing(*(EmulatedMember(p) for p in PHONES[:2]), strategy="linear", timeout=5)
    async with desk(queue, behaviours) as d:
        _, status = await d.client.send_list(actions.QueueStatus())
        board.resync([item for item in status if isinstance(item, QueueMember)], d.now())
        seen, board_fed = [board.state("ivan", d.now()).activity], 0
        await d.call("billing")
        for seconds, event, device in IVAN_TAKES_THE_CALL:
            await d.clock.advance(seconds)
            await d.until(event, Interface="PJSIP/ivan")
            await d.until("QueueMemberStatus", Interface="PJSIP/ivan", Status=device)
            for arrived in d.seen[board_fed:]:
                board.apply(arrived.event, arrived.at)
            board_fed = len(d.seen)
            seen.append(board.state("ivan", d.now()).activity)
        await d.clock.advance(15)
        seen.append(board.state("ivan", d.now()).activity)
        statuses = [e.get("Status") for e in d.events("QueueMemberStatus")]

    assert seen == ["available", "ringing", "talking", "after_call_work", "available"]
    assert statuses == ["6", "1", "6", "2", "1"]  # olga rings, gives up; ivan rings, talks


async def test_a_queue_timeout_is_not_answered_for_the_engine_and_abandoned_on_the_ami() -> None:
    queue = billing(EmulatedMember("PJSIP/olga"), timeout=4)
    async with desk(queue, {"PJSIP/olga": NEVER_ANSWERS}) as d:
        channel = await d.call("billing", wait=10)
        await d.clock.advance(10)
        abandon = await d.until("QueueCallerAbandon")
        await d.finished()

    assert [e.get("RingTime") for e in d.events("AgentRingNoAnswer")] == ["4000", "4000"]
    assert (abandon.get("HoldTime"), d.events()[-1].name) == ("10", "QueueCallerLeave")
    result = d.results[channel.channel]
    assert (result.outcome, result.status) == (QueueOutcome.NOT_ANSWERED, "TIMEOUT")
    assert not channel.model.dead and channel.model.now == 10


async def test_a_caller_hanging_up_during_the_talk_completes_it_as_the_caller() -> None:
    talks = MemberBehaviour(answer_after=2, talk_seconds=12.5, hangs_up="caller")
    async with desk(billing(EmulatedMember("PJSIP/ivan")), {"PJSIP/ivan": talks}) as d:
        channel = await d.call("billing")
        await d.clock.advance(15)
        complete = await d.until("AgentComplete")
        await d.finished()

    assert (complete.get("HoldTime"), complete.get("TalkTime")) == ("2", "12")
    assert complete.get("Reason") == "caller"
    assert d.results[channel.channel].outcome is QueueOutcome.ANSWERED
    assert channel.model.dead and channel.model.now == 14.5
