"""The simulated week's timeline, shared by the engine processes of a dialer benchmark.

Each process (:mod:`bench.dialer_lines`) has its own ManualClock; this coordinator moves
them together, one dial tick at a time: first every process tells the store what its
calls said up to the tick, then every process takes its turn at that moment (on
PostgreSQL they queue on the campaign's row lock, as engines do). Between ticks it adds
up the lines in use and, from the attempts reported, who the rules would let the
campaign call (:class:`bench.dialer_demand.Demand`). Ticks where nothing can happen —
no call under way, nobody due in the database nor callable by that count — are
skipped to the next moment something can.
"""

from __future__ import annotations

import math
import multiprocessing
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from bench.dialer_demand import BETWEEN_TICKS, RATE_CAP, SHORT_TURN, Demand, LineUse
from bench.dialer_lines import Job, ProcessFigures, TurnReport, run_process

STRETCH_GAP = 60.0


@dataclass
class Worker:
    process: BaseProcess
    connection: Connection
    next_event: float = math.inf

    def answer(self) -> Any:
        reply = self.connection.recv()
        if isinstance(reply, tuple) and reply and reply[0] == "error":
            raise RuntimeError(f"an engine process failed:\n{reply[1]}")
        return reply


@dataclass
class DayFigures:
    index: int
    attempts: int = 0
    turns: int = 0
    latencies: list[float] = field(default_factory=list)
    work_seconds: float = 0.0
    work_busy: float = 0.0
    backlog_seconds: float = 0.0
    backlog_busy: float = 0.0


@dataclass
class Stretch:
    """A time the turns kept falling short of their budget while customers waited."""

    start: float
    end: float
    waiting: dict[str, int]
    """Callable customers per zone when it began."""
    idle: float = 0.0
    """Line-seconds idle in it."""


@dataclass
class Simulation:
    use: LineUse
    demand: Demand
    days: list[DayFigures] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    claimed: int = 0
    postponed: int = 0
    stopped: int = 0
    started: int = 0
    dry_turns: int = 0
    """Turns that began fewer calls than their budget while the count had callable
    customers left."""
    processes: list[ProcessFigures] = field(default_factory=list)
    seconds: float = 0.0
    marks: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0)
    """The line totals when the last day closed."""
    stretches: list[Stretch] = field(default_factory=list)

    def note_short(self, start: float, end: float, idle: float) -> None:
        """Count [start, end) as turns falling short; a pause under a minute joins two."""
        last = self.stretches[-1] if self.stretches else None
        if last is None or start - last.end > STRETCH_GAP:
            last = Stretch(start, end, self.demand.callable_by_zone(start))
            self.stretches.append(last)
        last.end = end
        last.idle += idle


def percentile(values: list[float], share: float) -> float:
    if not values:
        return math.nan
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def start_workers(jobs: list[Job]) -> list[Worker]:
    context = multiprocessing.get_context("spawn")
    workers = []
    for job in jobs:
        ours, theirs = context.Pipe()
        process = context.Process(target=run_process, args=(theirs, job), daemon=True)
        process.start()
        workers.append(Worker(process, ours))
    return workers


def simulate(
    jobs: list[Job],
    demand: Demand,
    use: LineUse,
    end: float,
    on_day: Callable[[DayFigures, Simulation], None],
    on_progress: Callable[[float, Simulation], None],
    progress_every: float = 60.0,
) -> Simulation:
    start, tick = jobs[0].start, jobs[0].tick
    simulation = Simulation(use, demand)
    workers = start_workers(jobs)
    began = time.perf_counter()
    shown = began
    step = 0
    day = DayFigures(0)
    try:
        while (moment := start + step * tick) < end:
            if (index := int((moment - start) // 86_400)) != day.index:
                on_day(_closed(day, use, simulation), simulation)
                day = DayFigures(index)
            if time.perf_counter() - shown > progress_every:
                shown = time.perf_counter()
                on_progress(moment, simulation)
            playing = [worker for worker in workers if worker.next_event <= moment]
            for worker in playing:
                worker.connection.send(("calls", moment))
            for worker in playing:
                worker.next_event = worker.answer()
            demand.advance(moment)
            callable_before = demand.callable_now(moment)
            for worker in workers:
                worker.connection.send(("turn", moment))
            reports: list[TurnReport] = [worker.answer() for worker in workers]
            for worker, report in zip(workers, reports, strict=True):
                worker.next_event = report.next_event
                for customer, call_start, call_end, delivered in report.calls:
                    demand.began(customer, call_start, delivered)
                    use.began(call_end)
                _count(simulation, day, report)
            callable_after = demand.callable_now(moment)
            backlog = _why_left(reports) if callable_after else None
            simulation.dry_turns += backlog == SHORT_TURN
            wanted = moment + tick
            if not callable_after:
                wanted = min(min(report.wanted for report in reports), demand.next_callable(moment))
            step = max(step + 1, math.ceil((min(wanted, end) - start) / tick - 1e-9))
            upto = min(end, start + step * tick)
            busy = use.interval(moment, upto, callable_before > 0, backlog)
            if backlog == SHORT_TURN:
                simulation.note_short(moment, upto, use.lines * (upto - moment) - busy)
        for worker in workers:
            worker.connection.send(("stop", end))
        simulation.processes = [worker.answer() for worker in workers]
    finally:
        for worker in workers:
            worker.process.join(timeout=30)
            if worker.process.is_alive():
                worker.process.terminate()
    simulation.seconds = time.perf_counter() - began
    on_day(_closed(day, use, simulation), simulation)
    return simulation


def _why_left(reports: list[TurnReport]) -> str:
    """Why callable customers were left after the processes' turns."""
    if any(report.started < report.room for report in reports):
        return SHORT_TURN
    if any(report.rate_limited for report in reports):
        return RATE_CAP
    return BETWEEN_TICKS


def _count(simulation: Simulation, day: DayFigures, report: TurnReport) -> None:
    simulation.latencies.append(report.latency)
    simulation.claimed += report.claimed
    simulation.postponed += report.postponed
    simulation.stopped += report.stopped
    simulation.started += report.started
    day.latencies.append(report.latency)
    day.turns += 1
    day.attempts += report.started


def _closed(day: DayFigures, use: LineUse, simulation: Simulation) -> DayFigures:
    """The day with its share of the line figures (the totals' growth since the last)."""
    now = (use.work_seconds, use.work_busy, use.backlog_seconds, use.backlog_busy)
    day.work_seconds, day.work_busy, day.backlog_seconds, day.backlog_busy = (
        after - before for after, before in zip(now, simulation.marks, strict=True)
    )
    simulation.marks = now
    simulation.days.append(day)
    return day
