"""A contact-center desk on loopback for queue tests: the AMI emulator with a manual
queue clock, the project's AmiClient reading its typed events, and an engine whose
FastAGI route answers, sets ``QUEUE_PRIO`` when the call's query asks, and transfers
the caller with :func:`callcenter.queue_transfer.queue_once` (``Queue()`` in the
session, as the desk's transfers run it)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from callcenter.queue_transfer import QueueResult, queue_once
from telephony.agi import AgiCall, FastAgiServer
from telephony.ami import AmiClient, AmiEvent, actions
from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.ami_server import AmiEmulator
from telephony.emulator.caller import CallerAction, ScriptedCaller
from telephony.emulator.queue_members import MemberBehaviour
from telephony.emulator.queue_state import EmulatedMember, EmulatedQueue
from telephony.emulator.sounds import SoundLibrary
from telephony.emulator.virtual_time import VirtualTime
from tests.waiting import eventually

PHONES = ["PJSIP/olga", "PJSIP/ivan", "PJSIP/petr"]
QUEUE_EVENTS = frozenset(
    {"QueueCallerJoin", "QueueCallerLeave", "QueueCallerAbandon", "QueueMemberStatus"}
    | {"AgentCalled", "AgentRingNoAnswer", "AgentConnect", "AgentComplete"}
)


def billing(
    *members: EmulatedMember, strategy: str = "ringall", timeout: int = 15, wrapup_time: int = 0
) -> list[EmulatedQueue]:
    return [EmulatedQueue("billing", strategy, list(members), timeout, 1, wrapup_time)]


@dataclass
class Seen:
    event: AmiEvent
    at: datetime
    """The queue clock when the event arrived."""


@dataclass
class Desk:
    emulator: AmiEmulator
    clock: VirtualTime
    client: AmiClient
    engine_port: int
    seen: list[Seen] = field(default_factory=list)
    results: dict[str, QueueResult] = field(default_factory=dict)
    """The engine's reading of each call's Queue(), by the caller's channel."""
    calls: list[asyncio.Task[None]] = field(default_factory=list)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.wall(), UTC)

    def events(self, *names: str) -> list[AmiEvent]:
        wanted = set(names) or QUEUE_EVENTS
        return [seen.event for seen in self.seen if seen.event.name in wanted]

    async def until(self, name: str, count: int = 1, **headers: str) -> AmiEvent:
        """Wait for the ``count``-th event ``name`` with those headers; return it."""

        def matching() -> list[AmiEvent]:
            return [e for e in self.events(name) if all(e.get(k) == v for k, v in headers.items())]

        await eventually(lambda: len(matching()) >= count, within=3)
        return matching()[count - 1]

    async def caught_up(self) -> None:
        """Every event sent so far has arrived: the AMI answers in order."""
        await self.client.send(actions.Ping())

    async def call(
        self,
        queue: str,
        wait: int = 30,
        caller: Sequence[CallerAction] = (),
        priority: int | None = None,
    ) -> EmulatedChannel:
        """A caller reaches the engine, which sends it to ``queue``; returns once the
        caller joined it."""
        joined = len(self.events("QueueCallerJoin"))
        query = f"queue={queue}&wait={wait}" + (f"&prio={priority}" if priority else "")
        channel = EmulatedChannel(
            "127.0.0.1",
            self.engine_port,
            ScriptedCaller(list(caller)),
            SoundLibrary(),
            ChannelSettings(language="en", query=query),
            ami_events=self.emulator.emit_event,
            queue_calls=self.emulator.queue_calls,
        )
        self.calls.append(asyncio.create_task(channel.run()))
        await self.until("QueueCallerJoin", joined + 1)
        return channel

    async def finished(self) -> None:
        """Every call's AGI session has ended."""
        await asyncio.wait_for(asyncio.gather(*self.calls), 3)


@asynccontextmanager
async def desk(
    queues: Sequence[EmulatedQueue] | None = None,
    members: dict[str, MemberBehaviour] | None = None,
    *,
    manual: bool = True,
) -> AsyncIterator[Desk]:
    """``queues`` default to the reference queues.conf, ``members`` to its operators;
    the queue clock moves in ``desk.clock.advance`` (or by itself, not ``manual``)."""
    clock = VirtualTime(manual=manual)
    emulator = AmiEmulator(auth_failure_delay=0, queues=queues, members=members, queue_time=clock)
    await emulator.start()
    results: dict[str, QueueResult] = {}

    async def route(call: AgiCall) -> None:
        query = call.environment.query
        await call.answer()
        if query.get("prio"):
            await call.set_variable("QUEUE_PRIO", query["prio"])
        result = await queue_once(call, query["queue"], int(query["wait"]))
        results[call.environment.channel] = result

    engine = FastAgiServer({"ivr": route}, port=0)
    await engine.start()
    client = AmiClient("127.0.0.1", emulator.port, "ivr", "ivrsecret", action_timeout=2)
    await client.start()
    board = Desk(emulator, clock, client, engine.port, results=results)
    client.on_event("*", lambda event: board.seen.append(Seen(event, board.now())))
    try:
        yield board
    finally:
        await client.close()
        await emulator.stop()
        await engine.stop()
        for task in board.calls:
            task.cancel()
        await asyncio.gather(*board.calls, return_exceptions=True)
