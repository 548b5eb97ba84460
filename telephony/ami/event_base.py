"""The base of typed AMI events and the helpers that read their fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Self, TypedDict

from telephony.ami.message import AmiMessage

UNKNOWN = "<unknown>"
"""What Asterisk writes for an absent value, e.g. ``Uniqueid`` of a failed Originate."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AmiEvent:
    """Any event. Typed subclasses add fields; the raw message stays available."""

    event_name: ClassVar[str] = ""
    message: AmiMessage = field(repr=False)

    @property
    def name(self) -> str:
        return self.message.name

    @property
    def action_id(self) -> str | None:
        return self.message.action_id

    def get(self, header: str, default: str | None = None) -> str | None:
        return self.message.get(header, default)

    @classmethod
    def from_message(cls, message: AmiMessage) -> Self:
        return cls(message=message)


def text(message: AmiMessage, header: str) -> str:
    """The header's value, ``""`` when absent."""
    return message.get(header) or ""


def known(message: AmiMessage, header: str) -> str | None:
    """The header's value, None when absent or ``<unknown>``."""
    value = message.get(header)
    return None if value in (None, UNKNOWN) else value


def number(message: AmiMessage, header: str, default: int = 0) -> int:
    """The header as an integer; ``default`` when absent or not a number."""
    value = message.get(header)
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def flag(message: AmiMessage, header: str) -> bool:
    """``1``/``yes``/``true`` (any case) is True, anything else False."""
    return (message.get(header) or "").strip().lower() in ("1", "yes", "true", "on")


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelEvent(AmiEvent):
    """Fields of the channel snapshot that channel events share."""

    channel: str
    uniqueid: str
    linkedid: str
    """Shared by every channel of one call (both halves of a Local pair)."""
    state: int
    """ChannelState: 0 Down, 4 Ring, 5 Ringing, 6 Up, 7 Busy."""
    state_desc: str
    caller_id_num: str | None
    caller_id_name: str | None
    context: str
    exten: str

    @classmethod
    def from_message(cls, message: AmiMessage) -> Self:
        return cls(message=message, **channel_fields(message))


class ChannelFields(TypedDict):
    channel: str
    uniqueid: str
    linkedid: str
    state: int
    state_desc: str
    caller_id_num: str | None
    caller_id_name: str | None
    context: str
    exten: str


def channel_fields(message: AmiMessage) -> ChannelFields:
    return {
        "channel": text(message, "Channel"),
        "uniqueid": text(message, "Uniqueid"),
        "linkedid": text(message, "Linkedid"),
        "state": number(message, "ChannelState"),
        "state_desc": text(message, "ChannelStateDesc"),
        "caller_id_num": known(message, "CallerIDNum"),
        "caller_id_name": known(message, "CallerIDName"),
        "context": text(message, "Context"),
        "exten": text(message, "Exten"),
    }
