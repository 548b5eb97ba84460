"""The emulator's log of the autoinformer calls it was asked to place.

One entry per Originate to the campaign context: the number, the channel, how its
callee behaved, when the call was answered and ended, and the keys the engine heard.
Times are epoch seconds; an answered call ends ``seconds`` after its answer, counted
on the call's virtual clock (the emulated call itself takes milliseconds).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from telephony.emulator.agi_channel_state import Heard


@dataclass
class OutboundCall:
    number: str
    dial_string: str
    channel_id: str
    behaviour: str
    attempt: str | None
    """CALLGRID_ATTEMPT of the Originate, if it had one."""
    placed_at: float
    answered_at: float | None = None
    ended_at: float | None = None
    seconds: float = 0.0
    """How long the answered call lasted."""
    keys: str = ""
    """The keys the engine heard, in order."""
    amd_status: str | None = None
    amd_cause: str | None = None
    hangup_cause: int | None = None
    """Cause of the channel's Hangup event."""
    ended_by: str | None = None
    """``engine`` (its AGI HANGUP), ``callee`` (hung up), ``dialplan`` (Hangup() after
    the engines), ``network`` (never answered) or ``action`` (AMI Hangup)."""
    engine: tuple[str, int] | None = None
    """The FastAGI server that took the call; None when none did."""
    heard: list[Heard] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    @property
    def ended(self) -> bool:
        return self.ended_at is not None

    def describe(self) -> str:
        """One line for a person: ``79130000001 listen: answered 10:00:01, ended …``."""
        if self.answered_at is None:
            return f"{self.number} {self.behaviour}: not answered (cause {self.hangup_cause})"
        end = _clock(self.ended_at) if self.ended_at is not None else "still up"
        keys = f", keys {self.keys}" if self.keys else ""
        amd = f", AMD {self.amd_status} {self.amd_cause}" if self.amd_status else ""
        return (
            f"{self.number} {self.behaviour}: answered {_clock(self.answered_at)}, "
            f"ended {end} by {self.ended_by}{keys}{amd}"
        )


class OutboundLog:
    def __init__(self) -> None:
        self.calls: list[OutboundCall] = []

    def add(self, call: OutboundCall) -> None:
        self.calls.append(call)

    def placed_to(self, number: str) -> int:
        """How many calls to ``number`` were placed so far."""
        return sum(1 for call in self.calls if call.number == number)

    def of_number(self, number: str) -> list[OutboundCall]:
        return [call for call in self.calls if call.number == number]

    def of_channel(self, channel_id: str) -> OutboundCall | None:
        """The latest call placed with this Uniqueid."""
        return next((call for call in reversed(self.calls) if call.channel_id == channel_id), None)

    def behaviours(self) -> Counter[str]:
        return Counter(call.behaviour for call in self.calls)


def _clock(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).astimezone().strftime("%H:%M:%S")
