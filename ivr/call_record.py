"""What is kept of each call (IVR-8), and the storage port the call flow writes it through."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class Outcome(StrEnum):
    SELF_SERVICE = "self_service"
    OPERATOR = "operator"
    ABANDONED_IN_MENU = "abandoned_in_menu"
    ABANDONED_IN_QUEUE = "abandoned_in_queue"
    ABANDONED_IN_IDENTIFICATION = "abandoned_in_identification"
    """The caller hung up while giving their account number (or confirming it)."""
    ABANDONED_IN_READINGS = "abandoned_in_readings"
    """The caller hung up while keying or saying readings, before they were stored."""
    NO_INPUT = "no_input"
    ANSWERING_MACHINE = "answering_machine"
    """Out of hours, the caller left a message."""
    NO_MESSAGE_LEFT = "no_message_left"
    """Out of hours, the caller reached the answering machine but left no message."""
    CALLBACK_REQUESTED = "callback_requested"
    """No operator answered in time and the caller left a number to be called back."""
    ENGINE_ERROR = "engine_error"
    INTERRUPTED = "interrupted"
    """The engine stopped while the call was in progress (shut down, or killed)."""
    HANDED_BACK = "handed_back"
    """The engine stopped and gave the live call back to the dialplan, which took the
    caller on to another engine or the operators (ended_by ``engine``)."""


@dataclass(frozen=True)
class CallStart:
    uniqueid: str
    channel: str
    line: str
    dialled_number: str
    caller_id: str
    started_at: datetime


@dataclass
class CallEnd:
    answered_at: datetime | None
    ended_at: datetime
    path: list[str] = field(default_factory=list)
    inputs: str = ""
    topic: str | None = None
    outcome: Outcome = Outcome.ABANDONED_IN_MENU
    ended_by: str = "caller"
    operator: str | None = None
    left_in_queue: bool = False
    """The engine stopped while the caller waited in ``Queue()``: Asterisk keeps them
    there, so the record stays open until Asterisk reports how the wait ended."""


class CallLog(Protocol):
    async def call_started(self, start: CallStart) -> str: ...

    async def call_ended(self, call_id: str, end: CallEnd) -> None: ...

    async def queue_ended(self, call_id: str, end: CallEnd) -> None:
        """The end of a call whose record was left ``in_queue`` by an engine that no
        longer holds it: only the end is written, the path and the rest are kept."""
        ...
