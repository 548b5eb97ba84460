"""The emulated Asterisk's clock for calls that share it: callers waiting in one queue,
operators ringing for them.

An AGI channel keeps its own virtual time (a call plays out in milliseconds); calls
that meet in a queue need one clock. Virtual seconds run from 0; :meth:`VirtualTime.wall`
turns them into epoch seconds (``LastCall``, ``LoginTime``). In the default mode time
jumps to the next timer whenever the event loop has nothing else to do, so a queue call
ends as fast as its timers allow; a ``manual`` clock moves only in :meth:`advance`, for
tests that act between the moments of a call.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

SETTLE_ROUNDS = 20
"""Event-loop turns given to the consequences of a timer (replies written, events read)
before the next timer fires."""


@dataclass(order=True)
class Timer:
    at: float
    order: int
    action: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class VirtualTime:
    def __init__(self, *, manual: bool = False, epoch: int | None = None) -> None:
        """``epoch`` is the wall-clock second at virtual 0 (default: now, whole)."""
        self.now = 0.0
        self.epoch = int(time.time()) if epoch is None else epoch
        self.manual = manual
        self._timers: list[Timer] = []
        self._order = itertools.count()
        self._runner: asyncio.Task[None] | None = None

    def wall(self) -> float:
        """Epoch seconds now."""
        return self.epoch + self.now

    def second(self) -> int:
        """The whole epoch second now, as Asterisk's ``time(NULL)`` gives it."""
        return int(self.wall())

    def at_second(self, epoch_second: int) -> float:
        """The virtual moment the wall clock reaches ``epoch_second``."""
        return float(epoch_second - self.epoch)

    def after(self, seconds: float, action: Callable[[], None]) -> Timer:
        """Run ``action`` ``seconds`` from now (at once for 0 or less, after what is due)."""
        timer = Timer(self.now + max(seconds, 0.0), next(self._order), action)
        heapq.heappush(self._timers, timer)
        if not self.manual and (self._runner is None or self._runner.done()):
            self._runner = asyncio.get_running_loop().create_task(self._run())
        return timer

    async def advance(self, seconds: float) -> None:
        """Move a manual clock ``seconds`` on, firing each timer due on the way in turn."""
        until = self.now + seconds
        await settle()
        while (timer := self._due(until)) is not None:
            self.now = max(self.now, timer.at)
            timer.action()
            await settle()
        self.now = max(self.now, until)
        await settle()

    async def stop(self) -> None:
        """Drop every timer; stop jumping."""
        self._timers.clear()
        if self._runner is not None:
            self._runner.cancel()
            await asyncio.gather(self._runner, return_exceptions=True)

    def _due(self, until: float | None) -> Timer | None:
        while self._timers:
            timer = self._timers[0]
            if until is not None and timer.at > until:
                return None
            heapq.heappop(self._timers)
            if not timer.cancelled:
                return timer
        return None

    async def _run(self) -> None:
        while True:
            await settle()
            timer = self._due(None)
            if timer is None:
                return
            self.now = max(self.now, timer.at)
            timer.action()


async def settle() -> None:
    for _ in range(SETTLE_ROUNDS):
        await asyncio.sleep(0)
