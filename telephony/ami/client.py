"""The AMI client: logs in, keeps the link alive, reconnects, correlates, dispatches events.

Unlike panoramisk 1.4: start() returns after the Login succeeded, unanswered Pings
reveal a half-open link, every failure (a refused Login too: the secret may be fixed
on the Asterisk side) is retried with capped exponential backoff and named in
:attr:`AmiClient.last_error`, pending actions fail on a drop instead of hanging, and
``on_connected`` callbacks let the application re-read the state whose events were lost
meanwhile.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from telephony.ami.actions import AmiAction, Login, Logoff, Originate
from telephony.ami.dispatch import EventDispatcher, EventHandler
from telephony.ami.errors import (
    AmiActionError,
    AmiAuthError,
    AmiDisconnected,
    AmiError,
    AmiTimeout,
)
from telephony.ami.event_base import AmiEvent
from telephony.ami.events import OriginateResponse, parse_event
from telephony.ami.link import AmiLink
from telephony.ami.message import AmiMessage
from telephony.ami.reconnect import backoff, check_settings, failure_reason

log = logging.getLogger(__name__)

LinkCallback = Callable[[], Awaitable[Any] | None]
Sleep = Callable[[float], Awaitable[Any]]


class AmiClient:
    """One logical AMI session to one Asterisk, kept up across network failures.

    Link state for monitoring (an outage must be visible, CC-10): :attr:`is_connected`,
    :attr:`link_changed_at` (a ``clock`` value), :attr:`reconnects` and
    :attr:`last_error`.
    """

    def __init__(
        self,
        host: str,
        port: int,
        username: str,
        secret: str,
        *,
        ping_interval: float = 20.0,
        ping_timeout: float = 5.0,
        reconnect_min: float = 0.5,
        reconnect_max: float = 30.0,
        action_timeout: float = 10.0,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Times are in seconds. ``action_timeout`` also bounds the TCP connect and the
        Login; ``sleep`` (ping interval, backoff) and ``clock`` are injectable for tests.
        Settings that cannot work raise ValueError."""
        check_settings(port, reconnect_min, reconnect_max)
        self.host, self.port, self.username = host, port, username
        self._secret = secret
        self._ping_interval = ping_interval
        self._ping_timeout = ping_timeout
        self._reconnect_min = reconnect_min
        self._reconnect_max = reconnect_max
        self._action_timeout = action_timeout
        self._sleep = sleep
        self._clock = clock
        self._events = EventDispatcher()
        self._on_connected: list[LinkCallback] = []
        self._on_disconnected: list[LinkCallback] = []
        self._link: AmiLink | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._first_login: asyncio.Future[None] | None = None
        self._closing = False
        self._connected = False
        self._link_changed_at = clock()
        self._reconnects = 0
        self.last_error: str | None = None
        """Why the client is not logged in (``login refused: Authentication failed``,
        ``connection refused``, ``link lost``…); None once logged in."""

    async def __aenter__(self) -> AmiClient:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- link state, for monitoring --------------------------------------------------

    @property
    def is_connected(self) -> bool:
        """Logged in over a live link; False while connecting, reconnecting or closed."""
        return self._connected

    @property
    def link_changed_at(self) -> float:
        """``clock()`` when :attr:`is_connected` last changed: how long the outage lasts."""
        return self._link_changed_at

    @property
    def reconnects(self) -> int:
        """Successful logins after the first one."""
        return self._reconnects

    # -- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        """Connect and log in; return once logged in and the on_connected callbacks ran.

        Every failure, a refused Login included, is retried with backoff for as long as
        it takes, :attr:`last_error` telling why meanwhile: run it as a task, or bound
        the wait with ``asyncio.timeout`` (the client then closes). It raises only
        :class:`AmiDisconnected` when the client is closed before it logged in.
        """
        if self._supervisor is not None:
            raise RuntimeError("AmiClient already started")
        self._first_login = asyncio.get_running_loop().create_future()
        self._supervisor = asyncio.create_task(self._supervise(), name="ami-supervisor")
        try:
            await self._first_login
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Log off when connected, then stop every task. Pending actions fail."""
        self._closing = True
        link = self._link
        if link is not None and self.is_connected:
            try:
                await link.request(Logoff(), min(self._action_timeout, 2.0))
            except AmiError as exc:
                log.debug("AMI Logoff: %s", exc)
        if self._supervisor is not None:
            self._supervisor.cancel()
            await asyncio.gather(self._supervisor, return_exceptions=True)
        await self._events.cancel_running()

    # -- actions ---------------------------------------------------------------------

    async def send(self, action: AmiAction, *, reply_timeout: float | None = None) -> AmiMessage:
        """Send an action and return its reply; ``Response: Error`` raises AmiActionError."""
        reply, _ = await self._current_link().request(action, reply_timeout or self._action_timeout)
        return reply

    async def send_list(
        self, action: AmiAction, *, reply_timeout: float | None = None
    ) -> tuple[AmiMessage, list[AmiEvent]]:
        """A list action (QueueStatus, QueueSummary…): the reply and the typed items,
        without the closing ``…Complete`` event. An unknown queue gives an empty list."""
        reply, items = await self._current_link().request(
            action, reply_timeout or self._action_timeout, wants_list=True
        )
        return reply, [parse_event(item) for item in items]

    async def originate(
        self,
        channel: str,
        *,
        context: str | None = None,
        exten: str | None = None,
        priority: int | None = None,
        application: str | None = None,
        data: str | None = None,
        caller_id: str | None = None,
        timeout_ms: int = 30_000,
        variables: Mapping[str, str] | None = None,
        result_timeout: float | None = None,
        channel_id: str | None = None,
        other_channel_id: str | None = None,
    ) -> OriginateResponse:
        """Place a call (async Originate) and return its OriginateResponse.

        ``reason`` tells the outcome (see OriginateReason: 4 answered, 5 busy, 3 no
        answer, 8 congestion, 0 failure). A synchronous refusal such as ``Extension does
        not exist.`` raises AmiActionError. The wait is bounded by ``result_timeout``
        (default: the ring timeout plus ``action_timeout``). If the link drops first the
        call may still happen: AmiDisconnected means "outcome unknown".

        ``channel_id`` (and ``other_channel_id`` for a Local pair's ``;2``) name the
        call's channels: every later event of it carries that Uniqueid. An id longer
        than 149 characters raises ValueError before anything is sent.
        """
        action = Originate(
            channel=channel,
            context=context,
            exten=exten,
            priority=priority,
            application=application,
            data=data,
            caller_id=caller_id,
            timeout_ms=timeout_ms,
            variables=dict(variables or {}),
            is_async=True,
            channel_id=channel_id,
            other_channel_id=other_channel_id,
        )
        link = self._current_link()
        action_id = link.next_action_id()
        outcome = link.expect_originate_response(action_id)
        if result_timeout is None:
            result_timeout = timeout_ms / 1000 + self._action_timeout
        try:
            await link.request(action, self._action_timeout, action_id=action_id)
            async with asyncio.timeout(result_timeout):
                return await outcome
        except TimeoutError:
            raise AmiTimeout(f"Originate {channel}: no OriginateResponse") from None
        finally:
            link.forget_originate(action_id)

    # -- subscriptions ---------------------------------------------------------------

    def on_event(self, name: str, handler: EventHandler) -> Callable[[], None]:
        """Call ``handler`` (sync or async) for events named ``name`` (any case) or ``*``.

        A handler's exception is logged and does not stop the reader; async handlers run
        as tasks. Returns a function that unsubscribes.
        """
        return self._events.subscribe(name, handler)

    def on_connected(self, callback: LinkCallback) -> Callable[[], None]:
        """Run ``callback`` after every successful (re)login, e.g. to re-read QueueStatus:
        events sent while the link was down are lost."""
        self._on_connected.append(callback)
        return lambda: self._on_connected.remove(callback)

    def on_disconnected(self, callback: LinkCallback) -> Callable[[], None]:
        """Run ``callback`` whenever an established link is lost."""
        self._on_disconnected.append(callback)
        return lambda: self._on_disconnected.remove(callback)

    # -- internals -------------------------------------------------------------------

    def _current_link(self) -> AmiLink:
        link = self._link
        if link is None or not self.is_connected or link.closed:
            raise AmiDisconnected("AMI is not connected")
        return link

    async def _supervise(self) -> None:
        failures = 0
        try:
            while not self._closing:
                try:
                    link, reader = await self._connect_and_login()
                except (AmiError, OSError, TimeoutError) as exc:
                    self._note_failure(failure_reason(exc))
                else:
                    up_since = self._clock()
                    await self._stay_connected(link, reader)
                    if self._clock() - up_since >= self._reconnect_max:
                        failures = 0  # a link that lasted was no flapping: retry quickly
                failures += 1
                if not self._closing:
                    await self._sleep(backoff(failures, self._reconnect_min, self._reconnect_max))
        finally:
            self._set_connected(False)
            if self._first_login is not None and not self._first_login.done():
                self._first_login.set_exception(AmiDisconnected("AMI client stopped"))

    async def _stay_connected(self, link: AmiLink, reader: asyncio.Task[None]) -> None:
        """From login until the link is gone: keepalive, resync callbacks, then wait."""
        if self._link is not None:
            self._reconnects += 1
        self._link = link
        self.last_error = None
        self._set_connected(True)
        log.info("AMI %s:%s logged in (%s)", self.host, self.port, link.banner)
        keepalive = asyncio.create_task(
            link.keep_alive(self._ping_interval, self._ping_timeout, self._sleep),
            name="ami-keepalive",
        )
        try:
            await self._run_callbacks(self._on_connected, "on_connected")
            if self._first_login is not None and not self._first_login.done():
                self._first_login.set_result(None)
            await reader
        finally:
            keepalive.cancel()
            link.abort()
            await asyncio.gather(keepalive, reader, return_exceptions=True)
            self._set_connected(False)
        if not self._closing:
            self.last_error = "link lost"
            log.warning("AMI %s:%s link lost", self.host, self.port)
            await self._run_callbacks(self._on_disconnected, "on_disconnected")

    async def _connect_and_login(self) -> tuple[AmiLink, asyncio.Task[None]]:
        async with asyncio.timeout(self._action_timeout):
            stream_reader, writer = await asyncio.open_connection(self.host, self.port)
        link = AmiLink(
            stream_reader,
            writer,
            self._events.emit,
            lambda: self._set_connected(False),
            self._clock,
        )
        reader = asyncio.create_task(link.read_until_closed(), name="ami-reader")
        try:
            await link.request(Login(self.username, self._secret), self._action_timeout)
        except BaseException as exc:
            link.abort()
            await asyncio.gather(reader, return_exceptions=True)
            if isinstance(exc, AmiActionError):
                raise AmiAuthError(self.username, exc.message) from exc
            raise
        return link, reader

    def _note_failure(self, reason: str) -> None:
        """Log a failure when it starts or its reason changes, not at every retry."""
        if reason != self.last_error:
            log.warning(
                "AMI %s:%s as %r: %s; retrying with backoff up to %g s",
                self.host,
                self.port,
                self.username,
                reason,
                self._reconnect_max,
            )
        else:
            log.debug("AMI %s:%s still failing: %s", self.host, self.port, reason)
        self.last_error = reason

    def _set_connected(self, connected: bool) -> None:
        if connected != self._connected:
            self._connected = connected
            self._link_changed_at = self._clock()

    async def _run_callbacks(self, callbacks: list[LinkCallback], what: str) -> None:
        for callback in list(callbacks):
            try:
                result = callback()
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("AMI %s callback %r failed", what, callback)
