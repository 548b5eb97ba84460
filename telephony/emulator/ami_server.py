"""The Asterisk side of AMI on loopback, for tests and demos.

Its lines match the reference transcripts (``ami/*.txt`` of Asterisk 22.10.1) in
format: CRLF, the banner without a blank line, ``Response:`` then ``ActionID:`` then
``Message:``. Calls are scripted per dial string (see :mod:`.ami_calls`), queues come
from a constructor argument (see :mod:`.ami_queues`). Test controls: :meth:`emit_event`,
:meth:`send_raw`, :meth:`freeze`/:meth:`thaw`, :meth:`drop_connections`.
"""

from __future__ import annotations

import asyncio
import itertools
import time
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
from telephony.emulator.ami_queues import EmulatedQueue, QueueBook, QueueError, reference_queues
from telephony.emulator.ami_session import AmiSession, Headers, event_tv

BANNER = b"Asterisk Call Manager/11.0.0\r\n"
VERSION_LINE = (
    "Asterisk 22.10.1 built by root @ vm on a x86_64 running Linux on 2026-11-27 10:09:11 UTC"
)
PRE_LOGIN_ACTIONS = frozenset({"login", "logoff", "challenge"})
Handler = Callable[[AmiSession, AmiMessage], Awaitable[bool]]


