"""Typed queue member events and the items of the QueueStatus/QueueSummary lists.

All times are in seconds; ``LastCall``/``LastPause`` are epoch seconds (0 = never).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import ClassVar, Self

from telephony.ami.event_base import AmiEvent, flag, known, number, text
from telephony.ami.message import AmiMessage


class MemberStatus(IntEnum):
    """``Status:`` of a queue member: Asterisk's device state. A ringing Local member
    shows IN_USE (2), not RINGING (6)."""

    UNKNOWN = 0
    NOT_IN_USE = 1
    IN_USE = 2
    BUSY = 3
    INVALID = 4
    UNAVAILABLE = 5
    RINGING = 6
    RING_IN_USE = 7
    ON_HOLD = 8


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueMemberEvent(AmiEvent):
    """A member's full state; the base of QueueMemberStatus/Added/Removed/Pause/Penalty.
    ``QueueMemberStatus`` is sent once per queue that has the interface."""

    queue: str
    interface: str
    member_name: str
    state_interface: str
    membership: str
    """``static`` (queues.conf) or ``dynamic`` (QueueAdd)."""
    penalty: int
    calls_taken: int
    last_call: int
    """Epoch seconds of the last call, 0 for never; an attended transfer resets it to 0
    (asterisk/asterisk#607)."""
    last_pause: int
    """Epoch seconds of the last pause change, 0 for never."""
    login_time: int
    """Epoch seconds the member joined the queue."""
    in_call: bool
    """Bridged to a queue caller: talking. A member being rung is not in call."""
    status: int
    """See :class:`MemberStatus`."""
    paused: bool
    paused_reason: str
    wrapup_time: int
    """The member's own wrap-up seconds; 0 means the queue's ``wrapuptime`` applies."""

    @classmethod
    def from_message(cls, message: AmiMessage) -> Self:
        return cls(
            message=message,
            queue=text(message, "Queue"),
            interface=text(message, "Interface") or text(message, "Location"),
            member_name=text(message, "MemberName") or text(message, "Name"),
            state_interface=text(message, "StateInterface"),
            membership=text(message, "Membership"),
            penalty=number(message, "Penalty"),
            calls_taken=number(message, "CallsTaken"),
            last_call=number(message, "LastCall"),
            last_pause=number(message, "LastPause"),
            login_time=number(message, "LoginTime"),
            in_call=flag(message, "InCall"),
            status=number(message, "Status"),
            paused=flag(message, "Paused"),
            paused_reason=text(message, "PausedReason"),
            wrapup_time=number(message, "Wrapuptime"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueMemberStatus(QueueMemberEvent):
    event_name: ClassVar[str] = "QueueMemberStatus"


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueMemberAdded(QueueMemberEvent):
    event_name: ClassVar[str] = "QueueMemberAdded"


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueMemberRemoved(QueueMemberEvent):
    event_name: ClassVar[str] = "QueueMemberRemoved"


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueMemberPause(QueueMemberEvent):
    event_name: ClassVar[str] = "QueueMemberPause"


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueMemberPenalty(QueueMemberEvent):
    event_name: ClassVar[str] = "QueueMemberPenalty"


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueMember(QueueMemberEvent):
    """A QueueStatus list item. It names the member ``Name``/``Location`` where the
    other member events say ``MemberName``/``Interface``; both land in the same fields."""

    event_name: ClassVar[str] = "QueueMember"


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueParams(AmiEvent):
    """A QueueStatus list item: the queue itself. Times are in seconds."""

    event_name: ClassVar[str] = "QueueParams"
    queue: str
    strategy: str
    calls: int
    hold_time: int
    talk_time: int
    completed: int
    abandoned: int

    @classmethod
    def from_message(cls, message: AmiMessage) -> Self:
        return cls(
            message=message,
            queue=text(message, "Queue"),
            strategy=text(message, "Strategy"),
            calls=number(message, "Calls"),
            hold_time=number(message, "Holdtime"),
            talk_time=number(message, "TalkTime"),
            completed=number(message, "Completed"),
            abandoned=number(message, "Abandoned"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueEntry(AmiEvent):
    """A QueueStatus list item: a caller waiting. ``wait`` is in seconds."""

    event_name: ClassVar[str] = "QueueEntry"
    queue: str
    position: int
    channel: str
    uniqueid: str
    caller_id_num: str | None
    wait: int

    @classmethod
    def from_message(cls, message: AmiMessage) -> Self:
        return cls(
            message=message,
            queue=text(message, "Queue"),
            position=number(message, "Position"),
            channel=text(message, "Channel"),
            uniqueid=text(message, "Uniqueid"),
            caller_id_num=known(message, "CallerIDNum"),
            wait=number(message, "Wait"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueSummary(AmiEvent):
    """A QueueSummary list item. ``logged_in`` counts members not unavailable,
    ``available`` those free and not paused. Times are in seconds."""

    event_name: ClassVar[str] = "QueueSummary"
    queue: str
    logged_in: int
    available: int
    callers: int
    hold_time: int
    talk_time: int
    longest_hold_time: int

    @classmethod
    def from_message(cls, message: AmiMessage) -> Self:
        return cls(
            message=message,
            queue=text(message, "Queue"),
            logged_in=number(message, "LoggedIn"),
            available=number(message, "Available"),
            callers=number(message, "Callers"),
            hold_time=number(message, "HoldTime"),
            talk_time=number(message, "TalkTime"),
            longest_hold_time=number(message, "LongestHoldTime"),
        )


MEMBER_EVENTS: tuple[type[AmiEvent], ...] = (
    QueueMemberStatus,
    QueueMemberAdded,
    QueueMemberRemoved,
    QueueMemberPause,
    QueueMemberPenalty,
    QueueMember,
    QueueParams,
    QueueEntry,
    QueueSummary,
)
