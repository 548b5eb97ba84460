"""A fake Asterisk Manager on a raw socket: whatever bytes the test gives it, on cue.

Every connection gets the banner (or the garbage queued for it); the Login is answered
as Asterisk does, or with the garbage the test queued for the next login; ``Ping`` and
``Logoff`` are answered. The test writes garbage into the live connection, closes it,
and names a marker event that every new connection sends right after its login, so a
marker reaches the client whether the garbage kept the link or made it go.
"""

from __future__ import annotations

import asyncio
import contextlib

BANNER = b"Asterisk Call Manager/11.0.0\r\n"
END = b"\r\n\r\n"


def header(message: bytes, name: str) -> str:
    for line in message.decode("utf-8", "replace").split("\r\n"):
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return ""


def marker(sequence: int) -> bytes:
    return f"Event: FuzzMarker\r\nSeq: {sequence}\r\n\r\n".encode()


class RawAmi:
    def __init__(self) -> None:
        self.port = 0
        self.connections = 0
        self.marker = b""
        """Sent on every new connection after the login reply."""
        self.login_garbage: list[bytes] = []
        """What the next logins are answered with instead of a success (one each);
        ``<ID>`` becomes the login's ActionID."""
        self.banner_garbage: list[bytes] = []
        """What the next connections open with instead of the banner (one each)."""
        self._writer: asyncio.StreamWriter | None = None
        self._connected = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def live(self) -> asyncio.StreamWriter:
        """The connection the client is logged in on (waiting for one if need be)."""
        await asyncio.wait_for(self._connected.wait(), 10)
        assert self._writer is not None
        return self._writer

    async def send(self, data: bytes) -> None:
        writer = await self.live()
        writer.write(data)
        with contextlib.suppress(ConnectionError):
            await writer.drain()

    async def hang_up(self) -> None:
        writer = await self.live()
        self._connected.clear()
        writer.close()

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.create_task(self._converse(reader, writer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _converse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            writer.write(self.banner_garbage.pop(0) if self.banner_garbage else BANNER)
            login = await reader.readuntil(END)
            action_id = header(login, "ActionID")
            if self.login_garbage:
                writer.write(self.login_garbage.pop(0).replace(b"<ID>", action_id.encode()))
                await writer.drain()
                await reader.read()  # the client gives up on this login and closes
                return
            writer.write(
                f"Response: Success\r\nActionID: {action_id}\r\n"
                "Message: Authentication accepted\r\n\r\n".encode()
            )
            writer.write(self.marker)
            self._writer = writer
            self._connected.set()
            while action := await reader.readuntil(END):
                action_id = header(action, "ActionID")
                name = header(action, "Action").lower()
                if name == "ping":
                    writer.write(
                        f"Response: Success\r\nActionID: {action_id}\r\nPing: Pong\r\n"
                        "Timestamp: 1764201600.000000\r\n\r\n".encode()
                    )
                elif name == "logoff":
                    writer.write(
                        f"Response: Goodbye\r\nActionID: {action_id}\r\n"
                        "Message: Thanks for all the fish.\r\n\r\n".encode()
                    )
                    await writer.drain()
                    return
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            return
        finally:
            if self._writer is writer:
                self._connected.clear()
            writer.close()
