"""An engine killed under live calls and restarted, round after round: what the records say.

Starts ``callgrid serve --only agi`` as a process of its own (SQLite in a scratch
directory, or ``--database``), keeps ``--calls`` emulated calls up (menu sitters,
callers keying meter readings, callers leaving a callback number, menu walkers; each
reply held back a little, as prompts playing would), sends ``--signal`` mid-load,
restarts the engine, and once it accepts calls again compares what the callers heard
with what was stored. ``--rounds`` times, then prints a table (see ``LEGEND``).

    python -m bench.kill_under_load [--calls 50] [--rounds 5] [--signal KILL]
        [--database postgresql+asyncpg://postgres@127.0.0.1/kill_test]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import tempfile
from pathlib import Path

from bench.engine_process import EngineSetup, add_engine_arguments
from bench.kill_rounds import WINDOW_SLACK, RoundPlan, kill_rounds, table
from callgrid.database import Database
from ivr.call_log_writer import WriterSettings

LEGEND = """\
live at kill      calls connected when the signal went
ended before      calls that hung up before it
ends lost         of those, calls whose stored end is missing or marked interrupted
oldest lost       how long before the signal the earliest lost end hung up / the window
starts lost       live calls with no row at all (they began within the last window)
interrupted       live calls closed as interrupted by the restarted engine
open              rows left in progress once the restarted engine accepts calls
heard/lost        callers told their readings or callback were taken / of them, nothing stored
stored unheard    readings or callbacks stored for callers cut off before they were told
dupl.             uniqueids with two rows, readings or callbacks stored twice
reply p99/max     the engine's reply-to-next-command time in the round (how busy it was)
restart           from spawning the engine again to it accepting calls"""


async def run(plan: RoundPlan, database_url: str, prompts: Path | None) -> None:
    with tempfile.TemporaryDirectory() as directory:
        scratch = Path(directory)
        url = database_url or f"sqlite+aiosqlite:///{scratch / 'callgrid.db'}"
        database = Database(url)
        try:
            setup = EngineSetup(scratch, url, prompts_dir=prompts)
            rounds = await kill_rounds(setup, database, plan)
        finally:
            await database.close()
    callers = plan.callers
    print(
        f"SIG{plan.stop.name.removeprefix('SIG')} under {plan.calls} live calls "
        f"({callers.sitters} sitting in the menu, {callers.readings} keying readings, "
        f"{callers.callbacks} leaving callbacks, {callers.menus} walking the menu), "
        f"{plan.rounds} rounds on {'SQLite' if database.is_sqlite else 'PostgreSQL'}; "
        f"replies held back 0-{2 * plan.think_ms:g} ms; {os.cpu_count()} cores"
    )
    print(
        "A record may be lost only if queued in the last window before the signal: the "
        f"writer's gather interval ({1000 * WriterSettings().gather_seconds:.0f} ms), the "
        f"engine's longest reply in the round, and {1000 * WINDOW_SLACK:.0f} ms to write\n"
    )
    print("\n".join(table(rounds)))
    print(f"\nengine exit codes {[r.exit_code for r in rounds]}")
    used_up = sum(r.accounts_used_up for r in rounds)
    if used_up:
        print(f"{used_up} readings calls walked the menu instead: every account was used")
    print(f"\n{LEGEND}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50, help="calls kept up at once")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--load-seconds", type=float, default=1.0, help="load before each signal, at least"
    )
    parser.add_argument("--think-ms", type=float, default=50.0, help="mean hold-back of a reply")
    parser.add_argument("--signal", choices=("KILL", "TERM"), default="KILL")
    add_engine_arguments(parser, "kill_test")
    args = parser.parse_args()
    asyncio.run(
        run(
            RoundPlan(
                calls=args.calls,
                rounds=args.rounds,
                load_seconds=args.load_seconds,
                think_ms=args.think_ms,
                stop=signal.Signals[f"SIG{args.signal}"],
            ),
            args.database,
            args.prompts,
        )
    )
