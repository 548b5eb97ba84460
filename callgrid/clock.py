"""Time, injected: everything that asks "what time is it" takes a clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]
LOCAL_TIME = ZoneInfo("Asia/Tomsk")
"""The region's time (UTC+7): hours, calendars, dates spoken and imported are in it."""


def system_clock() -> datetime:
    return datetime.now(UTC)


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
