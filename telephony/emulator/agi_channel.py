"""The Asterisk side of one FastAGI call: connects to the engine and answers its commands.

It writes the environment block and the replies as Asterisk 22.10.1 does (see
``../shared/asterisk-reference/agi``): LF line ends, DTMF as ASCII codes, endpos in
samples, ``HANGUP`` lines as the dialplan's AGISIGHUP/AGIEXITONHANGUP say, 510/511/520
replies. Time on the call is virtual (:class:`ChannelModel`), so a call takes
milliseconds.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

from telephony.emulator.agi_channel_state import CONTEXT, PRIORITY, AmiEventSink, QueueApp
from telephony.emulator.agi_commands import COMMANDS, ChannelModel, Heard, QueueBehaviour
from telephony.emulator.agi_syntax import DEAD, INVALID, split_arguments, success
from telephony.emulator.caller import ScriptedCaller
from telephony.emulator.queue_handoff import queue_handoffs
from telephony.emulator.sounds import SoundLibrary

# Longest names first, so that "GET FULL VARIABLE" is not read as "GET …".
COMMAND_NAMES = sorted(COMMANDS, key=lambda name: -name.count(" "))
# Commands Asterisk refuses with 511 once the channel is dead.
CHANNEL_COMMANDS = frozenset(
    {
        "ANSWER",
        "STREAM FILE",
        "CONTROL STREAM FILE",
        "GET DATA",
        "WAIT FOR DIGIT",
        "SAY NUMBER",
        "SAY DIGITS",
        "SAY ALPHA",
        "SAY DATETIME",
        "RECORD FILE",
        "CHANNEL STATUS",
        "HANGUP",
    }
)
HangupNotice = Literal["after_reply", "before_next_reply"]
_sequence = itertools.count(1)
# Process ids on Linux stay below 2**22 (the largest pid_max).
PROCESS_ID_SPACE = 1 << 22


def next_channel_number() -> int:
    """Like Asterisk, the emulator numbers every channel it makes from one counter."""
    return next(_sequence)


def emulated_uniqueid(epoch: float, process_id: int, sequence: int) -> str:
    """An Asterisk-shaped uniqueid, ``<epoch>.<n>``, unique across emulating processes.

    Asterisk counts ``n`` up within its one process; several emulator processes started
    in the same second would count alike, so ``n`` also encodes the process id (one
    number per pair of process id and sequence number).
    """
    return f"{int(epoch)}.{sequence * PROCESS_ID_SPACE + process_id % PROCESS_ID_SPACE}"


@dataclass
class ChannelSettings:
    """The call as the dialplan sets it up: who calls, which number, which AGI options."""

    dialled: str = "88002224902"
    caller_id: str = "79001234567"
    caller_name: str = "Ivan Petrov"
    script: str = "ivr"
    query: str = ""
    args: tuple[str, ...] = ()
    language: str = "ru"
    sighup: bool = True
    exit_on_hangup: bool = False
    hangup_notice: HangupNotice = "after_reply"
    unanswered_commands: frozenset[str] = frozenset()
    queue: QueueBehaviour = field(default_factory=QueueBehaviour)


class EmulatedChannel:
    def __init__(
        self,
        host: str,
        port: int,
        caller: ScriptedCaller,
        sounds: SoundLibrary,
        settings: ChannelSettings | None = None,
        *,
        keep_wire: bool = False,
        measure_turnaround: bool = False,
        on_virtual_time: Callable[[float], None] | None = None,
        think_time: Callable[[], float] | None = None,
        real_time: bool = False,
        wall_clock: Callable[[], float] = time.time,
        ami_events: AmiEventSink | None = None,
        queue_calls: QueueApp | None = None,
    ) -> None:
        """``wall_clock`` gives the epoch seconds the uniqueid starts with; ``ami_events``
        (``AmiEmulator.emit_event``) receives its MixMonitor events; ``queue_calls``
        (``AmiEmulator.queue_calls``) plays ``EXEC Queue`` there, not ``settings.queue``."""
        self.host = host
        self.queue_calls = queue_calls
        self.on_virtual_time = on_virtual_time
        self.think_time = think_time
        self.real_time = real_time
        self._held: list[str] | None = None
        self.port = port
        self.settings = settings or ChannelSettings()
        self.model = ChannelModel(caller, sounds, self.settings.queue, ami_events=ami_events)
        number = next_channel_number()
        self.channel = f"Local/s@caller-remote-{number:08x};1"
        self.uniqueid = emulated_uniqueid(wall_clock(), os.getpid(), number)
        self.model.variables.update(
            {
                "CHANNEL(language)": self.settings.language,
                "EXTEN": self.settings.dialled,
                "CALLERID(num)": self.settings.caller_id,
                "CALLERID(name)": self.settings.caller_name,
                "CHANNEL": self.channel,
                "UNIQUEID": self.uniqueid,
            }
        )
        self.keep_wire = keep_wire
        self.wire: list[tuple[str, str]] = []
        self.measure_turnaround = measure_turnaround
        self.turnarounds: list[float] = []
        self.commands_answered = 0
        self.sessions = 0
        """FastAGI sessions the channel opened: one per ``AGI()`` the dialplan ran."""
        self.closed_by_engine = False
        self._replied_at = 0.0
        self._hangup_line_due = False
        self._writer: asyncio.StreamWriter | None = None

    @property
    def heard(self) -> list[Heard]:
        return self.model.heard

    def environment(self) -> list[str]:
        s = self.settings
        script = s.script + (f"?{s.query}" if s.query else "")
        lines = [
            "agi_network: yes",
            f"agi_network_script: {script}",
            f"agi_request: agi://{self.host}:{self.port}/{script}",
            f"agi_channel: {self.channel}",
            f"agi_language: {s.language}",
            "agi_type: Local",
            f"agi_uniqueid: {self.uniqueid}",
            "agi_version: 22.10.1",
            f"agi_callerid: {s.caller_id or 'unknown'}",
            f"agi_calleridname: {s.caller_name or 'unknown'}",
            "agi_callingpres: 0",
            "agi_callingani2: 0",
            "agi_callington: 0",
            "agi_callingtns: 0",
            "agi_dnid: unknown",
            "agi_rdnis: unknown",
            f"agi_context: {CONTEXT}",
            f"agi_extension: {s.dialled}",
            f"agi_priority: {PRIORITY}",
            "agi_enhanced: 0.0",
            "agi_accountcode: ",
            "agi_threadid: 140145556424384",
        ]
        lines += [f"agi_arg_{index}: {value}" for index, value in enumerate(s.args, 1)]
        return [*lines, ""]

    async def run(self) -> None:
        """Connect, send the environment, answer commands until either side closes.

        ``think_time``, when given, holds each reply back for real seconds (a prompt
        playing), for load tests that need calls spread out in time. ``real_time`` holds
        each reply until the call's virtual time has passed for real, for an engine that
        keeps its own clock (its records then show the call's true durations).
        """
        reader, writer = await asyncio.open_connection(self.host, self.port)
        await self._session(reader, writer)
        await queue_handoffs(self, [(self.host, self.port)])

    async def offer(self, host: str, port: int, query: str, script: str | None = None) -> bool:
        """One more ``AGI()`` of this channel, as the dialplan makes after the last one
        returned: to ``host:port`` with ``query`` (and ``script``, the same as before
        unless given); False when the engine refused the connection (AGISTATUS=FAILURE)."""
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError:
            return False
        self.host, self.port = host, port
        self.settings = replace(self.settings, script=script or self.settings.script, query=query)
        self.closed_by_engine = False
        await self._session(reader, writer)
        return True

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writer = writer
        self.sessions += 1
        started = asyncio.get_running_loop().time() - self.model.now
        try:
            self._send(self.environment())
            while True:
                try:
                    raw = await reader.readline()
                except ConnectionResetError:  # an engine killed with unread replies: RST
                    raw = b""
                if not raw:  # Asterisk ends the AGI either way (AGISTATUS=SUCCESS)
                    self.closed_by_engine = True
                    break
                if self.measure_turnaround:
                    self.turnarounds.append(time.perf_counter() - self._replied_at)
                line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                if self.keep_wire:
                    self.wire.append((">>", line))
                if self.think_time is not None and not self.model.dead:
                    await asyncio.sleep(self.think_time())  # a dead channel answers at once
                if not self.real_time:
                    if not await self._answer(line):
                        break
                    continue
                self._held = []
                going_on = await self._answer(line)
                held, self._held = self._held, None
                await asyncio.sleep(started + self.model.now - asyncio.get_running_loop().time())
                self._send(held)
                if not going_on:
                    break
        finally:
            writer.close()
            self._writer = None

    async def _answer(self, line: str) -> bool:
        """Answer one command; False when Asterisk closes the socket itself."""
        words = split_arguments(line)
        command, args = _match(words)
        was_dead = self.model.dead
        if command is None:
            reply = [INVALID]
        elif command in self.settings.unanswered_commands:
            return True
        elif was_dead and command in CHANNEL_COMMANDS:
            reply = [DEAD]
        else:
            application = "".join(args[:1]).lower() if command == "EXEC" and not was_dead else ""
            if self.queue_calls is not None and application == "queue":
                reply = [success(await self.queue_calls.execute(self.model, "".join(args[1:2])))]
            elif self.queue_calls is not None and application == "dial":
                reply = [success(await self.queue_calls.dial(self.model, "".join(args[1:2])))]
            else:
                reply = self.model.execute(command, args)
            if self.on_virtual_time is not None:
                self.on_virtual_time(self.model.now)
        if self._hangup_line_due:
            self._send(["HANGUP"])
            self._hangup_line_due = False
        self._send(reply)
        self.commands_answered += 1
        if self.model.dead and not was_dead:
            return self._signal_hangup()
        return True

    def caller_hangs_up(self) -> None:
        """The caller hangs up: a lone HANGUP line between commands; in a queue, the EXEC ends."""
        if self.model.dead:
            return
        if self.queue_calls is not None and self.queue_calls.caller_hangs_up(self.model):
            return
        self.model.die()
        if self._writer is not None and not self._signal_hangup():
            self._writer.close()

    def _signal_hangup(self) -> bool:
        """Tell the engine the channel is gone, as AGISIGHUP and AGIEXITONHANGUP say."""
        if not self.settings.sighup:
            return True
        if self.settings.exit_on_hangup:
            self._send(["HANGUP", "HANGUP"])
            return False
        if self.settings.hangup_notice == "after_reply" and self.model.caller_hung_up:
            self._send(["HANGUP"])
        else:
            self._hangup_line_due = True
        return True

    def _send(self, lines: list[str]) -> None:
        if self._held is not None:
            self._held.extend(lines)
            return
        assert self._writer is not None
        self._writer.write("".join(line + "\n" for line in lines).encode())
        if self.keep_wire:
            self.wire.extend(("<<", line) for line in lines)
        if self.measure_turnaround:
            self._replied_at = time.perf_counter()


def _match(words: list[str]) -> tuple[str | None, list[str]]:
    """The AGI command a line names (case-insensitive), and its arguments."""
    upper = [word.upper() for word in words]
    for command in COMMAND_NAMES:
        size = command.count(" ") + 1
        if " ".join(upper[:size]) == command:
            return command, words[size:]
    return None, []
