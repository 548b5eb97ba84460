"""Channels and Originate outcomes of the AMI emulator, shaped like ami-originate-*.txt.

A ``Local/exten@context`` dial string gives a channel pair ``…-0000001a;1`` (the
originating half, later connected to the Originate target) and ``…;2`` (the callee,
running the dialplan). The outcome of each dial string is scripted, not computed.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

Headers = list[tuple[str, str]]
Outcome = Literal["answer", "busy", "congestion", "noanswer", "nonexistent"]
OUTCOMES: tuple[Outcome, ...] = ("answer", "busy", "congestion", "noanswer", "nonexistent")

UNKNOWN = "<unknown>"
KNOWN_TECHNOLOGIES = frozenset({"local", "pjsip", "sip", "iax2", "dahdi"})
REFERENCE_CONTEXTS = frozenset(
    {"ivr", "caller-remote", "ami-answer", "ami-busy", "ami-congestion", "ami-ring"}
    | {"ami-target", "ami-dial", "mm-target", "queue-entry", "operators"}
)
"""Dialplan contexts of the reference Asterisk (snippets A-D of the README)."""
REFERENCE_OUTCOMES: dict[str, Outcome] = {
    "Local/s@ami-answer": "answer",
    "Local/s@ami-busy": "busy",
    "Local/s@ami-congestion": "congestion",
    "Local/s@ami-ring": "noanswer",
    "Local/nosuchexten@ami-answer": "nonexistent",
}
STATE_NAMES = {0: "Down", 4: "Ring", 5: "Ringing", 6: "Up", 7: "Busy"}
DOWN, RING, RINGING, UP, BUSY = 0, 4, 5, 6, 7
CAUSE_TEXTS = {
    0: "Unknown",
    16: "Normal Clearing",
    17: "User busy",
    19: "User alerting, no answer",
    34: "Circuit/channel congestion",
}
# outcome -> (OriginateResponse Reason, DialStatus, Hangup cause of the callee)
FAILURES: dict[Outcome, tuple[int, str, int]] = {
    "busy": (5, "BUSY", 17),
    "congestion": (8, "CONGESTION", 34),
    "noanswer": (3, "NOANSWER", 19),
    "nonexistent": (0, "", 0),
}
ANSWERED_REASON = 4
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


Broadcast = Callable[[str, str, Headers], None]
Sleep = Callable[[float], Awaitable[object]]


class CallSimulator:
    """Creates channels for Originate and plays the scripted outcome as events."""

    def __init__(
        self,
        broadcast: Broadcast,
        outcomes: dict[str, Outcome],
        contexts: frozenset[str],
        ring_delay: float,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._broadcast = broadcast
        self.outcomes = outcomes
        self.contexts = contexts
        self.ring_delay = ring_delay
        self._sleep = sleep
        self._channel_numbers = itertools.count(0x18)
        self._uniqueid_numbers = itertools.count(48)
        self._epoch = int(time.time())
        self.channels: dict[str, Channel] = {}

    def refusal(self, request: OriginateRequest) -> str | None:
        """The synchronous error Asterisk gives before queueing, if any."""
        if not request.dial_string:
            return "Channel not specified"
        if "/" not in request.dial_string:
            return "Invalid channel"
        if request.context and request.exten and request.context not in self.contexts:
            return "Extension does not exist."
        return None

    def outcome_for(self, request: OriginateRequest) -> Outcome:
        if request.technology.lower() not in KNOWN_TECHNOLOGIES:
            return "nonexistent"
        scripted = self.outcomes.get(request.dial_string)
        if scripted is not None:
            return scripted
        local = _parse_local(request.dial_string)
        if local is not None and local[1] not in self.contexts:
            return "nonexistent"
        return "answer"

    async def place(
        self, request: OriginateRequest, action_id: str | None, *, report: bool, ring: bool = True
    ) -> None:
        """Play the call's events. ``report`` adds the OriginateResponse (async Originate
        only); ``ring`` waits ``ring_delay`` before a no-answer (a sync Originate has
        already waited before its reply)."""
        if request.technology.lower() not in KNOWN_TECHNOLOGIES:
            if report:  # no channel was ever created
                self._originate_response(request, action_id, None, 0)
            return
        outcome = self.outcome_for(request)
        legs = self._new_legs(request)
        for leg in legs:
            self._event("Newchannel", leg.snapshot())
        name, number = parse_caller_id(request.caller_id)
        for leg in legs:
            leg.caller_name, leg.caller_num, leg.variables = name, number, dict(request.variables)
        dials = len(legs) > 1 and outcome != "nonexistent"  # the Local pair dials internally
        if dials:
            dial_string = request.dial_string.partition("/")[2]
            self._event("DialBegin", [*legs[0].snapshot("Dest"), ("DialString", dial_string)])
        if outcome == "answer":
            self._answer(request, action_id, legs, report=report)
        else:
            await self._fail(
                request, action_id, legs, outcome, report=report, ring=ring, dials=dials
            )

    async def _fail(
        self,
        request: OriginateRequest,
        action_id: str | None,
        legs: list[Channel],
        outcome: Outcome,
        *,
        report: bool,
        ring: bool,
        dials: bool,
    ) -> None:
        first, callee = legs[0], legs[-1]
        reason, dial_status, cause = FAILURES[outcome]
        if outcome == "noanswer":
            first.state = RINGING
            self._event("Newstate", first.snapshot())
            if dials:
                self._event("DialState", [*first.snapshot("Dest"), ("DialStatus", "RINGING")])
            if ring:
                await self._sleep(self.ring_delay)
        elif outcome in ("busy", "congestion"):
            callee.state = BUSY
            self._event("Newstate", callee.snapshot())
            if dials:
                self._event("DialEnd", [*first.snapshot("Dest"), ("DialStatus", dial_status)])
        self._hangup(callee, cause)
        if report:
            self._originate_response(request, action_id, None, reason)
        if first is not callee:
            self._hangup(first, cause if outcome == "noanswer" else 0)

    def broadcast_channel_event(
        self, name: str, channel: Channel, extra: Sequence[tuple[str, str]] = ()
    ) -> None:
        self._event(name, [*channel.snapshot(), *extra])

    def hang_up(self, channel: Channel, cause: int = 16) -> None:
        """Hang up a live channel, as the Hangup action does."""
        self._event("SoftHangupRequest", [*channel.snapshot(), ("Cause", str(cause))])
        self._hangup(channel, cause)

    def _answer(
        self, request: OriginateRequest, action_id: str | None, legs: list[Channel], *, report: bool
    ) -> None:
        first, callee = legs[0], legs[-1]
        if callee is not first:
            callee.state = UP
            self._event("Newstate", callee.snapshot())
        if report:
            self._originate_response(request, action_id, first, ANSWERED_REASON)
        first.state = UP
        self._event("Newstate", first.snapshot())
        if callee is not first:
            self._event("DialEnd", [*first.snapshot("Dest"), ("DialStatus", "ANSWER")])
        if request.context:
            first.context, first.exten = request.context, request.exten or "s"
        for leg in legs:
            self.channels[leg.name] = leg

    def _new_legs(self, request: OriginateRequest) -> list[Channel]:
        sequence = next(self._channel_numbers)
        local = _parse_local(request.dial_string)
        exten, context = local if local else ("s", "default")
        technology, _, target = request.dial_string.partition("/")
        base = f"{technology}/{target.split('/')[0]}-{sequence:08x}"
        first_id = request.channel_id or self._new_uniqueid()
        if local is None:
            return [Channel(base, first_id, first_id, context, exten)]
        second_id = request.other_channel_id or (
            f"{request.channel_id};2" if request.channel_id else self._new_uniqueid()
        )
        second = Channel(f"{base};2", second_id, first_id, context, exten, state=RING)
        return [Channel(f"{base};1", first_id, first_id, context, exten), second]

    def _new_uniqueid(self) -> str:
        return f"{self._epoch}.{next(self._uniqueid_numbers)}"

    def _originate_response(
        self, request: OriginateRequest, action_id: str | None, channel: Channel | None, reason: int
    ) -> None:
        headers: Headers = [("ActionID", action_id)] if action_id else []
        headers += [
            ("Response", "Success" if channel else "Failure"),
            ("Channel", channel.name if channel else request.dial_string),
        ]
        if request.application:
            headers += [("Application", request.application), ("Data", request.data or "")]
        else:
            headers += [("Context", request.context or ""), ("Exten", request.exten or "")]
        name, number = parse_caller_id(request.caller_id)
        headers += [
            ("Reason", str(reason)),
            ("Uniqueid", channel.uniqueid if channel else UNKNOWN),
            ("CallerIDNum", number),
            ("CallerIDName", name),
        ]
        self._event("OriginateResponse", headers)

    def _hangup(self, channel: Channel, cause: int) -> None:
        self.channels.pop(channel.name, None)
        cause_txt = CAUSE_TEXTS.get(cause, "Unknown")
        self._event(
            "Hangup", [*channel.snapshot(), ("Cause", str(cause)), ("Cause-txt", cause_txt)]
        )

    def _event(self, name: str, headers: Headers) -> None:
        self._broadcast(name, "call,all", headers)


def _parse_local(dial_string: str) -> tuple[str, str] | None:
    """``Local/exten@context[/n]`` -> (exten, context)."""
    technology, _, rest = dial_string.partition("/")
    if technology.lower() != "local" or "@" not in rest:
        return None
    exten, _, context = rest.split("/")[0].partition("@")
    return exten, context