class AmiEmulator:
    """An AMI server: ``await start()``, connect to ``127.0.0.1:port``, ``await stop()``."""

    def __init__(
        self,
        *,
        username: str = "ivr",
        secret: str = "ivrsecret",
        queues: Iterable[EmulatedQueue] | None = None,
        outcomes: Mapping[str, Outcome] | None = None,
        contexts: Iterable[str] = REFERENCE_CONTEXTS,
        cli_output: Mapping[str, Sequence[str]] | None = None,
        auth_failure_delay: float = 1.0,
        ring_delay: float = 0.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        """``outcomes`` maps dial strings to answer/busy/congestion/noanswer/nonexistent
        (added to the reference ones; any other dial string answers). ``ring_delay`` is
        how long a no-answer rings. ``auth_failure_delay`` is Asterisk's 1 s penalty."""
        self.username, self.secret, self.host = username, secret, host
        self.auth_failure_delay = auth_failure_delay
        self.queues = QueueBook(reference_queues() if queues is None else queues)
        self.calls = CallSimulator(
            self._broadcast,
            {**REFERENCE_OUTCOMES, **(outcomes or {})},
            frozenset(contexts),
            ring_delay,
        )
        self.channel_actions = ChannelActions(self.calls)
        self.cli_output = dict(cli_output or {"core show version": [VERSION_LINE]})
        self.received_actions: list[AmiMessage] = []
        self.port = port
        self._started_at = time.monotonic()
        self._server: asyncio.Server | None = None
        self._sessions: set[AmiSession] = set()
        self._thawed = asyncio.Event()
        self._thawed.set()
        self._handlers: dict[str, Handler] = {
            "login": self._login,
            "logoff": self._logoff,
            "ping": self._ping,
            "events": self._events,
            "coresettings": self._core_settings,
            "command": self._command,
            "getvar": self.channel_actions.getvar,
            "setvar": self.channel_actions.setvar,
            "hangup": self.channel_actions.hangup,
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
        if self._server is not None:
            self._server.close()
        self.drop_connections()
        await self.channel_actions.cancel_calls()
        if self._server is not None:
            await self._server.wait_closed()

    @property
    def logged_in_count(self) -> int:
        return sum(1 for session in self._sessions if session.authenticated)

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

    def thaw(self) -> None:
        self._thawed.set()

    def drop_connections(self) -> None:
        """Close every socket abruptly, as a crashed Asterisk or a dead network would."""
        for session in list(self._sessions):
            session.abort()
        self._sessions.clear()

    # -- connection handling ---------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = AmiSession(writer, self._thawed, self.port)
        self._sessions.add(session)
        session.start()
        session.send_bytes(BANNER)
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
        finally:
            self._sessions.discard(session)
            session.close_after_pending()
            await session.wait_closed()

    async def _dispatch(self, session: AmiSession, request: AmiMessage) -> bool:
        """Run one action; False closes the connection."""
        action = request.get("Action") or ""
        if not action:
            session.reply(request, "Error", [("Message", "Missing action in request")])
            return True
        if not session.authenticated and action.lower() not in PRE_LOGIN_ACTIONS:
            session.reply(request, "Error", [("Message", "Permission denied")])
            return True
        handler = self._handlers.get(action.lower())
        if handler is None:
            message = (
                f"Invalid/unknown command: {action}. "
                "Use Action: ListCommands to show available commands."
            )
            session.reply(request, "Error", [("Message", message)])
            self._security_event(
                session, "RequestBadFormat", "Error", [("RequestType", f"Action: {action}")]
            )
            return True
        return await handler(session, request)

    def _listeners(self, *, all_events: bool = False) -> list[AmiSession]:
        return [s for s in self._sessions if s.authenticated and (s.events_on or all_events)]

    def _broadcast(self, name: str, privilege: str, headers: Headers) -> None:
        for session in self._listeners():
            session.event(name, [("Privilege", privilege), *headers])

    def _security_event(self, about: AmiSession, name: str, severity: str, extra: Headers) -> None:
        common = [
            ("Privilege", "security,all"),
            ("EventTV", event_tv()),
            ("Severity", severity),
            ("Service", "AMI"),
            ("EventVersion", "1"),
        ]
        addresses = [
            ("SessionID", about.session_id),
            ("LocalAddress", f"IPV4/TCP/127.0.0.1/{about.local_port}"),
            ("RemoteAddress", f"IPV4/TCP/127.0.0.1/{about.remote_port}"),
        ]
        if name == "SuccessfulAuth":
            body = [("AccountID", about.username), *addresses, *extra, ("SessionTV", about.started)]
        else:
            body = [*addresses, *extra, ("SessionTV", about.started), ("AccountID", about.username)]
        for session in self._listeners():
            session.event(name, [*common, *body])

    # -- session actions -------------------------------------------------------------

    async def _login(self, session: AmiSession, request: AmiMessage) -> bool:
        if session.authenticated:
            session.reply(request, "Success", [("Message", "Already authenticated")])
            return True
        if request.get("Username") != self.username or request.get("Secret") != self.secret:
            await asyncio.sleep(self.auth_failure_delay)
            session.reply(request, "Error", [("Message", "Authentication failed")])
            return False
        session.authenticated, session.username = True, self.username
        session.events_on = (request.get("Events") or "on").lower() != "off"
        session.reply(request, "Success", [("Message", "Authentication accepted")])
        if session.events_on:
            uptime = str(int(time.monotonic() - self._started_at))
            session.event(
                "FullyBooted",
                [
                    ("Privilege", "system,all"),
                    ("Uptime", uptime),
                    ("LastReload", uptime),
                    ("Status", "Fully Booted"),
                ],
            )
        self._security_event(session, "SuccessfulAuth", "Informational", [("UsingPassword", "0")])
        return True

    async def _logoff(self, session: AmiSession, request: AmiMessage) -> bool:
        session.reply(request, "Goodbye", [("Message", "Thanks for all the fish.")])
        return False

    async def _ping(self, session: AmiSession, request: AmiMessage) -> bool:
        session.reply(request, "Success", [("Ping", "Pong"), ("Timestamp", f"{time.time():.6f}")])
        return True

    async def _events(self, session: AmiSession, request: AmiMessage) -> bool:
        session.events_on = (request.get("EventMask") or "").lower() not in ("off", "none", "")
        session.reply(request, "Success", [("Events", "On" if session.events_on else "Off")])
        return True

    async def _core_settings(self, session: AmiSession, request: AmiMessage) -> bool:
        session.reply(request, "Success", CORE_SETTINGS)
        return True

    async def _command(self, session: AmiSession, request: AmiMessage) -> bool:
        command = (request.get("Command") or "").strip()
        if not command:
            session.reply(request, "Error", [("Message", "No command provided")])
            return True
        output = self.cli_output.get(command)
        if output is None:
            first = command.split()[0]
            output = [
                f"No such command '{command}' (type 'core show help {first}' "
                "for other possible commands)"
            ]
        lines = [("Message", "Command output follows"), *[("Output", line) for line in output]]
        session.reply(request, "Success" if command in self.cli_output else "Error", lines)
        return True

    # -- queues ----------------------------------------------------------------------

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
            return True

        return handle


CORE_SETTINGS: Headers = [
    ("AMIversion", "11.0.0"),
    ("AsteriskVersion", "22.10.1"),
    ("SystemName", ""),
    ("CoreMaxCalls", "0"),
    ("CoreMaxLoadAvg", "0.000000"),
    ("CoreRunUser", ""),
    ("CoreRunGroup", ""),
    ("CoreMaxFilehandles", "0"),
    ("CoreRealTimeEnabled", "No"),
    ("CoreCDRenabled", "Yes"),
    ("CoreHTTPenabled", "No"),
    ("SoundsSearchCustomDir", "No"),
]
