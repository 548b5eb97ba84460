"""The Asterisk side of AMI on loopback, for tests and demos.

Its lines match the reference transcripts (``ami/*.txt`` of Asterisk 22.10.1) in
format: CRLF, the banner without a blank line, ``Response:`` then ``ActionID:`` then
``Message:``. Calls are scripted per dial string (see :mod:`.ami_calls`); autoinformer
calls to ``callgrid-campaign`` reach callees of configurable behaviours and run that
context against the engines' FastAGI (see :mod:`.campaign_dialplan`). Queues come from
a constructor argument (see :mod:`.ami_queues`); AGI callers put in them ring their
members (:mod:`.queue_calls`). Test controls: :meth:`emit_event`, :meth:`send_raw`,
:meth:`freeze`/:meth:`unfreeze`, :meth:`drop_connections`, :meth:`set_secret`.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence

from telephony.ami.errors import AmiProtocolError
from telephony.ami.message import AmiMessage, MessageReader
from telephony.emulator.ami_calls import (
    REFERENCE_CONTEXTS,
    REFERENCE_OUTCOMES,
    CallSimulator,
    Outcome,
)
from telephony.emulator.ami_channel_actions import ChannelActions
from telephony.emulator.ami_manager_actions import ManagerActions
from telephony.emulator.ami_queues import (
    EmulatedMember,
    EmulatedQueue,
    QueueBook,
    QueueError,
    QueueSpec,
    build_queues,
    reference_queues,
)
from telephony.emulator.ami_session import AmiSession, Headers
from telephony.emulator.campaign_callees import CalleeShares
from telephony.emulator.campaign_dialplan import CAMPAIGN_CONTEXT, CampaignDialplan
from telephony.emulator.outbound_log import OutboundCall
from telephony.emulator.queue_calls import QueueCalls
from telephony.emulator.queue_members import REFERENCE_BEHAVIOURS, MemberBehaviour
from telephony.emulator.virtual_time import VirtualTime

__all__ = ["AmiEmulator", "EmulatedMember", "EmulatedQueue", "MemberBehaviour", "Outcome"]

BANNER = b"Asterisk Call Manager/11.0.0\r\n"
PRE_LOGIN_ACTIONS = frozenset({"login", "logoff", "challenge"})
Handler = Callable[[AmiSession, AmiMessage], Awaitable[bool]]


class AmiEmulator:
    """An AMI server: ``await start()``, connect to ``127.0.0.1:port``, ``await stop()``."""

    def __init__(
        self,
        *,
        username: str = "ivr",
        secret: str = "ivrsecret",
        queues: QueueSpec | None = None,
        outcomes: Mapping[str, Outcome] | None = None,
        contexts: Iterable[str] = REFERENCE_CONTEXTS,
        cli_output: Mapping[str, Sequence[str]] | None = None,
        auth_failure_delay: float = 1.0,
        ring_delay: float = 0.0,
        callees: CalleeShares | Mapping[str, float] | None = None,
        engines: Sequence[tuple[str, int]] = (),
        members: Mapping[str, MemberBehaviour] | None = None,
        queue_time: VirtualTime | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        """``queues`` default to the reference queues.conf (support, sales). ``outcomes``
        maps dial strings to answer/busy/congestion/noanswer/nonexistent, on top of the
        reference ones; other dial strings answer. ``ring_delay`` is how long a no-answer
        rings; ``auth_failure_delay`` is Asterisk's 1 s penalty for a wrong secret.

        ``callees`` (behaviour -> weight, plus ``changes``; see :class:`CalleeShares`) and
        ``engines`` (the FastAGI servers, tried in order) add the shipped dialplan's
        ``callgrid-campaign`` context: each number there answers or not as its drawn
        behaviour says (a dial string in ``outcomes`` still answers as scripted), and an
        answered call is offered to the engines. Raises ValueError for bad shares.

        AGI channels given :attr:`queue_calls` run ``Queue()`` here, members taking calls
        as ``members`` (interface -> behaviour) says, on the clock ``queue_time``."""
        self.host = host
        self.manager_actions = ManagerActions(
            username, secret, auth_failure_delay, cli_output, self._listeners
        )
        self.queue_time = queue_time or VirtualTime()
        self.queues = QueueBook(
            reference_queues() if queues is None else build_queues(queues), self.queue_time.wall
        )
        behaviours = {**(REFERENCE_BEHAVIOURS if queues is None else {}), **(members or {})}
        self.queue_calls = QueueCalls(self.queues, self._broadcast, self.queue_time, behaviours)
        campaign = {CAMPAIGN_CONTEXT} if callees is not None or engines else set()
        self.calls = CallSimulator(
            self._broadcast,
            {**REFERENCE_OUTCOMES, **(outcomes or {})},
            frozenset(contexts) | campaign,
            ring_delay,
        )
        self.campaign = CampaignDialplan(self.calls, CalleeShares.of(callees), engines)
        self.calls.dialplan = self.campaign
        self.channel_actions = ChannelActions(self.calls)
        self.received_actions: list[AmiMessage] = []
        self.port = port
        self._server: asyncio.Server | None = None
        self._sessions: set[AmiSession] = set()
        self._connections: set[asyncio.Task[None]] = set()
        self._thawed = asyncio.Event()
        self._thawed.set()
        self._handlers: dict[str, Handler] = {
            "login": self.manager_actions.login,
            "logoff": self.manager_actions.logoff,
            "ping": self.manager_actions.ping,
            "events": self.manager_actions.events,
            "coresettings": self.manager_actions.core_settings,
            "command": self.manager_actions.command,
            "getvar": self.channel_actions.getvar,
            "setvar": self.channel_actions.setvar,
            "hangup": self._hangup,
            "originate": self.channel_actions.originate,
            "mixmonitor": self.channel_actions.mixmonitor,
            "mixmonitormute": self.channel_actions.mixmonitor_mute,
            "stopmixmonitor": self.channel_actions.stop_mixmonitor,
            "queuesummary": self._queue_summary,
            "queuestatus": self._queue_status,
            "queueadd": self._queue_change(self.queues.add),
            "queueremove": self._queue_change(self.queues.remove),
            "queuepause": self._queue_change(self.queues.pause),
            "queuepenalty": self._queue_change(self.queues.penalty),
        }

    # -- lifecycle and test controls -------------------------------------------------

    async def start(self) -> None:
        """Listen on ``host``:``port``; port 0 picks a free one, exposed as :attr:`port`."""
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close the listener and every connection; return when all their tasks ended."""
        if self._server is not None:
            self._server.close()
        self.drop_connections()
        await self.channel_actions.cancel_calls()
        await self.campaign.stop()
        self.queue_calls.stop()
        await self.queue_time.stop()
        for task in self._connections:
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    @property
    def outbound_calls(self) -> list[OutboundCall]:
        """Every call placed to the campaign context, in order (see :mod:`.outbound_log`)."""
        return self.campaign.log.calls

    async def settle_calls(self) -> None:
        """Wait until the answered campaign calls placed so far have ended."""
        await self.campaign.settle()

    @property
    def logged_in_count(self) -> int:
        return sum(1 for session in self._sessions if session.authenticated)

    def set_secret(self, secret: str) -> None:
        """The manager.conf secret changed and was reloaded: later Logins need this one."""
        self.manager_actions.secret = secret

    def set_outcome(self, dial_string: str, outcome: Outcome) -> None:
        self.calls.outcomes[dial_string] = outcome

    def emit_event(self, name: str, headers: Iterable[tuple[str, str]] | Mapping[str, str]) -> None:
        """Push ``Event: name`` with ``headers`` to every logged-in session."""
        pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
        for session in self._listeners():
            session.event(name, pairs)

    async def send_raw(self, data: bytes, chunk_boundaries: Sequence[int] = ()) -> None:
        """Write ``data`` to every logged-in session, cut at the given byte offsets into
        separate TCP writes; returns once written."""
        cuts = [0, *sorted(chunk_boundaries), len(data)]
        chunks = tuple(data[start:end] for start, end in itertools.pairwise(cuts))
        await asyncio.gather(*(s.send_chunks(chunks) for s in self._listeners(all_events=True)))

    def freeze(self) -> None:
        """Stop answering anything, keep every socket open: a half-open link."""
        self._thawed.clear()

    def unfreeze(self) -> None:
        self._thawed.set()

    def drop_connections(self) -> None:
        """Close every socket abruptly, as a crashed Asterisk or a dead network would."""
        for session in list(self._sessions):
            session.abort()
        self._sessions.clear()

    # -- connection handling ---------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = asyncio.current_task()
        assert connection is not None
        self._connections.add(connection)
        connection.add_done_callback(self._connections.discard)
        session = AmiSession(writer, self._thawed, self.port)
        self._sessions.add(session)
        session.start()
        session.send_bytes(BANNER)
        try:
            await self._converse(session, reader)
        except asyncio.CancelledError:
            pass  # stop(): end quietly, 3.11's stream server logs a cancelled handler as an error
        finally:
            self._sessions.discard(session)
            session.close_after_pending()
            await session.wait_closed()

    async def _converse(self, session: AmiSession, reader: asyncio.StreamReader) -> None:
        decoder = MessageReader(expect_banner=False)
        try:
            while data := await reader.read(65536):
                for request in decoder.feed(data):
                    await self._thawed.wait()
                    self.received_actions.append(request)
                    if not await self._dispatch(session, request):
                        return
        except (ConnectionError, AmiProtocolError):
            session.abort()

    async def _dispatch(self, session: AmiSession, request: AmiMessage) -> bool:
        """Run one action; False closes the connection."""
        action = request.get("Action") or ""
        if not action:
            session.reply(request, "Error", [("Message", "Missing action in request")])
            return True
        if not session.authenticated and action.lower() not in PRE_LOGIN_ACTIONS:
            session.reply(request, "Error", [("Message", "Permission denied")])
            return True
        handler = self._handlers.get(action.lower(), self.manager_actions.unknown)
        return await handler(session, request)

    def _listeners(self, *, all_events: bool = False) -> list[AmiSession]:
        return [s for s in self._sessions if s.authenticated and (s.events_on or all_events)]

    def _broadcast(self, name: str, privilege: str, headers: Headers) -> None:
        for session in self._listeners():
            session.event(name, [("Privilege", privilege), *headers])

    # -- queues ----------------------------------------------------------------------

    async def _hangup(self, session: AmiSession, request: AmiMessage) -> bool:
        """A queue member's channel ends its conversation; any other channel is the
        call simulator's."""
        if self.queue_calls.hang_up_leg(request.get("Channel") or ""):
            session.reply(request, "Success", [("Message", "Channel Hungup")])
            return True
        return await self.channel_actions.hangup(session, request)

    async def _queue_summary(self, session: AmiSession, request: AmiMessage) -> bool:
        items = self.queues.summary(request.get("Queue"))
        self._send_list(
            session, request, "Queue summary will follow", "QueueSummaryComplete", items
        )
        return True

    async def _queue_status(self, session: AmiSession, request: AmiMessage) -> bool:
        items = self.queues.status(request.get("Queue"), request.get("Member"))
        self._send_list(session, request, "Queue status will follow", "QueueStatusComplete", items)
        return True

    def _send_list(
        self,
        session: AmiSession,
        request: AmiMessage,
        message: str,
        complete: str,
        items: list[tuple[str, Headers]],
    ) -> None:
        """``EventList: start``, the items (ActionID last), ``…Complete`` with ListItems."""
        action_id: Headers = [("ActionID", request.action_id)] if request.action_id else []
        session.reply(request, "Success", [("EventList", "start"), ("Message", message)])
        for name, headers in items:
            session.event(name, [*headers, *action_id])
        session.event(
            complete, [*action_id, ("EventList", "Complete"), ("ListItems", str(len(items)))]
        )

    def _queue_change(
        self, change: Callable[[AmiMessage], tuple[str, list[tuple[str, Headers]]]]
    ) -> Handler:
        async def handle(session: AmiSession, request: AmiMessage) -> bool:
            try:
                message, events = change(request)
            except QueueError as refusal:
                session.reply(request, "Error", [("Message", str(refusal))])
                return True
            session.reply(request, "Success", [("Message", message)])
            for name, headers in events:
                self._broadcast(name, "agent,all", headers)
            self.queue_calls.changed()  # a member added or unpaused may be rung now
            return True

        return handle
