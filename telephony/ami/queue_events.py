"""Typed events of callers and agents in queues (app_queue).

Member state and the QueueStatus/QueueSummary list items are in
:mod:`telephony.ami.member_events`.

Units differ between events, exactly as Asterisk 22 sends them:
``AgentRingNoAnswer.RingTime`` is in MILLISECONDS, while ``AgentConnect.RingTime`` and
every ``HoldTime``/``TalkTime`` are in SECONDS. The field names say which.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

from telephony.ami import member_events
from telephony.ami.event_base import (
    AmiEvent,
    ChannelEvent,
    ChannelFields,
    channel_fields,
    number,
    text,
)
from telephony.ami.message import AmiMessage


@dataclass(frozen=True, slots=True, kw_only=True)
class _CallerInQueue(ChannelEvent):
    queue: str
    position: int
    """1-based position of the caller in the queue."""
    count: int
    """Callers in the queue after this change."""

    @classmethod
    def from_message(cls, message: AmiMessage) -> Self:
        return cls(
            message=message,
            queue=text(message, "Queue"),
            position=number(message, "Position"),
            count=number(message, "Count"),
            **channel_fields(message),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueCallerJoin(_CallerInQueue):
    event_name: ClassVar[str] = "QueueCallerJoin"


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueCallerLeave(_CallerInQueue):
    """Sent when the caller leaves the queue for any reason; for an answered call it
    comes BEFORE AgentConnect, for an abandoned one after QueueCallerAbandon."""

    event_name: ClassVar[str] = "QueueCallerLeave"


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueCallerAbandon(ChannelEvent):
    event_name: ClassVar[str] = "QueueCallerAbandon"
    queue: str
    position: int
    original_position: int
    hold_time: int
    """Seconds the caller waited before hanging up."""

    @classmethod
    def from_message(cls, message: AmiMessage) -> Self:
        return cls(
            message=message,
            queue=text(message, "Queue"),
            position=number(message, "Position"),
            original_position=number(message, "OriginalPosition"),
            hold_time=number(message, "HoldTime"),
            **channel_fields(message),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class _AgentEvent(ChannelEvent):
    """``channel`` is the caller; ``dest_channel`` the member's channel being rung."""

    dest_channel: str
    dest_uniqueid: str
    queue: str
    interface: str
    member_name: str

    @classmethod
    def from_message(cls, message: AmiMessage) -> Self:
        return cls(message=message, **_agent_fields(message))


class _AgentFields(ChannelFields):
    dest_channel: str
    dest_uniqueid: str
    queue: str
    interface: str
    member_name: str


def _agent_fields(message: AmiMessage) -> _AgentFields:
    return {
        "dest_channel": text(message, "DestChannel"),
        "dest_uniqueid": text(message, "DestUniqueid"),
        "queue": text(message, "Queue"),
        "interface": text(message, "Interface"),
        "member_name": text(message, "MemberName"),
        **channel_fields(message),
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentCalled(_AgentEvent):
    event_name: ClassVar[str] = "AgentCalled"


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentRingNoAnswer(_AgentEvent):
    event_name: ClassVar[str] = "AgentRingNoAnswer"
    ring_time_ms: int
    """``RingTime`` in MILLISECONDS here (4000 for a 4 s member timeout)."""

    @classmethod
    def from_message(cls, message: AmiMessage) -> Self:
        return cls(
            message=message, ring_time_ms=number(message, "RingTime"), **_agent_fields(message)
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentConnect(_AgentEvent):
    event_name: ClassVar[str] = "AgentConnect"
    hold_time: int
    """Seconds the caller waited in the queue."""
    ring_time: int
    """``RingTime`` in SECONDS here (unlike AgentRingNoAnswer)."""

    @classmethod
    def from_message(cls, message: AmiMessage) -> Self:
        return cls(
            message=message,
            hold_time=number(message, "HoldTime"),
            ring_time=number(message, "RingTime"),
            **_agent_fields(message),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentComplete(_AgentEvent):
    event_name: ClassVar[str] = "AgentComplete"
    hold_time: int
    """Seconds in the queue before the member answered."""
    talk_time: int
    """Seconds of conversation."""
    reason: str
    """Who hung up: ``caller``, ``agent`` or ``transfer``."""

    @classmethod
    def from_message(cls, message: AmiMessage) -> Self:
        return cls(
            message=message,
            hold_time=number(message, "HoldTime"),
            talk_time=number(message, "TalkTime"),
            reason=text(message, "Reason"),
            **_agent_fields(message),
        )


QUEUE_EVENTS: tuple[type[AmiEvent], ...] = (
    QueueCallerJoin,
    QueueCallerLeave,
    QueueCallerAbandon,
    AgentCalled,
    AgentRingNoAnswer,
    AgentConnect,
    AgentComplete,
    *member_events.MEMBER_EVENTS,
)
