"""The state of an emulated Asterisk channel: variables, answered or dead, virtual time,
what the caller heard, and the MixMonitors recording it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from telephony.emulator.caller import ScriptedCaller
from telephony.emulator.recording import RATE, SAMPLE_BYTES, MixMonitors
from telephony.emulator.sounds import SoundLibrary

AmiEventSink = Callable[[str, Mapping[str, str]], None]
"""Where channel events go: ``(event name, headers in wire order)``."""
CONTEXT = "ivr"
PRIORITY = 2
"""Where the channel is in the dialplan while the engine runs it (``AGI()``)."""
UNKNOWN = "<unknown>"


@dataclass(frozen=True)
class Heard:
    """Something that happened on the call, at virtual second ``at``."""

    at: float
    kind: str
    detail: str


@dataclass
class QueueBehaviour:
    """How the emulated operator queue answers ``Queue()``: after how long, for how long.

    Used where a channel has no :class:`QueueApp`; with one (an AMI emulator's queue
    calls), the queue's members and their behaviours decide."""

    answer_after: float | None = 8.0
    talk_seconds: float = 45.0
    operator_audio: Path | None = None
    """What the operator says (an 8 kHz 16-bit mono WAV, repeated over the talk);
    None: a tone, so that the operator's leg is audible in a recording."""


class QueueApp(Protocol):
    """app_queue for channels that share one (the AMI emulator's queue calls)."""

    async def execute(self, channel: ChannelState, data: str) -> int:
        """``Queue(data)`` on ``channel``: its return code, once the caller left."""

    def caller_hangs_up(self, channel: ChannelState) -> bool:
        """The caller hangs up now; False when the channel is in no queue."""

    async def dial(self, channel: ChannelState, data: str) -> int:
        """``Dial(data)`` on ``channel`` to a queue member's interface: its return code."""


class UsageError(Exception):
    """The arguments do not fit the command: Asterisk answers 520."""


class ChannelState:
    def __init__(
        self,
        caller: ScriptedCaller,
        sounds: SoundLibrary,
        queue: QueueBehaviour,
        *,
        ami_events: AmiEventSink | None = None,
    ) -> None:
        self.caller = caller
        self.ami_events = ami_events
        self.mixmonitors = MixMonitors()
        self.sounds = sounds
        self.queue = queue
        self.now = 0.0
        self.answered = False
        self.dead = False
        self.caller_hung_up = False
        self.variables: dict[str, str] = {}
        self.database: dict[tuple[str, str], str] = {}
        self.heard: list[Heard] = []

    def note(self, kind: str, detail: str = "") -> None:
        self.heard.append(Heard(round(self.now, 3), kind, detail))

    def die(self, by_caller: bool = True) -> None:
        self.dead = True
        self.caller_hung_up = by_caller
        self.variables["HANGUPCAUSE"] = "16" if by_caller else "0"
        if by_caller:
            self.note("hung up")
        self.close_recordings()

    def close_recordings(self) -> None:
        """The channel ends now: its MixMonitor files are finished (no MixMonitorStop).
        Hanging up does it; call it when a channel still up after its AGI ends."""
        self.mixmonitors.close_all(self.now)

    def hear(self, frames: bytes, after: float = 0.0) -> None:
        """Audio on the call from ``after`` seconds past now, for the MixMonitors."""
        self.mixmonitors.hear(self.now + after, frames)

    def hear_sounds(self, names: Sequence[str], seconds: float) -> None:
        """The sounds ``names`` played one after another from now, cut at ``seconds``."""
        if not self.mixmonitors.listening:
            return
        offset = 0.0
        for name in names:
            duration = self.sounds.duration(name)
            if duration is None:
                continue
            frames = self.sounds.frames(name)
            playing = min(duration, seconds - offset)
            if playing <= 0:
                return
            if frames is not None:
                self.hear(frames[: round(playing * RATE) * SAMPLE_BYTES], offset)
            offset += duration

    def channel_event(self, name: str) -> None:
        """Send the AMI event ``name`` with the channel's headers, as Asterisk 22 does."""
        if self.ami_events is not None:
            self.ami_events(name, {"Privilege": "call,all", **dict(self.snapshot())})

    def snapshot(self) -> list[tuple[str, str]]:
        """The channel block Asterisk 22 puts in the events about this channel."""
        number = self.variables.get("CALLERID(num)") or UNKNOWN
        caller_name = self.variables.get("CALLERID(name)") or UNKNOWN
        uniqueid = self.variables.get("UNIQUEID", "")
        return [
            ("Channel", self.variables.get("CHANNEL", "")),
            ("ChannelState", "6" if self.answered else "4"),
            ("ChannelStateDesc", "Up" if self.answered else "Ring"),
            ("CallerIDNum", number),
            ("CallerIDName", caller_name),
            ("ConnectedLineNum", number),
            ("ConnectedLineName", caller_name),
            ("Language", self.variables.get("CHANNEL(language)", "en")),
            ("AccountCode", ""),
            ("Context", CONTEXT),
            ("Exten", self.variables.get("EXTEN", "")),
            ("Priority", str(PRIORITY)),
            ("Uniqueid", uniqueid),
            ("Linkedid", uniqueid),
        ]

    def lookup(self, name: str) -> str | None:
        """A channel variable or function, as Asterisk would evaluate it."""
        if name == "CALLERID(all)":
            caller_name = self.variables.get("CALLERID(name)", "")
            return f'"{caller_name}" <{self.variables.get("CALLERID(num)", "")}>'
        if name == "CHANNEL(state)":
            return "Up" if self.answered else "Ring"
        return self.variables.get(name)
