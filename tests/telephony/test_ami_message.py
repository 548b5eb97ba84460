"""AMI framing and typed events against what Asterisk 22.10.1 really sent."""

from __future__ import annotations

from typing import TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telephony.ami import AmiMessage, MessageReader, actions, encode_action, events, parse_event
from telephony.ami.errors import AmiProtocolError
from tests.transcripts import ami_messages

E = TypeVar("E", bound=events.AmiEvent)
CRLF = "\r\n"
TRANSCRIPTS = [
    "ami/ami-login.txt",
    "ami/ami-originate-answer.txt",
    "ami/ami-originate-busy.txt",
    "ami/ami-queue-answered.txt",
    "ami/ami-queue-actions.txt",
    "ami/ami-agi-events.txt",
]


def wire(lines: list[str]) -> bytes:
    return (CRLF.join(lines) + CRLF + CRLF).encode()


def parsed(relative: str) -> list[AmiMessage]:
    """Every ``<<`` message of a transcript, through the decoder as one byte stream."""
    reader = MessageReader()
    stream = b"Asterisk Call Manager/11.0.0\r\n" + b"".join(
        wire(lines) for lines in ami_messages(relative)
    )
    return reader.feed(stream)


def typed(relative: str, event_type: type[E]) -> list[E]:
    found = [parse_event(m) for m in parsed(relative) if m.kind == "event"]
    return [event for event in found if isinstance(event, event_type)]


@pytest.mark.parametrize("relative", TRANSCRIPTS)
def test_every_reference_message_decodes_header_for_header(relative: str) -> None:
    expected = ami_messages(relative)
    messages = parsed(relative)

    assert [m.lines() for m in messages] == expected
    assert {m.kind for m in messages} <= {"response", "event"}


def test_banner_is_one_line_without_blank_line_and_login_reply_follows_directly() -> None:
    reader = MessageReader()

    first = reader.feed(b"Asterisk Call Manager/11.0.0\r\nResponse: Success\r\n")
    rest = reader.feed(b"ActionID: a-1\r\nMessage: Authentication accepted\r\n\r\n")

    assert first == []
    assert reader.banner == "Asterisk Call Manager/11.0.0"
    assert rest[0].name == "Success" and rest[0].action_id == "a-1"


def test_login_answers_and_fully_booted() -> None:
    messages = parsed("ami/ami-login.txt")
    responses = [m for m in messages if m.kind == "response"]
    booted = typed("ami/ami-login.txt", events.FullyBooted)

    assert (responses[0].name, responses[0].get("message")) == ("Error", "Authentication failed")
    assert responses[1].get("Message") == "Authentication accepted"
    assert responses[-1].name == "Goodbye"
    assert [event.status for event in booted] == ["Fully Booted"]  # none with Events: off


def test_command_output_is_repeated_output_headers() -> None:
    command = next(m for m in parsed("ami/ami-login.txt") if m.action_id == "ok-5")
    several = MessageReader(expect_banner=False).feed(
        wire(
            [
                "Response: Success",
                "ActionID: c-1",
                "Message: Command output follows",
                "Output: Channel              Location             State   Application(Data)",
                "Output: 0 active channels",
                "Output: 0 active calls",
            ]
        )
    )[0]

    assert command.get_all("Output") == [
        "Asterisk 22.10.1 built by root @ vm on a x86_64 running Linux on 2026-11-27 10:09:11 UTC"
    ]
    assert several.get_all("output")[1:] == ["0 active channels", "0 active calls"]
    assert (several.get("Output") or "").startswith("Channel ")


def test_originate_response_answered_has_real_channel_and_uniqueid() -> None:
    (answered,) = typed("ami/ami-originate-answer.txt", events.OriginateResponse)

    assert answered.message.kind == "event"  # despite its own "Response: Success" header
    assert answered.action_id == "a-2"
    assert answered.succeeded
    assert answered.reason == events.OriginateReason.ANSWERED
    assert answered.channel == "Local/s@ami-answer-00000018;1"
    assert answered.uniqueid == "1795775027.48"
    assert (answered.caller_id_name, answered.caller_id_num) == ("IVR Out", "100")


