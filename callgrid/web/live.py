"""The live engine state for the supervisor home, over the WebSocket ``/ws/live``.

A small loop publishes ``engine.state`` on the event hub every few seconds and after
any other event that changed it; each browser's socket forwards what the hub delivers
(its own bounded queue: a slow browser loses old events, never slows the engine).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from aiohttp import WSCloseCode, web

from callgrid.events import Event, EventHub
from callgrid.logs import redact
from callgrid.web.access import add_protected
from callgrid.web.users import Role
from worktime.clock import Clock

if TYPE_CHECKING:
    from callgrid.engine import Engine

STATE_TOPIC = "engine.state"
RECENT_ERRORS = 10


class RecentErrors(logging.Handler):
    """The last errors the engine logged, for the supervisor to see (numbers masked and
    secrets hidden, as in the log)."""

    def __init__(self, clock: Clock, size: int = RECENT_ERRORS) -> None:
        super().__init__(logging.ERROR)
        self.clock = clock
        self.entries: deque[dict[str, str]] = deque(maxlen=size)

    def emit(self, record: logging.LogRecord) -> None:
        self.entries.appendleft(
            {
                "at": self.clock().isoformat(),
                "source": record.name,
                "message": redact(record.getMessage()),
            }
        )


ERRORS_KEY: web.AppKey[RecentErrors] = web.AppKey("recent_errors")
SOCKETS_KEY: web.AppKey[set[web.WebSocketResponse]] = web.AppKey("live_sockets")


def engine_state(engine: Engine, errors: RecentErrors) -> dict[str, Any]:
    agi, ami = engine.agi, engine.ami
    return {
        "calls": None if agi is None else {"active": agi.active_calls, "served": agi.calls_served},
        "ami": None
        if ami is None
        else {"connected": ami.is_connected, "reconnects": ami.reconnects},
        "errors": list(errors.entries),
    }


def message(event: Event, missed: int = 0) -> str:
    return json.dumps(
        {"topic": event.topic, "data": dict(event.data), "missed": missed}, default=str
    )


async def publish_state(engine: Engine, errors: RecentErrors, interval: float) -> None:
    """``engine.state`` every ``interval`` seconds, and at once when an event changed it."""
    hub: EventHub = engine.events
    events = hub.subscribe()
    last: dict[str, Any] | None = None
    try:
        while True:
            try:
                event: Event | None = await asyncio.wait_for(events.next(), interval)
            except TimeoutError:
                event = None
            if event is not None and event.topic == STATE_TOPIC:
                continue
            state = engine_state(engine, errors)
            if event is None or state != last:
                hub.publish(STATE_TOPIC, shared=False, **state)
                last = state
    finally:
        events.close()


def live_context(engine: Engine, interval: float) -> Any:
    """The app's cleanup context: the error handler on the root logger and the loop."""

    async def run(app: web.Application) -> AsyncIterator[None]:
        errors = app[ERRORS_KEY]
        logging.getLogger().addHandler(errors)
        task = asyncio.create_task(publish_state(engine, errors, interval), name="web.live")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        logging.getLogger().removeHandler(errors)

    return run


async def close_sockets(app: web.Application) -> None:
    """Open sockets would hold up the engine's stop until its shutdown timeout."""
    sockets = app[SOCKETS_KEY]
    for socket in list(sockets):
        await socket.close(code=WSCloseCode.GOING_AWAY, message=b"engine stopping")


async def live_socket(request: web.Request) -> web.WebSocketResponse:
    from callgrid.web.app import ENGINE_KEY

    engine = request.app[ENGINE_KEY]
    socket = web.WebSocketResponse(heartbeat=30)
    await socket.prepare(request)
    request.app[SOCKETS_KEY].add(socket)
    events = engine.events.subscribe()

    async def forward() -> None:
        first = Event(STATE_TOPIC, engine_state(engine, request.app[ERRORS_KEY]))
        await socket.send_str(message(first))
        while not socket.closed:
            event = await events.next()
            await socket.send_str(message(event, events.missed))

    forwarding = asyncio.create_task(forward())
    try:
        async for _ignored in socket:  # the page sends nothing; this waits for the close
            pass
    finally:
        forwarding.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionError):
            await forwarding
        events.close()
        request.app[SOCKETS_KEY].discard(socket)
    return socket


def add_routes(app: web.Application, engine: Engine, clock: Clock, interval: float) -> None:
    app[ERRORS_KEY] = RecentErrors(clock)
    app[SOCKETS_KEY] = set()
    app.cleanup_ctx.append(live_context(engine, interval))
    app.on_shutdown.append(close_sockets)
    add_protected(app, "GET", "/ws/live", live_socket, roles={Role.SUPERVISOR, Role.ADMIN})
