"""Autoinformer calls through the AMI emulator: callees drawn from shares, the events of
each outcome shaped as in the reference transcripts, an answered call run through
[callgrid-campaign] to a FastAGI server, and the emulator's log of the calls."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from telephony.agi import AgiCall, CallHungUp, FastAgiServer
from telephony.emulator.ami_calls import REFERENCE_CONTEXTS
from telephony.emulator.ami_server import AmiEmulator
from telephony.emulator.campaign_callees import MACHINES
from telephony.emulator.recording import RATE, write_wav
from tests.telephony.test_ami_emulator import Message, RawAmi, header
from tests.transcripts import ami_messages

KEPT = {"Event", "Response", "Reason", "Cause", "Cause-txt", "ChannelState", "DialStatus"}
"""Headers compared by value; the others by name and place only (channel names,
contexts and ids differ between the reference calls and a campaign's)."""
ENDING = {"SoftHangupRequest", "HangupRequest", "Hangup"}
NUMBER = "79130000001"
MESSAGE_SECONDS = 6.0


def shape(message: Message) -> list[str]:
    names = [line.partition(": ")[0] for line in message]
    return [line if name in KEPT else name for name, line in zip(names, message, strict=True)]


def shapes(messages: list[Message], wanted: set[str]) -> list[list[str]]:
    return [shape(m) for m in messages if m[0].removeprefix("Event: ") in wanted]


def originate(action_id: str, dial: str, attempt: int = 42) -> Message:
    return [
        "Action: Originate",
        f"ActionID: {action_id}",
        f"Channel: {dial}",
        "Context: callgrid-campaign",
        "Exten: s",
        "Priority: 1",
        'CallerID: "IVR Out" <100>',
        f"ChannelId: cg-{attempt}",
        f"Variable: CALLGRID_ATTEMPT={attempt}",
        "Async: true",
    ]


@dataclass
class Engine:
    """A FastAGI server with a campaign route of its own: reads the attempt and AMD,
    plays the message with 1 and 0 as keys, queues on 0, then hangs up."""

    message: str
    seen: list[dict[str, str]] = field(default_factory=list)

    async def __call__(self, call: AgiCall) -> None:
        env = call.environment
        seen = {"script": f"{env.script}?attempt={env.query.get('attempt', '')}"}
        seen |= {"uniqueid": env.uniqueid, "channel": env.channel, "type": env.get("type")}
        for name in ("CALLGRID_ATTEMPT", "AMDSTATUS", "AMDCAUSE"):
            seen[name] = await call.get_variable(name) or ""
        played = await call.stream(self.message, "01")
        seen["key"], seen["hung_up"] = played.digit or "", str(played.hung_up)
        if played.digit == "0":
            await call.exec("Queue", "operators", "", "", "", "60")
            seen["operator"] = await call.get_variable("MEMBERINTERFACE") or ""
        self.seen.append(seen)
        await call.hangup()


@pytest.fixture
def message(tmp_path: Path) -> str:
    write_wav(tmp_path / "message.wav", bytes(2 * int(MESSAGE_SECONDS * RATE)))
    return str(tmp_path / "message")


@pytest.fixture
async def engine(message: str) -> AsyncIterator[tuple[Engine, int]]:
    route = Engine(message)
    server = FastAgiServer({"campaign": route}, port=0)
    await server.start()
    yield route, server.port
    await server.stop()


async def place(
    shares: dict[str, float], engines: list[tuple[str, int]], dial: str, hangups: int
) -> tuple[AmiEmulator, list[Message]]:
    """Originate one campaign call, wait until it ended; every message the AMI sent."""
    emulator = AmiEmulator(
        auth_failure_delay=0,
        callees=shares,
        engines=engines,
        contexts={*REFERENCE_CONTEXTS, "customers"},
    )
    await emulator.start()
    client = await RawAmi.connect(emulator.port)
    try:
        client.send(["Action: Login", "ActionID: a-1", "Username: ivr", "Secret: ivrsecret"])
        await client.read_until(lambda m: m[0] == "Event: SuccessfulAuth")
        client.send(originate("a-2", dial))
        seen = 0

        def ended(m: Message) -> bool:
            nonlocal seen
            seen += m[0] == "Event: Hangup"
            return seen == hangups

        await client.read_until(ended)
        await emulator.settle_calls()
    finally:
        client.close()
        await emulator.stop()
    return emulator, client.received


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("behaviour", "relative", "events"),
    [
        ("busy", "ami-originate-busy.txt", {"Newchannel", "DialBegin", "Newstate", "DialEnd"}),
        ("congestion", "ami-originate-congestion.txt", {"Newchannel", "Newstate", "DialEnd"}),
        ("noanswer", "ami-originate-noanswer.txt", {"Newchannel", "DialBegin", "DialState"}),
        ("failed", "ami-originate-nonexistent.txt", {"Newchannel"}),
    ],
)
async def test_a_callee_who_never_answers_ends_the_call_as_asterisk_reports_it(
    behaviour: str, relative: str, events: set[str]
) -> None:
    wanted = events | {"OriginateResponse", "Hangup"}
    emulator, received = await place({behaviour: 1}, [], f"Local/{NUMBER}@customers", 2)

    got = shapes(received, wanted)
    assert got == shapes(ami_messages(f"ami/{relative}"), wanted)[: len(got)]
    assert sum(m[0] in ("Event: Hangup", "Event: OriginateResponse") for m in got) == 3
    (call,) = emulator.outbound_calls
    assert (call.number, call.behaviour, call.channel_id) == (NUMBER, behaviour, "cg-42")
    assert not call.answered and call.ended and call.ended_by == "network"


