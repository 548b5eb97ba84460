"""How many attempts a campaign may start now: never more lines than its limit, never
faster than its calls-per-second cap (counted over every engine process). Pure."""

from __future__ import annotations

import math


def rate_window_seconds(calls_per_second: float) -> float:
    """The sliding window the cap is counted over: 1 s, or one call's share below 1/s."""
    return max(1.0, 1.0 / calls_per_second)


def dial_budget(
    *, line_limit: int, lines_busy: int, calls_per_second: float, started_in_window: int
) -> int:
    """Attempts to start now, given the lines busy and the starts in the rate window."""
    lines_free = line_limit - lines_busy
    allowed_in_window = max(1, math.floor(calls_per_second * rate_window_seconds(calls_per_second)))
    return max(0, min(lines_free, allowed_in_window - started_in_window))
