"""One AMI connection of the emulator: its state and an ordered, freezable writer."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from telephony.ami.message import AmiMessage, encode_message

Headers = list[tuple[str, str]]


@dataclass(eq=False)
class _Outgoing:
    chunks: tuple[bytes, ...]
    written: asyncio.Future[None] | None = None


@dataclass(eq=False)
class AmiSession:
    """A client connection. Everything it is sent goes through one queue, in order,
    and waits while the emulator is frozen."""

    writer: asyncio.StreamWriter
    thawed: asyncio.Event
    local_port: int
    chunk_pause: float = 0.02
    authenticated: bool = False
    events_on: bool = True
    username: str = ""
    session_id: str = field(default_factory=lambda: f"0x{secrets.token_hex(6)}")
    started: str = field(default_factory=lambda: event_tv())
    _outbox: asyncio.Queue[_Outgoing | None] = field(default_factory=asyncio.Queue)
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._write_loop(), name="ami-emulator-writer")

    @property
    def remote_port(self) -> int:
        peer = self.writer.get_extra_info("peername")
        return int(peer[1]) if peer else 0

    def send_bytes(self, data: bytes) -> None:
        self._outbox.put_nowait(_Outgoing((data,)))

    def send(self, headers: Headers) -> None:
        self.send_bytes(encode_message(headers))

    def reply(
        self, request: AmiMessage, response: str, headers: Sequence[tuple[str, str]] = ()
    ) -> None:
        """``Response:`` then ``ActionID:`` (when the request had one) then the rest."""
        action_id = request.action_id
        first = [("Response", response)] + ([("ActionID", action_id)] if action_id else [])
        self.send([*first, *headers])

    def event(self, name: str, headers: Headers) -> None:
        self.send([("Event", name), *headers])

    async def send_chunks(self, chunks: tuple[bytes, ...]) -> None:
        """Write each chunk as a separate TCP write (drain, short pause, next)."""
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._outbox.put_nowait(_Outgoing(chunks, written))
        await written

    def close_after_pending(self) -> None:
        self._outbox.put_nowait(None)

    def abort(self) -> None:
        """Close abruptly: no Goodbye, no FIN handshake, unsent data dropped."""
        self.writer.transport.abort()
        if self._task is not None:
            self._task.cancel()

    async def wait_closed(self) -> None:
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _write_loop(self) -> None:
        item: _Outgoing | None = None
        try:
            while (item := await self._outbox.get()) is not None:
                await self.thawed.wait()
                for index, chunk in enumerate(item.chunks):
                    if index:
                        await asyncio.sleep(self.chunk_pause)
                    self.writer.write(chunk)
                    await self.writer.drain()
                _settle(item)
        except (ConnectionError, OSError):
            self.writer.transport.abort()
        finally:
            self.writer.close()
            _settle(item)
            while not self._outbox.empty():
                _settle(self._outbox.get_nowait())


def _settle(item: _Outgoing | None) -> None:
    """Release whoever waits for ``item`` to be written (also when it never will be)."""
    if item is not None and item.written is not None and not item.written.done():
        item.written.set_result(None)


def event_tv() -> str:
    """Asterisk's ``EventTV``/``SessionTV`` format: ``2026-11-27T10:23:45.408+0000``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"
