"""The shipped dialplan's [callgrid-campaign] for emulated autoinformer calls.

An Originate to ``Context=callgrid-campaign`` reaches a callee drawn from the shares
(:mod:`.campaign_callees`). A callee who never answers ends the call at dial time; an
answered call runs the context: ``AMD()`` sets AMDSTATUS/AMDCAUSE, then
``Gosub(callgrid-engines,s,1(campaign?attempt=${CALLGRID_ATTEMPT}))`` offers it to
each engine's FastAGI in turn — the channel's Uniqueid (Originate's ChannelId) as
``agi_uniqueid``, its variables readable — and the callee plays its part as a scripted
caller. The channel's Hangup events follow how the call ended, as Asterisk 22 reports
them: the engine's AGI ``HANGUP`` sets no cause (HANGUPCAUSE stays 0,
agi-hangup-by-engine.txt, so Hangup says ``0 Unknown`` as in
ami-originate-application.txt); a callee's hang-up and the context's own ``Hangup()``
(no engine took the call, or it gave the call back) say 16, Normal Clearing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence

from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.agi_channel_state import AmiEventSink, Heard, QueueBehaviour
from telephony.emulator.ami_calls import (
    FAILURES,
    AfterOutcome,
    CallSimulator,
    Channel,
    OriginateRequest,
    Outcome,
)
from telephony.emulator.ami_channel import UNKNOWN
from telephony.emulator.caller import ScriptedCaller
from telephony.emulator.campaign_callees import Behaviour, Callee, CalleeShares, dialled_number
from telephony.emulator.outbound_log import OutboundCall, OutboundLog
from telephony.emulator.queue_handoff import queue_handoffs
from telephony.emulator.sounds import SoundLibrary

log = logging.getLogger(__name__)
CAMPAIGN_CONTEXT = "callgrid-campaign"
ENGINES_CONTEXT = "callgrid-engines"
ATTEMPT_VARIABLE = "CALLGRID_ATTEMPT"
SCRIPT = "campaign"
AMD_PRIORITY, GOSUB_PRIORITY, HANGUP_PRIORITY = 2, 3, 9
"""[callgrid-campaign] s: NoOp, AMD(), Gosub(callgrid-engines…), then the queue step
(GotoIf, Queue(), Set, Set, Gosub: :func:`queue_handoffs`), Hangup()."""
AGI_PRIORITY = 7
"""[callgrid-engines] s: Set(engine), GotoIf, AGI(parked by), GotoIf, Set(address),
GotoIf, AGI(): a campaign call is parked by no engine, so the loop's AGI() takes it."""
SOFTHANGUP_EXPLICIT = "16"
"""The ``Cause`` of SoftHangupRequest is the soft-hangup flag, AST_SOFTHANGUP_EXPLICIT."""
ENGINE_HANGUP_CAUSE = 0
NORMAL_CLEARING = 16
FAILED_AS: dict[Outcome, Behaviour] = {
    "busy": "busy",
    "noanswer": "noanswer",
    "congestion": "congestion",
    "nonexistent": "failed",
}


class CampaignChannel(EmulatedChannel):
    """The answered channel, as an engine's FastAGI sees it from [callgrid-engines]."""

    def __init__(
        self,
        leg: Channel,
        technology: str,
        caller: ScriptedCaller,
        sounds: SoundLibrary,
        settings: ChannelSettings,
        ami_events: AmiEventSink,
    ) -> None:
        super().__init__("127.0.0.1", 0, caller, sounds, settings, ami_events=ami_events)
        self.channel, self.uniqueid, self.technology = leg.name, leg.uniqueid, technology
        self.model.variables.update(
            {**leg.variables, "CHANNEL": leg.name, "UNIQUEID": leg.uniqueid, "EXTEN": "s"}
        )
        self.model.answered = True  # an Originate runs its context once the callee answered

    def environment(self) -> list[str]:
        own = {
            "agi_channel": self.channel,
            "agi_type": self.technology,
            "agi_context": ENGINES_CONTEXT,
            "agi_extension": "s",
            "agi_priority": str(AGI_PRIORITY),
        }
        lines = []
        for line in super().environment():
            key = line.partition(": ")[0]
            lines.append(f"{key}: {own[key]}" if key in own else line)
        return lines


