"""Session actions of the AMI emulator: Login, Logoff, Ping, Events, CoreSettings,
Command, and the security events (SuccessfulAuth, RequestBadFormat) they cause.

Shapes and messages follow ami-login.txt and Asterisk 22's main/manager.c.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence

from telephony.ami.message import AmiMessage
from telephony.emulator.ami_session import AmiSession, Headers, event_tv

VERSION_LINE = (
    "Asterisk 22.10.1 built by root @ vm on a x86_64 running Linux on 2026-11-27 10:09:11 UTC"
)


class ManagerActions:
    """Handlers: ``async (session, request) -> keep_connection_open``."""

    def __init__(
        self,
        username: str,
        secret: str,
        auth_failure_delay: float,
        cli_output: Mapping[str, Sequence[str]] | None,
        listeners: Callable[[], list[AmiSession]],
    ) -> None:
        self.username, self.secret = username, secret
        self.auth_failure_delay = auth_failure_delay
        self.cli_output = dict(cli_output or {"core show version": [VERSION_LINE]})
        self._listeners = listeners
        self._started_at = time.monotonic()

    async def unknown(self, session: AmiSession, request: AmiMessage) -> bool:
        action = request.get("Action") or ""
        message = (
            f"Invalid/unknown command: {action}. "
            "Use Action: ListCommands to show available commands."
        )
        session.reply(request, "Error", [("Message", message)])
        self.security_event(
            session, "RequestBadFormat", "Error", [("RequestType", f"Action: {action}")]
        )
        return True

    async def login(self, session: AmiSession, request: AmiMessage) -> bool:
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
        self.security_event(session, "SuccessfulAuth", "Informational", [("UsingPassword", "0")])
        return True

    async def logoff(self, session: AmiSession, request: AmiMessage) -> bool:
        session.reply(request, "Goodbye", [("Message", "Thanks for all the fish.")])
        return False

    async def ping(self, session: AmiSession, request: AmiMessage) -> bool:
        session.reply(request, "Success", [("Ping", "Pong"), ("Timestamp", f"{time.time():.6f}")])
        return True

    async def events(self, session: AmiSession, request: AmiMessage) -> bool:
        session.events_on = (request.get("EventMask") or "").lower() not in ("off", "none", "")
        session.reply(request, "Success", [("Events", "On" if session.events_on else "Off")])
        return True

    async def core_settings(self, session: AmiSession, request: AmiMessage) -> bool:
        session.reply(request, "Success", CORE_SETTINGS)
        return True

    async def command(self, session: AmiSession, request: AmiMessage) -> bool:
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

    def security_event(self, about: AmiSession, name: str, severity: str, extra: Headers) -> None:
        """A security-class event about ``about``, sent to every listening session."""
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
