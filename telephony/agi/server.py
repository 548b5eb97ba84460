"""The FastAGI server: accepts Asterisk's connections and hands each call to a route.

Routes are chosen by the script name of ``agi://host:port/<script>?query``. A
connection that closes before the environment block ends is dropped quietly (a TCP
health check must not disturb the calls being served).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping

from telephony.agi.call import AgiCall
from telephony.agi.environment import AgiEnvironment, parse_environment
from telephony.agi.errors import CallHungUp

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
    ) -> None:
        self.routes = dict(routes)
        self.host = host
        self.port = port
        self.reply_timeout = reply_timeout
        self.media_timeout = media_timeout
        self.environment_timeout = environment_timeout
        self.calls_served = 0
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._accept, self.host, self.port, limit=1 << 16, backlog=4096
        )
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("FastAGI listening on %s:%d", self.host, self.port)

    async def stop(self, grace: float = 5.0) -> None:
        """Stop accepting calls, close the ones in progress and wait for them to finish."""
        if self._server is not None:
            self._server.close()
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

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        self._writers.add(writer)
        try:
            environment = await self._read_environment(reader)
            if environment is not None:
                await self._serve(
                    AgiCall(
                        environment,
                        reader,
                        writer,
                        reply_timeout=self.reply_timeout,
                        media_timeout=self.media_timeout,
                    )
                )
        finally:
            self._connections.discard(task)
            self._writers.discard(writer)
            writer.close()

    async def _read_environment(self, reader: asyncio.StreamReader) -> AgiEnvironment | None:
        lines: list[str] = []
        try:
            async with asyncio.timeout(self.environment_timeout):
                while len(lines) < MAX_ENVIRONMENT_LINES:
                    raw = await reader.readline()
                    if not raw.endswith(b"\n"):
                        return None
                    line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                    if not line:
                        return parse_environment(lines)
                    lines.append(line)
        except (TimeoutError, ConnectionError):
            return None
        log.warning("FastAGI environment longer than %d lines, dropped", MAX_ENVIRONMENT_LINES)
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
        try:
            await handler(call)
        except CallHungUp:
            log.debug("call %s ended by hangup", call.environment.uniqueid)
        except Exception:
            log.exception("FastAGI call %s failed", call.environment.uniqueid)
        finally:
            call.close()