async def test_with_no_engine_up_the_context_hangs_up_as_the_reference_answer_does() -> None:
    wanted = {"Newchannel", "DialBegin", "Newstate", "OriginateResponse", "DialEnd"} | ENDING
    dead = ("127.0.0.1", closed_port())

    emulator, received = await place({"listen": 1}, [dead], f"Local/{NUMBER}@customers", 2)

    assert shapes(received, wanted) == shapes(ami_messages("ami/ami-originate-answer.txt"), wanted)
    (call,) = emulator.outbound_calls
    assert call.answered and call.engine is None
    assert (call.ended_by, call.hangup_cause) == ("dialplan", 16)


async def test_the_engine_is_offered_the_answered_call_with_its_attempt_and_amd(
    engine: tuple[Engine, int],
) -> None:
    route, port = engine
    engines = [("127.0.0.1", closed_port()), ("127.0.0.1", port)]  # the first one is down

    emulator, received = await place({"listen": 1}, engines, f"Local/{NUMBER}@customers", 2)

    (seen,) = route.seen
    assert seen["script"] == "campaign?attempt=42"
    assert seen["uniqueid"] == "cg-42"
    assert seen["channel"].startswith(f"Local/{NUMBER}@customers-") and seen["type"] == "Local"
    assert (seen["CALLGRID_ATTEMPT"], seen["AMDSTATUS"], seen["AMDCAUSE"]) == (
        "42",
        "HUMAN",
        "HUMAN-800-800",
    )
    # the engine's HANGUP sets no cause: the pair goes as ami-originate-application.txt
    # shows a channel ended without one, after the SoftHangupRequest of the HANGUP
    ending = [m for m in received if m[0].removeprefix("Event: ") in ENDING]
    assert ending[0][0] == "Event: SoftHangupRequest"
    assert (header(ending[0], "Uniqueid"), header(ending[0], "Cause")) == ("cg-42", "16")
    reference = ami_messages("ami/ami-originate-application.txt")
    assert [shape(m) for m in ending[1:]] == shapes(reference, ENDING)
    amd = [m for m in received if m[0] == "Event: VarSet" and header(m, "Variable") == "AMDSTATUS"]
    assert header(amd[0], "Value") == "HUMAN" and header(amd[0], "Uniqueid") == "cg-42"
    (call,) = emulator.outbound_calls
    assert call.engine == ("127.0.0.1", port) and call.ended_by == "engine"


