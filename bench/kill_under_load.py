"""An engine stopped under load, then restarted: what the call records say.

Starts ``callgrid serve --only agi`` as a process of its own (SQLite in a scratch
directory), keeps ``--concurrency`` emulated calls walking the menu (each reply held
back a little, as prompts playing would), stops the engine mid-load with SIGKILL or
SIGTERM, restarts it and reads the ``calls`` table.

    python -m bench.kill_under_load [--concurrency 300] [--load-seconds 8] [--signal KILL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from bench.agi_load import CALLER_SCRIPT
from callgrid.database import Database
from ivr.storage import CallRow
from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.agi_commands import QueueBehaviour
from telephony.emulator.caller import ScriptedCaller
from telephony.emulator.sounds import SoundLibrary

SERVING = "callgrid serving"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Engine:
    """One ``callgrid serve`` process, its output going to a log file."""

    process: subprocess.Popen[bytes]
    log: Path
    ready_seconds: float
    """From spawning the process to it accepting calls."""


def serve(scratch: Path, database_url: str, port: int, run: int) -> Engine:
    log = scratch / f"engine-{run}.log"
    env = {
        **os.environ,
        "CALLGRID_VAR_DIR": str(scratch / "var"),
        "CALLGRID_DATABASE_URL": database_url,
        "CALLGRID_AGI_PORT": str(port),
        "CALLGRID_AGI_REPLY_TIMEOUT": "120",
        "CALLGRID_AMI_ENABLED": "no",
    }
    spawned = time.perf_counter()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "callgrid", "serve", "--only", "agi"],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=scratch,
        )
    while SERVING not in log.read_text(errors="replace"):
        if process.poll() is not None:
            raise SystemExit(f"the engine did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.02)
    return Engine(process, log, time.perf_counter() - spawned)


@dataclass
class Load:
    """Callers placing calls one after another until told to stop."""

    port: int
    sounds: SoundLibrary
    think_ms: float
    placing: bool = True
    live: int = 0
    placed: int = 0
    completed_before_stop: list[str] = field(default_factory=list)
    """The uniqueids of calls that ended while the engine still ran."""

    async def caller(self) -> None:
        think = lambda: random.uniform(0, 2 * self.think_ms / 1000)  # noqa: E731
        while self.placing:
            channel = EmulatedChannel(
                "127.0.0.1",
                self.port,
                ScriptedCaller.from_keys(CALLER_SCRIPT),
                self.sounds,
                ChannelSettings(queue=QueueBehaviour(answer_after=5.0, talk_seconds=30.0)),
                think_time=think,
            )
            self.placed += 1
            self.live += 1
            try:
                await channel.run()
            except OSError:
                pass
            finally:
                self.live -= 1
            if self.placing:
                self.completed_before_stop.append(channel.uniqueid)


async def rows(database: Database) -> dict[str, CallRow]:
    async with database.session() as session:
        found = await session.execute(select(CallRow))
        return {row.uniqueid: row for row in found.scalars()}


async def run(
    concurrency: int,
    load_seconds: float,
    think_ms: float,
    stop: signal.Signals,
    database_url: str = "",
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        scratch = Path(directory)
        url = database_url or f"sqlite+aiosqlite:///{scratch / 'callgrid.db'}"
        port = _free_port()
        engine = serve(scratch, url, port, 1)
        prompts = scratch / "var" / "prompts"
        load = Load(port, SoundLibrary([prompts]), think_ms)
        callers = [asyncio.create_task(load.caller()) for _ in range(concurrency)]
        await asyncio.sleep(load_seconds)
        load.placing = False
        live_at_stop, completed = load.live, list(load.completed_before_stop)
        engine.process.send_signal(stop)
        stopping = time.perf_counter()
        exit_code = await asyncio.to_thread(engine.process.wait, 60)
        stop_seconds = time.perf_counter() - stopping
        await asyncio.gather(*callers)

        restarted = serve(scratch, url, port, 2)
        restarted.process.send_signal(signal.SIGTERM)
        await asyncio.to_thread(restarted.process.wait, 60)

        database = Database(url)
        try:
            stored = await rows(database)
        finally:
            await database.close()
        statuses = Counter(row.status for row in stored.values())
        outcomes = Counter(
            (row.status, row.outcome, row.ended_by)
            for row in stored.values()
            if row.status != "ended" or row.outcome == "interrupted"
        )
        ends_lost = sum(
            1 for uniqueid in completed if getattr(stored.get(uniqueid), "status", "") != "ended"
        )
        print(
            f"SIG{stop.name.removeprefix('SIG')} under load: {concurrency} callers, "
            f"{load_seconds:g} s of load, replies held back 0-{2 * think_ms:g} ms"
        )
        print(f"  calls placed                 {load.placed}")
        print(f"  calls live at the signal     {live_at_stop}")
        print(f"  engine exit                  {exit_code} after {stop_seconds:.2f} s")
        print(f"  rows stored                  {len(stored)}  {dict(statuses)}")
        print(f"  rows left open after restart {statuses.get('in_progress', 0)}")
        print(
            f"  ends lost                    {ends_lost} of {len(completed)} calls ended before it"
        )
        print(f"  rows interrupted             {statuses.get('interrupted', 0)}")
        for (status, outcome, ended_by), count in sorted(outcomes.items(), key=str):
            print(f"    status {status}, outcome {outcome}, ended by {ended_by}: {count}")
        print(
            f"  restart to accepting calls   {restarted.ready_seconds:.2f} s "
            "(open rows are closed before it accepts calls)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=300)
    parser.add_argument("--load-seconds", type=float, default=8.0)
    parser.add_argument("--think-ms", type=float, default=200.0)
    parser.add_argument("--signal", choices=("KILL", "TERM"), default="KILL")
    parser.add_argument(
        "--database",
        default="",
        help="an empty database to run on (default: SQLite in a scratch folder), e.g. "
        "postgresql+asyncpg://postgres@127.0.0.1/kill_test",
    )
    args = parser.parse_args()
    asyncio.run(
        run(
            args.concurrency,
            args.load_seconds,
            args.think_ms,
            signal.Signals[f"SIG{args.signal}"],
            args.database,
        )
    )
