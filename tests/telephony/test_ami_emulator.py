"""The AMI emulator replays the reference conversations line for line.

A raw TCP client (no code of ours on the client side) sends the ``>>`` messages of a
transcript and the ``<<`` lines that come back are compared with the transcript's,
after masking what changes on every run (times, ids, ports, channel numbers).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Callable

import pytest

from telephony.emulator.ami_server import AmiEmulator
from tests.transcripts import ami_messages

CRLF = b"\r\n"
PER_RUN = {
    "Timestamp",
    "EventTV",
    "SessionTV",
    "SessionID",
    "Uptime",
    "LastReload",
    "Uniqueid",
    "Linkedid",
    "DestUniqueid",
    "DestLinkedid",
    "LoginTime",
    "LastPause",
}
QUEUE_HISTORY = {
    "HoldTime",
    "Holdtime",
    "TalkTime",
    "Completed",
    "Abandoned",
    "CallsTaken",
    "LastCall",
}
"""Statistics left in the reference queues by the calls captured before; ours start at 0."""
DIALPLAN_POSITION = {"Priority"}
"""Where the reference dialplan had got to; the emulator runs no dialplan."""
CHANNEL_NUMBER = re.compile(r"-[0-9a-f]{8};")

Message = list[str]


def header(message: Message, name: str) -> str | None:
    prefix = f"{name}: "
    return next((line[len(prefix) :] for line in message if line.startswith(prefix)), None)


def masked(message: Message) -> Message:
    out = []
    for line in message:
        name, separator, value = line.partition(": ")
        if name in PER_RUN | QUEUE_HISTORY | DIALPLAN_POSITION:
            value = "*"
        elif name in ("LocalAddress", "RemoteAddress"):
            value = value.rsplit("/", 1)[0] + "/*"
        out.append(name + separator + CHANNEL_NUMBER.sub("-*;", value))
    return out


class RawAmi:
    """A bare asyncio AMI client: writes lines, reads messages, keeps everything it read."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.received: list[Message] = []
        self.banner = b""

    @classmethod
    async def connect(cls, port: int) -> RawAmi:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        client = cls(reader, writer)
        client.banner = await asyncio.wait_for(reader.readline(), 2)
        return client

    def send(self, lines: Message) -> None:
        self.writer.write(CRLF.join(line.encode() for line in lines) + CRLF + CRLF)

    async def read_until(self, done: Callable[[Message], bool]) -> Message:
        while True:
            raw = await asyncio.wait_for(self.reader.readuntil(CRLF + CRLF), 2)
            message = raw.decode()[:-4].split("\r\n")
            self.received.append(message)
            if done(message):
                return message

    async def read_to_eof(self) -> None:
        text = (await asyncio.wait_for(self.reader.read(), 2)).decode()
        assert text == "" or text.endswith("\r\n\r\n"), text
        self.received += [m.split("\r\n") for m in text.split("\r\n\r\n")[:-1]]

    def close(self) -> None:
        self.writer.close()


async def replay(port: int, relative: str, connection: int | None = None) -> list[Message]:
    """Send each ``>>`` message once the previous one is answered (and, for an async
    Originate, once its OriginateResponse came); return every message received."""
    client = await RawAmi.connect(port)
    channel_number: str | None = None
    for action in ami_messages(relative, ">>", connection):
        if channel_number:
            action = [CHANNEL_NUMBER.sub(channel_number, line) for line in action]
        client.send(action)
        name, action_id = header(action, "Action"), header(action, "ActionID")
        if name == "Logoff":
            await client.read_to_eof()
            break
        reply = await client.read_until(answers(action_id))
        if name == "Login" and reply[0] == "Response: Error":
            await client.read_to_eof()  # Asterisk hangs up after a failed login
            break
        if header(reply, "EventList") == "start":
            await client.read_until(lambda m: header(m, "EventList") == "Complete")
        if (
            name == "Originate"
            and header(action, "Async") == "true"
            and reply[0].endswith("Success")
        ):
            outcome = await client.read_until(lambda m: m[0] == "Event: OriginateResponse")
            found = CHANNEL_NUMBER.search(header(outcome, "Channel") or "")
            channel_number = found[0] if found else channel_number
    client.close()
    return client.received


