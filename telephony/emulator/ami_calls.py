"""Channels and Originate outcomes of the AMI emulator, shaped like ami-originate-*.txt.

A ``Local/exten@context`` dial string gives a channel pair ``…-0000001a;1`` (the
originating half, later connected to the Originate target) and ``…;2`` (the callee,
running the dialplan). The outcome of each dial string is scripted, not computed; a
:class:`Dialplan` may decide it instead and run the target context once answered.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Literal, Protocol

from telephony.emulator.ami_channel import (
    BUSY,
    CAUSE_TEXTS,
    RING,
    RINGING,
    UNKNOWN,
    UP,
    Channel,
    Headers,
    OriginateRequest,
    parse_caller_id,
)

__all__ = [
    "FAILURES",
    "AfterOutcome",
    "CallSimulator",
    "Channel",
    "Dialplan",
    "OriginateRequest",
    "Outcome",
    "parse_caller_id",
]

Outcome = Literal["answer", "busy", "congestion", "noanswer", "nonexistent"]
OUTCOMES: tuple[Outcome, ...] = ("answer", "busy", "congestion", "noanswer", "nonexistent")

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
# outcome -> (OriginateResponse Reason, DialStatus, Hangup cause of the callee)
FAILURES: dict[Outcome, tuple[int, str, int]] = {
    "busy": (5, "BUSY", 17),
    "congestion": (8, "CONGESTION", 34),
    "noanswer": (3, "NOANSWER", 19),
    "nonexistent": (0, "", 0),
}
ANSWERED_REASON = 4

AfterOutcome = Callable[[list[Channel]], None]
"""Called with the call's channels once its outcome has been played as events."""


class Dialplan(Protocol):
    """The dialplan of an Originate's target context, where the emulator models one."""

    def outcome_for(self, request: OriginateRequest) -> Outcome | None:
        """The callee's answer to the call, or None to leave it to the defaults."""

    def begin(self, request: OriginateRequest, outcome: Outcome) -> AfterOutcome | None:
        """The call is placed: what follows its outcome (None: nothing to model)."""

    def hung_up(self, channel: Channel, cause: int) -> None:
        """A Hangup action ended ``channel`` with ``cause``."""


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
        self.dialplan: Dialplan | None = None

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
        decided = self.dialplan.outcome_for(request) if self.dialplan is not None else None
        return decided or "answer"

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
        after = self.dialplan.begin(request, outcome) if self.dialplan is not None else None
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
        if after is not None:
            after(legs)

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
        self.drop(callee, cause)
        if report:
            self._originate_response(request, action_id, None, reason)
        if first is not callee:
            self.drop(first, cause if outcome == "noanswer" else 0)

    def broadcast_channel_event(
        self,
        name: str,
        channel: Channel,
        extra: Sequence[tuple[str, str]] = (),
        privilege: str = "call,all",
    ) -> None:
        self._broadcast(name, privilege, [*channel.snapshot(), *extra])

    def hang_up(self, channel: Channel, cause: int = 16) -> None:
        """Hang up a live channel, as the Hangup action does."""
        self._event("SoftHangupRequest", [*channel.snapshot(), ("Cause", str(cause))])
        self.drop(channel, cause)
        if self.dialplan is not None:
            self.dialplan.hung_up(channel, cause)

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

    def drop(self, channel: Channel, cause: int) -> None:
        """The channel is gone: its ``Hangup`` event with the Q.850 cause."""
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
