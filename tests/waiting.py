"""Waiting, in a test, for something another task or process does."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable


async def eventually(
    condition: Callable[[], bool] | Callable[[], Awaitable[bool]], within: float = 5.0
) -> None:
    """Wait until ``condition()`` (plain or async) holds; fail after ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        met = condition()
        if inspect.isawaitable(met):
            met = await met
        if met:
            return
        assert time.monotonic() < deadline, f"condition not met within {within:g} s"
        await asyncio.sleep(0.01)