def answers(action_id: str | None) -> Callable[[Message], bool]:
    return lambda m: m[0].startswith("Response: ") and header(m, "ActionID") == action_id


def only(messages: list[Message], wanted: set[str]) -> list[Message]:
    """Responses plus the events named in ``wanted``, masked."""
    return [
        masked(m)
        for m in messages
        if m[0].startswith("Response: ") or m[0].removeprefix("Event: ") in wanted
    ]


@pytest.fixture
async def emulator() -> AsyncIterator[AmiEmulator]:
    server = AmiEmulator(auth_failure_delay=0, ring_delay=0.05)
    await server.start()
    yield server
    await server.stop()


async def test_banner_is_exactly_the_reference_bytes(emulator: AmiEmulator) -> None:
    client = await RawAmi.connect(emulator.port)

    assert client.banner == b"Asterisk Call Manager/11.0.0\r\n"
    client.close()


async def test_login_conversation_matches_reference(emulator: AmiEmulator) -> None:
    received = await replay(emulator.port, "ami/ami-login.txt", connection=2)

    assert [masked(m) for m in received] == [
        masked(m) for m in ami_messages("ami/ami-login.txt", "<<", connection=2)
    ]


async def test_wrong_secret_answers_after_the_delay_then_closes() -> None:
    server = AmiEmulator(auth_failure_delay=0.2)
    await server.start()
    try:
        started = time.monotonic()
        received = await replay(server.port, "ami/ami-login.txt", connection=1)
        elapsed = time.monotonic() - started
    finally:
        await server.stop()

    assert received == ami_messages("ami/ami-login.txt", "<<", connection=1)
    assert elapsed >= 0.2


@pytest.mark.parametrize(
    ("relative", "events"),
    [
        ("ami/ami-originate-answer.txt", {"Newchannel", "DialBegin", "Newstate", "DialEnd"}),
        (
            "ami/ami-originate-busy.txt",
            {"Newchannel", "DialBegin", "Newstate", "DialEnd", "Hangup"},
        ),
        ("ami/ami-originate-congestion.txt", {"Newchannel", "Newstate", "DialEnd", "Hangup"}),
        ("ami/ami-originate-noanswer.txt", {"Newchannel", "DialBegin", "Newstate", "Hangup"}),
        ("ami/ami-originate-nonexistent.txt", {"Newchannel", "Hangup"}),
        ("ami/ami-originate-application.txt", {"Newchannel"}),
        ("ami/ami-originate-sync.txt", {"OriginateResponse"}),
    ],
)
async def test_originate_conversations_match_reference(
    emulator: AmiEmulator, relative: str, events: set[str]
) -> None:
    wanted = events | {"OriginateResponse"}

    received = await replay(emulator.port, relative)

    assert only(received, wanted) == only(ami_messages(relative), wanted)


async def test_originate_response_is_broadcast_to_every_logged_in_session(
    emulator: AmiEmulator,
) -> None:
    bystander = await RawAmi.connect(emulator.port)
    bystander.send(["Action: Login", "ActionID: ctl-1", "Username: ivr", "Secret: ivrsecret"])
    await bystander.read_until(lambda m: m[0] == "Event: SuccessfulAuth")

    await replay(emulator.port, "ami/ami-originate-busy.txt")
    seen = await bystander.read_until(lambda m: m[0] == "Event: OriginateResponse")

    assert header(seen, "ActionID") == "a-2"  # the originator's, not the bystander's
    assert header(seen, "Reason") == "5"
    bystander.close()


