"""The FastAGI server: accepts Asterisk's connections and hands each call to a route.

Routes are chosen by the script name of ``agi://host:port/<script>?query``. A
connection that closes before the environment block ends is dropped quietly (a TCP
health check must not disturb the calls being served). Only ``allowed_peers`` are
served; a connection from anywhere else is closed at once, unread.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence

from telephony.agi.call import AgiCall
from telephony.agi.environment import AgiEnvironment, parse_environment
from telephony.agi.errors import AgiProtocolError, CallHandedBack, CallHungUp
from telephony.agi.observation import CALL_ID
from telephony.agi.peers import PeerFilter
from telephony.agi.wire import LINE_LIMIT, read_line

log = logging.getLogger(__name__)

CallHandler = Callable[[AgiCall], Awaitable[None]]
MAX_ENVIRONMENT_LINES = 200


class FastAgiServer:
    def __init__(
        self,
        routes: Mapping[str, CallHandler],
        *,
        host: str = "127.0.0.1",
        port: int = 4573,
        reply_timeout: float = 10.0,
        media_timeout: float = 120.0,
        environment_timeout: float = 5.0,
        allowed_peers: Sequence[str] = ("127.0.0.0/8", "::1"),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``allowed_peers`` are the Asterisk addresses or networks served (a bad entry
        raises ValueError); ``clock`` paces the log lines about refused peers."""
        self._peers = PeerFilter(allowed_peers)
        self._clock = clock
        self.routes = dict(routes)
        self.host = host
        self.port = port
        self.reply_timeout = reply_timeout
        self.media_timeout = media_timeout
        self.environment_timeout = environment_timeout
        self.calls_served = 0
        self.refused_connections = 0
        """Connections closed unread because they came from an address not allowed."""
        self.malformed_connections = 0
        """Connections closed because their environment block was not FastAGI."""
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._calls: set[AgiCall] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._accept, self.host, self.port, limit=LINE_LIMIT, backlog=4096
        )
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("FastAGI listening on %s:%d", self.host, self.port)

    def stop_accepting(self) -> None:
        """Close the listening socket: Asterisk's next ``AGI()`` to this engine is refused
        at once (AGISTATUS=FAILURE) and the dialplan tries the next engine. Calls in
        progress go on."""
        if self._server is not None and self._server.is_serving():
            self._server.close()
            log.info("FastAGI no longer accepting calls; %d in progress", self.active_calls)

    def hand_back_all(self) -> int:
        """Ask every call in progress to go back to the dialplan before its next command;
        the number asked. A call inside a long command (``EXEC Queue``) goes back, if at
        all, when that command ends."""
        for call in self._calls:
            call.hand_back_requested = True
        return len(self._calls)

    async def stop(self, grace: float = 5.0) -> None:
        """Stop accepting calls, close the ones in progress and wait for them to finish."""
        self.stop_accepting()
        for writer in list(self._writers):
            writer.close()
        await self.drained(grace)
        for task in list(self._connections):
            task.cancel()
        if self._server is not None:
            await self._server.wait_closed()

    async def drained(self, timeout: float | None = None) -> None:
        """Wait until the calls in progress now have been handled to the end."""
        if self._connections:
            await asyncio.wait(set(self._connections), timeout=timeout)

    @property
    def active_calls(self) -> int:
        return len(self._connections)

    @property
    def listening(self) -> bool:
        return self._server is not None and self._server.is_serving()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self._peer_allowed(writer):
            writer.close()
            return
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        self._writers.add(writer)
        try:
            environment = await self._read_environment(reader)
            if environment is not None:
                CALL_ID.set(environment.uniqueid)  # this connection's task only
                call = AgiCall(
                    environment,
                    reader,
                    writer,
                    reply_timeout=self.reply_timeout,
                    media_timeout=self.media_timeout,
                )
                self._calls.add(call)
                try:
                    await self._serve(call)
                finally:
                    self._calls.discard(call)
        finally:
            self._connections.discard(task)
            self._writers.discard(writer)
            writer.close()

    def _peer_allowed(self, writer: asyncio.StreamWriter) -> bool:
        peer = writer.get_extra_info("peername")
        address = str(peer[0]) if isinstance(peer, tuple) and peer else str(peer)
        if self._peers.allows(address):
            return True
        self.refused_connections += 1
        if self._peers.should_log_refusal(address, self._clock()):
            log.warning(
                "FastAGI connection from %s refused: not in allowed_peers "
                "(further ones from it are not logged for a minute)",
                address,
            )
        return False

    async def _read_environment(self, reader: asyncio.StreamReader) -> AgiEnvironment | None:
        lines: list[str] = []
        try:
            async with asyncio.timeout(self.environment_timeout):
                while len(lines) < MAX_ENVIRONMENT_LINES:
                    line = await read_line(reader)
                    if line is None:
                        return None
                    if not line:
                        return self._named(parse_environment(lines))
                    lines.append(line)
        except TimeoutError:
            return None
        except AgiProtocolError as error:
            self.malformed_connections += 1
            log.warning("FastAGI connection dropped in its environment block: %s", error)
            return None
        self.malformed_connections += 1
        log.warning("FastAGI environment longer than %d lines, dropped", MAX_ENVIRONMENT_LINES)
        return None

    def _named(self, environment: AgiEnvironment) -> AgiEnvironment | None:
        """An environment without ``agi_uniqueid`` names no call (every log line and
        record would say nothing of it): refused, as Asterisk always sends one."""
        if environment.uniqueid.strip():
            return environment
        self.malformed_connections += 1
        log.warning("FastAGI connection dropped: its environment has no agi_uniqueid")
        return None

    async def _serve(self, call: AgiCall) -> None:
        handler = self.routes.get(call.environment.script)
        if handler is None:
            log.warning(
                "no FastAGI route %r (channel %s)",
                call.environment.script,
                call.environment.channel,
            )
            return
        self.calls_served += 1
        if log.isEnabledFor(logging.DEBUG):
            environment = call.environment
            log.debug(  # numbers are masked by the engine's log filter; no name is logged
                "FastAGI call from %s to %s on %s",
                environment.caller_id,
                environment.dialled_number,
                environment.channel,
            )
        try:
            await handler(call)
        except CallHungUp:
            log.debug("call %s ended by hangup", call.environment.uniqueid)
        except CallHandedBack:
            log.debug("call %s handed back to the dialplan", call.environment.uniqueid)
        except AgiProtocolError as error:  # the call logged it when it closed the socket
            log.debug("call %s ended: %s", call.environment.uniqueid, error)
        except Exception:
            log.exception("FastAGI call %s failed", call.environment.uniqueid)
        finally:
            call.close()
