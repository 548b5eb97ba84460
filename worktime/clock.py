"""Time, injected: everything that asks "what time is it" takes a clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]
LOCAL_TIME = ZoneInfo("Asia/Tomsk")
"""The region's time (UTC+7): hours, calendars, dates spoken and imported are in it."""


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
