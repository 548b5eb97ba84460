"""The live engine state for the supervisor home, over the WebSocket ``/ws/live``.

While a live page is open, a small loop publishes ``engine.state`` on the event hub
every few seconds and after any other event that changed it; each browser's socket
forwards what the hub delivers (its own bounded queue: a slow browser loses old events,
never slows the engine; one that stops reading is dropped).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import TYPE_CHECKING, Any

from aiohttp import WSCloseCode, web

from callgrid.events import SUBSCRIBER_QUEUE, Event, EventHub
from callgrid.logs import redact
from callgrid.web.access import add_protected
from callgrid.web.users import Role
from worktime.clock import Clock

if TYPE_CHECKING:
    from callgrid.engine import Engine

log = logging.getLogger(__name__)
STATE_TOPIC = "engine.state"
RECENT_ERRORS = 10
HEARTBEAT = 30.0
"""Seconds between pings; a browser that answers none within half of it is dropped."""
SEND_TIMEOUT = 10.0
"""Seconds a message may wait for a browser to read before the socket is dropped."""
MAX_RECEIVED = 4096
"""Bytes a browser may send in one message (the page sends none): more closes the socket."""


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


def engine_state(engine: Engine, errors: RecentErrors) -> dict[str, Any]:
    agi, ami = engine.agi, engine.ami
    return {
        "calls": None if agi is None else {"active": agi.active_calls, "served": agi.calls_served},
        "ami": None
        if ami is None
        else {"connected": ami.is_connected, "reconnects": ami.reconnects},
        "errors": list(errors.entries),
    }


class EncodedEvents:
    """Each event's JSON, made once for all the sockets that forward it (they take the
    same events at about the same time, so the last few hundred cover them)."""

    def __init__(self, size: int = SUBSCRIBER_QUEUE) -> None:
        self.size = size
        self._recent: OrderedDict[int, tuple[Event, str]] = OrderedDict()

    def message(self, event: Event, missed: int = 0) -> str:
        found = self._recent.get(id(event))
        if found is None or found[0] is not event:  # the event held here keeps its id unique
            body = json.dumps({"topic": event.topic, "data": dict(event.data)}, default=str)
            found = self._recent[id(event)] = (event, body)
            if len(self._recent) > self.size:
                self._recent.popitem(last=False)
        return f'{found[1][:-1]}, "missed": {missed}}}'


class StatePublisher:
    """Publishes ``engine.state`` every ``interval`` seconds and at once when an event
    changed it, only while a live page is open: nobody watching costs nothing."""

    def __init__(self, engine: Engine, errors: RecentErrors, interval: float) -> None:
        self.engine = engine
        self.errors = errors
        self.interval = interval
        self.watchers = 0
        self._task: asyncio.Task[None] | None = None

    @contextlib.contextmanager
    def watching(self) -> Iterator[None]:
        self.watchers += 1
        if self._task is None:
            self._task = asyncio.create_task(self._publish(), name="web.live")
        try:
            yield
        finally:
            self.watchers -= 1
            if self.watchers == 0:
                self._stop()

    def _stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _publish(self) -> None:
        hub = self.engine.events
        events = hub.subscribe()
        last = engine_state(self.engine, self.errors)
        try:
            while True:
                try:
                    event: Event | None = await asyncio.wait_for(events.next(), self.interval)
                except TimeoutError:
                    event = None
                if event is not None and event.topic == STATE_TOPIC:
                    continue
                state = engine_state(self.engine, self.errors)
                if event is None or state != last:
                    hub.publish(STATE_TOPIC, shared=False, **state)
                    last = state
        finally:
            events.close()


ERRORS_KEY: web.AppKey[RecentErrors] = web.AppKey("recent_errors")
SOCKETS_KEY: web.AppKey[set[web.WebSocketResponse]] = web.AppKey("live_sockets")
PUBLISHER_KEY: web.AppKey[StatePublisher] = web.AppKey("live_state")
ENCODED_KEY: web.AppKey[EncodedEvents] = web.AppKey("live_encoded")


async def collect_errors(app: web.Application) -> AsyncIterator[None]:
    """The app's cleanup context: the last errors are kept while the app runs."""
    errors = app[ERRORS_KEY]
    logging.getLogger().addHandler(errors)
    yield
    logging.getLogger().removeHandler(errors)


async def close_sockets(app: web.Application) -> None:
    """Open sockets would hold up the engine's stop until its shutdown timeout."""
    sockets = app[SOCKETS_KEY]
    for socket in list(sockets):
        await socket.close(code=WSCloseCode.GOING_AWAY, message=b"engine stopping")


