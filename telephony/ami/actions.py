"""Typed AMI actions. Each renders its headers in the order Asterisk's own docs list them.

An action is any object with a ``name`` and ``headers()``; :class:`Action` covers
everything not typed here (``Events``, ``CoreSettings``, ``MixMonitorMute``…).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

Headers = list[tuple[str, str]]
MAX_CHANNEL_ID = 149
"""The longest ``ChannelId``/``OtherChannelId`` Asterisk accepts (AST_MAX_PUBLIC_UNIQUEID)."""


class AmiAction(Protocol):
    @property
    def name(self) -> str: ...

    def headers(self) -> Headers: ...


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _optional(pairs: list[tuple[str, object | None]]) -> Headers:
    """Keep only the headers that have a value; booleans become true/false."""
    out: Headers = []
    for key, value in pairs:
        if value is None:
            continue
        out.append((key, _flag(value) if isinstance(value, bool) else str(value)))
    return out


@dataclass(frozen=True, slots=True)
class Action:
    """Any action by name, with its headers as given."""

    name: str
    fields: tuple[tuple[str, str], ...] = ()

    def headers(self) -> Headers:
        return list(self.fields)


@dataclass(frozen=True, slots=True)
class Login:
    name: ClassVar[str] = "Login"
    username: str
    secret: str = field(repr=False)
    events: bool | None = None
    """``Events: off`` suppresses all events for the session (even FullyBooted)."""

    def headers(self) -> Headers:
        events = None if self.events is None else ("on" if self.events else "off")
        return _optional([("Username", self.username), ("Secret", self.secret), ("Events", events)])


@dataclass(frozen=True, slots=True)
class Logoff:
    """Asterisk answers ``Response: Goodbye`` and closes the socket."""

    name: ClassVar[str] = "Logoff"

    def headers(self) -> Headers:
        return []


@dataclass(frozen=True, slots=True)
class Ping:
    """Answered with ``Ping: Pong`` and a ``Timestamp:``."""

    name: ClassVar[str] = "Ping"

    def headers(self) -> Headers:
        return []


@dataclass(frozen=True, slots=True)
class Originate:
    """Place a call on ``channel`` (a dial string such as ``Local/s@ctx``).

    Connect it either to ``context``/``exten``/``priority`` or to ``application``/``data``.
    With ``is_async`` (the default here; Asterisk's own default is synchronous)
    Asterisk answers at once and reports the outcome later in an ``OriginateResponse``
    event that carries this action's ActionID.

    ``channel_id`` becomes the Uniqueid of the channel placed (``;1`` of a Local pair),
    ``other_channel_id`` that of a Local pair's ``;2`` (Asterisk's default: the first
    with ``;2`` appended), so every later event of the call names it, and a failed
    call's OriginateResponse too. Longer than 149 characters raises ValueError; an id
    still in use makes the call fail (Reason 0).
    """

    name: ClassVar[str] = "Originate"
    channel: str
    context: str | None = None
    exten: str | None = None
    priority: int | None = None
    application: str | None = None
    data: str | None = None
    caller_id: str | None = None
    timeout_ms: int | None = None
    variables: Mapping[str, str] = field(default_factory=dict)
    is_async: bool = True
    channel_id: str | None = None
    other_channel_id: str | None = None

    def __post_init__(self) -> None:
        ids = (("channel_id", self.channel_id), ("other_channel_id", self.other_channel_id))
        for name, value in ids:
            if value is not None and len(value) > MAX_CHANNEL_ID:
                raise ValueError(
                    f"Originate {name} is {len(value)} characters; "
                    f"Asterisk takes at most {MAX_CHANNEL_ID}"
                )

    def headers(self) -> Headers:
        out = _optional(
            [
                ("Channel", self.channel),
                ("Context", self.context),
                ("Exten", self.exten),
                ("Priority", self.priority),
                ("Application", self.application),
                ("Data", self.data),
                ("CallerID", self.caller_id),
                ("Timeout", self.timeout_ms),
            ]
        )
        out += [("Variable", f"{key}={value}") for key, value in self.variables.items()]
        out.append(("Async", _flag(self.is_async)))
        out += _optional(
            [("ChannelId", self.channel_id), ("OtherChannelId", self.other_channel_id)]
        )
        return out


@dataclass(frozen=True, slots=True)
class Setvar:
    """Set a channel variable, or a global one when ``channel`` is None."""

    name: ClassVar[str] = "Setvar"
    variable: str
    value: str
    channel: str | None = None

    def headers(self) -> Headers:
        return _optional(
            [("Channel", self.channel), ("Variable", self.variable), ("Value", self.value)]
        )


@dataclass(frozen=True, slots=True)
class Getvar:
    """Read a variable; an unset one answers Success with an empty ``Value:``."""

    name: ClassVar[str] = "Getvar"
    variable: str
    channel: str | None = None

    def headers(self) -> Headers:
        return _optional([("Channel", self.channel), ("Variable", self.variable)])


@dataclass(frozen=True, slots=True)
class Hangup:
    name: ClassVar[str] = "Hangup"
    channel: str
    cause: int | None = None

    def headers(self) -> Headers:
        return _optional([("Channel", self.channel), ("Cause", self.cause)])


@dataclass(frozen=True, slots=True)
class Command:
    """A CLI command; the output comes back as repeated ``Output:`` headers."""

    name: ClassVar[str] = "Command"
    command: str

    def headers(self) -> Headers:
        return [("Command", self.command)]


@dataclass(frozen=True, slots=True)
class QueueStatus:
    """A list action: QueueParams, QueueMember and QueueEntry items, then
    ``QueueStatusComplete``. An unknown queue still answers Success with ``ListItems: 0``."""

    name: ClassVar[str] = "QueueStatus"
    queue: str | None = None
    member: str | None = None

    def headers(self) -> Headers:
        return _optional([("Queue", self.queue), ("Member", self.member)])


@dataclass(frozen=True, slots=True)
class QueueSummary:
    """A list action: one QueueSummary item per queue, then ``QueueSummaryComplete``."""

    name: ClassVar[str] = "QueueSummary"
    queue: str | None = None

    def headers(self) -> Headers:
        return _optional([("Queue", self.queue)])


@dataclass(frozen=True, slots=True)
class QueueAdd:
    """Add a dynamic member; a duplicate fails with ``Unable to add interface: Already there``."""

    name: ClassVar[str] = "QueueAdd"
    queue: str
    interface: str
    member_name: str | None = None
    penalty: int | None = None
    paused: bool | None = None
    state_interface: str | None = None

    def headers(self) -> Headers:
        return _optional(
            [
                ("Queue", self.queue),
                ("Interface", self.interface),
                ("MemberName", self.member_name),
                ("Penalty", self.penalty),
                ("Paused", self.paused),
                ("StateInterface", self.state_interface),
            ]
        )


@dataclass(frozen=True, slots=True)
class QueueRemove:
    """Remove a dynamic member; a static one fails with ``Member not dynamic``."""

    name: ClassVar[str] = "QueueRemove"
    queue: str
    interface: str

    def headers(self) -> Headers:
        return [("Queue", self.queue), ("Interface", self.interface)]


@dataclass(frozen=True, slots=True)
class QueuePause:
    """Pause or unpause a member; without ``queue`` it applies in every queue."""

    name: ClassVar[str] = "QueuePause"
    interface: str
    paused: bool
    queue: str | None = None
    reason: str | None = None

    def headers(self) -> Headers:
        return _optional(
            [
                ("Queue", self.queue),
                ("Interface", self.interface),
                ("Paused", self.paused),
                ("Reason", self.reason),
            ]
        )


@dataclass(frozen=True, slots=True)
class QueuePenalty:
    name: ClassVar[str] = "QueuePenalty"
    interface: str
    penalty: int
    queue: str | None = None

    def headers(self) -> Headers:
        return _optional(
            [("Interface", self.interface), ("Penalty", self.penalty), ("Queue", self.queue)]
        )


@dataclass(frozen=True, slots=True)
class MixMonitor:
    """Start recording a channel; Asterisk answers a bare ``Response: Success``."""

    name: ClassVar[str] = "MixMonitor"
    channel: str
    file: str
    options: str | None = None

    def headers(self) -> Headers:
        return _optional(
            [("Channel", self.channel), ("File", self.file), ("Options", self.options)]
        )


@dataclass(frozen=True, slots=True)
class StopMixMonitor:
    """Stopping twice fails with ``Could not stop monitoring channel``."""

    name: ClassVar[str] = "StopMixMonitor"
    channel: str
    mixmonitor_id: str | None = None

    def headers(self) -> Headers:
        return _optional([("Channel", self.channel), ("MixMonitorID", self.mixmonitor_id)])
