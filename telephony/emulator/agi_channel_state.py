"""The state of an emulated Asterisk channel: variables, answered or dead, virtual time,
and what the caller heard."""

from __future__ import annotations

from dataclasses import dataclass

from telephony.emulator.caller import ScriptedCaller
from telephony.emulator.sounds import SoundLibrary

RATE = 8000


@dataclass(frozen=True)
class Heard:
    """Something that happened on the call, at virtual second ``at``."""

    at: float
    kind: str
    detail: str


@dataclass
class QueueBehaviour:
    """How the emulated operator queue answers ``Queue()``: after how long, for how long."""

    answer_after: float | None = 8.0
    talk_seconds: float = 45.0


class UsageError(Exception):
    """The arguments do not fit the command: Asterisk answers 520."""


class ChannelState:
    def __init__(self, caller: ScriptedCaller, sounds: SoundLibrary, queue: QueueBehaviour) -> None:
        self.caller = caller
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

    def lookup(self, name: str) -> str | None:
        """A channel variable or function, as Asterisk would evaluate it."""
        if name == "CALLERID(all)":
            caller_name = self.variables.get("CALLERID(name)", "")
            return f'"{caller_name}" <{self.variables.get("CALLERID(num)", "")}>'
        if name == "CHANNEL(state)":
            return "Up" if self.answered else "Ring"
        return self.variables.get(name)
