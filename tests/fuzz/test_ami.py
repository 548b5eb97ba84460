"""The AMI client fed garbage by a fake Asterisk Manager: broken, truncated, oversized and
non-UTF-8 messages, garbage in place of a login reply, links cut mid-message.

Whatever comes, the client stays up: it keeps the link or reconnects (saying why in its
log and ``last_error``), and the well-formed event sent after the garbage reaches its
handler. Actions sent after the garbage still get their replies.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from telephony.ami import AmiClient, AmiEvent, AmiProtocolError, MessageReader, actions
from telephony.ami.link import READ_CHUNK
from tests.fuzz import tally
from tests.fuzz.agi_peer import captured_logs
from tests.fuzz.ami_peer import BANNER, END, RawAmi, marker
from tests.fuzz.mutate import HOSTILE_BYTES, mutate_bytes

ROUNDS = 300
OVERSIZED_ROUNDS = (17, 150)
"""Rounds that send a message larger than the client's 4 MB bound."""
MARKER_WITHIN = 5.0

GOOD_EVENTS: tuple[bytes, ...] = tuple(
    "\r\n".join(lines).encode() + END
    for lines in (
        (
            "Event: Newchannel",
            "Privilege: call,all",
            "Channel: PJSIP/100-00000001",
            "ChannelState: 4",
            "ChannelStateDesc: Ring",
            "CallerIDNum: 79001234567",
            "CallerIDName: Иван Петров",
            "Uniqueid: 1764201600.1",
            "Linkedid: 1764201600.1",
        ),
        ("Event: Hangup", "Channel: PJSIP/100-00000001", "Cause: 16", "Cause-txt: Normal Clearing"),
        (
            "Event: QueueMemberStatus",
            "Queue: operators",
            "MemberName: Оператор 1",
            "Interface: Local/op1@operators/n",
            "Status: 1",
            "Paused: 0",
            "InCall: 0",
            "LastCall: 1764201600",
        ),
        ("Event: OriginateResponse", "ActionID: cg-x-1-1", "Response: Failure", "Reason: 5"),
        ("Event: QueueCallerJoin", "Queue: operators", "Position: 1", "Count: 1"),
        ("Event: DialEnd", "DestChannel: Local/op1@operators-1;1", "DialStatus: ANSWER"),
        ("Response: Success", "ActionID: cg-deadbeef-1-7", "Message: nobody waits for this"),
        ("Event: QueueStatusComplete", "ActionID: cg-deadbeef-1-8", "EventList: Complete"),
    )
)
GARBAGE_TOKENS: tuple[bytes, ...] = (
    *HOSTILE_BYTES,
    END,
    b"\r\n\r\n\r\n\r\n",
    b"\n\n",
    b"Event: ",
    b"Event:\r\n",
    b"Response: Error\r\nActionID: cg-",
    b"Asterisk Call Manager/11.0.0\r\n",
    b"Cause: " + b"9" * 5000,
    "Status: ²".encode(),
    b"EventList: start",
    b"EventList: Complete",
    b"ListItems: -1",
    b"X" * 7_000,
)


def garbage(rng: random.Random) -> bytes:
    """Something no Asterisk sends: a mangled event, random bytes, or a message of odd
    headers (no colon, no name, huge values, LF-only line ends, not UTF-8)."""
    kind = rng.randrange(4)
    if kind == 0:
        return mutate_bytes(rng, rng.choice(GOOD_EVENTS), GARBAGE_TOKENS)
    if kind == 1:
        return rng.randbytes(rng.randint(0, 600))
    if kind == 2:
        return b"".join(rng.choice(GARBAGE_TOKENS) for _ in range(rng.randint(1, 8)))
    lines = [rng.choice((b"Event: Hangup", b"Response: Success", b"no colon", b": x", b""))]
    lines += [rng.choice(GARBAGE_TOKENS) + b": " + rng.choice(GARBAGE_TOKENS) for _ in range(3)]
    return rng.choice((b"\r\n", b"\n")).join(lines)


LOGIN_GARBAGE: tuple[bytes, ...] = (
    b"Response: Error\r\nActionID: <ID>\r\nMessage: Authentication failed\r\n\r\n",
    b"Response: Success\r\nActionID: someone-else\r\n\r\n",  # never answered: times out
    b"Event: FullyBooted\r\nActionID: <ID>\r\n\r\n",
    b"\x00\x00\x00\r\n\r\n",
    b"Response: Success\r\nActionID: <ID>",  # no end: times out
)

BANNER_GARBAGE: tuple[bytes, ...] = (
    b"",
    b"Asterisk Call Manager/",
    b"Asterisk Call Manager/" + b"x" * (4 * 2**20 + 10),  # a banner line that never ends
    b"Asterisk Call Manager/11.0.0\n",
    b"\xff\xfe not a banner\r\n",
)


@pytest.fixture
async def ami() -> AsyncIterator[RawAmi]:
    server = RawAmi()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def client(ami: RawAmi) -> AsyncIterator[AmiClient]:
    client = AmiClient(
        "127.0.0.1",
        ami.port,
        "callgrid",
        "secret",
        ping_interval=3600.0,
        reconnect_min=0.001,
        reconnect_max=0.005,
        action_timeout=0.3,
    )
    await asyncio.wait_for(client.start(), 10)
    yield client
    await client.close()


