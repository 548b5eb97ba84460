"""Soak: thousands of concurrent emulated calls against a real engine process for a
while, with a ``kill -9`` and a restart half-way.

Starts ``callgrid serve --only agi`` (SQLite in a scratch folder, or ``--database``) and
keeps ``--calls`` emulated calls up from this process, over loopback: most walk the
menu, some key meter readings, some leave a callback number. Each reply is held back,
so calls last as calls with prompts playing do: 0-2×``--think-ms`` at random for
``--minutes``, or, with ``--simulated-hour``, the virtual time each command took
compressed so that an hour of calls takes ``--minutes``. Half-way the engine gets
SIGKILL and is started again; refused callers dial again. At the end the engine is
stopped with SIGTERM and the stored records are compared with what the callers saw.

    python -m bench.soak [--calls 2000] [--minutes 10] [--simulated-hour]
        [--database postgresql+asyncpg://postgres@127.0.0.1/soak] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from pathlib import Path

from bench.engine_process import EngineSetup, add_engine_arguments
from bench.soak_run import RSS_EVERY, SoakPlan, SoakResult, soak
from callgrid.database import Database

QUICK_CALLS, QUICK_MINUTES = 200, 0.5
MB = 1024 * 1024
MINUTE = round(60 / RSS_EVERY)
"""Memory samples a minute."""


async def run(plan: SoakPlan, database_url: str, prompts: Path | None) -> None:
    with tempfile.TemporaryDirectory() as directory:
        scratch = Path(directory)
        url = database_url or f"sqlite+aiosqlite:///{scratch / 'callgrid.db'}"
        database = Database(url)
        try:
            result = await soak(EngineSetup(scratch, url, prompts_dir=prompts), database, plan)
        finally:
            await database.close()
    print("\n".join(report(result, "SQLite" if database.is_sqlite else "PostgreSQL")))


def report(result: SoakResult, database: str) -> list[str]:
    plan, f = result.plan, result.figures
    pace = (
        f"an hour of calls compressed {plan.compression:g}x (replies held back by the "
        "virtual time each command took)"
        if plan.compression
        else f"replies held back 0-{2 * plan.think_ms:g} ms"
    )
    callers = plan.callers
    completed = result.completed_before + result.completed_after
    (start, before_kill), (restart, end) = (_ends(run) for run in result.memory)
    peak = max((max(run) for run in result.memory if run), default=0)
    p50, p99, longest = result.reply_ms
    return [
        f"soak: {plan.calls} concurrent calls ({callers.menus} walking the menu, "
        f"{callers.readings} keying readings, {callers.callbacks} leaving callbacks) for "
        f"{result.load_seconds / 60:.1f} min on {database}; {pace}; SIGKILL half-way; "
        f"{os.cpu_count()} cores shared by the engine and the emulator",
        f"  calls completed            {completed} ({completed / result.load_seconds:.1f} "
        f"calls/s): {result.completed_before} before the kill, {result.completed_after} "
        "after the restart",
        f"  reply turnaround           p50 {p50:.2f} ms, p99 {p99:.1f} ms, max {longest:.0f} ms "
        f"({result.replies} replies; the engine's reply to its next command)",
        f"  engine RSS                 run 1: {start / MB:.0f} MB at start, "
        f"{before_kill / MB:.0f} MB before the kill; run 2: {restart / MB:.0f} MB at start, "
        f"{end / MB:.0f} MB at the end (peak {peak / MB:.0f} MB)",
        "  RSS every minute           "
        + " | ".join(" ".join(f"{rss / MB:.0f}" for rss in run[::MINUTE]) for run in result.memory)
        + " MB",
        f"  CPU (of one core)          engine run 1 {100 * result.engine_cpu[0]:.0f} %, run 2 "
        f"{100 * result.engine_cpu[1]:.0f} %; emulator {100 * result.emulator_cpu:.0f} %; "
        f"machine load average {result.machine_load[0]:.1f} at the start, "
        f"{result.machine_load[1]:.1f} at the end",
        f"  engine exits               {result.exit_codes[0]} (SIGKILL), "
        f"{result.exit_codes[1]} (SIGTERM at the end)",
        f"  restart                    {result.restart_seconds:.2f} s to accepting calls; "
        f"{result.refused} dials refused meanwhile (dialled again), "
        f"{f.placed_while_dying} reached the dying engine",
        f"  calls left open            {result.open_after_restart} after the restart, "
        f"{f.open_rows} at the end",
        f"  interrupted by the kill    {f.live_at_kill} calls live: {f.interrupted} closed "
        f"as interrupted, {f.starts_lost} with no row (the oldest started "
        f"{f.oldest_lost_start_ms:.0f} ms before the kill); "
        f"{f.ends_lost} of {f.ended_before_kill} ended calls lost their end (oldest "
        f"{f.oldest_lost_end_ms:.0f} ms before the kill; window {1000 * result.window:.0f} ms)",
        f"  rows lost                  {f.rows_lost} (start or end never stored, beyond the "
        f"kill's last window: {f.ends_lost_beyond_window} ends and "
        f"{f.starts_lost_beyond_window} starts before the kill, {f.after_restart_lost} of "
        f"{f.after_restart} calls after the restart)",
        f"  readings                   {f.readings_confirmed} heard accepted, "
        f"{f.readings_lost} of them not stored; {f.readings_unconfirmed} stored for callers "
        "cut off before hearing so",
        f"  callbacks                  {f.callbacks_confirmed} heard taken, "
        f"{f.callbacks_lost} of them not stored; {f.callbacks_unconfirmed} stored unheard",
        f"  duplicates                 {f.duplicates}",
        *(
            [f"  readings calls as menu walks {result.accounts_used_up} (accounts used up)"]
            if result.accounts_used_up
            else []
        ),
        *([f"  calls cut at the end       {result.cut_at_end}"] if result.cut_at_end else []),
    ]


def _ends(samples: list[int]) -> tuple[int, int]:
    return (samples[0], samples[-1]) if samples else (0, 0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, help="calls kept up at once (2000; quick 200)")
    parser.add_argument("--minutes", type=float, help="wall-clock length (10; quick 0.5)")
    parser.add_argument("--think-ms", type=float, default=1000.0, help="mean hold-back")
    parser.add_argument(
        "--simulated-hour",
        action="store_true",
        help="pace replies by the calls' virtual time, an hour compressed into --minutes",
    )
    parser.add_argument("--quick", action="store_true", help="200 calls for 30 s")
    parser.add_argument("--readings", type=float, default=0.1, help="share keying readings")
    parser.add_argument("--callbacks", type=float, default=0.1, help="share leaving callbacks")
    add_engine_arguments(parser, "soak")
    args = parser.parse_args()
    calls = args.calls or (QUICK_CALLS if args.quick else 2000)
    seconds = 60 * (args.minutes or (QUICK_MINUTES if args.quick else 10.0))
    plan = SoakPlan(
        calls=calls,
        seconds=seconds,
        think_ms=args.think_ms,
        compression=3600 / seconds if args.simulated_hour else None,
        readings=args.readings,
        callbacks=args.callbacks,
    )
    asyncio.run(run(plan, args.database, args.prompts))
