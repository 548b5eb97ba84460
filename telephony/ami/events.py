"""Typed AMI events for calls and channels, and :func:`parse_event` for every event.

Queue and agent events live in :mod:`telephony.ami.queue_events`; anything not typed
comes back as a plain :class:`AmiEvent` (name + headers).

Event order on the wire is not causal: an ``OriginateResponse`` can arrive before the
``Newstate Up`` of the same call. Never rely on the order of two events.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import ClassVar, Self, TypedDict

from telephony.ami import queue_events
from telephony.ami.event_base import AmiEvent, ChannelEvent, channel_fields, known, number, text
from telephony.ami.member_events import (
    MemberStatus,
    QueueEntry,
    QueueMember,
    QueueMemberAdded,
    QueueMemberEvent,
    QueueMemberPause,
    QueueMemberPenalty,
    QueueMemberRemoved,
    QueueMemberStatus,
    QueueParams,
    QueueSummary,
)
from telephony.ami.message import AmiMessage
from telephony.ami.queue_events import (
    AgentCalled,
    AgentComplete,
    AgentConnect,
    AgentRingNoAnswer,
    QueueCallerAbandon,
    QueueCallerJoin,
    QueueCallerLeave,
)

__all__ = [
    "AgentCalled",
    "AgentComplete",
    "AgentConnect",
    "AgentRingNoAnswer",
    "AmiEvent",
    "ChannelEvent",
    "DialBegin",
    "DialEnd",
    "FullyBooted",
    "Hangup",
    "MemberStatus",
    "MixMonitorStart",
    "MixMonitorStop",
    "Newchannel",
    "Newstate",
    "OriginateReason",
    "OriginateResponse",
    "QueueCallerAbandon",
    "QueueCallerJoin",
    "QueueCallerLeave",
    "QueueEntry",
    "QueueMember",
    "QueueMemberAdded",
    "QueueMemberEvent",
    "QueueMemberPause",
    "QueueMemberPenalty",
    "QueueMemberRemoved",
    "QueueMemberStatus",
    "QueueParams",
    "QueueSummary",
    "parse_event",
]


class OriginateReason(IntEnum):
    """``Reason:`` of OriginateResponse (Asterisk's control frame codes) as seen on 22.10."""

    FAILURE = 0
    """No such extension, unknown technology, channel gone before answer."""
    NO_ANSWER = 3
    """Still ringing when the Originate ``Timeout`` ran out."""
    ANSWERED = 4
    BUSY = 5
    CONGESTION = 8


@dataclass(frozen=True, slots=True, kw_only=True)
class FullyBooted(AmiEvent):
    """Sent right after a successful Login (unless the Login said ``Events: off``)."""

    event_name: ClassVar[str] = "FullyBooted"
    status: str
    uptime: int
    """Seconds since Asterisk started."""

    @classmethod
    def from_message(cls, message: AmiMessage) -> Self:
        return cls(
            message=message, status=text(message, "Status"), uptime=number(message, "Uptime")
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class OriginateResponse(AmiEvent):
    """The outcome of an async Originate.

    Broadcast to EVERY AMI session with read permission, carrying the originator's
    ActionID. On failure ``channel`` is the dial string as requested (``Local/s@ami-busy``)
    and Asterisk's ``Uniqueid: <unknown>`` becomes ``uniqueid=None``. Note that this
    event has its own ``Response:`` header (Success/Failure): it is still an event.
    """

    event_name: ClassVar[str] = "OriginateResponse"
    response: str
    reason: int
    """See :class:`OriginateReason`; other values can occur, so it stays an int."""
    channel: str
    uniqueid: str | None
    context: str | None
    exten: str | None
    application: str | None
    data: str | None
    caller_id_num: str | None
    caller_id_name: str | None

    @property
    def succeeded(self) -> bool:
        return self.response == "Success"

    @classmethod
    def from_message(cls, message: AmiMessage) -> Self:
        return cls(
            message=message,
            response=text(message, "Response"),
            reason=number(message, "Reason"),
            channel=text(message, "Channel"),
            uniqueid=known(message, "Uniqueid"),
            context=known(message, "Context"),
            exten=known(message, "Exten"),
            application=known(message, "Application"),
            data=message.get("Data"),
            caller_id_num=known(message, "CallerIDNum"),
            caller_id_name=known(message, "CallerIDName"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Newchannel(ChannelEvent):
    event_name: ClassVar[str] = "Newchannel"


@dataclass(frozen=True, slots=True, kw_only=True)
class Newstate(ChannelEvent):
    event_name: ClassVar[str] = "Newstate"


@dataclass(frozen=True, slots=True, kw_only=True)
class Hangup(ChannelEvent):
    """``cause`` is the Q.850 cause: 16 Normal Clearing, 17 User busy, 19 no answer,
    34 congestion, 0 Unknown (e.g. the originating half of a failed Originate)."""

    event_name: ClassVar[str] = "Hangup"
    cause: int
    cause_txt: str

    @classmethod
    def from_message(cls, message: AmiMessage) -> Self:
        return cls(
            message=message,
            cause=number(message, "Cause"),
            cause_txt=text(message, "Cause-txt"),
            **channel_fields(message),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class MixMonitorStart(ChannelEvent):
    event_name: ClassVar[str] = "MixMonitorStart"


@dataclass(frozen=True, slots=True, kw_only=True)
class MixMonitorStop(ChannelEvent):
    event_name: ClassVar[str] = "MixMonitorStop"


@dataclass(frozen=True, slots=True, kw_only=True)
class DialBegin(AmiEvent):
    """The caller fields (``channel``/``uniqueid``) are absent when the dial comes from an
    Originate: then only the ``Dest*`` side exists and they are None."""

    event_name: ClassVar[str] = "DialBegin"
    channel: str | None
    uniqueid: str | None
    dest_channel: str
    dest_uniqueid: str
    dial_string: str | None

    @classmethod
    def from_message(cls, message: AmiMessage) -> Self:
        return cls(message=message, **_dial_fields(message))


class _DialFields(TypedDict):
    channel: str | None
    uniqueid: str | None
    dest_channel: str
    dest_uniqueid: str
    dial_string: str | None


def _dial_fields(message: AmiMessage) -> _DialFields:
    return {
        "channel": message.get("Channel"),
        "uniqueid": message.get("Uniqueid"),
        "dest_channel": text(message, "DestChannel"),
        "dest_uniqueid": text(message, "DestUniqueid"),
        "dial_string": message.get("DialString"),
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class DialEnd(AmiEvent):
    """``dial_status``: ANSWER, BUSY, CONGESTION, NOANSWER, CANCEL… A queue member that
    does not answer gives ``NOANSWER`` and then a second ``CANCEL`` for the same channel.
    A dial to a missing Local extension (CHANUNAVAIL) gives no DialBegin/DialEnd at all."""

    event_name: ClassVar[str] = "DialEnd"
    channel: str | None
    uniqueid: str | None
    dest_channel: str
    dest_uniqueid: str
    dial_string: str | None
    dial_status: str

    @classmethod
    def from_message(cls, message: AmiMessage) -> Self:
        return cls(
            message=message, dial_status=text(message, "DialStatus"), **_dial_fields(message)
        )


_TYPED_EVENTS: tuple[type[AmiEvent], ...] = (
    FullyBooted,
    OriginateResponse,
    Newchannel,
    Newstate,
    Hangup,
    DialBegin,
    DialEnd,
    MixMonitorStart,
    MixMonitorStop,
    *queue_events.QUEUE_EVENTS,
)
_BY_NAME: dict[str, type[AmiEvent]] = {cls.event_name.lower(): cls for cls in _TYPED_EVENTS}


def parse_event(message: AmiMessage) -> AmiEvent:
    """The typed event for a known name, else a plain :class:`AmiEvent`."""
    if message.kind != "event":
        raise ValueError(f"not an event: {message!r}")
    event_class = _BY_NAME.get(message.name.lower(), AmiEvent)
    return event_class.from_message(message)
