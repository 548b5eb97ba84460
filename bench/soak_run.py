"""One soak run: many concurrent calls into an engine process for a while, ``kill -9``
half-way, a restart, and what the callers saw against what was stored."""

from __future__ import annotations

import asyncio
import math
import os
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
    engine_cpu: tuple[float, float]
    """Share of one core each engine run used, from its start to its end."""
    emulator_cpu: float
    """Share of one core this process (the emulated Asterisk) used during the load."""
    machine_load: tuple[float, float]
    """The machine's 1-minute load average at the start and at the end of the load."""


async def soak(setup: EngineSetup, database: Database, plan: SoakPlan) -> SoakResult:
    """Run the plan against engines started from ``setup``, storing into ``database``
    (empty; its tables made or not). The restarted engine is stopped with SIGTERM."""
    memory = Memory()
    run = _Run(setup, memory)
    engine = await run.start(1)
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
        began, cpu_began, load_began = time.perf_counter(), time.process_time(), os.getloadavg()
        tasks = callers.start(plan.callers, spread=min(plan.call_seconds, plan.seconds / 4))
        await asyncio.sleep(plan.seconds / 2)
        window = WriterSettings().gather_seconds + max(callers.turnarounds, default=0.0)
        first_cpu = run.last_look(engine)
        at = time.perf_counter()
        engine.process.send_signal(signal.SIGKILL)
        killed = await asyncio.to_thread(engine.process.wait, 60)
        gone, gone_at = datetime.now(UTC), time.perf_counter()
        engine = await run.start(2)
        open_after_restart = await open_rows_started_before(database, gone)
        await asyncio.sleep(max(0.0, began + plan.seconds - time.perf_counter()))
        callers.placing = False
        load_seconds = time.perf_counter() - began
        emulator_cpu = (time.process_time() - cpu_began) / load_seconds
        load_ended = os.getloadavg()
        _, going = await asyncio.wait(tasks, timeout=max(60.0, 10 * plan.call_seconds))
        for task in going:
            task.cancel()
        await asyncio.gather(*going, return_exceptions=True)
        second_cpu = run.last_look(engine)
        engine.process.send_signal(signal.SIGTERM)
        stopped = await asyncio.to_thread(engine.process.wait, 120)
        kill = KillMoment(at, gone_at, gone, window + WINDOW_SLACK)
        figures = judge(callers.calls, kill, await read_stored(database))
    finally:
        engine.ensure_stopped()
        run.stop_watching()
    return SoakResult(
        plan=plan,
        figures=figures,
        completed_before=sum(1 for c in callers.calls if c.hung_up is not None and c.hung_up < at),
        completed_after=sum(
            1 for c in callers.calls if c.hung_up is not None and c.started > gone_at
        ),
        refused=callers.refused,
        replies=len(callers.turnarounds),
        reply_ms=_percentiles(callers.turnarounds),
        memory=memory.runs,
        open_after_restart=open_after_restart,
        restart_seconds=engine.ready_seconds,
        exit_codes=(killed, stopped),
        window=kill.window,
        accounts_used_up=callers.accounts_used_up,
        cut_at_end=len(going),
        load_seconds=load_seconds,
        engine_cpu=(first_cpu, second_cpu),
        emulator_cpu=emulator_cpu,
        machine_load=(load_began[0], load_ended[0]),
    )


@dataclass
class _Run:
    """Engines started one after the other, their memory watched."""

    setup: EngineSetup
    memory: Memory
    spawned: float = 0.0
    watchers: list[asyncio.Task[None]] = field(default_factory=list)

    async def start(self, number: int) -> EngineProcess:
        engine = await asyncio.to_thread(EngineProcess.start, self.setup, number)
        self.spawned = time.perf_counter() - engine.ready_seconds
        self.watchers.append(asyncio.create_task(self.memory.watch(engine)))
        return engine

    def last_look(self, engine: EngineProcess) -> float:
        """Note the engine's memory now; the share of a core it used since it was spawned."""
        self.memory.runs[-1].append(engine.rss_bytes())
        return engine.cpu_seconds() / (time.perf_counter() - self.spawned)

    def stop_watching(self) -> None:
        for watcher in self.watchers:
            watcher.cancel()


def _percentiles(replies: Sequence[float]) -> tuple[float, float, float]:
    if not replies:
        return 0.0, 0.0, 0.0
    ordered = sorted(replies)
    return (
        1000 * statistics.median(ordered),
        1000 * ordered[int(len(ordered) * 0.99)],
        1000 * ordered[-1],
    )
