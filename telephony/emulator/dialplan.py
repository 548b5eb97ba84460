"""The shipped dialplan (asterisk-conf/extensions.conf, [callgrid-inbound]) for emulated
calls: the call is offered to each engine in turn, offered again after an engine gave
it back or was lost with the caller still on the line, and served by Asterisk alone —
notice, queue, message, marks in queue_log — when no engine takes it.

tests/test_asterisk_conf.py keeps this model and the file in step; the real-Asterisk
tests run the file itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from telephony.dialplan import (
    HANDBACK_VARIABLE,
    HANGUP_EVENT,
    MESSAGE_EVENT,
    NO_ENGINE_EVENT,
    Resume,
)
from telephony.emulator.agi_channel import EmulatedChannel
from telephony.emulator.queue_handoff import offer_in_turn, queue_handoffs

MAX_OFFERS = 3
"""Offers after the first before the call is served with no engine (CALLGRID_OFFERS)."""


@dataclass(frozen=True)
class NoEnginePath:
    """[callgrid-no-engine]: where Asterisk's own sounds are, the queue and its wait."""

    sounds: str = "/var/lib/asterisk/sounds/callgrid"
    messages: str = "/var/lib/callgrid/messages"
    recordings: str | None = None
    """CALLGRID_RECORDINGS, where MixMonitor records a call no engine took; None leaves
    the recording out (a test that does not look at it writes nothing)."""
    queue: str = "operators"
    wait_seconds: int = 60
    operators_logged_in: bool = True


class QueueLogFile:
    """Appends queue_log lines as Asterisk's logger writes them: ``epoch|callid|queue|
    agent|event|data``. ``epoch`` is ``wall_clock()`` plus the call's virtual seconds."""

    def __init__(self, path: Path, wall_clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.wall_clock = wall_clock

    def write(
        self, at: float, callid: str, queue: str, agent: str, event: str, data: str = ""
    ) -> None:
        epoch = int(self.wall_clock() + at)
        with self.path.open("a", encoding="utf-8") as log:
            log.write(f"{epoch}|{callid}|{queue}|{agent}|{event}|{data}\n")


@dataclass
class DialplanCall:
    """How one call went through the dialplan."""

    channel: EmulatedChannel
    offers: list[str] = field(default_factory=list)
    """The AGI request of every engine session, in order (``ivr?line=…[&resume=…]``)."""
    engines: list[int] = field(default_factory=list)
    """The port of the engine that took each session."""
    without_engine: bool = False


class EmulatedDialplan:
    def __init__(
        self,
        engines: Sequence[tuple[str, int]],
        *,
        no_engine: NoEnginePath | None = None,
        queue_log: QueueLogFile | None = None,
    ) -> None:
        self.engines = list(engines)
        self.no_engine = no_engine or NoEnginePath()
        self.queue_log = queue_log

    async def run(self, channel: EmulatedChannel) -> DialplanCall:
        """Run one inbound call to the end, as [callgrid-inbound] does."""
        call = DialplanCall(channel)
        try:
            await self._serve(call)
        finally:
            channel.model.close_recordings()  # the call ends here, the channel up or not
        return call

    async def _serve(self, call: DialplanCall) -> None:
        channel, model = call.channel, call.channel.model
        dialled = channel.settings.dialled
        request = f"line={dialled}"
        offers = 0
        while True:
            model.variables.pop(HANDBACK_VARIABLE, None)
            port = await offer_in_turn(channel, self.engines, request, "ivr")
            if port is None:
                await self._without_engine(call)
                return
            call.offers.append(f"ivr?{request}")
            call.engines.append(port)
            taken = await queue_handoffs(channel, self.engines)
            if model.dead:
                return
            if model.variables.get("MEMBERINTERFACE"):  # an operator had them: done
                if not taken:
                    model.die(by_caller=False)  # no engine-down notice either
                return
            if not taken:
                await self._without_engine(call)
                return
            offers += 1
            if offers > MAX_OFFERS:
                await self._without_engine(call)
                return
            resume = model.variables.get(HANDBACK_VARIABLE) or Resume.OPERATOR.value
            request = f"line={dialled}&resume={resume}"

    async def _without_engine(self, call: DialplanCall) -> None:
        """[callgrid-no-engine]."""
        call.without_engine = True
        model, path = call.channel.model, self.no_engine
        uniqueid = call.channel.uniqueid
        self._log(
            model.now,
            uniqueid,
            "NONE",
            "NONE",
            NO_ENGINE_EVENT,
            f"{call.channel.settings.dialled}|{call.channel.settings.caller_id}",
        )
        try:
            model.answered = True
            if path.recordings and not model.variables.get("MIXMONITOR_FILENAME"):
                model.exec(["MixMonitor", f"{path.recordings}/no-engine/{uniqueid}.wav"])
            model.exec(["Playback", f"{path.sounds}/callgrid-engine-down"])
            if model.dead:
                return
            if path.operators_logged_in:
                self._queue(call)
                if model.dead or model.variables.get("MEMBERINTERFACE"):
                    return
            model.exec(["Playback", f"{path.sounds}/callgrid-leave-message"])
            if model.dead:
                return
            message = f"{path.messages}/{uniqueid}.wav"
            model.variables["CALLGRID_MESSAGE"] = message
            model.execute("RECORD FILE", [message.removesuffix(".wav"), "wav", "#", "120000"])
        finally:
            if model.variables.get("CALLGRID_MESSAGE"):
                self._log(
                    model.now,
                    uniqueid,
                    "NONE",
                    "NONE",
                    MESSAGE_EVENT,
                    model.variables["CALLGRID_MESSAGE"],
                )
            self._log(model.now, uniqueid, "NONE", "NONE", HANGUP_EVENT, "ended")
            if not model.dead:
                model.die(by_caller=False)

    def _queue(self, call: DialplanCall) -> None:
        model, path = call.channel.model, self.no_engine
        uniqueid, entered = call.channel.uniqueid, model.now
        self._log(
            entered,
            uniqueid,
            path.queue,
            "NONE",
            "ENTERQUEUE",
            f"|{call.channel.settings.caller_id}|1",
        )
        model.exec(["Queue", f"{path.queue},,,,{path.wait_seconds}"])
        waited = int(model.now - entered)
        operator = model.variables.get("MEMBERINTERFACE")
        if operator:
            talk = model.queue.talk_seconds
            connected = model.now - talk
            self._log(
                connected,
                uniqueid,
                path.queue,
                operator,
                "CONNECT",
                f"{int(connected - entered)}|{uniqueid}-op|1",
            )
            self._log(
                model.now,
                uniqueid,
                path.queue,
                operator,
                "COMPLETEAGENT",
                f"{int(connected - entered)}|{int(talk)}|1",
            )
        elif model.variables.get("ABANDONED"):
            self._log(model.now, uniqueid, path.queue, "NONE", "ABANDON", f"1|1|{waited}")
        else:
            self._log(model.now, uniqueid, path.queue, "NONE", "EXITWITHTIMEOUT", f"1|1|{waited}")

    def _log(self, at: float, callid: str, queue: str, agent: str, event: str, data: str) -> None:
        if self.queue_log is not None:
            self.queue_log.write(at, callid, queue, agent, event, data)
