"""Time, injected: everything that asks "what time is it" takes a clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]
DEFAULT_ZONE = ZoneInfo("Asia/Tomsk")
_local_zone = DEFAULT_ZONE


def local_zone() -> ZoneInfo:
    """The region's time (default Asia/Tomsk, UTC+7; the ``local_zone`` setting): hours,
    calendars, and dates spoken and imported are in it."""
    return _local_zone


def use_local_zone(zone: ZoneInfo) -> None:
    """Set once at start from the settings; the region has one zone."""
    global _local_zone
    _local_zone = zone


def local_date(moment: datetime, zone: tzinfo | None = None) -> date:
    """The calendar date of ``moment`` in the region (or ``zone``): moments are stored in
    UTC, but a reading given at 02:37 in Tomsk belongs to that local day."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: a moment must carry a zone")
    return moment.astimezone(zone or local_zone()).date()


def system_clock() -> datetime:
    return datetime.now(UTC)


class RunningClock:
    """Real seconds pass, from a chosen moment: a run that does not depend on when it is
    started (a weekday morning keeps the operators at work)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock's start must carry a time zone")
        self.start = start
        self._started = time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self._started)


class ManualClock:
    """A clock that moves only when told to; for tests and simulated calls."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock's start must carry a time zone")
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
