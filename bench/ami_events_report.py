"""How :mod:`bench.ami_events` measures and says what it measured: CPU and SQL over a
phase, latency spreads, the wallboard's cost and the profile."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.ami_events_drive import EngineRun, postgres_cpu


@dataclass
class Meter:
    """CPU and SQL counters at one moment, to take differences of."""

    moment: float
    engine: dict[str, float]
    bench: float
    postgres: dict[int, float]
    progress: dict[str, Any]

    @classmethod
    def read(cls, engine: EngineRun) -> Meter:
        backends = postgres_cpu(engine.database_name) if engine.on_postgres else {}
        return cls(time.monotonic(), engine.cpu(), time.process_time(), backends, engine.progress)

    def since(self, start: Meter) -> str:
        seconds = self.moment - start.moment

        def share(used: float) -> str:
            return f"{max(0.0, 100 * used / seconds):.0f} %"

        loop = self.engine["loop"] - start.engine["loop"]
        threads = self.engine["all"] - start.engine["all"] - loop
        backends = sum(used - start.postgres.get(pid, 0.0) for pid, used in self.postgres.items())
        now, before = self.progress, start.progress
        sql = {
            kind: count - before.get("statements", {}).get(kind, 0)
            for kind, count in now.get("statements", {}).items()
        }
        statements = ", ".join(
            f"{count / seconds:,.0f} {kind}"
            for kind, count in sorted(sql.items())
            if count / seconds >= 0.5
        )
        commits = (now.get("commits", 0) - before.get("commits", 0)) / seconds
        notified = (now.get("notified", 0) - before.get("notified", 0)) / seconds
        unshared = now.get("unshared", 0) - before.get("unshared", 0)
        return (
            f"CPU: engine loop {share(loop)}, its other threads {share(threads)}, this "
            f"process {share(self.bench - start.bench)}"
            + (f", the engine's PostgreSQL backends {share(backends)}" if self.postgres else "")
            + f"; SQL a second: {statements or 'none'}; {commits:,.0f} commits"
            + (f"; {notified:,.0f} NOTIFY a second, {unshared:,} not shared" if notified else "")
        )


def load_average() -> str:
    """The machine's 1, 5 and 15 minute load averages: others' work shares the cores."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def spread(seconds: Sequence[float]) -> str:
    if not seconds:
        return "no samples"
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"p50 {1000 * statistics.median(ordered):,.0f} ms, p99 {1000 * p99:,.0f} ms, "
        f"max {1000 * ordered[-1]:,.0f} ms ({len(ordered):,} samples)"
    )


def print_profile(summary: dict[str, Any]) -> None:
    seconds = summary["seconds"]
    print(f"     {seconds:.1f} s profiled; own time by package:")
    for name, own in summary["groups"]:
        print(f"       {100 * own / seconds:5.1f} %  {name}")
    print("     own time, the top functions:")
    for name, own in summary["own"]:
        print(f"       {100 * own / seconds:5.1f} %  {name}")
    print("     own time, the project's top functions:")
    for name, own in summary["project"]:
        print(f"       {100 * own / seconds:5.1f} %  {name}")


def print_figures(figures: dict[str, Any], screens: int) -> None:
    """What one set of wallboard figures costs now; every page computes its own."""
    print(
        f"     one set of wallboard figures costs {figures['ms']:.1f} ms of the engine "
        f"(reading the operators {figures['operators_ms']:.1f} ms, summing today's "
        f"{figures['today']:,} calls by queue {figures['today_ms']:.1f} ms; "
        f"{figures['bytes'] / 1024:.0f} KiB of JSON); each page computes its own, so "
        f"{screens} pages take {figures['ms'] * screens / 10:.0f} % of a core"
    )