def test_originate_response_busy_carries_dial_string_and_unknown_uniqueid() -> None:
    (busy,) = typed("ami/ami-originate-busy.txt", events.OriginateResponse)
    hangups = typed("ami/ami-originate-busy.txt", events.Hangup)

    assert not busy.succeeded
    assert busy.reason == events.OriginateReason.BUSY
    assert busy.channel == "Local/s@ami-busy"
    assert busy.uniqueid is None
    assert busy.get("Uniqueid") == "<unknown>"
    assert [(h.channel[-2:], h.cause, h.cause_txt) for h in hangups] == [
        (";2", 17, "User busy"),
        (";1", 0, "Unknown"),
    ]


def test_answered_call_events_share_linkedid_and_dial_end_has_no_caller() -> None:
    channels = typed("ami/ami-originate-answer.txt", events.Newchannel)
    (dial_end,) = typed("ami/ami-originate-answer.txt", events.DialEnd)

    assert {c.linkedid for c in channels} == {"1795775027.48"}
    assert [c.state for c in channels] == [0, 4]
    assert (dial_end.channel, dial_end.dial_status) == (None, "ANSWER")
    assert dial_end.dest_channel == "Local/s@ami-answer-00000018;1"


def test_queue_ring_times_differ_in_units() -> None:
    (no_answer,) = typed("ami/ami-queue-answered.txt", events.AgentRingNoAnswer)
    (connect,) = typed("ami/ami-queue-answered.txt", events.AgentConnect)
    (complete,) = typed("ami/ami-queue-answered.txt", events.AgentComplete)

    assert no_answer.ring_time_ms == 4000
    assert no_answer.member_name == "Operator NoAnswer"
    assert (connect.ring_time, connect.hold_time) == (1, 6)
    assert connect.interface == "Local/op-answer@operators/n"
    assert (complete.hold_time, complete.talk_time, complete.reason) == (6, 3, "agent")


def test_queue_caller_and_member_events() -> None:
    (joined,) = typed("ami/ami-queue-answered.txt", events.QueueCallerJoin)
    (left,) = typed("ami/ami-queue-answered.txt", events.QueueCallerLeave)
    statuses = typed("ami/ami-queue-answered.txt", events.QueueMemberStatus)
    dial_ends = typed("ami/ami-queue-answered.txt", events.DialEnd)

    assert (joined.queue, joined.position, joined.count) == ("support", 1, 1)
    assert left.count == 0
    assert statuses[0].status == events.MemberStatus.IN_USE
    assert {s.queue for s in statuses[:2]} == {"support", "sales"}
    first_member = [d for d in dial_ends if "op-noanswer" in d.dest_channel]
    assert [d.dial_status for d in first_member] == ["NOANSWER", "CANCEL"]


def test_list_completions_count_their_items() -> None:
    completions = [
        m for m in parsed("ami/ami-queue-actions.txt") if m.name.endswith("Complete")
    ] + [m for m in parsed("ami/ami-queue-answered.txt") if m.name == "QueueStatusComplete"]

    assert [(m.get("EventList"), m.get("ListItems")) for m in completions] == [
        ("Complete", "2"),
        ("Complete", "1"),
        ("Complete", "5"),
        ("Complete", "0"),  # an unknown queue still answers Success
        ("Complete", "2"),
        ("Complete", "4"),
    ]


def test_queue_member_changes() -> None:
    (added,) = typed("ami/ami-queue-actions.txt", events.QueueMemberAdded)
    paused, unpaused = typed("ami/ami-queue-actions.txt", events.QueueMemberPause)
    listed = typed("ami/ami-queue-actions.txt", events.QueueMember)

    assert (added.membership, added.penalty, added.member_name) == ("dynamic", 2, "Operator Three")
    assert added.state_interface == "Local/op3@operators"
    assert (paused.paused, paused.paused_reason, paused.last_pause) == (True, "lunch", 1795775110)
    assert not unpaused.paused
    assert listed[-1].interface == "Local/op3@operators/n"
    assert listed[-1].member_name == "Operator Three"


def test_originate_response_of_another_session_keeps_its_action_id() -> None:
    (foreign,) = typed("ami/ami-agi-events.txt", events.OriginateResponse)
    agi_ends = [m for m in parsed("ami/ami-agi-events.txt") if m.name == "AGIExecEnd"]

    assert foreign.action_id == "ctl-61"
    assert isinstance(parse_event(agi_ends[0]), events.AmiEvent)
    assert parse_event(agi_ends[0]).get("ResultCode") == "200"