class Markers:
    """The marker events that reached the handler, and every event that did."""

    def __init__(self, client: AmiClient) -> None:
        self.seen: set[int] = set()
        self.events = 0
        self._arrived = asyncio.Event()
        client.on_event("FuzzMarker", self._marker)
        client.on_event("*", self._any)

    def _marker(self, event: AmiEvent) -> None:
        self.seen.add(int(event.get("Seq") or -1))
        self._arrived.set()

    def _any(self, event: AmiEvent) -> None:
        self.events += 1

    async def wait_for(self, sequence: int) -> None:
        async with asyncio.timeout(MARKER_WITHIN):
            while sequence not in self.seen:
                self._arrived.clear()
                await self._arrived.wait()


async def test_garbage_from_asterisk_never_stops_the_events(ami: RawAmi, client: AmiClient) -> None:
    rng = tally.rng("ami-messages")
    markers = Markers(client)
    cuts = pings = 0
    with captured_logs() as logs:
        for sequence in range(ROUNDS):
            ami.marker = marker(sequence)
            junk = garbage(rng)
            if sequence in OVERSIZED_ROUNDS:
                # beyond the bound by more than one read, so that a read ends past it
                junk = b"Event: Big\r\nData: " + b"x" * (4 * 2**20 + 2 * READ_CHUNK)
            mode = rng.random()
            if mode < 0.72 or sequence in OVERSIZED_ROUNDS:
                await ami.send(junk + END + marker(sequence))
            elif mode < 0.975:
                await ami.send(junk)  # a message cut off where the link goes
                await ami.hang_up()
                cuts += 1
            else:
                if rng.random() < 0.5:
                    ami.login_garbage.append(rng.choice(LOGIN_GARBAGE))
                else:
                    ami.banner_garbage.append(rng.choice(BANNER_GARBAGE))
                await ami.hang_up()
                cuts += 1
            await markers.wait_for(sequence)
            if rng.random() < 0.15:
                await asyncio.wait_for(ami.live(), 10)
                while not client.is_connected:  # noqa: ASYNC110 - real sockets
                    await asyncio.sleep(0.005)
                reply = await client.send(actions.Ping(), reply_timeout=5)
                assert reply.get("Ping") == "Pong", "an action after the garbage got no reply"
                pings += 1
    assert markers.seen == set(range(ROUNDS))
    assert client.is_connected and client.last_error is None
    assert ami.connections > cuts, "each cut link was followed by a new connection"
    assert pings > 0 and markers.events > ROUNDS
    refused = [line for line in logs.lines if line.traceback is not None]
    assert refused == [], "garbage made a traceback"
    lost = [line for line in logs.lines if "link lost" in line.message]
    assert len(lost) >= cuts, "a lost link is logged"
    oversized = [line for line in logs.lines if "no message end within" in line.message]
    assert len(oversized) >= len(OVERSIZED_ROUNDS), "an oversized message is named as such"
    count = tally.tried("ami-messages", ROUNDS)
    assert len(markers.seen) == ROUNDS, count


def test_messages_split_anywhere_decode_as_sent_whole() -> None:
    """However TCP cuts the stream, the decoder gives the messages it gives for it whole."""
    streams: list[bytes] = []

    @seed(tally.SEED)
    @settings(max_examples=300, deadline=None, database=None)
    @given(
        parts=st.lists(
            st.one_of(st.sampled_from(GOOD_EVENTS), st.sampled_from(GARBAGE_TOKENS[:-2])),
            max_size=12,
        ),
        cuts=st.lists(st.integers(min_value=0, max_value=4000), max_size=6),
    )
    def check(parts: list[bytes], cuts: list[int]) -> None:
        stream = BANNER + b"".join(parts)
        streams.append(stream)
        whole = MessageReader().feed(stream)
        reader, pieces, start = MessageReader(), [], 0
        for cut in sorted(min(cut, len(stream)) for cut in cuts):
            pieces += reader.feed(stream[start:cut])
            start = cut
        pieces += reader.feed(stream[start:])
        assert pieces == whole

    check()
    count = tally.tried("ami-framing", len(streams))
    assert streams, count


def test_a_banner_line_that_never_ends_is_refused() -> None:
    """It was buffered without bound (the 4 MB limit applied only after the banner), and
    a 4 MB line was taken as the banner once a line end came."""
    reader = MessageReader()
    reader.feed(b"Asterisk Call Manager/")
    with pytest.raises(AmiProtocolError, match="banner"):
        reader.feed(b"x" * 2000)
    with pytest.raises(AmiProtocolError, match="banner"):
        MessageReader().feed(b"Asterisk Call Manager/" + b"x" * 5000 + b"\r\n")
    assert MessageReader().feed(b"Asterisk Call Manager/11.0.0\r\nEvent: A\r\n\r\n")


async def test_after_a_banner_that_never_ends_the_client_logs_in_again(ami: RawAmi) -> None:
    ami.banner_garbage.append(b"Asterisk Call Manager/" + b"x" * (4 * 2**20 + 10))
    ami.marker = marker(1)
    client = AmiClient(
        "127.0.0.1", ami.port, "callgrid", "secret", reconnect_min=0.001, action_timeout=10
    )
    markers = Markers(client)
    with captured_logs() as logs:
        async with client:
            await markers.wait_for(1)
            assert client.is_connected and client.last_error is None
    assert any("no end of the banner line" in line.message for line in logs.lines)
