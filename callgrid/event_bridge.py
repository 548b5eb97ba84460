"""Events across engine processes that share one PostgreSQL: LISTEN/NOTIFY.

Each process publishes its shared events with ``pg_notify`` and listens on the same
channel; an event comes back to its sender too, so each carries the id of the process
that sent it and is delivered only elsewhere. NOTIFY is best effort (a payload is at
most 8,000 bytes, and a process that is down misses what was sent meanwhile): the hub
carries news, never state — state lives in the tables.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from callgrid.events import Event, EventHub

log = logging.getLogger(__name__)
CHANNEL = "callgrid_events"
LARGEST_PAYLOAD = 7900
OUTBOX = 1000


def asyncpg_dsn(database_url: str) -> str:
    """``postgresql+asyncpg://…`` as asyncpg itself takes it."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class PostgresEventBridge:
    def __init__(self, hub: EventHub, database_url: str) -> None:
        self.hub = hub
        self.dsn = asyncpg_dsn(database_url)
        self.origin = uuid.uuid4().hex
        self.sent = 0
        self.received = 0
        self.dropped = 0
        self._outbox: asyncio.Queue[Event] = asyncio.Queue(OUTBOX)
        self._connection: asyncpg.Connection | None = None
        self._sender: asyncio.Task[None] | None = None
        self._unforward: Callable[[], None] = _nothing

    async def start(self) -> None:
        self._connection = await asyncpg.connect(self.dsn)
        await self._connection.add_listener(CHANNEL, self._heard)
        self._unforward = self.hub.forward_to(self._queue)
        self._sender = asyncio.create_task(self._send_forever(), name="event-bridge")

    async def stop(self) -> None:
        self._unforward()
        if self._sender is not None:
            self._sender.cancel()
            await asyncio.gather(self._sender, return_exceptions=True)
        if self._connection is not None:
            await self._connection.close()

    def _queue(self, event: Event) -> None:
        try:
            self._outbox.put_nowait(event)
        except asyncio.QueueFull:
            self.dropped += 1

    async def _send_forever(self) -> None:
        assert self._connection is not None
        while True:
            event = await self._outbox.get()
            payload = json.dumps(
                {"origin": self.origin, "topic": event.topic, "data": event.data},
                ensure_ascii=False,
                default=str,
            )
            if len(payload.encode()) > LARGEST_PAYLOAD:
                self.dropped += 1
                log.warning("event %s too large to share (%d bytes)", event.topic, len(payload))
                continue
            try:
                await self._connection.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)
                self.sent += 1
            except (asyncpg.PostgresError, OSError) as error:
                self.dropped += 1
                log.warning("sharing event %s failed: %s", event.topic, error)

    def _heard(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            message = json.loads(payload)
            if message["origin"] == self.origin:
                return
            event = Event(str(message["topic"]), dict(message["data"]), shared=True)
        except (ValueError, KeyError, TypeError):
            log.warning("an event from another process could not be read")
            return
        self.received += 1
        self.hub.deliver(event)


def _nothing() -> None:
    """Before start, there is nothing to stop forwarding."""
