"""AmiClient against the AMI emulator over real loopback TCP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from telephony.ami import (
    AmiActionError,
    AmiClient,
    AmiDisconnected,
    AmiEvent,
    AmiTimeout,
    OriginateReason,
    actions,
    events,
)
from telephony.emulator.ami_server import AmiEmulator
from tests.waiting import eventually

ClientFactory = Callable[..., Awaitable[AmiClient]]


@pytest.fixture
async def emulator() -> AsyncIterator[AmiEmulator]:
    server = AmiEmulator(auth_failure_delay=0, ring_delay=0.3)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def connect(emulator: AmiEmulator) -> AsyncIterator[ClientFactory]:
    clients: list[AmiClient] = []

    def make(**options: Any) -> AmiClient:
        settings: dict[str, Any] = {
            "ping_interval": 5.0,
            "ping_timeout": 1.0,
            "reconnect_min": 0.01,
            "reconnect_max": 0.05,
            "action_timeout": 1.0,
        }
        settings.update(options)
        secret = settings.pop("secret", "ivrsecret")
        client = AmiClient("127.0.0.1", emulator.port, "ivr", secret, **settings)
        clients.append(client)
        return client

    async def started(**options: Any) -> AmiClient:
        client = make(**options)
        await client.start()
        return client

    yield started
    for client in clients:
        await client.close()


async def test_start_returns_once_logged_in(emulator: AmiEmulator, connect: ClientFactory) -> None:
    client = await connect()

    assert client.is_connected
    assert emulator.logged_in_count == 1
    assert [a.name for a in emulator.received_actions] == ["Login"]


async def test_action_round_trip_and_error_reply(connect: ClientFactory) -> None:
    client = await connect()

    await client.send(actions.Setvar("CAMPAIGN", "Зима-2026"))
    value = await client.send(actions.Getvar("CAMPAIGN"))
    version = await client.send(actions.Command("core show version"))
    with pytest.raises(AmiActionError) as refused:
        await client.send(actions.QueueRemove("support", "Local/nobody@operators/n"))

    assert value.get("Value") == "Зима-2026"
    assert version.get_all("Output")[0].startswith("Asterisk 22.10.1")
    assert refused.value.message == "Unable to remove interface: Not there"


async def test_list_actions_return_typed_items(connect: ClientFactory) -> None:
    client = await connect()

    reply, items = await client.send_list(actions.QueueStatus(queue="support"))
    _, summaries = await client.send_list(actions.QueueSummary())
    _, nothing = await client.send_list(actions.QueueStatus(queue="nosuchqueue"))

    assert reply.get("EventList") == "start"
    assert [type(item) for item in items] == [
        events.QueueParams,
        events.QueueMember,
        events.QueueMember,
    ]
    assert [m.member_name for m in items if isinstance(m, events.QueueMember)] == [
        "Operator NoAnswer",
        "Operator Answer",
    ]
    assert [(s.queue, s.available) for s in summaries if isinstance(s, events.QueueSummary)] == [
        ("support", 2),
        ("sales", 1),
    ]
    assert nothing == []


async def test_queue_membership_changes_arrive_as_typed_events(connect: ClientFactory) -> None:
    client = await connect()
    seen: list[AmiEvent] = []
    client.on_event("QueueMemberPause", seen.append)

    await client.send(actions.QueueAdd("support", "Local/op3@operators/n", "Operator Three"))
    await client.send(actions.QueuePause("Local/op3@operators/n", True, reason="lunch"))
    await eventually(lambda: bool(seen))

    assert isinstance(seen[0], events.QueueMemberPause)
    assert (seen[0].member_name, seen[0].paused, seen[0].paused_reason) == (
        "Operator Three",
        True,
        "lunch",
    )


async def test_originate_resolves_with_its_own_outcome(connect: ClientFactory) -> None:
    client = await connect()

    answered = await client.originate(
        "Local/s@ami-answer", context="ami-target", exten="s", priority=1, timeout_ms=2000
    )
    busy = await client.originate("Local/s@ami-busy", context="ami-target", exten="s", priority=1)

    assert answered.reason == OriginateReason.ANSWERED
    assert answered.channel.endswith(";1") and answered.uniqueid is not None
    assert (busy.reason, busy.channel, busy.uniqueid) == (5, "Local/s@ami-busy", None)


async def test_originate_names_its_channels_with_the_ids_given(connect: ClientFactory) -> None:
    client = await connect()
    hangups: list[AmiEvent] = []
    client.on_event("Hangup", hangups.append)

    answered = await client.originate(
        "Local/s@ami-answer", context="ami-target", exten="s", channel_id="cg-attempt-7"
    )
    await client.originate("Local/s@ami-busy", context="ami-target", exten="s", channel_id="cg-8")
    await eventually(lambda: len(hangups) >= 2)

    assert answered.uniqueid == "cg-attempt-7"
    assert {event.message.get("Uniqueid") for event in hangups} >= {"cg-8", "cg-8;2"}
    with pytest.raises(ValueError, match="at most 149"):
        await client.originate("Local/s@ami-answer", context="ami-target", channel_id="x" * 150)


async def test_originate_refused_at_once_raises(connect: ClientFactory) -> None:
    client = await connect()

    with pytest.raises(AmiActionError, match=r"Extension does not exist\."):
        await client.originate("Local/s@ami-answer", context="nosuchcontext", exten="s")


async def test_broadcast_originate_response_resolves_only_the_originator(
    connect: ClientFactory,
) -> None:
    alice, bob = await connect(), await connect()
    bob_saw: list[AmiEvent] = []
    bob.on_event("OriginateResponse", bob_saw.append)

    bob_call = asyncio.create_task(
        bob.originate("Local/s@ami-ring", context="ami-target", exten="s", timeout_ms=1000)
    )
    await asyncio.sleep(0.05)
    alice_result = await alice.originate("Local/s@ami-busy", context="ami-target", exten="s")
    await eventually(lambda: len(bob_saw) == 1)  # Bob's session received Alice's outcome…
    bob_result = await bob_call  # …and still waits for, and gets, his own

    assert alice_result.reason == OriginateReason.BUSY
    assert bob_saw[0].action_id == alice_result.action_id
    assert bob_result.reason == OriginateReason.NO_ANSWER
    assert bob_result.action_id != alice_result.action_id


async def test_cyrillic_split_across_two_tcp_writes_reaches_the_handler_intact(
    emulator: AmiEmulator, connect: ClientFactory
) -> None:
    client = await connect()
    names: list[str | None] = []
    client.on_event("UserEvent", lambda event: names.append(event.get("CallerIDName")))
    data = "Event: UserEvent\r\nCallerIDName: Иванов\r\n\r\n".encode()
    middle_of_first_letter = data.index("И".encode()) + 1

    await emulator.send_raw(data, [middle_of_first_letter])
    await eventually(lambda: bool(names))

    assert names == ["Иванов"]


async def test_failing_handlers_do_not_stop_the_reader(
    emulator: AmiEmulator, connect: ClientFactory
) -> None:
    client = await connect()
    delivered: list[str] = []

    def broken(event: AmiEvent) -> None:
        raise RuntimeError("handler bug")

    async def broken_async(event: AmiEvent) -> None:
        raise RuntimeError("async handler bug")

    async def recorder(event: AmiEvent) -> None:
        delivered.append(event.get("Seq") or "")

    client.on_event("*", broken)
    client.on_event("UserEvent", broken_async)
    client.on_event("userevent", recorder)
    emulator.emit_event("UserEvent", {"Seq": "1"})
    emulator.emit_event("UserEvent", {"Seq": "2"})
    await eventually(lambda: len(delivered) == 2)

    assert delivered == ["1", "2"]
    assert (await client.send(actions.Ping())).get("Ping") == "Pong"


async def test_dropped_link_fails_pending_reconnects_and_resynchronises(
    emulator: AmiEmulator, connect: ClientFactory
) -> None:
    logins: list[int] = []
    losses: list[float] = []
    client = await connect()
    client.on_connected(lambda: logins.append(emulator.logged_in_count))
    client.on_disconnected(lambda: losses.append(client.link_changed_at))
    connected_at = client.link_changed_at

    emulator.freeze()
    pending = asyncio.create_task(client.send(actions.Ping()))
    await asyncio.sleep(0.05)
    emulator.drop_connections()
    with pytest.raises(AmiDisconnected):
        await pending
    was_connected = client.is_connected
    emulator.unfreeze()
    await eventually(lambda: client.is_connected)

    assert not was_connected and len(losses) == 1
    assert client.reconnects == 1
    assert logins == [1]  # the resynchronisation hook ran after the re-login
    assert client.link_changed_at > losses[0] > connected_at
    assert (await client.send(actions.Ping())).get("Ping") == "Pong"


async def test_originate_waiting_for_its_outcome_fails_when_the_link_drops(
    emulator: AmiEmulator, connect: ClientFactory
) -> None:
    client = await connect()
    ringing = asyncio.create_task(
        client.originate("Local/s@ami-ring", context="ami-target", exten="s", timeout_ms=60_000)
    )
    await eventually(lambda: any(a.name == "Originate" for a in emulator.received_actions))
    await asyncio.sleep(0.05)  # the Originate is queued; its outcome is 0.3 s away

    emulator.drop_connections()

    with pytest.raises(AmiDisconnected):
        await asyncio.wait_for(ringing, 1.0)


async def test_half_open_link_is_detected_by_unanswered_ping(
    emulator: AmiEmulator, connect: ClientFactory
) -> None:
    client = await connect(ping_interval=0.05, ping_timeout=0.1, action_timeout=0.2)
    emulator.freeze()
    frozen_at = time.monotonic()

    await eventually(lambda: not client.is_connected, within=1.0)
    noticed_after = time.monotonic() - frozen_at
    emulator.unfreeze()
    await eventually(lambda: client.is_connected)

    assert noticed_after < 0.05 + 0.1 + 0.2
    assert client.reconnects == 1


async def test_reconnects_to_a_fresh_asterisk_with_capped_backoff(
    emulator: AmiEmulator, connect: ClientFactory
) -> None:
    waits: list[float] = []

    async def recording_sleep(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(min(seconds, 0.01))

    client = await connect(sleep=recording_sleep, ping_interval=60.0)
    await emulator.stop()
    await eventually(lambda: len([w for w in waits if w != 60.0]) >= 5)
    fresh = AmiEmulator(auth_failure_delay=0, port=emulator.port)
    await fresh.start()
    try:
        await eventually(lambda: client.is_connected)
        backoffs = [w for w in waits if w != 60.0]

        assert backoffs[:5] == [0.01, 0.02, 0.04, 0.05, 0.05]
        assert fresh.logged_in_count == 1
    finally:
        await client.close()
        await fresh.stop()


async def test_action_timeout_bounds_a_reply_that_never_comes(
    emulator: AmiEmulator, connect: ClientFactory
) -> None:
    client = await connect(action_timeout=0.1)

    emulator.freeze()
    with pytest.raises(AmiTimeout):
        await client.send(actions.Ping())
    emulator.unfreeze()

    assert (await client.send(actions.Ping())).get("Ping") == "Pong"
    assert client.reconnects == 0


async def test_close_logs_off(emulator: AmiEmulator, connect: ClientFactory) -> None:
    client = await connect()

    await client.close()

    assert emulator.received_actions[-1].name == "Logoff"
    assert not client.is_connected
    await eventually(lambda: emulator.logged_in_count == 0)
    with pytest.raises(AmiDisconnected):
        await client.send(actions.Ping())
