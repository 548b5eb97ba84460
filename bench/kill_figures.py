"""What a kill cost: the calls as the Asterisk side saw them against what was stored.

Pure: the calls placed, the moment of the kill and the stored records in, the figures
out. A call *ended before the kill* hung up (on the Asterisk side) before the signal;
one *live at the kill* had not; one *after the restart* started once the process was
gone.

The call-record writer stores what is queued within ``gather_seconds`` (one batch a
transaction), so a kill loses at most the records queued in the last batch interval:
ends of calls that hung up, and starts of calls that began, within ``window`` of the
kill: the interval, plus the time the batch waited for the event loop and a database
connection (which the calls' commands wait for too: the engine's longest reply), plus
writing it. A loss older than that is a defect, counted apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bench.caller_mix import Kind, PlacedCall
from bench.stored_records import Stored
from customers.model import Zone
from ivr.call_rows import CallStatus

ZONES = (Zone.DAY.value, Zone.NIGHT.value)


@dataclass(frozen=True)
class KillMoment:
    at: float
    """``time.perf_counter()`` just before the signal."""
    gone: float
    """``time.perf_counter()`` once the process had ended: a call placed before this
    may have reached the dying engine's listening socket."""
    wall: datetime
    """When the process had ended, on the clock the engine stores times by."""
    window: float
    """Seconds before ``at`` within which a record may still have been queued."""


@dataclass(frozen=True)
class CallFigures:
    calls: int
    live_at_kill: int
    placed_while_dying: int
    """Calls placed between the signal and the end of the process: never served."""
    ended_before_kill: int
    ended_in_window: int
    """Calls that hung up within ``window`` before the kill: the most ends it may lose."""
    ends_lost: int
    ends_lost_beyond_window: int
    oldest_lost_end_ms: float
    """How long before the kill the earliest lost end hung up (0 with none lost)."""
    interrupted: int
    """Live calls closed as interrupted."""
    starts_lost: int
    """Live calls with no row at all (their start was in the last batch)."""
    starts_lost_beyond_window: int
    oldest_lost_start_ms: float
    """How long before the kill the earliest call with no row started (0 with none)."""
    closed_out_of_range: int
    """Interrupted rows closed before their start or after the kill."""
    after_restart: int
    after_restart_lost: int
    """Calls after the restart without a row stored as ended."""
    readings_confirmed: int
    readings_lost: int
    """Callers told their readings were accepted with no readings stored."""
    readings_unconfirmed: int
    """Readings stored for callers the kill cut off before they heard so: not a loss."""
    callbacks_confirmed: int
    callbacks_lost: int
    callbacks_unconfirmed: int
    duplicates: int
    """Uniqueids with two rows, readings stored twice, callbacks stored twice."""
    open_rows: int

    @property
    def rows_lost(self) -> int:
        """Starts or ends lost beyond what the kill's last batch may take."""
        return (
            self.ends_lost_beyond_window
            + self.starts_lost_beyond_window
            + (self.after_restart_lost)
        )


def judge(calls: Sequence[PlacedCall], kill: KillMoment, stored: Stored) -> CallFigures:
    before, live, dying, after = _by_moment(calls, kill)
    lost_ends = [c for c in before if not _ended(stored, c)]
    ages = [kill.at - c.hung_up for c in lost_ends if c.hung_up is not None]
    no_row = [c for c in live if c.uniqueid not in stored.calls]
    interrupted = [
        row
        for c in live
        for row in stored.calls.get(c.uniqueid, [])
        if row.status == CallStatus.INTERRUPTED
    ]
    readings = [c for c in calls if c.kind is Kind.READINGS]
    callbacks = [c for c in calls if c.kind is Kind.CALLBACK]
    readings_stored = {c.uniqueid for c in readings if _readings_stored(stored, c.account)}
    callbacks_stored = {c.uniqueid for c in callbacks if stored.callbacks.get(c.callback_number)}
    duplicates = sum(1 for c in calls if len(stored.calls.get(c.uniqueid, [])) > 1)
    duplicates += sum(
        1 for c in readings if any(stored.readings.get((c.account, zone), 0) > 1 for zone in ZONES)
    )
    duplicates += sum(1 for c in callbacks if stored.callbacks.get(c.callback_number, 0) > 1)
    return CallFigures(
        calls=len(calls),
        live_at_kill=len(live),
        placed_while_dying=len(dying),
        ended_before_kill=len(before),
        ended_in_window=sum(1 for c in before if _within(c.hung_up, kill)),
        ends_lost=len(lost_ends),
        ends_lost_beyond_window=sum(1 for c in lost_ends if not _within(c.hung_up, kill)),
        oldest_lost_end_ms=1000 * max(ages, default=0.0),
        interrupted=len(interrupted),
        starts_lost=len(no_row),
        starts_lost_beyond_window=sum(1 for c in no_row if not _within(c.started, kill)),
        oldest_lost_start_ms=1000 * max((kill.at - c.started for c in no_row), default=0.0),
        closed_out_of_range=sum(
            1
            for row in interrupted
            if row.ended_at is None or not row.started_at <= row.ended_at <= kill.wall
        ),
        after_restart=len(after),
        after_restart_lost=sum(1 for c in after if not _ended(stored, c)),
        readings_confirmed=sum(1 for c in readings if c.confirmed is not None),
        readings_lost=sum(
            1 for c in readings if c.confirmed is not None and c.uniqueid not in readings_stored
        ),
        readings_unconfirmed=sum(
            1 for c in readings if c.confirmed is None and c.uniqueid in readings_stored
        ),
        callbacks_confirmed=sum(1 for c in callbacks if c.confirmed is not None),
        callbacks_lost=sum(
            1 for c in callbacks if c.confirmed is not None and c.uniqueid not in callbacks_stored
        ),
        callbacks_unconfirmed=sum(
            1 for c in callbacks if c.confirmed is None and c.uniqueid in callbacks_stored
        ),
        duplicates=duplicates,
        open_rows=stored.open_rows,
    )


def _by_moment(
    calls: Sequence[PlacedCall], kill: KillMoment
) -> tuple[list[PlacedCall], list[PlacedCall], list[PlacedCall], list[PlacedCall]]:
    """The calls ended before the kill, live at it, placed while the process was dying
    (the kernel may still complete a connection to its listening socket), and placed
    after it was gone."""
    before, live, dying, after = [], [], [], []
    for call in calls:
        if call.started > kill.gone:
            after.append(call)
        elif call.started > kill.at:
            dying.append(call)
        elif call.hung_up is not None and call.hung_up < kill.at:
            before.append(call)
        else:
            live.append(call)
    return before, live, dying, after


def _ended(stored: Stored, call: PlacedCall) -> bool:
    rows = stored.calls.get(call.uniqueid, [])
    return any(row.status == CallStatus.ENDED for row in rows)


def _readings_stored(stored: Stored, account: str) -> bool:
    """Both zones of the caller's meter have a keyed reading (one transaction stores both)."""
    return all(stored.readings.get((account, zone), 0) for zone in ZONES)


def _within(moment: float | None, kill: KillMoment) -> bool:
    return moment is not None and kill.at - moment <= kill.window
