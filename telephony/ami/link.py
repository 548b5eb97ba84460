"""One AMI TCP connection: ActionIDs, correlation of replies, the read loop.

Correlation rules, all learnt from Asterisk 22:
* the reply to an action is the next message whose FIRST header is ``Response:`` and
  whose ActionID is ours (an ``OriginateResponse`` event also has ``Response:`` and our
  ActionID, and must not be taken for the reply);
* list actions answer ``EventList: start``, then items carrying the ActionID, then an
  event with ``EventList: Complete``;
* ``OriginateResponse`` is broadcast to every session with the ORIGINATOR's ActionID, so
  ActionIDs start with a prefix unique to this connection of this process.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telephony.ami.actions import AmiAction, Ping
from telephony.ami.errors import AmiActionError, AmiDisconnected, AmiProtocolError, AmiTimeout
from telephony.ami.event_base import AmiEvent
from telephony.ami.events import OriginateResponse, parse_event
from telephony.ami.message import AmiMessage, MessageReader, encode_action

log = logging.getLogger(__name__)

ERROR_RESPONSES = frozenset({"error", "failure", "fail"})
READ_CHUNK = 64 * 1024
_link_numbers = itertools.count(1)

ListReply = tuple[AmiMessage, list[AmiMessage]]


@dataclass(eq=False)
class _Pending:
    action: str
    wants_list: bool
    future: asyncio.Future[ListReply]
    response: AmiMessage | None = None
    items: list[AmiMessage] = field(default_factory=list)

    @property
    def collecting(self) -> bool:
        return self.response is not None and not self.future.done()


class AmiLink:
    """A connected socket. It does not log in, ping or reconnect: the client does."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        on_event: Callable[[AmiEvent], None],
        on_closed: Callable[[], None],
        clock: Callable[[], float],
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._on_event = on_event
        self._on_closed = on_closed
        self._clock = clock
        self._decoder = MessageReader(expect_banner=True)
        self._action_numbers = itertools.count(1)
        self._pending: dict[str, _Pending] = {}
        self._originations: dict[str, asyncio.Future[OriginateResponse]] = {}
        self.prefix = f"cg-{secrets.token_hex(4)}-{next(_link_numbers)}-"
        self.closed = False
        self.last_received_at = clock()

    @property
    def banner(self) -> str | None:
        return self._decoder.banner

    def next_action_id(self) -> str:
        return f"{self.prefix}{next(self._action_numbers)}"

    async def request(
        self,
        action: AmiAction,
        reply_timeout: float,
        *,
        wants_list: bool = False,
        action_id: str | None = None,
    ) -> ListReply:
        """Send ``action``; the reply (and list items if ``wants_list``) or an AmiError."""
        if self.closed:
            raise AmiDisconnected(f"{action.name}: AMI link is down")
        action_id = action_id or self.next_action_id()
        future: asyncio.Future[ListReply] = asyncio.get_running_loop().create_future()
        self._pending[action_id] = _Pending(action.name, wants_list, future)
        try:
            async with asyncio.timeout(reply_timeout):
                self._writer.write(encode_action(action.name, action.headers(), action_id))
                await self._writer.drain()
                return await future
        except TimeoutError:
            raise AmiTimeout(
                f"{action.name} ({action_id}): no reply within {reply_timeout} s"
            ) from None
        except ConnectionError as exc:
            raise AmiDisconnected(f"{action.name}: {exc}") from exc
        finally:
            self._pending.pop(action_id, None)

    def expect_originate_response(self, action_id: str) -> asyncio.Future[OriginateResponse]:
        """Register interest in the OriginateResponse for ``action_id`` BEFORE sending it."""
        future: asyncio.Future[OriginateResponse] = asyncio.get_running_loop().create_future()
        self._originations[action_id] = future
        return future

    def forget_originate(self, action_id: str) -> None:
        future = self._originations.pop(action_id, None)
        if future is None:
            return
        if not future.done():
            future.cancel()
        elif not future.cancelled():
            future.exception()  # mark it retrieved: the caller already got its own error

    async def read_until_closed(self) -> None:
        """Read and dispatch until EOF, a reset or :meth:`abort`; then fail all waiters."""
        try:
            while data := await self._reader.read(READ_CHUNK):
                self.last_received_at = self._clock()
                for message in self._decoder.feed(data):
                    self._dispatch(message)
        except (ConnectionError, OSError) as exc:
            log.info("AMI link %s: %s", self.prefix, exc)
        except AmiProtocolError as exc:
            log.error("AMI link %s: %s", self.prefix, exc)
        finally:
            self.abort()
            self._on_closed()  # before waiters wake up, so they see the link as down
            self.fail_all(AmiDisconnected("AMI link lost"))

    async def keep_alive(
        self, interval: float, reply_within: float, sleep: Callable[[float], Awaitable[Any]]
    ) -> None:
        """Ping every ``interval``. No Pong within ``reply_within`` and nothing else
        received meanwhile means the peer is gone though TCP never said so (half-open):
        the link is aborted. Traffic without a Pong means a busy but live session (Asterisk
        answers one session's actions in order, e.g. after a synchronous Originate)."""
        while not self.closed:
            await sleep(interval)
            sent_at = self._clock()
            try:
                await self.request(Ping(), reply_within)
            except AmiTimeout:
                if self.last_received_at > sent_at:
                    continue
                log.warning(
                    "AMI link %s: no Pong within %s s, half-open", self.prefix, reply_within
                )
                self.abort()
                return
            except AmiActionError as exc:
                log.warning("AMI link %s: Ping refused: %s", self.prefix, exc)
            except AmiDisconnected:
                return

    def abort(self) -> None:
        """Drop the socket at once (no FIN handshake to wait for on a half-open link)."""
        self.closed = True
        self._writer.transport.abort()

    def fail_all(self, error: Exception) -> None:
        for pending in self._pending.values():
            if not pending.future.done():
                pending.future.set_exception(error)
        for future in self._originations.values():
            if not future.done():
                future.set_exception(error)

    def _dispatch(self, message: AmiMessage) -> None:
        if message.kind == "response":
            self._on_response(message)
        elif message.kind == "event":
            pending = self._pending.get(message.action_id or "")
            if pending is not None and pending.collecting:
                self._on_list_item(pending, message)
            else:
                self._on_plain_event(message)
        else:
            log.warning(
                "AMI link %s: ignoring a message that is neither response nor event: %r",
                self.prefix,
                message,
            )

    def _on_response(self, message: AmiMessage) -> None:
        pending = self._pending.get(message.action_id or "")
        if pending is None or pending.future.done():
            log.debug("AMI link %s: reply nobody waits for: %r", self.prefix, message)
            return
        if message.name.lower() in ERROR_RESPONSES:
            text = message.get("Message") or message.name
            pending.future.set_exception(AmiActionError(pending.action, text, message))
        elif pending.wants_list and (message.get("EventList") or "").lower() == "start":
            pending.response = message
        else:
            pending.future.set_result((message, []))

    def _on_plain_event(self, message: AmiMessage) -> None:
        event = parse_event(message)
        if isinstance(event, OriginateResponse):
            # Broadcast to every session: only an ActionID of ours resolves a waiter.
            future = self._originations.pop(event.action_id or "", None)
            if future is not None and not future.done():
                future.set_result(event)
        self._on_event(event)

    def _on_list_item(self, pending: _Pending, message: AmiMessage) -> None:
        if (message.get("EventList") or "").lower() != "complete":
            pending.items.append(message)
            return
        assert pending.response is not None  # guaranteed by `collecting`
        announced = message.get("ListItems")
        if announced is not None and announced != str(len(pending.items)):
            log.warning(
                "AMI %s: ListItems %s but %d items came",
                pending.action,
                announced,
                len(pending.items),
            )
        pending.future.set_result((pending.response, pending.items))
