"""The benchmark's own count of who the campaign may call at each moment, and of the
lines in use: what "work remains" and "line utilisation" are measured against.

It is kept from the attempts the engines report as they begin them, not read from the
dialer's tables: a customer the rules allow and the dialer does not reach shows here as
work remaining beside an idle line. A customer may be called when they owe and did not
refuse calls, nothing delivered yet, their last call began at least the retry interval
ago, and the moment is inside their zone's window for a debt notice with the call
margin left before it closes.
"""

from __future__ import annotations

import bisect
import heapq
import math
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from autodialer.windows import CallingWindows, MessageKind
from bench.dialer_data import ZONES, Population, zone_info

NEVER = math.inf
SHORT_TURN = "a turn began fewer calls than its budget"
RATE_CAP = "the calls-per-second cap"
BETWEEN_TICKS = "lines freed between ticks, or all busy"
IDLE_CAUSES = (SHORT_TURN, RATE_CAP, BETWEEN_TICKS)


def window_periods(
    windows: CallingWindows, start: float, end: float, margin: float
) -> list[list[tuple[float, float]]]:
    """Per zone of :data:`ZONES`, the [opens, closes - margin) periods of the debt-notice
    window in the customer's local days between ``start`` and ``end`` (UTC timestamps)."""
    periods = []
    first = datetime.fromtimestamp(start, UTC).date() - timedelta(days=1)
    days = math.ceil((end - start) / 86_400) + 2
    for name in ZONES:
        zone = zone_info(ZONES.index(name))
        spans = []
        for offset in range(days):
            period = windows.windows_on(
                MessageKind.PHONE_NOTICE, first + timedelta(days=offset), zone,
                timedelta(seconds=margin),
            )  # fmt: skip
            if period is not None and period.closes.timestamp() > start:
                opens = max(start, period.opens.timestamp())
                spans.append((opens, min(end, period.closes.timestamp())))
        periods.append([span for span in spans if span[0] < span[1]])
    return periods


def merged(spans: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    result: list[tuple[float, float]] = []
    for opens, closes in sorted(spans):
        if result and opens <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], closes))
        else:
            result.append((opens, closes))
    return result


class Demand:
    def __init__(
        self,
        population: Population,
        periods: list[list[tuple[float, float]]],
        retry_seconds: float,
    ) -> None:
        self.zone_of = bytearray(population.zone_index(index) for index in range(population.size))
        self.periods = periods
        self.closes = [[closes for _, closes in spans] for spans in periods]
        self.retry_seconds = retry_seconds
        self.ready = array(
            "d", (0.0 if population.callable(i) else NEVER for i in range(population.size))
        )
        self.eligible = [0] * len(ZONES)
        for index, ready in enumerate(self.ready):
            if ready == 0.0:
                self.eligible[self.zone_of[index]] += 1
        self.waiting: list[list[tuple[float, int]]] = [[] for _ in ZONES]
        self.unexpected = 0
        """Calls begun to a customer this count did not have as callable then."""

    def open_period(self, zone: int, moment: float) -> tuple[float, float] | None:
        """The zone's period ending after ``moment`` (it may not have opened yet)."""
        at = bisect.bisect_right(self.closes[zone], moment)
        return self.periods[zone][at] if at < len(self.periods[zone]) else None

    def is_open(self, zone: int, moment: float) -> bool:
        period = self.open_period(zone, moment)
        return period is not None and period[0] <= moment

    def advance(self, moment: float) -> None:
        for zone, waiting in enumerate(self.waiting):
            while waiting and waiting[0][0] <= moment:
                ready, index = heapq.heappop(waiting)
                if self.ready[index] == ready:
                    self.eligible[zone] += 1

    def began(self, index: int, start: float, positive: bool) -> None:
        zone = self.zone_of[index]
        ready = self.ready[index] <= start
        if ready:
            self.eligible[zone] -= 1
        if not (ready and self.is_open(zone, start)):
            self.unexpected += 1
        if positive:
            self.ready[index] = NEVER
        else:
            self.ready[index] = start + self.retry_seconds
            heapq.heappush(self.waiting[zone], (self.ready[index], index))

    def callable_now(self, moment: float) -> int:
        return sum(
            count
            for zone, count in enumerate(self.eligible)
            if count and self.is_open(zone, moment)
        )

    def callable_by_zone(self, moment: float) -> dict[str, int]:
        return {
            ZONES[zone]: count
            for zone, count in enumerate(self.eligible)
            if count and self.is_open(zone, moment)
        }

    def next_callable(self, moment: float) -> float:
        """When someone may be callable next (no earlier than it can happen; it may turn
        out nobody is, then)."""
        soonest = NEVER
        for zone, count in enumerate(self.eligible):
            candidates = [moment] if count else []
            if self.waiting[zone]:
                candidates.append(max(moment, self.waiting[zone][0][0]))
            for candidate in candidates:
                period = self.open_period(zone, candidate)
                if period is not None:
                    soonest = min(soonest, max(candidate, period[0]))
        return soonest


@dataclass
class LineUse:
    """Lines busy over time, integrated between the dialer's ticks."""

    lines: int
    busy: int = 0
    peak: int = 0
    ends: list[float] = field(default_factory=list)
    work_seconds: float = 0.0
    work_busy: float = 0.0
    backlog_seconds: float = 0.0
    backlog_busy: float = 0.0
    idle: dict[str, float] = field(default_factory=dict)
    """Line-seconds idle while a backlog waited, by why (see :data:`IDLE_CAUSES`)."""

    def began(self, end: float) -> None:
        self.busy += 1
        self.peak = max(self.peak, self.busy)
        heapq.heappush(self.ends, end)

    def interval(self, start: float, end: float, work: bool, backlog: str | None) -> float:
        """Busy line-seconds in [start, end): ``work`` whether someone was callable at
        ``start``, ``backlog`` why someone callable was left after its turn, if so."""
        area, moment = 0.0, start
        while self.ends and self.ends[0] <= end:
            finished = heapq.heappop(self.ends)
            area += self.busy * (finished - moment)
            self.busy -= 1
            moment = finished
        area += self.busy * (end - moment)
        seconds = end - start
        if work:
            self.work_seconds += seconds
            self.work_busy += area
        if backlog is not None:
            self.backlog_seconds += seconds
            self.backlog_busy += area
            self.idle[backlog] = self.idle.get(backlog, 0.0) + self.lines * seconds - area
        return area

    def share(self, busy: float, seconds: float) -> float:
        return busy / (self.lines * seconds) if seconds else math.nan
