"""A queue call is registered from the app_queue events a real Asterisk 22.10.1 sent
(the reference transcripts), read through the engine's own AMI decoder and parser."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from callcenter.call_register import CallOutcome, QueueCallFold, register_call
from telephony.ami.event_base import AmiEvent
from telephony.ami.events import parse_event
from telephony.ami.message import AmiMessage, MessageReader
from tests.transcripts import load
from worktime.clock import DEFAULT_ZONE

CONNECTED = datetime(2026, 11, 27, 10, 24, 50, tzinfo=DEFAULT_ZONE)
"""When the capture's AMI connection opened; the transcripts count seconds from it."""
ANSWERED = "ami/ami-queue-answered.txt"
ABANDONED = "ami/ami-queue-abandon.txt"
Stamped = list[tuple[datetime, AmiEvent]]


def received(relative: str) -> Stamped:
    """Every event Asterisk sent, typed, at the moment its first line arrived."""
    reader = MessageReader()
    reader.feed(b"Asterisk Call Manager/11.0.0\r\n")
    events: Stamped = []
    lines: list[str] = []
    first_seconds = 0.0
    for line in load(relative):
        if line.direction != "<<" or line.text.startswith("Asterisk Call Manager/"):
            continue
        if line.text:
            first_seconds = first_seconds if lines else line.seconds
            lines.append(line.text)
            continue
        for message in reader.feed(("\r\n".join(lines) + "\r\n\r\n").encode()):
            if message.kind == "event":
                events.append((CONNECTED + timedelta(seconds=first_seconds), parse_event(message)))
        lines = []
    return events


def at(seconds: float) -> datetime:
    return CONNECTED + timedelta(seconds=seconds)


def altered(event: AmiEvent, **headers: str) -> AmiEvent:
    """The same event with some headers changed, parsed again."""
    pairs = [(name, headers.get(name, value)) for name, value in event.message.headers]
    return parse_event(AmiMessage(pairs))


def named(events: Stamped, name: str) -> tuple[datetime, AmiEvent]:
    return next((moment, event) for moment, event in events if event.name == name)


def test_an_answered_call_after_one_operator_did_not_answer() -> None:
    call = register_call(received(ANSWERED))

    assert call is not None
    assert (call.queue, call.uniqueid, call.linkedid) == (
        "support",
        "1795775090.84",
        "1795775090.84",
    )
    assert call.caller == "79001234567"
    assert call.operator == "Operator Answer"
    assert call.operator_interface == "Local/op-answer@operators/n"
    assert (call.joined_at, call.answered_at, call.ended_at) == (at(0.006), at(6.020), at(9.945))
    assert call.outcome is CallOutcome.ANSWERED
    assert call.wait_seconds == 6.0  # AgentConnect HoldTime
    assert call.ring_attempts == 2
    assert call.ring_seconds == pytest.approx(4.0 + 1.0)  # RingNoAnswer 4000 ms + Connect 1 s
    assert call.talk_seconds == 3.0
    assert call.abandon_position is None
    assert call.after_call_work_seconds is None and call.topic is None


def test_a_caller_who_hangs_up_while_the_operator_rings() -> None:
    call = register_call(received(ABANDONED), wait_limit_seconds=30)

    assert call is not None
    assert call.queue == "sales" and call.operator is None and call.answered_at is None
    assert call.outcome is CallOutcome.ABANDONED and call.unanswered
    assert call.wait_seconds == 3.0  # QueueCallerAbandon HoldTime
    assert call.abandon_position == 1
    assert call.ended_at == at(3.032)
    assert call.ring_attempts == 1
    assert call.ring_seconds == pytest.approx(3.032 - 0.008)  # AgentCalled to the abandon


def test_the_queue_ending_the_wait_is_a_timeout_not_an_abandon() -> None:
    by_limit = register_call(received(ABANDONED), wait_limit_seconds=3)
    by_status = register_call(received(ABANDONED), queue_status="TIMEOUT")
    caller_left = register_call(received(ABANDONED), queue_status="")

    assert by_limit is not None and by_limit.outcome is CallOutcome.TIMEOUT
    assert by_status is not None and by_status.outcome is CallOutcome.TIMEOUT
    assert caller_left is not None and caller_left.outcome is CallOutcome.ABANDONED


def test_a_transfer_by_the_operator() -> None:
    events = [
        (moment, altered(event, Reason="transfer") if event.name == "AgentComplete" else event)
        for moment, event in received(ANSWERED)
    ]

    call = register_call(events)

    assert call is not None and call.outcome is CallOutcome.TRANSFERRED and call.answered
    assert call.talk_seconds == 3.0


def test_ringall_attempts_cut_short_by_the_answer_ring_until_it() -> None:
    events = received(ANSWERED)
    joined = named(events, "QueueCallerJoin")
    called_moment, called = named(events, "AgentCalled")
    connect_moment, connect = named(events, "AgentConnect")
    second = altered(called, DestUniqueid="1795775090.99", MemberName="Operator Two")

    call = register_call(
        [joined, (called_moment, called), (at(1.0), second), (connect_moment, connect)]
    )

    assert call is not None and call.operator == "Operator Answer"
    # both attempts rang until the answer: (6.020 - 0.009) + (6.020 - 1.0), plus RingTime 1 s
    assert call.ring_seconds == pytest.approx((6.020 - 0.009) + (6.020 - 1.0) + 1.0)
    assert call.outcome is None and call.ended_at is None  # still talking


def test_events_of_other_calls_and_a_second_stay_are_not_taken() -> None:
    events = received(ANSWERED)
    fold = QueueCallFold()
    moment, other = named(received(ABANDONED), "QueueCallerAbandon")

    taken = [event.name for m, event in events if fold.take(m, event)]

    assert taken == [
        "QueueCallerJoin",
        "AgentCalled",
        "AgentRingNoAnswer",
        "AgentCalled",
        "QueueCallerLeave",
        "AgentConnect",
        "AgentComplete",
    ]  # not QueueMemberStatus, QueueParams, QueueEntry… of the same moments
    assert fold.finished
    assert not fold.take(moment, other)
    assert not fold.take(*named(events, "QueueCallerJoin"))  # a new stay in a queue


def test_nothing_is_registered_before_the_caller_joins() -> None:
    events = [(m, e) for m, e in received(ANSWERED) if e.name != "QueueCallerJoin"]

    assert register_call(events) is None


def test_after_call_work_learnt_later_adds_to_the_handle_time() -> None:
    call = register_call(received(ANSWERED))
    assert call is not None

    wrapped = replace(call, after_call_work_seconds=42.0, topic="Оплата")

    assert call.handle_seconds == 3.0
    assert wrapped.handle_seconds == 45.0 and wrapped.topic == "Оплата"
