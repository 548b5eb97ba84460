"""One soak run: many concurrent calls into an engine process for a while, ``kill -9``
half-way, a restart, and what the callers saw against what was stored."""

from __future__ import annotations

import asyncio
import math
import signal
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bench.caller_mix import CallerPlan, Callers, Pacing, random_pacing, virtual_pacing
from bench.engine_process import EngineProcess, EngineSetup
from bench.kill_figures import CallFigures, KillMoment, judge
from bench.kill_rounds import READINGS_COMMANDS, WINDOW_SLACK
from bench.reading_accounts import ReadingAccounts
from bench.stored_records import ensure_empty, open_rows_started_before, read_stored
from callgrid.database import Database
from ivr.call_log_writer import WriterSettings

READINGS_VIRTUAL_SECONDS = 30.0
"""A readings call's length on the emulator's virtual clock (about 40 s), rounded down."""
REDIAL_PAUSE = 0.2
"""A caller refused while the engine restarts dials again after this."""
RSS_EVERY = 5.0


@dataclass(frozen=True)
class SoakPlan:
    calls: int = 2000
    """Callers keeping a call up at once."""
    seconds: float = 600.0
    think_ms: float = 1000.0
    """Mean hold-back of each reply, real milliseconds (unless ``compression`` is set)."""
    compression: float | None = None
    """Replies held back by the virtual time each command took, divided by this."""
    readings: float = 0.1
    callbacks: float = 0.1
    """Shares of the callers; the rest walk the menu."""

    @property
    def callers(self) -> CallerPlan:
        return CallerPlan.mix(self.calls, 0.0, self.readings, self.callbacks)

    @property
    def pacing(self) -> Pacing:
        if self.compression:
            return virtual_pacing(self.compression)
        return random_pacing(self.think_ms)

    @property
    def call_seconds(self) -> float:
        """About how long a readings call lasts at this pace."""
        if self.compression:
            return READINGS_VIRTUAL_SECONDS / self.compression
        return max(READINGS_COMMANDS * self.think_ms / 1000, 0.05)

    @property
    def accounts_needed(self) -> int:
        per_caller = math.ceil(1.5 * self.seconds / self.call_seconds) + 5
        return self.callers.readings * per_caller


@dataclass
class Memory:
    """The engine's resident memory (bytes) sampled every few seconds, run by run."""

    runs: list[list[int]] = field(default_factory=list)

    async def watch(self, engine: EngineProcess) -> None:
        samples: list[int] = []
        self.runs.append(samples)
        while engine.process.poll() is None:
            try:
                samples.append(engine.rss_bytes())
            except (OSError, RuntimeError):
                return  # the process went meanwhile
            await asyncio.sleep(RSS_EVERY)


@dataclass(frozen=True)
class SoakResult:
    plan: SoakPlan
    figures: CallFigures
    completed_before: int
    completed_after: int
    refused: int
    replies: int
    reply_ms: tuple[float, float, float]
    """p50, p99 and the longest reply-to-next-command time over the whole run."""
    memory: list[list[int]]
    open_after_restart: int
    restart_seconds: float
    exit_codes: tuple[int, int]
    window: float
    accounts_used_up: int
    cut_at_end: int
    """Calls still going long after the load stopped, hung up by the soak."""
    load_seconds: float


async def soak(setup: EngineSetup, database: Database, plan: SoakPlan) -> SoakResult:
    """Run the plan against engines started from ``setup``, storing into ``database``
    (empty; its tables made or not). The restarted engine is stopped with SIGTERM."""
    memory = Memory()
    engine = await asyncio.to_thread(EngineProcess.start, setup, 1)
    watchers = [asyncio.create_task(memory.watch(engine))]
    try:
        await ensure_empty(database)
        accounts = ReadingAccounts(plan.accounts_needed)
        await accounts.seed(database)
        callers = Callers(
            setup.port,
            setup.prompts,
            accounts,
            plan.pacing,
            measure_turnaround=True,
            redial_pause=REDIAL_PAUSE,
        )
        began = time.perf_counter()
        tasks = callers.start(plan.callers, spread=min(plan.call_seconds, plan.seconds / 4))
        await asyncio.sleep(plan.seconds / 2)
        window = WriterSettings().gather_seconds + max(callers.turnarounds, default=0.0)
        window += WINDOW_SLACK
        memory.runs[-1].append(engine.rss_bytes())
        at = time.perf_counter()
        engine.process.send_signal(signal.SIGKILL)
        killed = await asyncio.to_thread(engine.process.wait, 60)
        gone, gone_at = datetime.now(UTC), time.perf_counter()
        engine = await asyncio.to_thread(EngineProcess.start, setup, 2)
        watchers.append(asyncio.create_task(memory.watch(engine)))
        open_after_restart = await open_rows_started_before(database, gone)
        await asyncio.sleep(max(0.0, began + plan.seconds - time.perf_counter()))
        callers.placing = False
        load_seconds = time.perf_counter() - began
        _, going = await asyncio.wait(tasks, timeout=max(60.0, 10 * plan.call_seconds))
        for task in going:
            task.cancel()
        await asyncio.gather(*going, return_exceptions=True)
        memory.runs[-1].append(engine.rss_bytes())
        engine.process.send_signal(signal.SIGTERM)
        stopped = await asyncio.to_thread(engine.process.wait, 120)
        kill = KillMoment(at, gone_at, gone, window)
        figures = judge(callers.calls, kill, await read_stored(database))
    finally:
        engine.ensure_stopped()
        for watcher in watchers:
            watcher.cancel()
    ended = [c for c in callers.calls if c.hung_up is not None]
    return SoakResult(
        plan=plan,
        figures=figures,
        completed_before=sum(1 for c in ended if c.hung_up is not None and c.hung_up < at),
        completed_after=sum(1 for c in ended if c.started > gone_at),
        refused=callers.refused,
        replies=len(callers.turnarounds),
        reply_ms=_percentiles(callers.turnarounds),
        memory=memory.runs,
        open_after_restart=open_after_restart,
        restart_seconds=engine.ready_seconds,
        exit_codes=(killed, stopped),
        window=window,
        accounts_used_up=callers.accounts_used_up,
        cut_at_end=len(going),
        load_seconds=load_seconds,
    )


def _percentiles(replies: Sequence[float]) -> tuple[float, float, float]:
    if not replies:
        return 0.0, 0.0, 0.0
    ordered = sorted(replies)
    return (
        1000 * statistics.median(ordered),
        1000 * ordered[int(len(ordered) * 0.99)],
        1000 * ordered[-1],
    )