def test_cyrillic_split_inside_a_letter_fed_byte_by_byte_arrives_intact() -> None:
    data = wire(["Event: UserEvent", "CallerIDName: Иванов", "Surname: Петров"])
    reader = MessageReader(expect_banner=False)

    messages = [m for byte in data for m in reader.feed(bytes([byte]))]

    assert len(messages) == 1
    assert messages[0].get("CallerIDName") == "Иванов"
    assert messages[0].get("Surname") == "Петров"


@given(st.lists(st.integers(min_value=1, max_value=400), max_size=40))
def test_any_chunking_of_the_stream_gives_the_same_messages(cut_sizes: list[int]) -> None:
    stream = (
        b"Asterisk Call Manager/11.0.0\r\n"
        + wire(["Event: Hangup", "Channel: Local/s@x-00000001;1", "CallerIDName: Иванов Пётр"])
        + wire(["Response: Success", "ActionID: a-1", "Message: Authentication accepted"])
    )
    reader = MessageReader()
    got: list[AmiMessage] = []
    position = 0
    for size in cut_sizes:
        got += reader.feed(stream[position : position + size])
        position += size
    got += reader.feed(stream[position:])

    assert [m.name for m in got] == ["Hangup", "Success"]
    assert got[0].get("callername") is None and got[0].get("CallerIDName") == "Иванов Пётр"


def test_endless_message_is_refused() -> None:
    reader = MessageReader(expect_banner=False)

    with pytest.raises(AmiProtocolError):
        reader.feed(b"Event: X\r\nJunk: " + b"x" * (5 * 1024 * 1024))


def test_originate_encodes_exactly_like_the_reference_block() -> None:
    reference = ami_messages("ami/ami-originate-answer.txt", ">>")[1]
    originate = actions.Originate(
        channel="Local/s@ami-answer",
        context="ami-target",
        exten="s",
        priority=1,
        caller_id='"IVR Out" <100>',
        timeout_ms=10000,
        variables={"FOO": "bar"},
    )

    data = encode_action(originate.name, originate.headers(), "a-2")

    assert data == wire(reference)


def test_other_actions_encode_like_the_reference_blocks() -> None:
    sent = ami_messages("ami/ami-queue-actions.txt", ">>")
    login = actions.Login("ivr", "ivrsecret")
    queue_add = actions.QueueAdd(
        "support", "Local/op3@operators/n", "Operator Three", 2, False, "Local/op3@operators"
    )
    pause = actions.QueuePause("Local/op3@operators/n", True, queue="support", reason="lunch")
    penalty = actions.QueuePenalty("Local/op3@operators/n", 5, queue="support")
    application = actions.Originate(
        channel="Local/s@ami-answer", application="Playback", data="hello-world", timeout_ms=10000
    )

    assert encode_action("Login", login.headers(), "a-1") == wire(sent[0])
    assert encode_action("QueueAdd", queue_add.headers(), "a-7") == wire(sent[6])
    assert encode_action("QueuePause", pause.headers(), "a-10") == wire(sent[9])
    assert encode_action("QueuePenalty", penalty.headers(), "a-13") == wire(sent[12])
    assert encode_action("Originate", application.headers(), "a-2") == wire(
        ami_messages("ami/ami-originate-application.txt", ">>")[1]
    )


def test_encoder_refuses_line_breaks_that_would_inject_an_action() -> None:
    setvar = actions.Setvar("NAME", "x\r\n\r\nAction: Hangup")

    with pytest.raises(ValueError, match="line break"):
        encode_action(setvar.name, setvar.headers(), "a-1")


def test_events_are_not_in_causal_order() -> None:
    """OriginateResponse says the call is answered before the channel's own Newstate Up;
    a synchronous Originate's Error comes before the events of the failed call."""
    answered = [parse_event(m) for m in parsed("ami/ami-originate-answer.txt") if m.kind == "event"]
    response = next(i for i, e in enumerate(answered) if isinstance(e, events.OriginateResponse))
    originate = answered[response]
    assert isinstance(originate, events.OriginateResponse)
    channel = originate.channel
    up = next(
        i
        for i, e in enumerate(answered)
        if e.name == "Newstate"
        and e.get("Channel") == channel
        and e.get("ChannelStateDesc") == "Up"
    )
    assert response < up and originate.reason == 4
    sync = parsed("ami/ami-originate-sync.txt")
    failed = next(i for i, m in enumerate(sync) if m.get("Message") == "Originate failed")
    assert sync[failed + 1].name == "Newchannel" and "ami-busy" in (
        sync[failed + 1].get("Channel") or ""
    )
