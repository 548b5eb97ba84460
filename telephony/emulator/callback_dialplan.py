"""The shipped dialplan's [callgrid-callback] for emulated callbacks (CC-5).

The engine dials a callback with an Originate to the operator's device, ``Context=
callgrid-callback``, the customer's number as ``Exten`` and ``ChannelId=cb-<task>-<n>``.
Once the operator answers, the context runs on the originated channel (the Local pair's
``;1``, whose Uniqueid is the ChannelId): ``Dial(PJSIP/<number>@callgrid-trunk,30)``
gives ``DialBegin`` and then the ``DialEnd`` of the customer's leg, as
ami-dial-statuses.txt shows. ANSWER puts the two through until one of them hangs up
(:meth:`CallbackDialplan.hang_up`). BUSY and CONGESTION end the customer's leg at once
(cause 17 or 34); NOANSWER rings (``DialState`` RINGING) for ``ring_delay`` before Dial
gives up and hangs the leg up (cause 0); then ``Hangup()`` ends the call, ``;1`` first.

Originates into other contexts are left to the dialplan installed before (the
autoinformer's, :mod:`.campaign_dialplan`).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from typing import Literal

from telephony.emulator.ami_calls import AfterOutcome, CallSimulator, Dialplan, Outcome
from telephony.emulator.ami_channel import RINGING, UP, Channel, OriginateRequest

CALLBACK_CONTEXT = "callgrid-callback"
TRUNK = "callgrid-trunk"
DIAL_PRIORITY, HANGUP_PRIORITY = 3, 4
"""[callgrid-callback] _X.: NoOp, MixMonitor, Dial(PJSIP/${EXTEN}@callgrid-trunk,30),
Hangup()."""
NORMAL_CLEARING = 16
DialStatus = Literal["ANSWER", "BUSY", "CONGESTION", "NOANSWER"]
LEG_CAUSES: dict[str, int] = {"BUSY": 17, "CONGESTION": 34, "NOANSWER": 0}
"""The Hangup cause of a customer's leg that was not answered (ami-dial-statuses.txt)."""


