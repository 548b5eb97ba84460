"""A channel of the AMI emulator and the Originate that places it.

Every channel event of Asterisk 22 carries the same block of channel fields
(:meth:`Channel.snapshot`); ``Hangup`` adds the Q.850 cause and its text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

Headers = list[tuple[str, str]]
UNKNOWN = "<unknown>"
STATE_NAMES = {0: "Down", 4: "Ring", 5: "Ringing", 6: "Up", 7: "Busy"}
DOWN, RING, RINGING, UP, BUSY = 0, 4, 5, 6, 7
CAUSE_TEXTS = {
    0: "Unknown",
    16: "Normal Clearing",
    17: "User busy",
    19: "User alerting, no answer",
    34: "Circuit/channel congestion",
}
_CALLER_ID = re.compile(r'^\s*"?(?P<name>[^"<]*?)"?\s*<(?P<num>[^>]*)>\s*$')


@dataclass
class Channel:
    name: str
    uniqueid: str
    linkedid: str
    context: str
    exten: str
    priority: int = 1
    state: int = DOWN
    caller_num: str = UNKNOWN
    caller_name: str = UNKNOWN
    variables: dict[str, str] = field(default_factory=dict)
    recording: bool = False

    def snapshot(self, prefix: str = "") -> Headers:
        """The channel block Asterisk puts in every channel event, in its order."""
        connected = self.caller_num != UNKNOWN
        return [
            (f"{prefix}Channel", self.name),
            (f"{prefix}ChannelState", str(self.state)),
            (f"{prefix}ChannelStateDesc", STATE_NAMES.get(self.state, "Unknown")),
            (f"{prefix}CallerIDNum", self.caller_num),
            (f"{prefix}CallerIDName", self.caller_name),
            (f"{prefix}ConnectedLineNum", self.caller_num if connected else UNKNOWN),
            (f"{prefix}ConnectedLineName", self.caller_name if connected else UNKNOWN),
            (f"{prefix}Language", "en"),
            (f"{prefix}AccountCode", ""),
            (f"{prefix}Context", self.context),
            (f"{prefix}Exten", self.exten),
            (f"{prefix}Priority", str(self.priority)),
            (f"{prefix}Uniqueid", self.uniqueid),
            (f"{prefix}Linkedid", self.linkedid),
        ]

    def move_to(self, context: str, exten: str, priority: int) -> None:
        """Where the channel is in the dialplan now (the events show it)."""
        self.context, self.exten, self.priority = context, exten, priority


@dataclass(frozen=True)
class OriginateRequest:
    dial_string: str
    context: str | None
    exten: str | None
    application: str | None
    data: str | None
    caller_id: str | None
    variables: dict[str, str]
    channel_id: str | None = None
    """ChannelId: the Uniqueid of the channel placed (``;1`` of a Local pair)."""
    other_channel_id: str | None = None
    """OtherChannelId: that of a Local pair's ``;2`` (default: ChannelId + ``;2``)."""

    @property
    def technology(self) -> str:
        return self.dial_string.partition("/")[0]


def parse_caller_id(caller_id: str | None) -> tuple[str, str]:
    """``"IVR Out" <100>`` -> (``IVR Out``, ``100``); unknown parts stay ``<unknown>``."""
    if not caller_id:
        return UNKNOWN, UNKNOWN
    match = _CALLER_ID.match(caller_id)
    if match:
        return match["name"] or UNKNOWN, match["num"] or UNKNOWN
    return UNKNOWN, caller_id.strip()
