"""Calls the engine handed to the dialplan's ``Queue()`` and will go on with.

While Asterisk holds the caller in the queue, no FastAGI session is open for the call:
what the engine knew of it (the path, the account, the recording) waits here until the
``after-queue`` request comes back. The caller may wait, talk to an operator and be
transferred for hours, so an entry lives as long as the longest call may; one whose
request never came (Asterisk restarted) is dropped then, and its record is closed from
Asterisk's queue_log.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from ivr.call_context import CallContext
from ivr.call_record import CallEnd, Outcome
from ivr.navigator import Navigator

LONGEST_STAY = timedelta(hours=5)
"""The wait, the talk and the transfers of one queued call, at the most."""


class CallParked(Exception):
    """The caller is in the dialplan's queue now: this session ends, the call does not."""


@dataclass
class CallState:
    """One call as the call flow keeps it, across its sessions."""

    context: CallContext
    navigator: Navigator
    end: CallEnd
    recording: int | None = None
    queue: str = ""
    wait_seconds: int = 0
    joined: datetime | None = None
    outcome_before: Outcome = Outcome.ABANDONED_IN_MENU
    """How the call is recorded if no operator answers and the caller goes on."""
    rescued: bool = False
    """Queued after an engine error (IVR-4): the outcome stays ``engine_error``."""


class ParkedCalls:
    """The calls waiting for their after-queue request, by call id, oldest first."""

    def __init__(self) -> None:
        self._calls: OrderedDict[str, tuple[datetime, CallState]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._calls)

    def park(self, call_id: str, state: CallState, now: datetime) -> None:
        self._calls[call_id] = (now, state)
        self._calls.move_to_end(call_id)
        while self._calls:
            oldest, _ = next(iter(self._calls.values()))
            if now - oldest <= LONGEST_STAY:
                break
            self._calls.popitem(last=False)

    def take(self, call_id: str) -> CallState | None:
        entry = self._calls.pop(call_id, None)
        return None if entry is None else entry[1]