async def live_socket(request: web.Request) -> web.WebSocketResponse:
    from callgrid.web.app import ENGINE_KEY

    engine, app = request.app[ENGINE_KEY], request.app
    socket = web.WebSocketResponse(heartbeat=HEARTBEAT, max_msg_size=MAX_RECEIVED)
    await socket.prepare(request)
    app[SOCKETS_KEY].add(socket)
    events = engine.events.subscribe()
    encoded = app[ENCODED_KEY]

    async def send(text: str) -> None:
        """A browser that stops reading is dropped, not written to until its buffers
        and ours fill."""
        try:
            async with asyncio.timeout(SEND_TIMEOUT):
                await socket.send_str(text)
        except TimeoutError:
            log.info("dropped a live page that stopped reading (%s)", request.remote)
            if request.transport is not None:
                request.transport.abort()
            raise

    async def forward() -> None:
        await send(encoded.message(Event(STATE_TOPIC, engine_state(engine, app[ERRORS_KEY]))))
        while not socket.closed:
            event = await events.next()
            await send(encoded.message(event, events.missed))

    with app[PUBLISHER_KEY].watching():
        try:
            await forward_until_closed(socket, forward)
        finally:
            events.close()
            app[SOCKETS_KEY].discard(socket)
    return socket


async def forward_until_closed(
    socket: web.WebSocketResponse, forward: Callable[[], Coroutine[Any, Any, None]]
) -> None:
    """Run ``forward`` while the page stays; the page sends nothing, so reading from it
    waits for its close."""
    forwarding = asyncio.create_task(forward())
    try:
        async for _ignored in socket:
            pass
    finally:
        forwarding.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionError, TimeoutError):
            await forwarding


def add_routes(app: web.Application, engine: Engine, clock: Clock, interval: float) -> None:
    errors = app[ERRORS_KEY] = RecentErrors(clock)
    app[SOCKETS_KEY] = set()
    app[PUBLISHER_KEY] = StatePublisher(engine, errors, interval)
    app[ENCODED_KEY] = EncodedEvents()
    app.cleanup_ctx.append(collect_errors)
    app.on_shutdown.append(close_sockets)
    add_protected(app, "GET", "/ws/live", live_socket, roles={Role.SUPERVISOR, Role.ADMIN})


FIGURES_GAP = 1.0
"""Seconds between two sets of figures one page is sent."""


async def figures_socket(
    request: web.Request,
    hub: EventHub,
    topics: tuple[str, ...],
    compute: Callable[[], Coroutine[Any, Any, dict[str, Any]]],
    *,
    wanted: Callable[[Event], bool] = lambda _event: True,
    what: str,
) -> web.WebSocketResponse:
    """A page's WebSocket of figures: ``compute()`` at once, then again after events of
    ``topics`` that are ``wanted``, at most once a :data:`FIGURES_GAP` (a burst of events
    gives one set). A page that stops reading is dropped; a failure closes the socket,
    and the page reconnects."""
    app = request.app
    socket = web.WebSocketResponse(heartbeat=HEARTBEAT, max_msg_size=MAX_RECEIVED)
    await socket.prepare(request)
    app[SOCKETS_KEY].add(socket)  # the shell closes them when the engine stops
    events = hub.subscribe(*topics)
    loop = asyncio.get_running_loop()

    async def send(figures: dict[str, Any]) -> None:
        try:
            async with asyncio.timeout(SEND_TIMEOUT):
                await socket.send_str(json.dumps({"topic": topics[0], "data": figures}))
        except TimeoutError:
            log.info("dropped a %s page that stopped reading (%s)", what, request.remote)
            if request.transport is not None:
                request.transport.abort()
            raise

    async def forward() -> None:
        await send(await compute())
        sent = float("-inf")  # the first change is shown at once
        while not socket.closed:
            if not wanted(await events.next()):
                continue
            await asyncio.sleep(max(0.0, sent + FIGURES_GAP - loop.time()))
            while not events.queue.empty():  # the burst so far is in what follows
                events.queue.get_nowait()
            await send(await compute())
            sent = loop.time()

    async def forward_or_close() -> None:
        try:
            await forward()
        except (ConnectionError, TimeoutError, asyncio.CancelledError):
            raise
        except Exception:
            log.exception("the %s page's live figures failed; it reconnects", what)
            await socket.close()

    try:
        await forward_until_closed(socket, forward_or_close)
    finally:
        events.close()
        app[SOCKETS_KEY].discard(socket)
    return socket
