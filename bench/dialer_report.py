"""What a dialer benchmark run prints: a line per simulated day, progress while it runs,
the run's figures, and the table of every run."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bench.dialer_check import RULES, Checked
from bench.dialer_coordinator import DayFigures, Simulation, percentile
from bench.dialer_data import START
from bench.dialer_demand import IDLE_CAUSES

STARTED = time.perf_counter()


@dataclass(frozen=True)
class Run:
    database: str
    processes: int
    customers: int
    accounts_seconds: float
    list_seconds: float
    simulation: Simulation
    checked: Checked
    check_seconds: float
    wall_seconds: float


def print_day(day: DayFigures, simulation: Simulation) -> None:
    use = simulation.use
    local = datetime.fromtimestamp(START.timestamp() + day.index * 86_400, START.tzinfo)
    print(
        f"  {local:%a %d.%m}: {day.attempts} attempts, {day.turns} turns "
        f"(p50 {percentile(day.latencies, 0.5) * 1000:.1f} ms, "
        f"p99 {percentile(day.latencies, 0.99) * 1000:.1f} ms); lines busy "
        f"{_share(use.share(day.work_busy, day.work_seconds))} while work remained "
        f"({day.work_seconds / 3600:.1f} h), "
        f"{_share(use.share(day.backlog_busy, day.backlog_seconds))} while customers waited "
        f"({day.backlog_seconds / 3600:.1f} h); {time.perf_counter() - STARTED:.0f} s wall",
        flush=True,
    )


def print_progress(moment: float, simulation: Simulation) -> None:
    local = _local(moment)
    print(
        f"  ... {local:%a %H:%M} Tomsk: {simulation.started} attempts, "
        f"{len(simulation.latencies)} turns; {time.perf_counter() - STARTED:.0f} s wall",
        flush=True,
    )


def _local(moment: float) -> datetime:
    return datetime.fromtimestamp(moment, START.tzinfo)


def _share(value: float) -> str:
    return "-" if value != value else f"{value:.1%}"


def report(run: Run) -> None:
    simulation, checked = run.simulation, run.checked
    use, progress = simulation.use, checked.progress
    phone = progress.deliveries.get("phone", {})
    causes = ", ".join(
        f"{cause} {count / max(1, checked.attempts):.0%}"
        for cause, count in sorted(progress.causes.items(), key=lambda item: -item[1])
    )
    found = ", ".join(f"{rule} {checked.violations.get(rule, 0)}" for rule in RULES)
    store_seconds = sum(figures.store_seconds for figures in simulation.processes)
    late = [line for figures in simulation.processes for line in figures.late_finishes]
    idle = ", ".join(f"{why} {use.idle.get(why, 0.0) / 3600:.1f}" for why in IDLE_CAUSES)
    stretches = "".join(
        f"\n    {_local(stretch.start):%a %H:%M:%S}-{_local(stretch.end):%H:%M:%S} Tomsk: "
        f"{(stretch.end - stretch.start) / 60:.0f} min, {stretch.idle / 3600:.1f} line-hours "
        f"idle, callable at its start {stretch.waiting}"
        for stretch in sorted(simulation.stretches, key=lambda s: s.start - s.end)[:4]
        if stretch.end - stretch.start >= 60
    )
    repeats = ", ".join(f"{n}: {c}" for n, c in sorted(checked.per_customer.items()))
    print(
        f"  turns: AttemptStore.take_turn with the Dialer's budget and ContactJudge; calls "
        f"on simulated lines (finish/note at their simulated ends)\n"
        f"  customers {run.customers}; attempts {checked.attempts} (customers by attempts "
        f"{repeats}); engines {dict(checked.engines)}\n"
        f"  delivered {progress.delivered} ({progress.delivered / run.customers:.1%} of "
        f"customers); deliveries {phone}; skips {progress.skips}\n"
        f"  causes: {causes}\n"
        f"  lines ({use.lines}): {_share(use.share(checked.window_busy, checked.window_seconds))}"
        f" busy inside the calling windows ({checked.window_seconds / 3600:.1f} h); "
        f"{_share(use.share(use.work_busy, use.work_seconds))} while work remained "
        f"({use.work_seconds / 3600:.1f} h); "
        f"{_share(use.share(use.backlog_busy, use.backlog_seconds))} while customers waited "
        f"({use.backlog_seconds / 3600:.1f} h); peak {use.peak} lines\n"
        f"  idle line-hours while customers waited: {idle}; turns short of their "
        f"budget then: {simulation.dry_turns}{stretches}\n"
        f"  calls the bench's count did not expect: {simulation.demand.unexpected}; "
        f"attempts open at the end: {checked.open_at_end}\n"
        f"  rule violations (rule_check, {checked.attempts} attempts): {found}"
        + "".join(f"\n    {example}" for example in checked.examples + late[:5])
        + f"\n  turns {len(simulation.latencies)}: p50 "
        f"{percentile(simulation.latencies, 0.5) * 1000:.1f} ms, p99 "
        f"{percentile(simulation.latencies, 0.99) * 1000:.1f} ms, max "
        f"{max(simulation.latencies, default=0) * 1000:.0f} ms; claimed "
        f"{simulation.claimed}, postponed {simulation.postponed}, stopped "
        f"{simulation.stopped}; calls' notes and finishes {store_seconds:.0f} s\n"
        f"  wall: accounts {run.accounts_seconds:.0f} s, list {run.list_seconds:.0f} s, "
        f"simulation {simulation.seconds:.0f} s, check {run.check_seconds:.0f} s, total "
        f"{run.wall_seconds:.0f} s",
        flush=True,
    )


def summary(runs: Sequence[Run]) -> None:
    print(
        f"\n{'database':<11}{'proc':>5}{'customers':>10}{'attempts':>10}{'deliv.':>8}"
        f"{'windows':>8}{'work':>7}{'waited':>8}{'peak':>6}{'viol.':>6}{'p50 ms':>8}"
        f"{'p99 ms':>8}{'sim s':>7}{'wall s':>7}"
    )
    for run in runs:
        use, checked = run.simulation.use, run.checked
        print(
            f"{run.database:<11}{run.processes:>5}{run.customers:>10}{checked.attempts:>10}"
            f"{checked.progress.delivered / run.customers:>8.1%}"
            f"{_share(use.share(checked.window_busy, checked.window_seconds)):>8}"
            f"{_share(use.share(use.work_busy, use.work_seconds)):>7}"
            f"{_share(use.share(use.backlog_busy, use.backlog_seconds)):>8}{use.peak:>6}"
            f"{sum(checked.violations.values()):>6}"
            f"{percentile(run.simulation.latencies, 0.5) * 1000:>8.1f}"
            f"{percentile(run.simulation.latencies, 0.99) * 1000:>8.1f}"
            f"{run.simulation.seconds:>7.0f}{run.wall_seconds:>7.0f}"
        )
