"""A call's recording as the index keeps it (REC-1, REC-2, CC-7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class RecordingState(StrEnum):
    RECORDING = "recording"
    """MixMonitor is writing the file; the call is in progress (or its end not yet seen)."""
    STORED = "stored"
    """The file is complete: size, duration and checksum are in the index."""
    EMPTY = "empty"
    """The file holds no audio (the caller hung up during the notice): not playable."""
    MISSING = "missing"
    """The call ended and no file came (Asterisk could not write it)."""
    PURGING = "purging"
    """Expired and being deleted: the file goes first, then the row."""


PLAYABLE_STATES = frozenset({RecordingState.STORED})


@dataclass(frozen=True)
class CallFacts:
    """What the call flow knows of a call when it ends, for the recording's index row."""

    ended_at: datetime
    account_number: str | None = None
    operator: str | None = None
    topic: str | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class Recording:
    id: int
    call_id: str
    """The engine's id of the call (``calls.id``)."""
    uniqueid: str
    """Asterisk's uniqueid of the caller's channel."""
    path: str
    """Where the file is, relative to the recordings directory."""
    file_format: str
    state: RecordingState
    started_at: datetime
    delete_after: datetime
    line: str
    dialled_number: str
    caller_id: str
    account_number: str | None = None
    operator: str | None = None
    topic: str | None = None
    outcome: str | None = None
    ended_at: datetime | None = None
    duration_seconds: float | None = None
    size_bytes: int | None = None
    sha256: str | None = None
    hold_reason: str | None = None
    held_by: str | None = None
    held_at: datetime | None = None
    granted_to: frozenset[str] = frozenset()
    """Logins of operators a supervisor let hear this recording of a call not theirs."""

    @property
    def playable(self) -> bool:
        return self.state in PLAYABLE_STATES

    @property
    def on_hold(self) -> bool:
        return self.hold_reason is not None