class CampaignDialplan:
    """Implements :class:`~telephony.emulator.ami_calls.Dialplan` for the campaign
    context; :attr:`log` keeps every call placed to it, :attr:`engines` are the FastAGI
    servers of [globals] CALLGRID_AGI_1…3, tried in order."""

    def __init__(
        self,
        calls: CallSimulator,
        shares: CalleeShares,
        engines: Sequence[tuple[str, int]] = (),
        *,
        sounds: SoundLibrary | None = None,
        queue: QueueBehaviour | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        """``sounds`` resolve what the engine plays (absolute names as they are);
        ``queue`` is how the operator queue answers a callee who pressed 0."""
        self.calls = calls
        self.shares = shares
        self.engines = list(engines)
        self.sounds = sounds or SoundLibrary()
        self.queue = queue or QueueBehaviour()
        self.wall_clock = wall_clock
        self.log = OutboundLog()
        self._live: dict[str, CampaignChannel] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def handles(self, request: OriginateRequest) -> bool:
        return (
            request.context == CAMPAIGN_CONTEXT
            and not request.application
            and CAMPAIGN_CONTEXT in self.calls.contexts
        )

    def outcome_for(self, request: OriginateRequest) -> Outcome | None:
        return self._callee(request).outcome if self.handles(request) else None

    def begin(self, request: OriginateRequest, outcome: Outcome) -> AfterOutcome | None:
        if not self.handles(request):
            return None
        callee = self._callee(request)
        if outcome == "answer" and callee.amd is None:  # scripted to answer: a person
            callee = self.shares.callee_as(callee.number, "listen")
        behaviour = callee.behaviour if outcome == "answer" else FAILED_AS[outcome]
        entry = OutboundCall(
            number=callee.number,
            dial_string=request.dial_string,
            channel_id=request.channel_id or "",
            behaviour=behaviour,
            attempt=request.variables.get(ATTEMPT_VARIABLE),
            placed_at=self.wall_clock(),
        )
        self.log.add(entry)

        def after(legs: list[Channel]) -> None:
            entry.channel_id = legs[0].uniqueid
            if outcome != "answer":
                entry.ended_at, entry.ended_by = self.wall_clock(), "network"
                entry.hangup_cause = FAILURES[outcome][2]
                return
            entry.answered_at = self.wall_clock()
            task = asyncio.create_task(self._run(request, callee, entry, legs))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        return after

    def hung_up(self, channel: Channel, cause: int) -> None:
        live, entry = self._live.get(channel.name), self.log.of_channel(channel.uniqueid)
        if live is not None and entry is not None:
            entry.ended_by, entry.hangup_cause = "action", cause
            live.caller_hangs_up()  # the engine gets its HANGUP line

    async def settle(self) -> None:
        """Wait until every answered call placed so far has ended."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _callee(self, request: OriginateRequest) -> Callee:
        number = dialled_number(request.dial_string)
        return self.shares.callee(number, self.log.placed_to(number))

    async def _run(
        self, request: OriginateRequest, callee: Callee, entry: OutboundCall, legs: list[Channel]
    ) -> None:
        first = legs[0]
        assert callee.amd is not None
        first.move_to(CAMPAIGN_CONTEXT, "s", AMD_PRIORITY)
        amd = {"AMDSTATUS": callee.amd.status, "AMDCAUSE": callee.amd.cause}
        self._set_variables(first, amd)
        entry.amd_status, entry.amd_cause = callee.amd.status, callee.amd.cause
        channel = CampaignChannel(
            first,
            request.technology,
            ScriptedCaller(list(callee.actions)),
            self.sounds,
            ChannelSettings(
                dialled="s",
                caller_id=_known(first.caller_num),
                caller_name=_known(first.caller_name),
                script=SCRIPT,
                language="en",
                queue=self.queue,
            ),
            lambda name, _headers: self.calls.broadcast_channel_event(name, first),
        )
        channel.model.now = callee.amd.seconds
        channel.model.note("amd", f"{callee.amd.status} {callee.amd.cause}")
        self._live[first.name] = channel
        try:
            first.move_to(ENGINES_CONTEXT, "s", AGI_PRIORITY)
            query = f"attempt={request.variables.get(ATTEMPT_VARIABLE, '')}"
            for host, port in self.engines:
                if await channel.offer(host, port, query):
                    entry.engine = (host, port)
                    break
            await queue_handoffs(channel, self.engines)
        except Exception:
            log.exception("emulated campaign call %s failed", first.uniqueid)
        finally:
            self._live.pop(first.name, None)
            channel.model.close_recordings()
            self._finish(entry, channel, legs)

    def _set_variables(self, channel: Channel, values: Mapping[str, str]) -> None:
        for name, value in values.items():
            channel.variables[name] = value
            extra = [("Variable", name), ("Value", value)]
            self.calls.broadcast_channel_event("VarSet", channel, extra, "dialplan,all")

    def _finish(self, entry: OutboundCall, channel: CampaignChannel, legs: list[Channel]) -> None:
        model = channel.model
        entry.seconds = round(model.now, 3)
        entry.heard = list(model.heard)
        entry.keys = _keys(model.heard)
        entry.ended_at = (entry.answered_at or self.wall_clock()) + model.now
        first, others = legs[0], legs[1:]
        if first.name not in self.calls.channels:
            return  # a Hangup action ended it, with its events
        if model.caller_hung_up:
            entry.ended_by, entry.hangup_cause = "callee", NORMAL_CLEARING
            if others:
                self._end(others[0], first, NORMAL_CLEARING)
            else:
                self.calls.broadcast_channel_event("HangupRequest", first, [("Cause", "16")])
                self.calls.drop(first, NORMAL_CLEARING)
            return
        if model.dead:
            entry.ended_by, entry.hangup_cause = "engine", ENGINE_HANGUP_CAUSE
        else:  # Gosub returned with the callee still there: Hangup()
            first.move_to(CAMPAIGN_CONTEXT, "s", HANGUP_PRIORITY)
            entry.ended_by, entry.hangup_cause = "dialplan", NORMAL_CLEARING
        self._end(first, others[0] if others else None, entry.hangup_cause)

    def _end(self, going: Channel, other: Channel | None, cause: int) -> None:
        """``going`` hangs up with ``cause``, then its Local partner, as in
        ami-originate-answer.txt."""
        soft = [("Cause", SOFTHANGUP_EXPLICIT)]
        self.calls.broadcast_channel_event("SoftHangupRequest", going, soft)
        if other is not None:
            self.calls.broadcast_channel_event("HangupRequest", other, [("Cause", str(cause))])
        self.calls.drop(going, cause)
        if other is not None:
            self.calls.broadcast_channel_event("SoftHangupRequest", other, soft)
            self.calls.drop(other, cause)


def _known(value: str) -> str:
    return "" if value == UNKNOWN else value


def _keys(heard: list[Heard]) -> str:
    """The keys the engine heard (not those pressed while it listened for none)."""
    pressed = [event.detail for event in heard if event.kind == "pressed"]
    return "".join(detail for detail in pressed if not detail.endswith("(ignored)"))