@pytest.mark.parametrize(
    ("behaviour", "key", "hung_up", "keys", "ended_by", "cause"),
    [
        ("listen", "", "False", "", "engine", 0),
        ("confirm", "1", "False", "1", "engine", 0),
        ("operator", "0", "False", "0", "engine", 0),
        ("early_hangup", "", "True", "", "callee", 16),
        ("machine", "", "False", "", "engine", 0),
    ],
)
async def test_each_person_plays_their_part_and_the_log_tells_it(
    engine: tuple[Engine, int],
    behaviour: str,
    key: str,
    hung_up: str,
    keys: str,
    ended_by: str,
    cause: int,
) -> None:
    route, port = engine

    emulator, received = await place({behaviour: 1}, [("127.0.0.1", port)], f"PJSIP/{NUMBER}", 1)

    (seen,) = route.seen
    assert (seen["key"], seen["hung_up"], seen["type"]) == (key, hung_up, "PJSIP")
    (call,) = emulator.outbound_calls
    assert (call.behaviour, call.keys, call.ended_by, call.hangup_cause) == (
        behaviour,
        keys,
        ended_by,
        cause,
    )
    assert call.answered_at is not None and call.ended_at is not None
    assert call.ended_at - call.answered_at == pytest.approx(call.seconds)
    (hangup,) = [m for m in received if m[0] == "Event: Hangup"]
    assert (header(hangup, "Uniqueid"), header(hangup, "Cause")) == ("cg-42", str(cause))
    if behaviour == "machine":
        assert seen["AMDSTATUS"] == "MACHINE"
        assert seen["AMDCAUSE"] in {amd.cause for amd in MACHINES}
    if behaviour == "operator":
        assert seen["operator"] == "Local/operator@operators"
    if behaviour == "early_hangup":
        request = [m for m in received if m[0] == "Event: HangupRequest"]
        assert [header(m, "Cause") for m in request] == ["16"]  # the callee's BYE
        assert call.seconds < MESSAGE_SECONDS
    if behaviour in ("listen", "machine"):  # the whole message, after AMD listened
        assert call.seconds > MESSAGE_SECONDS
    assert call.describe().startswith(f"{NUMBER} {behaviour}: answered ")


async def test_a_hangup_action_ends_the_call_and_the_engine_hears_of_it(message: str) -> None:
    entered, released = asyncio.Event(), asyncio.Event()
    heard: list[bool] = []

    async def route(call: AgiCall) -> None:
        entered.set()
        await released.wait()
        try:
            heard.append((await call.stream(message, "01")).hung_up)
        except CallHungUp:  # the HANGUP line came while the engine was idle
            heard.append(True)
        await call.hangup()

    server = FastAgiServer({"campaign": route}, port=0)
    await server.start()
    emulator = AmiEmulator(auth_failure_delay=0, engines=[("127.0.0.1", server.port)])
    await emulator.start()
    client = await RawAmi.connect(emulator.port)
    try:
        client.send(["Action: Login", "ActionID: a-1", "Username: ivr", "Secret: ivrsecret"])
        await client.read_until(lambda m: m[0] == "Event: SuccessfulAuth")
        client.send(originate("a-2", f"PJSIP/{NUMBER}"))
        answered = await client.read_until(lambda m: m[0] == "Event: OriginateResponse")
        await asyncio.wait_for(entered.wait(), 2)
        client.send(["Action: Hangup", "ActionID: a-3", f"Channel: {header(answered, 'Channel')}"])
        await client.read_until(lambda m: m[0] == "Event: Hangup")
        released.set()
        await emulator.settle_calls()
    finally:
        client.close()
        await emulator.stop()
        await server.stop()

    assert heard == [True]
    assert [m[0] for m in client.received].count("Event: Hangup") == 1
    (call,) = emulator.outbound_calls
    assert (call.ended_by, call.hangup_cause, call.engine) == (
        "action",
        16,
        ("127.0.0.1", server.port),
    )