class CallbackDialplan:
    """Implements :class:`~telephony.emulator.ami_calls.Dialplan` for [callgrid-callback];
    :attr:`placed` keeps every Originate into it. A customer answers as :attr:`customers`
    says for the number, else as :attr:`customer`."""

    def __init__(
        self,
        calls: CallSimulator,
        others: Dialplan | None = None,
        *,
        customer: DialStatus = "ANSWER",
        ring_delay: float = 0.0,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        """``ring_delay``: how long an unanswered customer rings before Dial gives up (30 s
        in the dialplan), waited with ``sleep`` (the emulator's virtual time, in tests)."""
        self.calls = calls
        self.others = others
        self.customer: DialStatus = customer
        self.customers: dict[str, DialStatus] = {}
        self.ring_delay = ring_delay
        self.sleep = sleep
        self.placed: list[OriginateRequest] = []
        self.talking: list[list[Channel]] = []
        """The calls put through, each the Local pair then the customer's leg."""
        self._sequence = itertools.count(1)
        self._epoch = int(time.time())
        self._ringing: set[asyncio.Task[None]] = set()

    @classmethod
    def install(cls, calls: CallSimulator, *, customer: DialStatus = "ANSWER") -> CallbackDialplan:
        """Add the context to ``calls``, in front of the dialplan it has."""
        dialplan = cls(calls, calls.dialplan, customer=customer)
        calls.contexts = frozenset({*calls.contexts, CALLBACK_CONTEXT})
        calls.dialplan = dialplan
        return dialplan

    def outcome_for(self, request: OriginateRequest) -> Outcome | None:
        if request.context == CALLBACK_CONTEXT or self.others is None:
            return None  # the operator's device answers as scripted for it
        return self.others.outcome_for(request)

    def begin(self, request: OriginateRequest, outcome: Outcome) -> AfterOutcome | None:
        if request.context != CALLBACK_CONTEXT or request.application:
            return None if self.others is None else self.others.begin(request, outcome)
        self.placed.append(request)
        if outcome != "answer":
            return None  # the operator did not answer: the context never runs
        return lambda legs: self._dial(legs, self.customers.get(legs[0].exten, self.customer))

    def hung_up(self, channel: Channel, cause: int) -> None:
        """A Hangup action: the call it belonged to is over (the action ends its legs)."""
        self.talking = [legs for legs in self.talking if channel not in legs]
        if self.others is not None:
            self.others.hung_up(channel, cause)

    def hang_up(self, by: Literal["operator", "customer"] = "operator") -> None:
        """Every call put through ends: the operator (or the customer) hangs up."""
        for legs in self.talking:
            pair, customer = legs[:-1], legs[-1]
            ending = [customer, *pair] if by == "customer" else [*reversed(pair), customer]
            for leg in ending:
                if leg.name in self.calls.channels:
                    self.calls.drop(leg, NORMAL_CLEARING)
        self.talking = []

    async def stop(self) -> None:
        for ringing in list(self._ringing):
            ringing.cancel()
        await asyncio.gather(*self._ringing, return_exceptions=True)

    def _dial(self, legs: list[Channel], status: DialStatus) -> None:
        first = legs[0]
        first.move_to(CALLBACK_CONTEXT, first.exten, DIAL_PRIORITY)
        customer = self._customer_leg(first)
        self.calls.broadcast_channel_event("DialBegin", first, _dest(first, customer))
        if status == "ANSWER":
            customer.state = UP
            self.calls.broadcast_channel_event("Newstate", customer)
            self._dial_end(first, customer, status)
            self.calls.channels[customer.name] = customer
            self.talking.append([*legs, customer])
        elif status == "NOANSWER":
            customer.state = RINGING
            self.calls.broadcast_channel_event("Newstate", customer)
            ringing_status = [*_dest(first, customer), ("DialStatus", "RINGING")]
            self.calls.broadcast_channel_event("DialState", first, ringing_status)
            ringing = asyncio.create_task(self._ring_out(legs, customer))
            self._ringing.add(ringing)
            ringing.add_done_callback(self._ringing.discard)
        else:  # the trunk's leg gets a busy or congestion signal and never comes up
            self._not_answered(legs, customer, status)

    async def _ring_out(self, legs: list[Channel], customer: Channel) -> None:
        await self.sleep(self.ring_delay)
        if legs[0].name in self.calls.channels:  # nobody hung up meanwhile
            self._not_answered(legs, customer, "NOANSWER")

    def _not_answered(self, legs: list[Channel], customer: Channel, status: DialStatus) -> None:
        first = legs[0]
        self._dial_end(first, customer, status)
        self.calls.drop(customer, LEG_CAUSES[status])
        first.move_to(CALLBACK_CONTEXT, first.exten, HANGUP_PRIORITY)
        self._end(legs)

    def _dial_end(self, first: Channel, customer: Channel, status: DialStatus) -> None:
        ended = [*_dest(first, customer), ("DialStatus", status)]
        self.calls.broadcast_channel_event("DialEnd", first, ended)

    def _end(self, legs: list[Channel]) -> None:
        """``Hangup()`` on ``;1``, then its Local partner (ami-dial-statuses.txt)."""
        first, others = legs[0], legs[1:]
        cause = [("Cause", str(NORMAL_CLEARING))]
        self.calls.broadcast_channel_event("SoftHangupRequest", first, cause)
        for other in others:
            self.calls.broadcast_channel_event("HangupRequest", other, cause)
        self.calls.drop(first, NORMAL_CLEARING)
        for other in others:
            self.calls.broadcast_channel_event("SoftHangupRequest", other, cause)
            self.calls.drop(other, NORMAL_CLEARING)

    def _customer_leg(self, first: Channel) -> Channel:
        n = next(self._sequence)
        number = first.exten
        return Channel(
            f"PJSIP/{TRUNK}-{n:08x}", f"{self._epoch}.{9000 + n}", first.linkedid, TRUNK,
            number, caller_num=number, caller_name=first.caller_name,
        )  # fmt: skip


def _dest(first: Channel, customer: Channel) -> list[tuple[str, str]]:
    """The customer's leg as Dial's events name it, with the DialString of
    ``Dial(PJSIP/${EXTEN}@callgrid-trunk,30)`` (all after ``PJSIP/``)."""
    return [*customer.snapshot("Dest"), ("DialString", f"{first.exten}@{TRUNK}")]