async def test_queue_actions_match_reference(emulator: AmiEmulator) -> None:
    received = await replay(emulator.port, "ami/ami-queue-actions.txt")

    expected = [
        m for m in ami_messages("ami/ami-queue-actions.txt") if "DeviceStateChange" not in m[0]
    ]
    assert [masked(m) for m in received] == [masked(m) for m in expected]


async def test_mixmonitor_conversation_matches_reference(emulator: AmiEmulator) -> None:
    wanted = {"MixMonitorStart", "MixMonitorMute", "MixMonitorStop"}

    received = await replay(emulator.port, "ami/ami-mixmonitor.txt")

    assert only(received, wanted) == only(ami_messages("ami/ami-mixmonitor.txt"), wanted)


async def test_actions_before_login_are_refused(emulator: AmiEmulator) -> None:
    client = await RawAmi.connect(emulator.port)

    client.send(["Action: Ping", "ActionID: p-1"])
    reply = await client.read_until(lambda m: True)

    assert reply == ["Response: Error", "ActionID: p-1", "Message: Permission denied"]
    client.close()


async def test_emit_event_and_drop_connections(emulator: AmiEmulator) -> None:
    client = await RawAmi.connect(emulator.port)
    client.send(["Action: Login", "ActionID: a-1", "Username: ivr", "Secret: ivrsecret"])
    await client.read_until(lambda m: m[0] == "Event: SuccessfulAuth")

    emulator.emit_event("UserEvent", {"UserEvent": "Test", "CallerIDName": "Иванов"})
    pushed = await client.read_until(lambda m: True)
    emulator.drop_connections()

    assert pushed == ["Event: UserEvent", "UserEvent: Test", "CallerIDName: Иванов"]
    with pytest.raises((ConnectionError, asyncio.IncompleteReadError)):
        await client.read_until(lambda m: True)
    client.close()


async def test_freeze_holds_every_answer_until_unfrozen(emulator: AmiEmulator) -> None:
    client = await RawAmi.connect(emulator.port)
    client.send(["Action: Login", "ActionID: a-1", "Username: ivr", "Secret: ivrsecret"])
    await client.read_until(lambda m: m[0] == "Event: SuccessfulAuth")

    emulator.freeze()
    client.send(["Action: Ping", "ActionID: a-2"])
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(client.reader.readuntil(CRLF + CRLF), 0.2)
    emulator.unfreeze()
    pong = await client.read_until(lambda m: True)

    assert pong[:3] == ["Response: Success", "ActionID: a-2", "Ping: Pong"]
    client.close()


async def test_queues_and_call_outcomes_come_from_the_constructor() -> None:
    server = AmiEmulator(
        queues={"billing": ["PJSIP/101", "PJSIP/102"]}, outcomes={"PJSIP/200": "busy"}
    )
    await server.start()
    client = await RawAmi.connect(server.port)
    try:
        client.send(["Action: Login", "ActionID: a-1", "Username: ivr", "Secret: ivrsecret"])
        await client.read_until(answers("a-1"))
        client.send(["Action: QueueSummary", "ActionID: a-2"])
        await client.read_until(lambda m: m[0] == "Event: QueueSummaryComplete")
        client.send(
            [
                "Action: Originate",
                "ActionID: a-3",
                "Channel: PJSIP/200",
                "Context: ivr",
                "Exten: s",
                "Priority: 1",
                "Async: true",
            ]
        )
        outcome = await client.read_until(lambda m: m[0] == "Event: OriginateResponse")
    finally:
        client.close()
        await server.stop()

    summaries = [m for m in client.received if m[0] == "Event: QueueSummary"]
    assert [(header(m, "Queue"), header(m, "LoggedIn")) for m in summaries] == [("billing", "2")]
    assert [header(outcome, h) for h in ("Response", "Channel", "Reason", "Uniqueid")] == [
        "Failure",
        "PJSIP/200",
        "5",
        "<unknown>",
    ]
